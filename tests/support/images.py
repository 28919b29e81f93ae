"""Images for the X upload tests: JPEGs made with Pillow, served by a small HTTP server."""

from __future__ import annotations

import io
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image


def jpeg(width: int = 64, height: int = 48, noise: bool = False) -> bytes:
    """A JPEG; with ``noise`` random pixels, so it hardly compresses (large files)."""
    if noise:
        rng = random.Random(7)
        image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    else:
        image = Image.new("RGB", (width, height), (200, 30, 30))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=95)
    return out.getvalue()


@contextmanager
def image_server(files: dict[str, bytes], redirects: dict[str, str] | None = None) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` serving ``files`` by path (200, image/jpeg) and
    ``redirects`` (path → Location, 302); anything else 404."""
    moves = redirects or {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path in moves:
                self.send_response(302)
                self.send_header("Location", moves[self.path])
                self.end_headers()
                return
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, name="images", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
