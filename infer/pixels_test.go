package infer

import (
	"slices"
	"strings"
	"testing"

	"mlabel/tensor"
)

func TestAreaFractionsAndClassMap(t *testing.T) {
	// 1 image, 2×2 pixels, 3 labels; logits chosen around 0 (p = 0.5) and
	// logit(0.8) ≈ 1.386.
	x, err := tensor.FromData([]float32{
		2, 1, -1, // pixel 0: labels 0 and 1 above 0.5, 0 highest
		-3, 1.2, 1.5, // pixel 1: labels 1, 2; 2 highest
		-1, -1, -1, // pixel 2: none
		3, -2, 0.1, // pixel 3: labels 0, 2
	}, 1, 2, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		threshold float64
		area      []float64
		class     []uint8
	}{
		{0.5, []float64{0.5, 0.5, 0.5}, []uint8{1, 3, 0, 1}},
		{0.8, []float64{0.5, 0, 0.25}, []uint8{1, 3, 0, 1}},
		{0.99, []float64{0, 0, 0}, []uint8{0, 0, 0, 0}},
	}
	for _, tc := range tests {
		a, err := AreaFractions(x, tc.threshold)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(a[0], tc.area) {
			t.Errorf("threshold %g: areas %v, want %v", tc.threshold, a[0], tc.area)
		}
		c, err := ClassMap(x, 0, tc.threshold)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(c, tc.class) {
			t.Errorf("threshold %g: classes %v, want %v", tc.threshold, c, tc.class)
		}
	}
	for _, bad := range []struct {
		th   float64
		t    *tensor.Tensor
		want string
	}{
		{0, x, "not within (0, 1)"},
		{0.5, tensor.New(2, 3), "[N, H, W, L]"},
	} {
		if _, err := AreaFractions(bad.t, bad.th); err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("error %v, want %q", err, bad.want)
		}
	}
}
