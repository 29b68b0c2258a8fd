package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/darknet"
	"mlabel/darknet/darknettest"
	"mlabel/imageio"
)

// gorgonia returns the path of a file of the module holding the pretrained
// Darknet models.
func gorgonia(t *testing.T, rel string) string {
	t.Helper()
	p, err := darknettest.Path(rel)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// importYOLO imports yolov3-tiny into dir with the CLI and returns the
// bundle's path.
func importYOLO(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(dir, "yolo.mlb")
	code, _, stderr := runCLI(t, "import", "darknet", gorgonia(t, darknettest.YOLOv3TinyCfg), gorgonia(t, darknettest.YOLOv3TinyWeights), "--out", out)
	if code != 0 {
		t.Fatalf("import darknet: exit %d: %s", code, stderr)
	}
	return out
}

const tinyCNN = "../../onnx/testdata/tinycnn.onnx"

func TestImportErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"no format", []string{"import"}, 2, "name a format"},
		{"unknown format", []string{"import", "caffe", "x"}, 2, "unknown command"},
		{"onnx without out", []string{"import", "onnx", tinyCNN}, 2, "--out is required"},
		{"onnx without model", []string{"import", "onnx", "--out", "x.mlb"}, 2, "accepts 1 arg"},
		{"onnx missing file", []string{"import", "onnx", filepath.Join(dir, "none.onnx"), "--out", filepath.Join(dir, "a.mlb")}, 1, "none.onnx"},
		{"onnx not a model", []string{"import", "onnx", "import_test.go", "--out", filepath.Join(dir, "a.mlb")}, 1, "import onnx"},
		{"darknet one file", []string{"import", "darknet", "a.cfg", "--out", "x.mlb"}, 2, "accepts 2 arg"},
		{"darknet missing files", []string{"import", "darknet", filepath.Join(dir, "a.cfg"), filepath.Join(dir, "a.weights"), "--out", filepath.Join(dir, "a.mlb")}, 1, "a.cfg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.err) {
				t.Errorf("exit %d, stderr %q; want exit %d mentioning %q", code, stderr, tc.code, tc.err)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "a.mlb")); !os.IsNotExist(err) {
		t.Errorf("a failed import left a bundle behind: %v", err)
	}
}

func TestImportONNX(t *testing.T) {
	out := filepath.Join(t.TempDir(), "tiny.mlb")
	code, stdout, stderr := runCLI(t, "import", "onnx", tinyCNN, "--out", out, "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var s importSummary
	if err := json.Unmarshal([]byte(stdout), &s); err != nil {
		t.Fatalf("summary %q: %v", stdout, err)
	}
	if s.Kind != "backbone" || s.Params != 693 || s.Cut == "" || len(s.Input) != 3 {
		t.Errorf("summary %+v: want a backbone with 693 parameters, an input shape and a cut point", s)
	}
	b, err := bundle.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	want := imageio.DefaultPreprocess(16)
	if b.Kind != "backbone" || !reflect.DeepEqual(b.Preprocess, want) {
		t.Errorf("bundle kind %q preprocess %+v; want backbone with %+v", b.Kind, b.Preprocess, want)
	}
}

func TestImportDarknet(t *testing.T) {
	b, err := bundle.Load(importYOLO(t, t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	var meta darknet.Meta
	if err := json.Unmarshal(b.Extra, &meta); err != nil {
		t.Fatalf("detector metadata: %v", err)
	}
	if b.Kind != "detector" || len(meta.Heads) != 2 || meta.Width != 416 {
		t.Errorf("kind %q, %d heads, width %d; want a detector with 2 heads at 416", b.Kind, len(meta.Heads), meta.Width)
	}
	if err := b.Preprocess.Validate(); err != nil {
		t.Errorf("preprocess: %v", err)
	}
	if b.Preprocess.Size != 416 || b.Preprocess.Mean != [3]float32{} || b.Preprocess.Std != [3]float32{1, 1, 1} {
		t.Errorf("preprocess %+v; want 416 pixels with values in [0, 1]", b.Preprocess)
	}
}
