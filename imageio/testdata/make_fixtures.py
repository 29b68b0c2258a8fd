#!/usr/bin/python3
"""Writes imageio's decoder fixtures and their reference goldens.

Run from this folder with Debian's Python (python3-pil, python3-numpy,
python3-gdal):

    /usr/bin/python3 make_fixtures.py

Each fixture NAME.EXT gets one or two float32 .npy goldens, H x W x bands:

  NAME.rgb.npy     the 8-bit RGB picture the reference decoder shows:
                   PIL's Image.open(f).convert("RGB"), alpha composited onto
                   black; for 16-bit data the high byte of GDAL's samples
  NAME.raster.npy  the raw band values GDAL reads (ReadAsArray)
"""

import os
import struct
import zlib

import numpy as np
from osgeo import gdal
from PIL import Image

W, H = 24, 17
rng = np.random.default_rng(7)
yy, xx = np.mgrid[0:H, 0:W].astype(np.float64)


def smooth(k, scale=255.0):
    """A smooth pattern (JPEG-friendly) with a little noise, 0..scale."""
    v = 0.5 + 0.35 * np.sin(xx / (3.0 + k) + k) * np.cos(yy / (4.0 + k) - k)
    v += rng.normal(0, 0.01, v.shape)
    return np.clip(v, 0, 1) * scale


def save(name, kind, arr):
    arr = np.asarray(arr, dtype=np.float32)
    if arr.ndim == 2:
        arr = arr[:, :, None]
    np.save(f"{name}.{kind}.npy", arr)


def rgb_golden(name, path):
    im = Image.open(path)
    if im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info):
        im = im.convert("RGBA")
        black = Image.new("RGBA", im.size, (0, 0, 0, 255))
        im = Image.alpha_composite(black, im)
    save(name, "rgb", np.array(im.convert("RGB")))


def gdal_raster(path):
    ds = gdal.Open(path)
    a = ds.ReadAsArray()
    if a.ndim == 2:
        a = a[None]
    return np.transpose(a, (1, 2, 0))


def strip_adobe(data):
    """Removes the Adobe APP14 segment from a JPEG."""
    out, p = bytearray(data[:2]), 2
    while p < len(data):
        marker = data[p + 1]
        if marker == 0xDA:
            out += data[p:]
            break
        n = struct.unpack(">H", data[p + 2:p + 4])[0]
        seg = data[p:p + 2 + n]
        if not (marker == 0xEE and seg[4:9] == b"Adobe"):
            out += seg
        p += 2 + n
    return bytes(out)


def set_adobe_transform(data, transform):
    """Sets the colour transform byte of a JPEG's Adobe APP14 segment."""
    i = data.index(b"Adobe")
    return data[:i + 11] + bytes([transform]) + data[i + 12:]


def png16(path, arr, colour):
    """Writes a 16-bit PNG (PIL cannot write 16-bit RGB)."""
    h, w = arr.shape[:2]
    raw = b"".join(b"\x00" + arr[y].astype(">u2").tobytes() for y in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))

    ihdr = struct.pack(">IIBBBBB", w, h, 16, colour, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def gtiff(path, arr, dtype, options):
    drv = gdal.GetDriverByName("GTiff")
    ds = drv.Create(path, W, H, arr.shape[2], dtype, options)
    for b in range(arr.shape[2]):
        ds.GetRasterBand(b + 1).WriteArray(arr[:, :, b])
    ds.FlushCache()
    ds = None


def main():
    cmyk = np.stack([smooth(k) for k in range(4)], axis=2).astype(np.uint8)
    Image.fromarray(cmyk, "CMYK").save("cmyk_adobe.jpg", quality=95)
    adobe = open("cmyk_adobe.jpg", "rb").read()
    open("cmyk_plain.jpg", "wb").write(strip_adobe(adobe))
    open("ycck.jpg", "wb").write(set_adobe_transform(adobe, 2))
    for n in ("cmyk_adobe", "cmyk_plain", "ycck"):
        rgb_golden(n, n + ".jpg")

    rgb = np.stack([smooth(k) for k in range(3)], axis=2).astype(np.uint8)
    # 4:4:4: image/jpeg upsamples subsampled chroma differently from libjpeg.
    Image.fromarray(rgb, "RGB").save("rgb.jpg", quality=95, subsampling=0)
    rgb_golden("rgb", "rgb.jpg")

    gray16 = smooth(0, 65535).astype(np.uint16)
    png16("gray16.png", gray16, 0)
    rgb16 = np.stack([smooth(k, 65535) for k in range(3)], axis=2).astype(np.uint16)
    png16("rgb16.png", rgb16, 2)
    for n, ext in (("gray16", "png"), ("rgb16", "png")):
        r = gdal_raster(f"{n}.{ext}")
        save(n, "raster", r)
        hi = (r >> 8).astype(np.uint8)
        save(n, "rgb", np.repeat(hi, 3, axis=2) if hi.shape[2] == 1 else hi)

    pal = Image.fromarray(rgb, "RGB").quantize(colors=16)
    pal.save("palette.png")
    rgb_golden("palette", "palette.png")
    rgba = np.concatenate([rgb, smooth(5).astype(np.uint8)[:, :, None]], axis=2)
    Image.fromarray(rgba, "RGBA").save("rgba.png")
    rgb_golden("rgba", "rgba.png")
    Image.fromarray(rgb[:, :, 0], "L").save("gray.png")
    rgb_golden("gray", "gray.png")

    Image.fromarray(gray16, "I;16").save("gray16.tif")
    r = gdal_raster("gray16.tif")
    save("gray16_tif", "raster", r)
    save("gray16_tif", "rgb", np.repeat((r >> 8).astype(np.uint8), 3, axis=2))

    bgrn = np.stack([smooth(k, 4095) for k in range(4)], axis=2).astype(np.uint16)
    gtiff("bgrn_tiled_lzw.tif", bgrn, gdal.GDT_UInt16,
          ["TILED=YES", "BLOCKXSIZE=16", "BLOCKYSIZE=16", "COMPRESS=LZW"])
    bands5 = np.stack([smooth(k, 10000) for k in range(5)], axis=2).astype(np.uint16)
    gtiff("bands5_strip_deflate.tif", bands5, gdal.GDT_UInt16,
          ["BLOCKYSIZE=5", "COMPRESS=DEFLATE", "PREDICTOR=2"])
    bands5b = np.stack([smooth(k) for k in range(5)], axis=2).astype(np.uint8)
    gtiff("bands5_planar_u8.tif", bands5b, gdal.GDT_Byte,
          ["INTERLEAVE=BAND", "BLOCKYSIZE=4"])
    f32 = np.stack([smooth(k, 1.0) for k in range(3)], axis=2).astype(np.float32)
    gtiff("float32_packbits.tif", f32, gdal.GDT_Float32, ["COMPRESS=PACKBITS"])
    for n in ("bgrn_tiled_lzw", "bands5_strip_deflate", "bands5_planar_u8", "float32_packbits"):
        save(n, "raster", gdal_raster(n + ".tif"))
    for f in os.listdir("."):
        if f.endswith(".aux.xml"):
            os.remove(f)


if __name__ == "__main__":
    main()
