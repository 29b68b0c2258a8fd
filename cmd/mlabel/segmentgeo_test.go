package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/geo"
	"mlabel/imageio"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/tensor"
)

// redSegmenter writes a segmenter whose one 1×1 convolution finds "red"
// on red pixels and "green" on green ones, and returns its path.
func redSegmenter(t *testing.T, dir string) string {
	t.Helper()
	spec := &nn.Spec{Nodes: []nn.Node{
		{Name: "input", Op: nn.OpInput, Attrs: nn.Attrs{Shape: []int{8, 8, 3}}},
		{Name: "logits", Op: nn.OpConv2D, Inputs: []string{"input"}, Attrs: nn.Attrs{Filters: 2, Kernel: [2]int{1, 1}, Bias: true}},
	}, Outputs: []string{"logits"}}
	w, _ := tensor.FromData([]float32{20, 0, 0, 20, 0, 0}, 1, 1, 3, 2)
	bias, _ := tensor.FromData([]float32{-10, -10}, 2)
	pre := imageio.Preprocess{Size: 8, Mode: "squash", Std: [3]float32{1, 1, 1}}
	b := &bundle.Bundle{Header: bundle.Header{
		Kind: bundle.KindSegmenter, Spec: spec, Labels: []string{"red", "green"}, Preprocess: pre,
		Rules:   &decide.Rules{Kind: decide.PerClass, Labels: 2, Global: 0.5, PerClass: []float64{0.3, 0.3}},
		Segment: &metrics.Segmentation{PixelThreshold: 0.5},
	}, Weights: map[string]*tensor.Tensor{"logits.weight": w, "logits.bias": bias}}
	path := filepath.Join(dir, "seg.mlb")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := b.Write(f); err != nil {
		t.Fatal(err)
	}
	return path
}

// A segmenter's --masks-out writes a georeferenced image's mask as a
// GeoTIFF with its georeferencing, and --json gives its areas in m² and
// hectares from its own pixel size, without --gsd; --gsd still
// overrides, and --format geojson gives the red region's polygon.
func TestSegmenterGeoOutputs(t *testing.T) {
	dir := t.TempDir()
	model := redSegmenter(t, dir)
	img := filepath.Join("..", "..", "geo", "testdata", "redhalf.tif")
	out := filepath.Join(dir, "masks")
	code, stdout, stderr := runCLI(t, "predict", "--model", model, "--json", "--masks-out", out, img)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res []struct {
		Area map[string]struct {
			Fraction float64  `json:"fraction"`
			Hectares *float64 `json:"hectares"`
		} `json:"area"`
	}
	if err := json.Unmarshal([]byte(stdout), &res); err != nil || len(res) != 1 {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	red := res[0].Area["red"]
	// 24 of 64 columns are red; the 8×8 mask rounds them to 3 of 8.
	if red.Hectares == nil || math.Abs(*red.Hectares-11.52) > 1e-9 || red.Fraction != 3.0/8 {
		t.Errorf("red: %+v, want 3/8 of 30.72 ha", red)
	}
	ref, err := geo.ReadFile(filepath.Join(out, "redhalf.tif"))
	if err != nil {
		t.Fatal(err)
	}
	if src, _ := geo.ReadFile(img); ref.CRS != src.CRS || ref.Transform != src.Transform || ref.Width != 64 || ref.Height != 48 {
		t.Errorf("mask georeferenced as %+v, the image as %+v", ref, src)
	}
	if gdalinfo, err := exec.LookPath("gdalinfo"); err == nil {
		gt := func(path string) string {
			out, err := exec.Command(gdalinfo, "-json", path).Output()
			var v struct {
				GeoTransform []float64 `json:"geoTransform"`
				CRS          struct {
					WKT string `json:"wkt"`
				} `json:"coordinateSystem"`
			}
			if err != nil || json.Unmarshal(out, &v) != nil {
				t.Fatalf("gdalinfo %s: %v", path, err)
			}
			return fmt.Sprint(v.GeoTransform, strings.Contains(v.CRS.WKT, `ID["EPSG",32637]]`))
		}
		if got, want := gt(filepath.Join(out, "redhalf.tif")), gt(img); got != want {
			t.Errorf("gdalinfo: the mask's geotransform and CRS %s, the image's %s", got, want)
		}
	} else if os.Getenv("CI") == "true" {
		t.Fatal("gdalinfo is missing: install the Debian package gdal-bin")
	}
	local := filepath.Join(dir, "redhalf.tif")
	if data, err := os.ReadFile(img); err != nil || os.WriteFile(local, data, 0o644) != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "predict", "--model", model, "--masks-out", dir, local); code != 1 || !strings.Contains(stderr, "would replace it") {
		t.Errorf("--masks-out into the image's folder: exit %d, %s", code, stderr)
	}
	if _, err := geo.ReadFile(local); err != nil {
		t.Errorf("the image after --masks-out into its folder: %v", err)
	}
	code, stdout, _ = runCLI(t, "predict", "--model", model, "--json", "--gsd", "1", img)
	if code != 0 || !strings.Contains(stdout, `"hectares":0.1152`) {
		t.Errorf("--gsd 1: exit %d, want 0.1152 ha of red:\n%s", code, stdout)
	}
	code, stdout, stderr = runCLI(t, "predict", "--model", model, "--format", "geojson", img)
	if code != 0 || !strings.Contains(stdout, `"label":"red"`) || !strings.Contains(stdout, `"hectares":11.52`) {
		t.Errorf("geojson: exit %d, want red's region of 11.52 ha: %s\n%s", code, stderr, stdout)
	}
}
