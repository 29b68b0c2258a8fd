package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/pretrained"
)

// tinyDarknetCfg is a two-layer Darknet network.
const tinyDarknetCfg = `[net]
width=32
height=32
channels=3

[convolutional]
batch_normalize=1
filters=4
size=3
stride=1
pad=1
activation=leaky

[maxpool]
size=2
stride=2
`

// backbone list finds the starting points in the module cache $GOMODCACHE
// names, with their cut points, and says how to fetch the missing ones.
func TestBackboneList(t *testing.T) {
	cache := t.TempDir()
	t.Setenv("GOMODCACHE", cache)
	v3 := pretrained.Starts()[0]
	files, _ := v3.Locate(cache)
	for _, f := range files {
		if err := os.MkdirAll(filepath.Dir(f), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(f, []byte(tinyDarknetCfg), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, stdout, stderr := runCLI(t, "backbone", "list", "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got []startInfo
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("%q: %v", stdout, err)
	}
	if len(got) != 2 || !got[0].Found || got[1].Found {
		t.Fatalf("found %+v, want the first of two", got)
	}
	if cps := got[0].CutPoints; len(cps) != 2 || cps[0].Name != "leaky_0" || cps[1].Name != "maxpool_1" || shapeText(cps[1].Shape) != "16×16×4" {
		t.Errorf("cut points %+v", cps)
	}
	code, stdout, _ = runCLI(t, "backbone", "list")
	for _, want := range []string{
		"import darknet " + files[0] + " " + files[1] + " --out yolov3-tiny.mlb",
		"leaky_0 32×32×4, maxpool_1 16×16×4",
		"go mod download gorgonia.org/gorgonia@v0.9.18",
	} {
		if code != 0 || !strings.Contains(stdout, want) {
			t.Errorf("exit %d, output lacks %q:\n%s", code, want, stdout)
		}
	}
}

// inspect lists where a backbone can be cut, marking the default.
func TestInspectCutPoints(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tiny.mlb")
	if code, _, stderr := runCLI(t, "import", "onnx", tinyCNN, "--out", out); code != 0 {
		t.Fatalf("import: exit %d: %s", code, stderr)
	}
	code, stdout, stderr := runCLI(t, "inspect", out)
	if code != 0 || !strings.Contains(stdout, "cut points (--backbone-at)") || !strings.Contains(stdout, "(the default)") {
		t.Errorf("inspect: exit %d, %s\n%s", code, stderr, stdout)
	}
}
