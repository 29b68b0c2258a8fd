package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// predict --format geojson prints a FeatureCollection of each image's
// tiles in lon/lat, notes on stderr an image placed in its pixels, and
// refuses a segmenter's flags and --out.
func TestPredictGeoJSON(t *testing.T) {
	f := newBadFixtures(t)
	for _, n := range []string{"utm37n.tif", "plain.tif"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "geo", "testdata", n))
		if err != nil {
			t.Fatal(err)
		}
		f.write(t, "geo/"+n, data)
	}
	code, out, stderr := runCLI(t, "predict", "--model", f.path("model.mlb"), "--tiles", "2", "--format", "geojson", f.path("geo"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry struct {
				Type        string         `json:"type"`
				Coordinates [][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties map[string]any `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(out), &fc); err != nil {
		t.Fatalf("%v:\n%s", err, out)
	}
	if fc.Type != "FeatureCollection" || len(fc.Features) != 10 {
		t.Fatalf("%s of %d features, want a FeatureCollection of 2 × (1 + 4)", fc.Type, len(fc.Features))
	}
	utm := fc.Features[5] // plain.tif's five features come first
	if img, _ := utm.Properties["image"].(string); !strings.HasSuffix(img, "utm37n.tif") || utm.Geometry.Type != "Polygon" || utm.Properties["hectares"] == nil || utm.Properties["tile"] != 0.0 {
		t.Errorf("feature 6 %+v, want utm37n.tif's footprint with hectares", utm)
	}
	if lon := utm.Geometry.Coordinates[0][0][0]; lon < 38.7 || lon > 38.8 {
		t.Errorf("utm37n.tif's first corner's longitude %g, want about 38.75", lon)
	}
	if !strings.Contains(stderr, "plain.tif: not georeferenced") {
		t.Errorf("stderr lacks the note on plain.tif:\n%s", stderr)
	}
	// --out writes the GeoJSON asked to the file.
	mapOut := f.path("map.geojson")
	if code, _, stderr := runCLI(t, "predict", "--model", f.path("model.mlb"), "--format", "geojson", "--out", mapOut, f.path("geo")); code != 0 {
		t.Fatalf("--out map.geojson: exit %d: %s", code, stderr)
	}
	var written struct {
		Type     string `json:"type"`
		Features []any  `json:"features"`
	}
	if data, err := os.ReadFile(mapOut); err != nil || json.Unmarshal(data, &written) != nil || written.Type != "FeatureCollection" || len(written.Features) == 0 {
		t.Errorf("--out map.geojson wrote %+v (%v)", written, err)
	}
	for _, args := range [][]string{
		{"--format", "geojson", "--gsd", "1"}, // a classifier has no masks
	} {
		args = append(append([]string{"predict", "--model", f.path("model.mlb")}, args...), f.path("geo"))
		if code, _, _ := runCLI(t, args...); code != 2 {
			t.Errorf("%v: exit %d, want a usage error", args, code)
		}
	}
}
