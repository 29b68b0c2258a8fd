package infer

import (
	"math"
	"slices"
	"strings"
	"testing"

	"mlabel/tensor"
)

func TestSigmoid(t *testing.T) {
	tests := []struct {
		x, want float64
	}{
		{0, 0.5},
		{1, 0.7310585786300049},
		{-1, 0.2689414213699951},
		{40, 1 - 4.248354255291589e-18},
		{-40, 4.248354255291589e-18},
		{-800, 0}, // exp(800) overflows; the stable form still gives 0
		{800, 1},
		{math.Inf(1), 1},
		{math.Inf(-1), 0},
	}
	for _, tc := range tests {
		got := Sigmoid(tc.x)
		if math.IsNaN(got) || math.Abs(got-tc.want) > 1e-15*math.Max(1, tc.want) {
			t.Errorf("Sigmoid(%g) = %g, want %g", tc.x, got, tc.want)
		}
	}
	// Symmetry: σ(-x) = 1 - σ(x).
	for _, x := range []float64{0.3, 2, 7.5, 30} {
		if d := Sigmoid(-x) - (1 - Sigmoid(x)); math.Abs(d) > 1e-15 {
			t.Errorf("Sigmoid(-%g) differs from 1-Sigmoid(%g) by %g", x, x, d)
		}
	}
}

func TestProbabilities(t *testing.T) {
	tests := []struct {
		name    string
		shape   []int
		data    []float32
		want    [][]float64
		wantErr string
	}{
		{"two by two", []int{2, 2}, []float32{0, 1, -1, 0}, [][]float64{{0.5, Sigmoid(1)}, {Sigmoid(-1), 0.5}}, ""},
		{"NHWC head", []int{1, 1, 1, 3}, []float32{0, 0, 0}, [][]float64{{0.5, 0.5, 0.5}}, ""},
		{"rank one", []int{3}, []float32{0, 0, 0}, nil, "shape [3]"},
		{"no images", []int{0, 3}, nil, nil, "shape [0 3]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Probabilities(&tensor.Tensor{Shape: tc.shape, Data: tc.data})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(got, tc.want, slices.Equal) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMaxPool(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows [][]float64
		want []float64
	}{
		{"none", nil, nil},
		{"one", [][]float64{{0.1, 0.9}}, []float64{0.1, 0.9}},
		{"per label", [][]float64{{0.1, 0.9, 0.5}, {0.7, 0.2, 0.5}, {0.3, 0.4, 0.6}}, []float64{0.7, 0.9, 0.6}},
	} {
		rows := make([][]float64, len(tc.rows))
		for i, r := range tc.rows {
			rows[i] = slices.Clone(r)
		}
		got := MaxPool(rows)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if len(rows) > 0 && !slices.Equal(rows[0], tc.rows[0]) {
			t.Errorf("%s: the first row changed to %v", tc.name, rows[0])
		}
	}
}
