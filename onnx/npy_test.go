package onnx

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/tensor"
)

// TestNPYRoundTrip writes tensors of several ranks and reads them back.
func TestNPYRoundTrip(t *testing.T) {
	tests := []struct {
		shape  []int
		header string
	}{
		{[]int{5}, "'shape': (5,)"},
		{[]int{2, 3}, "'shape': (2, 3)"},
		{[]int{2, 3, 4, 5}, "'shape': (2, 3, 4, 5)"},
		{[]int{1, 1, 1, 7}, "'shape': (1, 1, 1, 7)"},
	}
	for _, tc := range tests {
		x := randTensor(13, tc.shape...)
		var buf bytes.Buffer
		if err := encodeNPY(&buf, x); err != nil {
			t.Fatalf("%v: %v", tc.shape, err)
		}
		if head, _, _ := strings.Cut(buf.String(), "\n"); !strings.Contains(head, tc.header) || !strings.Contains(head, "'descr': '<f4'") {
			t.Errorf("%v: header %q lacks %q and float32", tc.shape, head, tc.header)
		}
		y, err := decodeNPY(&buf)
		if err != nil {
			t.Fatalf("%v: %v", tc.shape, err)
		}
		assertClose(t, y, x, 0)
	}
	path := filepath.Join(t.TempDir(), "x.npy")
	x := randTensor(14, 2, 2, 3)
	if err := WriteNPY(path, x); err != nil {
		t.Fatal(err)
	}
	y, err := ReadNPY(path)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, y, x, 0)
}

// TestNPYErrors checks that bad input is an error.
func TestNPYErrors(t *testing.T) {
	if _, err := ReadNPY(filepath.Join(t.TempDir(), "missing.npy")); err == nil {
		t.Error("missing file: no error")
	}
	if _, err := decodeNPY(strings.NewReader("not a numpy file")); err == nil {
		t.Error("garbage: no error")
	}
	if err := encodeNPY(&bytes.Buffer{}, &tensor.Tensor{Shape: []int{2, 2}, Data: []float32{1}}); err == nil {
		t.Error("inconsistent tensor: no error")
	}
}

// TestLayouts checks the NCHW/NHWC conversions element by element.
func TestLayouts(t *testing.T) {
	n, c, h, w := 2, 3, 4, 5
	x := tensor.New(n, c, h, w)
	for i := range x.Data {
		x.Data[i] = float32(i)
	}
	y, err := ToNHWC(x)
	if err != nil {
		t.Fatal(err)
	}
	if want := []int{n, h, w, c}; !tensor.SameShape(y.Shape, want) {
		t.Fatalf("NHWC shape %v, want %v", y.Shape, want)
	}
	for _, idx := range [][4]int{{0, 0, 0, 0}, {1, 2, 3, 4}, {0, 1, 2, 3}, {1, 0, 3, 2}} {
		b, ch, yy, xx := idx[0], idx[1], idx[2], idx[3]
		got := y.Data[((b*h+yy)*w+xx)*c+ch]
		if want := x.Data[((b*c+ch)*h+yy)*w+xx]; got != want {
			t.Errorf("NHWC at %v: %g, want %g", idx, got, want)
		}
	}
	back, err := ToNCHW(y)
	if err != nil {
		t.Fatal(err)
	}
	assertClose(t, back, x, 0)
	if _, err := ToNHWC(tensor.New(2, 3)); err == nil {
		t.Error("2-D tensor: no error")
	}
}
