#!/bin/bash
# Makes the georeferenced test images and their golden values with GDAL
# (Debian packages gdal-bin and python3-gdal). Run from this folder:
#   bash make.sh
set -eu

# The Python that has GDAL's bindings (python3-gdal installs them for
# the system Python).
PY=${PY:-/usr/bin/python3}

create() { # name bands srs ulx uly lrx lry [options...]
	name=$1 bands=$2 srs=$3 ulx=$4 uly=$5 lrx=$6 lry=$7
	shift 7
	burn=""
	for b in $(seq "$bands"); do burn="$burn -burn $((b * 60))"; done
	rm -f "$name"
	# shellcheck disable=SC2086
	gdal_create -of GTiff -outsize 64 48 -bands "$bands" $burn \
		-a_srs "$srs" -a_ullr "$ulx" "$uly" "$lrx" "$lry" "$@" "$name"
}

# UTM 37N, 10 m pixels, 3 bands (Ethiopian highlands).
create utm37n.tif 3 EPSG:32637 472000 995000 472640 994520
# UTM 36S, 20 m pixels, 1 band (Lake Victoria's south shore).
create utm36s.tif 1 EPSG:32736 420000 9720000 421280 9719040
# UTM 38N with its tie point on a pixel's centre (PixelIsPoint).
create point.tif 3 EPSG:32638 300000 1200000 300320 1199760 -mo AREA_OR_POINT=Point
# Geographic WGS 84, 0.0001° pixels.
create wgs84.tif 3 EPSG:4326 36.8 -1.28 36.8064 -1.2848
# Web Mercator, 5 m pixels.
create merc.tif 3 EPSG:3857 4340000 1000000 4340320 999760
# No georeferencing at all.
rm -f plain.tif
gdal_create -of GTiff -outsize 64 48 -bands 3 -burn 60 -burn 120 -burn 180 plain.tif
# A rotated grid (ModelTransformation) in UTM 37N.
rm -f rotated.tif
"$PY" - <<'PY'
from osgeo import gdal, osr
d = gdal.GetDriverByName("GTiff").Create("rotated.tif", 64, 48, 1, gdal.GDT_Byte)
d.SetGeoTransform((480000, 8.660254037844387, 5.0, 1000000, 5.0, -8.660254037844387))
s = osr.SpatialReference(); s.ImportFromEPSG(32637)
d.SetProjection(s.ExportToWkt())
d.GetRasterBand(1).Fill(90)
d = None
PY
# UTM 37N, 10 m pixels, the left 24 columns red and the rest black: a
# segmenter that finds red finds 24×48 pixels, 11.52 ha.
rm -f redhalf.tif
"$PY" - <<'PY'
from osgeo import gdal, osr
d = gdal.GetDriverByName("GTiff").Create("redhalf.tif", 64, 48, 3, gdal.GDT_Byte)
d.SetGeoTransform((472000, 10, 0, 995000, 0, -10))
s = osr.SpatialReference(); s.ImportFromEPSG(32637)
d.SetProjection(s.ExportToWkt())
row = bytes([255] * 24 + [0] * 40)
d.GetRasterBand(1).WriteRaster(0, 0, 64, 48, row * 48)
d.GetRasterBand(2).Fill(0)
d.GetRasterBand(3).Fill(0)
d = None
PY
# A GeoKeyDirectory that declares more keys than it holds.
"$PY" - <<'PY'
import struct
b = bytearray(open("utm37n.tif", "rb").read())
off = struct.unpack_from("<I", b, 4)[0]
n = struct.unpack_from("<H", b, off)[0]
for i in range(n):
    e = off + 2 + 12 * i
    tag, typ, cnt, val = struct.unpack_from("<HHII", b, e)
    if tag == 34735:
        at = val if cnt * 2 > 4 else e + 8
        struct.pack_into("<H", b, at + 6, 200)  # NumberOfKeys
open("badkeys.tif", "wb").write(bytes(b))
PY

# golden.txt: for each image, pixel (column, row) -> lon lat, as
# gdaltransform computes them, 15 significant digits.
: >golden.txt
for f in utm37n.tif utm36s.tif point.tif wgs84.tif merc.tif rotated.tif; do
	printf '0 0\n64 0\n0 48\n64 48\n10.5 3.25\n63.75 47.5\n' |
		gdaltransform -t_srs OGC:CRS84 "$f" |
		paste -d' ' - /dev/null |
		awk -v f="$f" 'BEGIN { split("0 0 64 0 0 48 64 48 10.5 3.25 63.75 47.5", p, " ") }
			{ i = 2 * NR - 1; print f, p[i], p[i+1], $1, $2 }' >>golden.txt
done

# geotransform.txt: each image's GDAL geotransform and EPSG code.
"$PY" - <<'PY' >geotransform.txt
from osgeo import gdal, osr
for f in ["utm37n.tif", "utm36s.tif", "point.tif", "wgs84.tif", "merc.tif", "rotated.tif"]:
    d = gdal.Open(f)
    s = osr.SpatialReference(wkt=d.GetProjection())
    s.AutoIdentifyEPSG()
    print(f, s.GetAuthorityCode(None), " ".join(repr(v) for v in d.GetGeoTransform()))
PY

# area.txt: each image's footprint area in m², by ogrinfo: in the image's
# own UTM grid, and for EPSG:4326 and 3857 on the WGS 84 ellipsoid, in its
# equal-area projection EPSG:6933, where the footprint's edges (along
# meridians and parallels) stay straight.
: >area.txt
for f in utm37n.tif utm36s.tif point.tif wgs84.tif merc.tif rotated.tif; do
	rm -f fp.gpkg fp2.gpkg
	gdaltindex fp.gpkg "$f" >/dev/null
	src=fp.gpkg
	if [ "$f" = wgs84.tif ] || [ "$f" = merc.tif ]; then
		ogr2ogr -t_srs EPSG:6933 fp2.gpkg fp.gpkg
		src=fp2.gpkg
	fi
	a=$(ogrinfo -q -ro -dialect OGRSQL -sql "SELECT SUM(OGR_GEOM_AREA) AS a FROM fp" "$src" | awk -F'= ' '/a \(Real\)/ { print $2 }')
	echo "$f $a" >>area.txt
	rm -f fp.gpkg fp2.gpkg
done

# crs.txt: EPSG code, x, y -> lon lat by gdaltransform, across and beyond
# a UTM zone (its edges at 3° from the central meridian, and 80°N/S) and
# Web Mercator.
: >crs.txt
pts_utm="166021 0
833978 0
166000 9000000
834000 9000000
500000 8881586
290000 4400000
700000 1100000
100000 5000000
900000 7000000"
for epsg in 32637 32736 32601 32660; do
	echo "$pts_utm" | gdaltransform -s_srs EPSG:$epsg -t_srs OGC:CRS84 |
		paste -d' ' - /dev/null | paste -d' ' <(echo "$pts_utm") - |
		awk -v e=$epsg '{ print e, $1, $2, $3, $4 }' >>crs.txt
done
pts_merc="0 0
4340000 1000000
-20000000 19000000
15000000 -12000000"
echo "$pts_merc" | gdaltransform -s_srs EPSG:3857 -t_srs OGC:CRS84 |
	paste -d' ' <(echo "$pts_merc") - | awk '{ print 3857, $1, $2, $3, $4 }' >>crs.txt
