package predict

import (
	"context"
	"encoding/json"
	"image"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"mlabel/imageio"
)

// geoFixtures copies images of geo's testdata into a new folder, with a
// file that is not an image, and returns their paths in order.
func geoFixtures(t *testing.T, names ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var out []string
	for _, n := range names {
		data := []byte("not an image")
		if n != "broken.tif" {
			var err error
			if data, err = os.ReadFile(filepath.Join("..", "geo", "testdata", n)); err != nil {
				t.Fatal(err)
			}
		}
		p := filepath.Join(dir, n)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

// mapFiles runs MapFiles on the fixtures and returns its collection, its
// features by image and tile, and its failures.
func mapFiles(t *testing.T, tiles int, names ...string) (*geojson.FeatureCollection, map[string]map[int]*geojson.Feature, []Failure) {
	t.Helper()
	files := geoFixtures(t, names...)
	fc, fails, err := testPredictor(t).MapFiles(context.Background(), files, MapOptions{BatchOptions: BatchOptions{Tiles: tiles, Overlap: 0.25}})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]map[int]*geojson.Feature{}
	for _, f := range fc.Features {
		img := filepath.Base(f.Properties.MustString("image"))
		if by[img] == nil {
			by[img] = map[int]*geojson.Feature{}
		}
		by[img][f.Properties.MustInt("tile")] = f
	}
	return fc, by, fails
}

// MapFiles places each tile's prediction on its footprint in lon/lat,
// gives each image's hectares per label from its own pixel size, places an
// image without usable georeferencing in its pixels with a note, and
// reports a file that is not an image as a failure.
func TestMapFilesGeoJSON(t *testing.T) {
	fc, by, fails := mapFiles(t, 2, "utm37n.tif", "plain.tif", "badkeys.tif", "broken.tif")
	if len(fails) != 1 || !strings.HasSuffix(fails[0].Image, "broken.tif") {
		t.Errorf("failures %v, want broken.tif", fails)
	}
	if len(fc.Features) != 3*5 {
		t.Fatalf("%d features, want 3 images × (1 + 4 tiles)", len(fc.Features))
	}
	utm := by["utm37n.tif"]
	// Tile 1's top left corner is the image's: gdaltransform's pixel 0, 0.
	ring := utm[1].Geometry.(orb.Polygon)[0]
	if p := ring[0]; math.Abs(p[0]-38.7452552814452) > 1e-7 || math.Abs(p[1]-9.00124898157673) > 1e-7 {
		t.Errorf("tile 1 starts at %v, want gdaltransform's 38.7452552814452 9.00124898157673", p)
	}
	for key, f := range utm {
		r := f.Geometry.(orb.Polygon)[0]
		if !r.Closed() || r.Orientation() != orb.CCW {
			t.Errorf("feature %d: ring %v is not closed and counterclockwise", key, r)
		}
		if key > 0 {
			if _, ok := f.Properties["thresholds"].(map[string]float64); !ok {
				t.Errorf("tile %d has no thresholds", key)
			}
		}
	}
	// Label a (threshold 0) is on every tile: the whole 640 m × 480 m;
	// label c (threshold 1.01) on none.
	ha := utm[0].Properties["hectares"].(map[string]float64)
	if math.Abs(ha["a"]-30.72) > 1e-9 || ha["c"] != 0 {
		t.Errorf("hectares %v, want a 30.72 and c 0", ha)
	}
	if n, ok := utm[0].Properties["note"]; ok {
		t.Errorf("a georeferenced image has the note %q", n)
	}
	for img, want := range map[string]string{"plain.tif": "not georeferenced", "badkeys.tif": "corrupt GeoKeyDirectory"} {
		f := by[img][0]
		if !strings.Contains(f.Properties.MustString("note", ""), want) {
			t.Errorf("%s: note %q, want %q", img, f.Properties.MustString("note", ""), want)
		}
		if _, ok := f.Properties["hectares"]; ok {
			t.Errorf("%s has hectares without georeferencing", img)
		}
		if b := f.Geometry.Bound(); b.Min != (orb.Point{0, -48}) || b.Max != (orb.Point{64, 0}) {
			t.Errorf("%s: bound %v, want the pixels 0..64 × -48..0", img, b)
		}
	}
}

// Without --tiles each image is one tile, decided by the whole-image rule.
func TestMapFilesWholeImage(t *testing.T) {
	fc, by, _ := mapFiles(t, 0, "wgs84.tif")
	if len(fc.Features) != 2 {
		t.Fatalf("%d features, want the image and its one tile", len(fc.Features))
	}
	if got := by["wgs84.tif"][1].Geometry.Bound(); got != (orb.Bound{Min: orb.Point{36.8, -1.2848}, Max: orb.Point{36.8064, -1.28}}) {
		t.Errorf("tile bound %v", got)
	}
}

// ogrinfo opens the GeoJSON without warnings, and its tiles' areas,
// reprojected by GDAL to the image's UTM zone, are the tiles' pixels.
func TestMapFilesOGR(t *testing.T) {
	ogrinfo := needTool(t, "ogrinfo", "gdal-bin")
	ogr2ogr := needTool(t, "ogr2ogr", "gdal-bin")
	fc, by, _ := mapFiles(t, 2, "utm36s.tif")
	dir := t.TempDir()
	path := filepath.Join(dir, "tiles.geojson")
	data, err := json.Marshal(fc)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(ogrinfo, "-ro", "-al", "-so", path).CombinedOutput()
	if err != nil || strings.Contains(string(out), "Warning") || strings.Contains(string(out), "ERROR") || !strings.Contains(string(out), "Feature Count: 5") {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	utm := filepath.Join(dir, "utm.gpkg")
	if out, err := exec.Command(ogr2ogr, "-t_srs", "EPSG:32736", utm, path).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
	out, err = exec.Command(ogrinfo, "-ro", "-q", "-dialect", "OGRSQL", "-sql", "SELECT SUM(OGR_GEOM_AREA) AS a FROM tiles WHERE tile > 0", utm).CombinedOutput()
	m := regexp.MustCompile(`a \(Real\) = ([0-9.e+]+)`).FindSubmatch(out)
	if err != nil || m == nil {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	got, _ := strconv.ParseFloat(string(m[1]), 64)
	if len(by["utm36s.tif"]) != 5 {
		t.Fatalf("%d features of utm36s.tif, want 5", len(by["utm36s.tif"]))
	}
	want := 0.0
	for _, r := range (imageio.Grid{N: 2, Overlap: 0.25}).Rects(64, 48) {
		want += float64(r.Dx()*r.Dy()) * 400 // 20 m pixels
	}
	if math.Abs(got-want) > 1e-3*want {
		t.Errorf("ogrinfo's tile area %.1f m², want %.1f", got, want)
	}
}

// needTool returns the path of a program from a Debian package, skipping
// the test when it is missing, or failing it under CI=true.
func needTool(t *testing.T, tool, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(tool)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: install the Debian package %s", tool, pkg)
		}
		t.Skipf("%s is missing: install the Debian package %s", tool, pkg)
	}
	return p
}

// segmentedFixture is a hand-made segmentation of a 64×48 image: a 16×12
// mask (each of its pixels 4×4 of the image's) with a 4×4 block of label a
// around a 2×2 block of label b.
func segmentedFixture(path string) Segmented {
	class := make([]uint8, 16*12)
	for y := 2; y < 6; y++ {
		for x := 3; x < 7; x++ {
			class[y*16+x] = 1
			if y >= 3 && y < 5 && x >= 4 && x < 6 {
				class[y*16+x] = 2
			}
		}
	}
	b := image.Rect(0, 0, 64, 48)
	return Segmented{
		Prediction: Prediction{Image: path, Labels: []Label{{Label: "a", Score: 12.0 / 192, Threshold: 0.01}}, Scores: map[string]float64{"a": 12.0 / 192, "b": 4.0 / 192}},
		Areas:      map[string]float64{"a": 12.0 / 192, "b": 4.0 / 192}, Class: class, W: 16, H: 12, Seen: b, Bounds: b,
	}
}

// A segmenter's regions become polygons with holes, their areas from the
// image's own pixel size, which ogrinfo agrees with after GDAL
// reprojects them.
func TestSegmentCollectionGeoJSON(t *testing.T) {
	files := geoFixtures(t, "utm37n.tif", "plain.tif")
	segs := []Segmented{segmentedFixture(files[0]), segmentedFixture(files[1])}
	fc, err := SegmentCollection(segs, []string{"a", "b", "c"}, nil, SegmentTolerance)
	if err != nil {
		t.Fatal(err)
	}
	if len(fc.Features) != 2*3 {
		t.Fatalf("%d features, want 2 × (the image, a's region, b's region)", len(fc.Features))
	}
	img, a, b := fc.Features[0], fc.Features[1], fc.Features[2]
	// A mask pixel is 4×4 pixels of 10 m: 1600 m².
	if got := img.Properties["hectares"].(map[string]float64); math.Abs(got["a"]-1.92) > 1e-9 || math.Abs(got["b"]-0.64) > 1e-9 || got["c"] != 0 {
		t.Errorf("image hectares %v, want a 1.92, b 0.64, c 0", got)
	}
	if a.Properties.MustString("label") != "a" || math.Abs(a.Properties.MustFloat64("area_m2")-19200) > 1e-6 || len(a.Geometry.(orb.Polygon)) != 2 {
		t.Errorf("a's region %v with %d rings, want 19200 m² with a hole", a.Properties, len(a.Geometry.(orb.Polygon)))
	}
	if b.Properties.MustString("label") != "b" || math.Abs(b.Properties.MustFloat64("hectares")-0.64) > 1e-9 {
		t.Errorf("b's region %v, want 0.64 ha", b.Properties)
	}
	for i, r := range a.Geometry.(orb.Polygon) {
		if want := map[bool]orb.Orientation{true: orb.CCW, false: orb.CW}[i == 0]; r.Orientation() != want {
			t.Errorf("ring %d of a's region is %v, want %v", i, r.Orientation(), want)
		}
	}
	if plain := fc.Features[4]; plain.Properties.MustFloat64("area_px") != 12*16 || plain.Properties.MustString("note") == "" {
		t.Errorf("plain.tif's a region %v, want the 192 image pixels of 12 mask pixels, and a note", plain.Properties)
	}

	ogrinfo := needTool(t, "ogrinfo", "gdal-bin")
	ogr2ogr := needTool(t, "ogr2ogr", "gdal-bin")
	geo := filepath.Join(t.TempDir(), "segs.geojson")
	utm := filepath.Join(filepath.Dir(geo), "utm.gpkg")
	fc.Features = fc.Features[:3]
	data, _ := json.Marshal(fc)
	if err := os.WriteFile(geo, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(ogrinfo, "-ro", "-al", "-so", geo).CombinedOutput(); err != nil || strings.Contains(string(out), "Warning") || !strings.Contains(string(out), "Feature Count: 3") {
		t.Fatalf("ogrinfo: %v\n%s", err, out)
	}
	if out, err := exec.Command(ogr2ogr, "-t_srs", "EPSG:32637", utm, geo).CombinedOutput(); err != nil {
		t.Fatalf("ogr2ogr: %v\n%s", err, out)
	}
	for l, want := range map[string]float64{"a": 19200, "b": 6400} {
		out, err := exec.Command(ogrinfo, "-ro", "-q", "-dialect", "OGRSQL", "-sql", "SELECT SUM(OGR_GEOM_AREA) AS s FROM segs WHERE label = '"+l+"'", utm).CombinedOutput()
		m := regexp.MustCompile(`s \(Real\) = ([0-9.e+]+)`).FindSubmatch(out)
		if err != nil || m == nil {
			t.Fatalf("ogrinfo: %v\n%s", err, out)
		}
		if got, _ := strconv.ParseFloat(string(m[1]), 64); math.Abs(got-want) > 1e-3*want {
			t.Errorf("ogrinfo's area of %s: %.2f m², want %g", l, got, want)
		}
	}
}
