package metrics

import (
	"math"
	"testing"
)

func TestQuantile(t *testing.T) {
	// Expected values are numpy.quantile's default ("linear", R type 7):
	// np.quantile([1, 2, 3, 4], [0.05, 0.95]) and
	// np.quantile([-1, 2.5, 3, 7, 10], [0, 0.05, 0.5, 0.9, 1]).
	tests := []struct {
		sorted []float64
		q      float64
		want   float64
	}{
		{[]float64{1, 2, 3, 4}, 0.05, 1.15},
		{[]float64{1, 2, 3, 4}, 0.95, 3.85},
		{[]float64{-1, 2.5, 3, 7, 10}, 0, -1},
		{[]float64{-1, 2.5, 3, 7, 10}, 0.05, -0.3},
		{[]float64{-1, 2.5, 3, 7, 10}, 0.5, 3},
		{[]float64{-1, 2.5, 3, 7, 10}, 0.9, 8.8},
		{[]float64{-1, 2.5, 3, 7, 10}, 1, 10},
		{[]float64{5}, 0.3, 5},
		{[]float64{1, 2}, -0.5, 1}, // clamped
		{[]float64{1, 2}, 1.5, 2},  // clamped
	}
	for _, tc := range tests {
		if got := Quantile(tc.sorted, tc.q); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Quantile(%v, %g) = %g, want %g", tc.sorted, tc.q, got, tc.want)
		}
	}
	if got := Quantile(nil, 0.5); !math.IsNaN(got) {
		t.Errorf("Quantile of nothing = %g, want NaN", got)
	}
}
