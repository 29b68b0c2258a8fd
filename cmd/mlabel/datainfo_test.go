package main

import (
	"encoding/json"
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
