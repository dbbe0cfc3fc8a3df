"""A real local HTTP server that receives webhook deliveries and answers as a test scripts it."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Answers each request with the next scripted reply: an int status, "timeout" (no answer
    until the test ends), "trickle" (a 200 whose body comes a byte every 0.1 s for up to 10 s)
    or ("redirect", location); 200 once the script is used up."""

    url: str
    requests: list[Received] = field(default_factory=list)
    script: list = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def next_reply(self):
        return self.script.pop(0) if self.script else 200


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer, threading.Thread]:
    """Serve on a free local port in a thread; the caller shuts it down."""
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            receiver: Receiver = state["receiver"]
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            receiver.requests.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            reply = receiver.next_reply()
            if reply == "timeout":
                receiver.release.wait(5)
                return
            if reply == "trickle":
                self.send_response(200)
                self.send_header("Content-Length", "5000")
                self.end_headers()
                for _ in range(100):
                    if receiver.release.is_set():
                        return
                    self.wfile.write(b".")
                    self.wfile.flush()
                    time.sleep(0.1)
                return
            if isinstance(reply, tuple):
                self.send_response(302)
                self.send_header("Location", reply[1])
                self.end_headers()
                return
            payload = b"ok" if reply < 400 else b"boom: " + b"x" * 5000
            self.send_response(reply)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver = Receiver(url=f"http://127.0.0.1:{server.server_port}/hooks")
    state["receiver"] = receiver
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    return receiver, server, thread
