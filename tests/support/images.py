"""Images for the upload and photo-URL tests: JPEGs made with Pillow, served (with other
content when a test needs a page that is no image) by a small HTTP server."""

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
def image_server(
    files: dict[str, bytes | tuple[str, bytes]],
    redirects: dict[str, str] | None = None,
    hits: dict[str, int] | None = None,
) -> Iterator[str]:
    """``http://127.0.0.1:<port>`` serving ``files`` by path (200; bytes as image/jpeg, or
    ``(content type, bytes)``) and ``redirects`` (path → Location, 302); anything else 404.
    ``hits`` counts the requests per path. ``files`` is read per request: a test may change it."""
    moves = redirects or {}
    seen = hits if hits is not None else {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen[self.path] = seen.get(self.path, 0) + 1
            if self.path in moves:
                self.send_response(302)
                self.send_header("Location", moves[self.path])
                self.end_headers()
                return
            found = files.get(self.path)
            if found is None:
                self.send_error(404)
                return
            kind, body = found if isinstance(found, tuple) else ("image/jpeg", found)
            self.send_response(200)
            self.send_header("Content-Type", kind)
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
