"""One port, two servers (decision 0019): gunicorn's WSGI workers answer pages and the API; the
few long-lived streams (settings.LIAISON_ASGI_PATHS: the live feed's Server-Sent Events) are handed,
socket and all, to one asyncio process that serves them as ASGI.

The hand-off: a gunicorn worker that parses a request for a stream path sends the client's socket
(SCM_RIGHTS over a private Unix socket) with the request's head, rebuilt from the WSGI environ, to
the stream process and forgets it; the stream process feeds that head to uvicorn's HTTP protocol
on the socket it received, and from then on the stream is uvicorn's. The worker is free again
within a millisecond, so a stream never holds a gunicorn worker or thread; a page never pays for
ASGI.

Outside gunicorn (the test client, `runserver`) no socket is there to hand over and Django answers
the stream path itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import sys
import threading

log = logging.getLogger("liaison.serving")
MAX_HEAD = 64 * 1024
SOCKET_ENV = "LIAISON_STREAM_SOCKET"


# --- the WSGI side (in each gunicorn worker) ---------------------------------------------------


def _head(environ) -> bytes:
    """The request's head as the client sent it (names as WSGI keeps them), told to close after:
    a stream ends its connection, the pages' next request goes to gunicorn again."""
    target = environ.get("RAW_URI") or (
        environ.get("PATH_INFO", "/") + ("?" + environ["QUERY_STRING"] if environ.get("QUERY_STRING") else "")
    )
    lines = [f"{environ['REQUEST_METHOD']} {target} HTTP/1.1"]
    for key, value in environ.items():
        if key.startswith("HTTP_") and key not in ("HTTP_CONNECTION", "HTTP_KEEP_ALIVE"):
            lines.append(f"{key[5:].replace('_', '-').title()}: {value}")
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            lines.append(f"{key.replace('_', '-').title()}: {value}")
    lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def _unavailable(start_response):
    start_response("503 Service Unavailable", [("Content-Type", "text/plain"), ("Retry-After", "3")])
    return [b"The live feed is restarting: it reconnects by itself.\n"]


class StreamHandoff:
    """WSGI middleware: requests for the stream paths go to the stream process, the rest to Django."""

    def __init__(self, app, paths: tuple[str, ...]):
        self.app = app
        self.paths = frozenset(paths)

    def __call__(self, environ, start_response):
        path = os.environ.get(SOCKET_ENV)
        client = environ.get("gunicorn.socket")
        if environ.get("PATH_INFO") not in self.paths or not path or client is None:
            return self.app(environ, start_response)
        head = _head(environ)
        if len(head) > MAX_HEAD:
            start_response("431 Request Header Fields Too Large", [("Content-Type", "text/plain")])
            return [b"Request header fields too large.\n"]
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as ch:
                ch.settimeout(5)
                ch.connect(path)
                socket.send_fds(ch, [head], [client.fileno()])
                if ch.recv(1) != b"1":
                    return _unavailable(start_response)
        except OSError:
            log.warning("the stream process is not answering", exc_info=True)
            return _unavailable(start_response)
        # The stream process holds the connection now. What gunicorn still writes (the answer
        # below) and its close go to a discarded socket pair put in the client socket's place, so
        # that neither a byte nor a FIN reaches the client from here.
        a, b = socket.socketpair()
        os.dup2(a.fileno(), client.fileno())
        a.close()
        _DISCARD.put(b)
        start_response("204 No Content", [])
        return []


class _Discard:
    """The far ends of the discarded socket pairs, closed one hand-off later (the near end has been
    written to and closed by then)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: list[socket.socket] = []

    def put(self, s: socket.socket) -> None:
        with self.lock:
            old, self.held = self.held, [s]
        for x in old:
            x.close()


_DISCARD = _Discard()


# --- the stream process ------------------------------------------------------------------------


def _receive(listener: socket.socket, loop: asyncio.AbstractEventLoop, start) -> None:
    """Thread: accept hand-offs (a head and a socket each) and start each in the event loop."""
    while True:
        ch, _ = listener.accept()
        with ch:
            try:
                head, fds, _flags, _addr = socket.recv_fds(ch, MAX_HEAD, 1)
            except OSError:
                continue
            if not fds:
                continue
            client = socket.socket(fileno=fds[0])
            client.setblocking(False)
            loop.call_soon_threadsafe(start, client, head)
            with contextlib.suppress(OSError):
                ch.send(b"1")


def serve_streams(path: str) -> None:
    """The stream process: Django's ASGI application (liaison.asgi) under uvicorn's HTTP/1.1
    protocol, fed with handed-off connections only (it listens on no TCP port)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "liaison.settings")
    django.setup()
    from django.conf import settings
    from django.utils.module_loading import import_string
    from uvicorn.config import Config
    from uvicorn.protocols.http.h11_impl import H11Protocol
    from uvicorn.server import ServerState

    application = import_string(settings.ASGI_APPLICATION)
    config = Config(app=application, lifespan="off", log_level="warning", server_header=False, http="h11")
    config.load()
    state = ServerState()

    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(path)
    os.chmod(path, 0o600)
    listener.listen(128)

    async def main() -> None:
        loop = asyncio.get_running_loop()

        def start(client: socket.socket, head: bytes) -> None:
            async def attach() -> None:
                try:
                    _transport, protocol = await loop.connect_accepted_socket(
                        lambda: H11Protocol(config=config, server_state=state, app_state={}), client
                    )
                except OSError:
                    client.close()
                    return
                protocol.data_received(head)

            loop.create_task(attach())

        threading.Thread(target=_receive, args=(listener, loop, start), daemon=True).start()
        await asyncio.Event().wait()

    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
    finally:
        with contextlib.suppress(OSError):
            os.unlink(path)


if __name__ == "__main__":
    serve_streams(sys.argv[1])
