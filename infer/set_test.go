package infer

import (
	"slices"
	"strings"
	"testing"

	"mlabel/tensor"
)

func TestSetAppendLogits(t *testing.T) {
	var s Set
	logits := &tensor.Tensor{Shape: []int{2, 2}, Data: []float32{0, 50, -50, 0}}
	y := &tensor.Tensor{Shape: []int{2, 2}, Data: []float32{1, 0, 0, 1}}
	mask := &tensor.Tensor{Shape: []int{2, 2}, Data: []float32{1, 0, 1, 1}}
	if err := s.AppendLogits([]string{"a", "b"}, logits, y, mask); err != nil {
		t.Fatal(err)
	}
	if err := s.AppendLogits([]string{"c"}, &tensor.Tensor{Shape: []int{1, 2}, Data: []float32{0, 0}},
		&tensor.Tensor{Shape: []int{1, 2}, Data: []float32{0, 0}}, &tensor.Tensor{Shape: []int{1, 2}, Data: []float32{0, 0}}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Names, []string{"a", "b", "c"}) {
		t.Errorf("names %v", s.Names)
	}
	wantScores := [][]float64{{0.5, Sigmoid(50)}, {Sigmoid(-50), 0.5}, {0.5, 0.5}}
	wantTruth := [][]float64{{1, 0}, {0, 1}, {0, 0}}
	wantMask := [][]bool{{true, false}, {true, true}, {false, false}}
	if !slices.EqualFunc(s.Scores, wantScores, slices.Equal) || !slices.EqualFunc(s.Truth, wantTruth, slices.Equal) ||
		!slices.EqualFunc(s.Mask, wantMask, slices.Equal) {
		t.Errorf("set %+v", s)
	}
	if s.Len() != 3 || s.NumLabels() != 2 {
		t.Errorf("Len %d NumLabels %d, want 3 and 2", s.Len(), s.NumLabels())
	}
	err := s.AppendLogits([]string{"d", "e"}, logits, y, &tensor.Tensor{Shape: []int{1, 2}, Data: []float32{1, 1}})
	if err == nil || !strings.Contains(err.Error(), "2 mask values") {
		t.Errorf("short mask: err = %v", err)
	}
	if s.Len() != 3 {
		t.Errorf("a failed append changed the set: %d rows", s.Len())
	}
}

func TestSetRowsKnownPositives(t *testing.T) {
	full := Set{
		Labels: []string{"x", "y"},
		Names:  []string{"a", "b", "c"},
		Scores: [][]float64{{0.1, 0.2}, {0.3, 0.4}, {0.5, 0.6}},
		Truth:  [][]float64{{1, 1}, {0, 1}, {1, 0}},
		Mask:   [][]bool{{true, false}, {true, true}, {true, true}},
	}
	tests := []struct {
		name      string
		set       Set
		rows      []int
		wantNames []string
		wantPos   []int
		wantKnown bool // of entry (0, 1) of the restricted set
	}{
		{"masked, reordered", full, []int{2, 0}, []string{"c", "a"}, []int{2, 0}, true},
		{"masked, one row", full, []int{0}, []string{"a"}, []int{1, 0}, false},
		{"no mask", Set{Scores: full.Scores, Truth: full.Truth}, []int{0, 1}, nil, []int{1, 2}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := tc.set.Rows(tc.rows)
			if !slices.Equal(r.Names, tc.wantNames) {
				t.Errorf("names %v, want %v", r.Names, tc.wantNames)
			}
			for k, i := range tc.rows {
				if !slices.Equal(r.Scores[k], tc.set.Scores[i]) || !slices.Equal(r.Truth[k], tc.set.Truth[i]) {
					t.Errorf("row %d is not row %d of the set", k, i)
				}
			}
			if got := r.Positives(); !slices.Equal(got, tc.wantPos) {
				t.Errorf("positives %v, want %v", got, tc.wantPos)
			}
			if got := r.Known(0, 1); got != tc.wantKnown {
				t.Errorf("Known(0, 1) = %v, want %v", got, tc.wantKnown)
			}
		})
	}
}
