package geo

import (
	"bytes"
	"encoding/json"
	"image"
	"image/color"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/image/tiff"

	"mlabel/imageio"
)

// classMapOf is a w×h class map of each fixture's georeferencing: a
// diagonal stripe of class 1 and a corner of class 255.
func classMapOf(g *Georef, w, h int) ClassMap {
	pix := make([]uint8, w*h)
	for y := range h {
		for x := range w {
			if x-y >= 0 && x-y < 10 {
				pix[y*w+x] = 1
			}
		}
	}
	pix[w*h-1] = 255
	nd := uint8(255)
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.RGBA{uint8(i), 0, 255 - uint8(i), 255}
	}
	return ClassMap{W: w, H: h, Pix: pix, Georef: g, Names: map[uint8]string{0: "none", 1: "water body", 255: "unlabelled"}, Palette: pal, NoData: &nd}
}

// A written class map reads back with the georeferencing and pixels it
// was written with, by this package and imageio.
func TestGeoWriteClassMapRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"utm37n.tif", "utm36s.tif", "point.tif", "wgs84.tif", "merc.tif", "rotated.tif"} {
		g := readGeoref(t, name)
		out := filepath.Join(dir, name)
		m := classMapOf(g, 64, 48)
		if err := WriteClassMap(out, m); err != nil {
			t.Fatal(err)
		}
		back, err := ReadFile(out)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if back.CRS != g.CRS || back.Transform != g.Transform || back.PixelIsPoint {
			t.Errorf("%s: read back %v %v, wrote %v %v", name, back.CRS, back.Transform, g.CRS, g.Transform)
		}
		data, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		img, err := tiff.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		p, ok := img.(*image.Paletted)
		if !ok || !bytes.Equal(p.Pix, m.Pix) {
			t.Fatalf("%s: decoded a %T, not the paletted classes written: %v", name, img, img.Bounds())
		}
		if r, g, b, _ := p.Palette[1].RGBA(); r>>8 != 1 || g != 0 || b>>8 != 254 {
			t.Errorf("%s: colour 1 is %v, wrote %v", name, p.Palette[1], m.Palette[1])
		}
		tt, err := imageio.ReadTIFFTags(bytes.NewReader(data), int64(len(data)))
		if err != nil || tt.Width != 64 || tt.Height != 48 || tt.Bands != 1 {
			t.Fatalf("%s: tags %+v, %v", name, tt, err)
		}
	}
	if err := WriteClassMap(filepath.Join(dir, "x.tif"), ClassMap{W: 2, H: 2, Pix: []uint8{1}, Georef: readGeoref(t, "utm37n.tif")}); err == nil {
		t.Error("a class map of the wrong size: no error")
	}
}

// gdalinfo reads a written class map with the source's CRS and
// geotransform, its class names and colour table.
func TestGeoWriteClassMapGDAL(t *testing.T) {
	gdalinfo := needTool(t, "gdalinfo", "gdal-bin")
	dir := t.TempDir()
	for _, name := range []string{"utm37n.tif", "utm36s.tif", "wgs84.tif", "rotated.tif"} {
		src := filepath.Join("testdata", name)
		out := filepath.Join(dir, name)
		if err := WriteClassMap(out, classMapOf(readGeoref(t, name), 64, 48)); err != nil {
			t.Fatal(err)
		}
		info := func(path string) (gt []float64, epsg string, raw string) {
			b, err := exec.Command(gdalinfo, "-json", path).CombinedOutput()
			if err != nil {
				t.Fatalf("gdalinfo %s: %v\n%s", path, err, b)
			}
			var v struct {
				GeoTransform     []float64 `json:"geoTransform"`
				CoordinateSystem struct {
					WKT string `json:"wkt"`
				} `json:"coordinateSystem"`
			}
			if err := json.Unmarshal(b, &v); err != nil {
				t.Fatalf("gdalinfo %s: %v", path, err)
			}
			m := regexp.MustCompile(`ID\["EPSG",(\d+)\]\]$`).FindStringSubmatch(v.CoordinateSystem.WKT)
			if m == nil {
				t.Fatalf("gdalinfo %s: no EPSG code in %s", path, v.CoordinateSystem.WKT)
			}
			return v.GeoTransform, m[1], string(b)
		}
		wantGT, wantEPSG, _ := info(src)
		gt, epsg, raw := info(out)
		if epsg != wantEPSG {
			t.Errorf("%s: gdalinfo's CRS EPSG:%s, the source's EPSG:%s", name, epsg, wantEPSG)
		}
		for i := range wantGT {
			if len(gt) != 6 || math.Abs(gt[i]-wantGT[i]) > 1e-9*math.Max(1, math.Abs(wantGT[i])) {
				t.Errorf("%s: geotransform %v, the source's %v", name, gt, wantGT)
				break
			}
		}
		flat := strings.NewReplacer("\n", "", " ", "").Replace(raw)
		for _, want := range []string{`"CLASS_1":"waterbody"`, `"colorTable"`, `"noDataValue":255`, `"DEFLATE"`, `"AREA_OR_POINT":"Area"`} {
			if !strings.Contains(flat, want) {
				t.Errorf("%s: gdalinfo lacks %s:\n%s", name, want, raw)
			}
		}
	}
}
