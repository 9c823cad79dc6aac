#!/usr/bin/env python3
"""Writes the two images configs/experiments/vae-audit.conf audits (numpy only; run from this directory).

scene.png     64x64: a red circle on a blue background, anti-aliased, as the embedded world draws its corpus.
landscape.png 96x64: photo-like: a sky gradient with a sun, hills with a fractal ridge, textured grass, film grain.
Deterministic (fixed seed), so running it again writes the same bytes.
"""
import struct
import zlib

import numpy as np


def write_png(path, rgb):
    h, w, _ = rgb.shape
    raw = b"".join(b"\x00" + rgb[y].astype(np.uint8).tobytes() for y in range(h))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path + ".tmp", "wb") as f:
        f.write(png)
    import os
    os.replace(path + ".tmp", path)


def scene():
    n = 64
    y, x = np.mgrid[0:n, 0:n] + 0.5
    d = np.hypot(x - 32, y - 32)
    cover = np.clip(18.5 - d, 0, 1)[..., None]  # one pixel of anti-aliasing at the edge
    bg = np.array([30, 60, 200], float)
    fg = np.array([220, 30, 30], float)
    return np.round(bg * (1 - cover) + fg * cover)


def value_noise(rng, w, h, cell):
    gw, gh = w // cell + 2, h // cell + 2
    g = rng.random((gh, gw))
    y, x = np.mgrid[0:h, 0:w] / cell
    x0, y0 = x.astype(int), y.astype(int)
    fx, fy = x - x0, y - y0
    fx, fy = fx * fx * (3 - 2 * fx), fy * fy * (3 - 2 * fy)
    top = g[y0, x0] * (1 - fx) + g[y0, x0 + 1] * fx
    bot = g[y0 + 1, x0] * (1 - fx) + g[y0 + 1, x0 + 1] * fx
    return top * (1 - fy) + bot * fy


def landscape():
    rng = np.random.default_rng(17)
    w, h = 96, 64
    y, x = np.mgrid[0:h, 0:w] + 0.5
    t = (y / h)[..., None]
    sky = np.array([70, 120, 200], float) * (1 - t) + np.array([235, 200, 160], float) * t
    sun = np.exp(-((x - 70) ** 2 + (y - 16) ** 2) / 40.0)[..., None]
    img = sky + sun * np.array([60, 50, 10], float)
    img = np.where((np.hypot(x - 70, y - 16) < 4.5)[..., None], np.array([255, 240, 200], float), img)
    xs = np.arange(w)
    ridge = 34 + 5 * np.sin(xs / 11.0) + 3 * np.sin(xs / 4.3 + 1) + 1.5 * (rng.random(w) - 0.5)
    hills = y > ridge[None, :]
    haze = np.array([95, 115, 125], float) + 20 * value_noise(rng, w, h, 6)[..., None]
    img = np.where(hills[..., None], haze, img)
    grass_line = 46 + 2 * np.sin(xs / 7.0)
    grass = y > grass_line[None, :]
    tex = 0.6 * value_noise(rng, w, h, 3) + 0.4 * value_noise(rng, w, h, 1)
    shade = (0.55 + 0.45 * (y - 46) / 18)[..., None]
    greens = (np.array([60, 110, 40], float) + tex[..., None] * np.array([70, 80, 30], float)) * shade
    img = np.where(grass[..., None], greens, img)
    img = img + rng.normal(0, 4.0, img.shape)
    return np.clip(np.round(img), 0, 255)


if __name__ == "__main__":
    write_png("scene.png", scene())
    write_png("landscape.png", landscape())
