package cam

import (
	"slices"
	"testing"
)

func TestChoose(t *testing.T) {
	labels := []string{"a", "b", "c"}
	scores := []float64{0.2, 0.7, 0.4}
	cases := []struct {
		name      string
		predicted []string
		forced    int
		want      []int
		fallback  bool
	}{
		{"forced wins over predictions", []string{"a"}, 2, []int{2}, false},
		{"predicted in their order", []string{"c", "a"}, -1, []int{2, 0}, false},
		{"none predicted: top score", nil, -1, []int{1}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, fb := Choose(labels, tc.predicted, scores, tc.forced)
			if !slices.Equal(got, tc.want) || fb != tc.fallback {
				t.Errorf("Choose = %v, %v; want %v, %v", got, fb, tc.want, tc.fallback)
			}
		})
	}
}

func TestPeak(t *testing.T) {
	cases := []struct {
		name     string
		values   []float32
		w        int
		row, col int
	}{
		{"last row", []float32{0, 1, 2, 9, 3, 4}, 3, 1, 0},
		{"first on ties", []float32{5, 1, 5, 5}, 2, 0, 0},
		{"negative values", []float32{-3, -1, -2, -4}, 2, 0, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, c := Peak(tc.values, tc.w)
			if r != tc.row || c != tc.col {
				t.Errorf("Peak = (%d, %d), want (%d, %d)", r, c, tc.row, tc.col)
			}
		})
	}
}
