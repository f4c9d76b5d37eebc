#!/usr/bin/env python3
"""A webhook receiver for Hekaton's events: what a host writes to hear from hekatond.

It answers each POST with 204 once it has checked the signature (X-Hekaton-Signature-256:
sha256=HMAC-SHA256(secret, body)), drops a delivery key it has seen already (hekatond
delivers at least once: a retry may repeat one), and prints one line per event.

    python3 receiver.py --secret-file hook.secret --port-file port [--port 0] [--log events.log]

hekatond.yaml:
    webhooks:
      - {name: ops, url: "http://127.0.0.1:PORT/hekaton", secret_file: /path/to/hook.secret}
"""
import argparse
import hashlib
import hmac
import http.server
import json
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--secret-file", required=True, help="the file whose first line is the webhook's secret")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (written to --port-file)")
    parser.add_argument("--port-file", help="where to write the port once listening")
    parser.add_argument("--log", help="also append each line here")
    args = parser.parse_args()
    with open(args.secret_file, encoding="utf-8") as f:
        secret = f.readline().rstrip("\n").encode()
    seen = set()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", "0"))
            if length > 1 << 20:
                self.send_response(413)
                self.end_headers()
                return
            body = self.rfile.read(length)
            expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
            if not hmac.compare_digest(expected, self.headers.get("X-Hekaton-Signature-256", "")):
                self.send_response(401)
                self.end_headers()
                say("REFUSED a delivery whose signature does not verify")
                return
            self.send_response(204)
            self.end_headers()
            key = self.headers.get("X-Hekaton-Delivery", "")
            if key in seen:
                return
            seen.add(key)
            event = json.loads(body)["event"]
            say(f"#{event['id']} {event['kind']} [{event.get('competition') or '-'}] {event['message']} (signature ok)")

        def log_message(self, *_):
            pass

    def say(line):
        print(line, flush=True)
        if args.log:
            with open(args.log, "a", encoding="utf-8") as f:
                f.write(line + "\n")

    server = http.server.HTTPServer(("127.0.0.1", args.port), Handler)
    if args.port_file:
        with open(args.port_file, "w", encoding="utf-8") as f:
            f.write(str(server.server_address[1]))
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
