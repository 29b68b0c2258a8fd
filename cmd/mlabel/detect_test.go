package main

import (
	"encoding/json"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/darknet/darknettest"
	"mlabel/detect"
)

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	yolo := importYOLO(t, dir)
	tiny := filepath.Join(dir, "tiny.mlb")
	if code, _, stderr := runCLI(t, "import", "onnx", tinyCNN, "--out", tiny); code != 0 {
		t.Fatalf("import onnx: %s", stderr)
	}
	dog := gorgonia(t, darknettest.DogImage)
	drawn := filepath.Join(dir, "dog.png")
	tests := []struct {
		name string
		args []string
		code int
		out  []string // text stdout (or stderr on failure) must hold
	}{
		{"text", []string{"detect", "--model", yolo, dog}, 0, []string{"dog ", "car "}},
		{"png", []string{"detect", "--model", yolo, dog, "--png", drawn, "--thresh", "0.7"}, 0, []string{"dog ", "car "}},
		{"high threshold", []string{"detect", "--model", yolo, dog, "--thresh", "0.99"}, 0, []string{"no box"}},
		{"no image", []string{"detect", "--model", yolo}, 2, []string{"accepts 1 arg"}},
		{"no model", []string{"detect", dog}, 2, []string{"--model is required"}},
		{"bad threshold", []string{"detect", "--model", yolo, dog, "--thresh", "2"}, 2, []string{"--thresh"}},
		{"missing image", []string{"detect", "--model", yolo, filepath.Join(dir, "none.jpg")}, 1, []string{"none.jpg"}},
		{"missing model", []string{"detect", "--model", filepath.Join(dir, "none.mlb"), dog}, 1, []string{"none.mlb"}},
		{"not a detector", []string{"detect", "--model", tiny, dog}, 1, []string{"not a detector"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			text := stdout
			if code != 0 {
				text = stderr
			}
			if code != tc.code {
				t.Fatalf("exit %d (%s); want %d", code, stderr, tc.code)
			}
			for _, s := range tc.out {
				if !strings.Contains(text, s) {
					t.Errorf("output %q lacks %q", text, s)
				}
			}
		})
	}
	f, err := os.Open(drawn)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("--png wrote no PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 416 || b.Dy() != 416 {
		t.Errorf("drawn image is %v; want the 416×416 input", b)
	}
}

// TestDetectJSON checks the dog's box against where it is in the picture:
// from its ears (y ≈ 158) to its tail (y ≈ 390), x from 70 to 205.
func TestDetectJSON(t *testing.T) {
	yolo := importYOLO(t, t.TempDir())
	code, stdout, stderr := runCLI(t, "detect", "--model", yolo, gorgonia(t, darknettest.DogImage), "--json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var res detectResult
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("output %q: %v", stdout, err)
	}
	want := detect.Box{X0: 70, Y0: 158, X1: 205, Y1: 390}
	for _, b := range res.Boxes {
		if b.Label == "dog" {
			if iou := detect.IoU(b, want); iou < 0.8 || b.Score < 0.7 {
				t.Errorf("dog box %+v: IoU %.2f with the true box, score %.2f; want ≥ 0.8 and ≥ 0.7", b, iou, b.Score)
			}
			return
		}
	}
	t.Errorf("no dog among %+v", res.Boxes)
}
