"""The example webhook receiver: signed deliveries printed once, others refused."""
import hashlib
import hmac
import json
import pathlib
import subprocess
import sys
import time
import urllib.error
import urllib.request

RECEIVER = pathlib.Path(__file__).resolve().parents[1] / "receiver.py"


def post(port, body, signature, key):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/hekaton", data=body, method="POST", headers={
        "Content-Type": "application/json", "X-Hekaton-Signature-256": signature, "X-Hekaton-Delivery": key})
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def test_signed_deliveries_are_printed_once_and_unsigned_ones_refused(tmp_path):
    secret = tmp_path / "hook.secret"
    secret.write_text("s3cret\n")
    port_file, log = tmp_path / "port", tmp_path / "events.log"
    process = subprocess.Popen([sys.executable, str(RECEIVER), "--secret-file", str(secret), "--port-file", str(port_file),
                                "--log", str(log)], stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 20
        while not (port_file.exists() and port_file.read_text()):
            assert time.monotonic() < deadline and process.poll() is None, "the receiver did not start"
            time.sleep(0.05)
        port = int(port_file.read_text())
        event = {"id": 7, "at": "2026-12-01T00:00:00Z", "kind": "round.decided", "competition": "pococha",
                 "message": "pococha: round 3 promoted", "data": {}}
        body = json.dumps({"delivery": "ops-7", "webhook": "ops", "event": event}).encode()
        good = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert post(port, body, good, "ops-7") == 204
        assert post(port, body, good, "ops-7") == 204, "a retry is answered, not printed again"
        assert post(port, body, "sha256=" + "0" * 64, "ops-8") == 401
        lines = log.read_text().splitlines()
        assert lines[0] == "#7 round.decided [pococha] pococha: round 3 promoted (signature ok)"
        assert lines[1].startswith("REFUSED") and len(lines) == 2
    finally:
        process.terminate()
        process.wait(timeout=10)
