// The files are Swift literals so that hekatonctl needs no resource bundle beside it.
// `__NAME__` becomes the competition's name, `__MODULE__` the name of its host helper module.

extension CompetitionScaffold {
    // The host's README: what is where, how to try it, how to publish it.

    /// `README.md`
    static let hostReadme = #"""
    # __NAME__: a Hekaton competition

    Scaffolded by `hekatonctl competition init`. It works as it is: a toy regression task
    (predict house prices), a data generator, the four host entrypoints and a participant
    template. Change the task by editing the pieces below; keep the layout.

    ```
    hekaton.yaml        the manifest: metric, dataset layout, entrypoints, limits, rules, schedules
    host/               the entrypoints the daemon runs for each submission
      train.py          calls the participant's Trainer on train/
      predict.py        calls the participant's Predictor on eval/features/, checks every prediction
      score.py          RMSE against eval/labels/ (no participant code runs here)
      artifact.py       batch predictions, the model and the code, for production
    make_data.py        writes one dataset version (standard library only)
    template/           what participants start from (`hekatonctl init`)
    ```

    `host/__MODULE__.py` holds what the entrypoints share: the files, the columns and the
    check every prediction passes.

    Participant code runs inside the train, predict and artifact stages, so those stages see
    only what `visibility` in `hekaton.yaml` lists (with it absent, only the scripts their
    entrypoints name). `host/score.py` and `make_data.py` never reach them. A new helper
    that `train.py` or `predict.py` imports goes into `visibility.participant`; anything
    else you add stays private.

    The stage environment (`HEKATON_*` variables), the participant contract and the
    predictions and metrics formats are specified in `python/README.md` of the Hekaton
    checkout; the entrypoints use its SDK, `hekaton.host`.

    ## Try it locally

    From a checkout of Hekaton (`PYTHONPATH=python/src`, or `pip install ./python`), with
    `DIR` this directory:

    ```sh
    python3 DIR/make_data.py --out /tmp/__NAME__/v1
    PYTHONPATH=python/src python3 -m hekaton.local DIR /tmp/__NAME__/v1 DIR/template \
        --stages train,predict,score,artifact
    ```

    This runs the template through every stage with the daemon's environment but without
    its sandbox, and prints the metrics (an RMSE around 35 for the template; a log-linear
    model of all the features gets under 12).

    ## Publish it

    ```sh
    hekatonctl dataset register __NAME__-data --tag v1 /tmp/__NAME__/v1
    hekatonctl competition publish DIR
    ```

    Participants then run `hekatonctl init --competition __NAME__` and
    `hekatonctl submit`. A new dataset version (`make_data.py --seed 2 --out ...`, then
    `dataset register`) is what the `ingest` schedule will pick up.

    """#
}
