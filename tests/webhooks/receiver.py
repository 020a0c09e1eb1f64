"""A webhook receiver for the end-to-end tests.

It verifies every delivery with the `standardwebhooks` package (the
Standard Webhooks reference implementation, from PyPI — code the server's
authors did not write) and remembers what it received.

    python receiver.py SECRET_FILE

listens on a free loopback port and prints it as its first line of output.
The secret is read from SECRET_FILE at each delivery (the test writes it
once the subscription exists). Endpoints:

    POST /hook         a delivery: 204 when it verifies (and the receiver is
                       up), 400 when it does not, 503 while "down"
    GET  /received     every delivery that verified, in arrival order:
                       [{"webhook_id", "event_id", "event_type", "attempt"}]
    POST /down, /up    start or stop answering 503 (a receiver outage)
    GET  /rejected     how many deliveries failed verification
"""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook

SECRET_FILE = sys.argv[1]
LOCK = threading.Lock()
RECEIVED: list = []
STATE = {"down": False, "rejected": 0, "attempts": 0}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def _answer(self, status, body=None):
        payload = b"" if body is None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self):
        with LOCK:
            if self.path == "/received":
                return self._answer(200, RECEIVED)
            if self.path == "/rejected":
                return self._answer(200, {"rejected": STATE["rejected"], "attempts": STATE["attempts"]})
        self._answer(404, {"detail": "not found"})

    def do_POST(self):
        length = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(length)
        if self.path in ("/down", "/up"):
            with LOCK:
                STATE["down"] = self.path == "/down"
            return self._answer(200, {"down": STATE["down"]})
        if self.path != "/hook":
            return self._answer(404, {"detail": "not found"})
        with LOCK:
            STATE["attempts"] += 1
            if STATE["down"]:
                return self._answer(503, {"detail": "down"})
        with open(SECRET_FILE, encoding="utf-8") as file:
            secret = file.read().strip()
        headers = {key.lower(): value for key, value in self.headers.items()}
        try:
            event = Webhook(secret).verify(body, headers)
        except Exception as error:  # any verification failure
            with LOCK:
                STATE["rejected"] += 1
            return self._answer(400, {"detail": f"verification failed: {error}"})
        with LOCK:
            RECEIVED.append(
                {
                    "webhook_id": headers["webhook-id"],
                    "event_id": event["event_id"],
                    "event_type": event["event_type"],
                    "x_trm_event": headers.get("x-trm-event"),
                    "entity_id": event.get("entity_id"),
                }
            )
        self._answer(204)


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
