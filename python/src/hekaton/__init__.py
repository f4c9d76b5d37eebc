"""Hekaton's Python SDK: the participant contract and the host's helpers.

Participants subclass (or imitate) :class:`Trainer` and :class:`Predictor` in their
``submission.py``; hosts write their stage entrypoints with :mod:`hekaton.host`. The
environment each stage receives and the file formats are documented in ``python/README.md``.

Standard library only: this package is importable in every sandbox, whatever the
submission's own requirements are.
"""

from .context import STAGES, StageContext, params, seed
from .contract import Predictor, Trainer
from .dataset import Dataset
from .errors import ContextError, FormatError, HekatonError, SubmissionError

__version__ = "0.1.0"

__all__ = [
    "Trainer", "Predictor", "Dataset", "StageContext", "STAGES", "params", "seed",
    "HekatonError", "ContextError", "SubmissionError", "FormatError", "__version__",
]
