"""The home-screen icon and the web app manifest, made in code (no image files, nothing downloaded).

The icon is the page's own still circle on the night background, drawn with numpy at any size
and written as a PNG with zlib from the standard library.
"""

from __future__ import annotations

import functools
import json
import struct
import zlib

import numpy as np

BACKGROUND = (16, 20, 26)
CIRCLE_INNER = (53, 83, 106)
CIRCLE_OUTER = (42, 61, 75)
ICON_SIZES = (180, 192, 512)


def _png(rgb: np.ndarray) -> bytes:
    height, width, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[row].tobytes() for row in range(height))  # filter 0 on every row

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


@functools.lru_cache(maxsize=8)
def icon_png(size: int) -> bytes:
    """A soft circle filling the middle 60% (inside the maskable safe zone), anti-aliased at its edge."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) + 0.5
    centre = size / 2
    distance = np.hypot(x - centre, y - centre) / (size * 0.30)
    inside = np.clip((1.0 - distance) * size * 0.30, 0.0, 1.0)[..., None]  # 1 px of anti-aliasing
    mix = np.clip(distance, 0, 1)[..., None]
    circle = np.array(CIRCLE_INNER, np.float32) * (1 - mix) + np.array(CIRCLE_OUTER, np.float32) * mix
    image = np.array(BACKGROUND, np.float32) * (1 - inside) + circle * inside
    return _png(np.round(image).astype(np.uint8))


def manifest_json() -> str:
    return json.dumps({
        "name": "Stillpoint",
        "short_name": "Stillpoint",
        "description": "A quiet companion to talk to, breathe with and journal to, on your own computer.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#10141a",
        "theme_color": "#10141a",
        "icons": [
            {"src": f"/icons/icon-{size}.png", "sizes": f"{size}x{size}", "type": "image/png", "purpose": "any maskable"}
            for size in ICON_SIZES
        ],
    })
