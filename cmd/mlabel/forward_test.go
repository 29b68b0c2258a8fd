package main

import (
	"math"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/onnx"
)

func TestForward(t *testing.T) {
	dir := t.TempDir()
	model := filepath.Join(dir, "tiny.mlb")
	if code, _, stderr := runCLI(t, "import", "onnx", tinyCNN, "--out", model); code != 0 {
		t.Fatalf("import onnx: %s", stderr)
	}
	// The reference input is NCHW; an NHWC copy exercises the other layout.
	x, err := onnx.ReadNPY("../../onnx/testdata/tinycnn_input.npy")
	if err != nil {
		t.Fatal(err)
	}
	xNHWC, err := onnx.ToNHWC(x)
	if err != nil {
		t.Fatal(err)
	}
	nhwc := filepath.Join(dir, "x_nhwc.npy")
	if err := onnx.WriteNPY(nhwc, xNHWC); err != nil {
		t.Fatal(err)
	}
	want, err := onnx.ReadNPY("../../onnx/testdata/tinycnn_output.npy")
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "y.npy")
	tests := []struct {
		name  string
		args  []string
		code  int
		check bool   // compare out with PyTorch's output
		msg   string // stderr must hold on failure
	}{
		{"nchw", []string{"--input", "../../onnx/testdata/tinycnn_input.npy", "--layout", "nchw"}, 0, true, ""},
		{"nhwc", []string{"--input", nhwc, "--layout", "nhwc"}, 0, true, ""},
		{"bad layout", []string{"--input", nhwc, "--layout", "chw"}, 2, false, "--layout"},
		{"missing input", []string{"--input", filepath.Join(dir, "none.npy")}, 1, false, "none.npy"},
		{"wrong layout", []string{"--input", "../../onnx/testdata/tinycnn_input.npy", "--layout", "nhwc"}, 1, false, "want [N, H, W, 3]"},
		{"no input flag", []string{}, 2, false, "required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"forward", "--model", model, "--output", out}, tc.args...)
			code, _, stderr := runCLI(t, args...)
			if code != tc.code || !strings.Contains(stderr, tc.msg) {
				t.Fatalf("exit %d, stderr %q; want %d mentioning %q", code, stderr, tc.code, tc.msg)
			}
			if !tc.check {
				return
			}
			got, err := onnx.ReadNPY(out)
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Data) != len(want.Data) {
				t.Fatalf("output shape %v; want %v", got.Shape, want.Shape)
			}
			for i := range got.Data {
				if d := math.Abs(float64(got.Data[i] - want.Data[i])); d > 1e-4 {
					t.Fatalf("output %d is %g; PyTorch gives %g", i, got.Data[i], want.Data[i])
				}
			}
		})
	}
}

func TestOutputPath(t *testing.T) {
	tests := []struct {
		path string
		k    int
		want string
	}{
		{"y.npy", 0, "y.npy"},
		{"out/y.npy", 1, "out/y_1.npy"},
		{"y", 2, "y_2"},
	}
	for _, tc := range tests {
		if got := outputPath(tc.path, tc.k); got != tc.want {
			t.Errorf("outputPath(%q, %d) = %q; want %q", tc.path, tc.k, got, tc.want)
		}
	}
}
