#!/usr/bin/python3
"""Writes a small labelled set of CMYK JPEGs for the preprocessing
consistency test: 64 images of 32x32 pixels, saved by PIL as 4-component
(Adobe CMYK) JPEGs, and tags.csv (image_name,tags).

Each image is a noisy background with up to three features, each a label:
"warm" (a red square), "cool" (a blue disc) and "striped" (dark
horizontal stripes). Run from this folder with Debian's Python
(python3-pil, python3-numpy):

    /usr/bin/python3 make.py
"""

import numpy as np
from PIL import Image

N, S = 64, 32
rng = np.random.default_rng(11)
yy, xx = np.mgrid[0:S, 0:S]
rows = []
for i in range(N):
    img = np.clip(rng.normal(128, 20, (S, S, 3)), 0, 255)
    tags = []
    if rng.random() < 0.5:
        x, y = rng.integers(2, S - 12, 2)
        img[y:y + 10, x:x + 10] = [220, 40, 30]
        tags.append("warm")
    if rng.random() < 0.5:
        cx, cy = rng.integers(8, S - 8, 2)
        img[(xx - cx) ** 2 + (yy - cy) ** 2 < 36] = [30, 60, 210]
        tags.append("cool")
    if rng.random() < 0.4:
        img[(yy // 3) % 2 == 0] *= 0.4
        tags.append("striped")
    name = "img_%02d" % i
    Image.fromarray(img.astype(np.uint8), "RGB").convert("CMYK").save(name + ".jpg", quality=92)
    rows.append("%s,%s" % (name, " ".join(tags)))
with open("tags.csv", "w") as f:
    f.write("image_name,tags\n" + "\n".join(rows) + "\n")
