#!/usr/bin/env python3
"""Serves live recommendations from this bundle's model (standard library only).

    python3 server.py [--host 127.0.0.1] [--port 8080]

* ``GET /recommend?listener=L00042`` → ``{"listener": "L00042", "livers": ["V01234", ...]}``
  (optional ``&k=N``, at most the bundle's list length);
* ``GET /healthz`` → ``{"status": "ok"}``.

The participant's ``Predictor`` is loaded once from ``model/``; calls to it are
serialized, so a predictor need not be thread-safe. Its requirements
(``requirements.txt``) must be installed in the interpreter that runs this file.
"""

import argparse
import json
import os
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE / "lib"), str(HERE / "submission")]

from hekaton.errors import SubmissionError  # noqa: E402
from hekaton.host import call_participant, load_submission  # noqa: E402

CONFIG = json.loads((HERE / "serving.json").read_text())
os.environ.setdefault("HEKATON_PARAMS", json.dumps(CONFIG.get("params", {})))
os.environ.setdefault("HEKATON_COMPETITION", CONFIG.get("competition", ""))


class Recommender:
    def __init__(self) -> None:
        submission = load_submission(HERE / "submission")
        self.predictor = call_participant("Predictor(model_dir)", submission.predictor, HERE / "model")
        self.lock = threading.Lock()
        self.k = int(CONFIG.get("k", 10))
        self.id_field = CONFIG.get("id_field", "listener_id")

    def recommend(self, listener: str, k: int) -> list:
        with self.lock:
            predictions = call_participant("Predictor.predict", self.predictor.predict, [{self.id_field: listener}])
        livers = list(predictions)[0]
        livers = livers.tolist() if hasattr(livers, "tolist") else list(livers)
        return [str(liver) for liver in livers[:k]]


def make_handler(recommender: Recommender, quiet: bool):
    class Handler(BaseHTTPRequestHandler):
        server_version = "hekaton-serving/1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            url = urlparse(self.path)
            query = parse_qs(url.query)
            if url.path == "/healthz":
                return self.reply(200, {"status": "ok"})
            if url.path != "/recommend":
                return self.reply(404, {"error": f"no route {url.path}; try /recommend?listener=ID"})
            listener = (query.get("listener") or [""])[0]
            if not listener:
                return self.reply(400, {"error": "missing query parameter 'listener'"})
            try:
                k = int((query.get("k") or [recommender.k])[0])
                if k < 1:
                    raise ValueError
            except ValueError:
                return self.reply(400, {"error": "k must be a positive integer"})
            try:
                livers = recommender.recommend(listener, k)
            except SubmissionError as error:
                return self.reply(500, {"error": str(error)})
            return self.reply(200, {"listener": listener, "livers": livers})

        def reply(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args) -> None:  # noqa: A002
            if not quiet:
                super().log_message(format, *args)

    return Handler


def main() -> int:
    parser = argparse.ArgumentParser(description="Serve recommendations from this bundle.")
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8080")),
                        help="TCP port (0 picks a free one; the address is printed)")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args()
    try:
        recommender = Recommender()
    except SubmissionError as error:
        print(f"server: cannot load the model: {error}", file=sys.stderr)
        if error.details:
            print(error.details, file=sys.stderr)
        return 1
    server = ThreadingHTTPServer((args.host, args.port), make_handler(recommender, args.quiet))
    host, port = server.server_address[:2]
    print(f"serving {CONFIG.get('competition', '')} recommendations on http://{host}:{port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
