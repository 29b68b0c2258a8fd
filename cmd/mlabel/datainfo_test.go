package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// data info describes a GeoTIFF's CRS, pixel size and footprint, notes an
// image without georeferencing or with a corrupt GeoKeyDirectory, and
// fails only on a file that is not an image.
func TestDataInfoGeo(t *testing.T) {
	td := filepath.Join("..", "..", "geo", "testdata")
	code, out, errOut := runCLI(t, "data", "info", filepath.Join(td, "utm37n.tif"), filepath.Join(td, "plain.tif"), filepath.Join(td, "badkeys.tif"))
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		"EPSG:32637 (WGS 84 / UTM zone 37N)", "pixel size: 10 × 10 m", "top left: lon 38.7452553, lat 9.0012490",
		"not georeferenced: coordinates are image pixels", "corrupt GeoKeyDirectory",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = runCLI(t, "data", "info", "--json", filepath.Join(td, "utm36s.tif"))
	var infos []struct {
		EPSG   int     `json:"epsg"`
		AreaM2 float64 `json:"area_m2"`
	}
	if code != 0 || json.Unmarshal([]byte(out), &infos) != nil || len(infos) != 1 || infos[0].EPSG != 32736 || infos[0].AreaM2 != 1228800 {
		t.Errorf("--json: exit %d, %+v:\n%s", code, infos, out)
	}
	if code, _, _ := runCLI(t, "data", "info", filepath.Join(td, "make.sh")); code == 0 {
		t.Error("data info of a script: exit 0")
	}
}

// data check says how many images are georeferenced, in which CRSs, and
// names one whose georeferencing cannot be read.
func TestDataCheckGeoSurvey(t *testing.T) {
	dir := t.TempDir()
	td := filepath.Join("..", "..", "geo", "testdata")
	for _, f := range []struct{ label, name string }{
		{"water", "utm37n.tif"}, {"water", "badkeys.tif"}, {"land", "wgs84.tif"}, {"land", "plain.tif"},
	} {
		data, err := os.ReadFile(filepath.Join(td, f.name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Join(dir, f.label), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f.label, f.name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, out, _ := runCLI(t, "data", "check", "--folders", dir)
	for _, want := range []string{"georeferenced: 2 of 4 images: 1 in EPSG:4326 (WGS 84), 1 in EPSG:32637", "badkeys.tif: georeferencing unreadable: ", "corrupt GeoKeyDirectory"} {
		if !strings.Contains(out, want) {
			t.Errorf("data check output lacks %q:\n%s", want, out)
		}
	}
}
