#!/usr/bin/env bash
# Makes docs/maps.png, the README's picture of a map: a small demo model
# predicts a georeferenced scene (16 demo tiles laid 4×4 as a GeoTIFF in
# UTM zone 37N) tile by tile as GeoJSON, and the tiles whose labels
# include water are filled in blue over the scene, each tile with its
# first labels, from the GeoJSON's own lon/lat
# coordinates, turned back into pixels with GDAL. Needs gdal-bin,
# python3-gdal and python3-pil (Debian's /usr/bin/python3).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/mlabel" ./cmd/mlabel
"$tmp/mlabel" demo --out "$tmp/demo" --count 400 --epochs 6 --json >/dev/null 2>&1
/usr/bin/python3 - "$tmp" <<'PY'
import glob, sys
from PIL import Image
tmp = sys.argv[1]
tiles = sorted(glob.glob(tmp + "/demo/data/images/*.jpg"))[-16:]
side = Image.open(tiles[0]).size[0]
scene = Image.new("RGB", (4 * side, 4 * side))
for k, t in enumerate(tiles):
    scene.paste(Image.open(t).convert("RGB"), ((k % 4) * side, (k // 4) * side))
scene.save(tmp + "/scene.png")
PY
# 0.5 m pixels near Addis Ababa's longitude, in UTM zone 37N.
read -r w h < <(/usr/bin/python3 -c "from PIL import Image; print(*Image.open('$tmp/scene.png').size)")
gdal_translate -q -a_srs EPSG:32637 -a_ullr 470000 1000000 $((470000 + w / 2)) $((1000000 - h / 2)) \
	"$tmp/scene.png" "$tmp/scene.tif"
"$tmp/mlabel" predict --model "$tmp/demo/model.mlb" --tiles 4 --tile-overlap 0 --format geojson \
	--out "$tmp/map.geojson" "$tmp/scene.tif"
/usr/bin/python3 - "$tmp" docs/maps.png <<'PY'
import json, sys
from osgeo import gdal, osr
from PIL import Image, ImageDraw
tmp, out = sys.argv[1], sys.argv[2]
ds = gdal.Open(tmp + "/scene.tif")
gt = ds.GetGeoTransform()
utm = osr.SpatialReference(); utm.ImportFromEPSG(32637)
wgs = osr.SpatialReference(); wgs.ImportFromEPSG(4326)
wgs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
to_utm = osr.CoordinateTransformation(wgs, utm)
def pixel(lon, lat):
    x, y, _ = to_utm.TransformPoint(lon, lat)
    return (x - gt[0]) / gt[1], (y - gt[3]) / gt[5]
img = Image.open(tmp + "/scene.png").convert("RGB")
scale = 512 / img.size[0]
img = img.resize((512, int(img.size[1] * scale)))
over = Image.new("RGBA", img.size, (0, 0, 0, 0))
draw = ImageDraw.Draw(over)
fc = json.load(open(tmp + "/map.geojson"))
for f in fc["features"]:
    p = f["properties"]
    if p.get("tile", 0) == 0:
        continue
    labels = [l if isinstance(l, str) else l.get("label") for l in p.get("labels", [])]
    ring = [tuple(v * scale for v in pixel(*c[:2])) for c in f["geometry"]["coordinates"][0]]
    if "water" in labels:
        draw.polygon(ring, fill=(30, 110, 255, 110), outline=(30, 110, 255, 255))
    else:
        draw.polygon(ring, outline=(255, 255, 255, 160))
    x0, y0 = min(x for x, _ in ring), min(y for _, y in ring)
    for k, name in enumerate(labels[:4]):
        draw.rectangle((x0 + 2, y0 + 2 + 13 * k, x0 + 4 + 7 * len(name), y0 + 15 + 13 * k), fill=(0, 0, 0, 150))
        draw.text((x0 + 3, y0 + 2 + 13 * k), name, fill=(255, 255, 255, 255))
Image.alpha_composite(img.convert("RGBA"), over).convert("RGB").save(out)
PY
echo "wrote docs/maps.png"
