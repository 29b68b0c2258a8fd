package decide

import (
	"testing"

	"mlabel/infer"
)

// The precision floor is the lowest threshold whose predicted entries
// reach the precision asked, and raises only thresholds below it.
func TestPrecisionFloor(t *testing.T) {
	// Scores high to low: + - + - - - + - - -
	scores := []float64{0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05}
	truth := []bool{true, false, true, false, false, false, true, false, false, false}
	set := infer.Set{}
	for i, s := range scores {
		y := 0.0
		if truth[i] {
			y = 1
		}
		set.Scores = append(set.Scores, []float64{s})
		set.Truth = append(set.Truth, []float64{y})
		set.Mask = append(set.Mask, []bool{true})
	}
	es := entries(set, 0)
	tests := []struct {
		minPrec float64
		want    float64
		ok      bool
	}{
		{0.5, 0.55, true}, // 2 of 4 at 0.6: precision 0.5
		{0.4, 0.25, true}, // 3 of 7 at 0.3: 0.43
		{0.3, 0.05, true}, // 3 of 10: every entry
		{0.9, 0.85, true}, // only the top one
	}
	for _, tc := range tests {
		got, ok := precisionFloor(es, tc.minPrec)
		if ok != tc.ok || ok && abs(got-tc.want) > 1e-12 {
			t.Errorf("floor at precision %v: %v %v, want %v %v", tc.minPrec, got, ok, tc.want, tc.ok)
		}
	}
	// A label whose top score is negative and has no positive reaches no floor.
	none := infer.Set{Scores: [][]float64{{0.9}, {0.1}}, Truth: [][]float64{{0}, {0}}, Mask: [][]bool{{true}, {true}}}
	if _, ok := precisionFloor(entries(none, 0), 0.4); ok {
		t.Error("a floor for a label without positives")
	}
	// FitPerClass with the floor: the label-F2 optimum (predict all three
	// positives, at 0.25) is raised to the floor of 0.55.
	o := DefaultOptions()
	o.Objective, o.Bootstrap, o.MinPositives = LabelF, 0, 0
	plain, err := FitPerClass(set, o)
	if err != nil {
		t.Fatal(err)
	}
	o.MinPrecision = 0.5
	floored, err := FitPerClass(set, o)
	if err != nil {
		t.Fatal(err)
	}
	if plain.PerClass[0] >= 0.55 || floored.PerClass[0] != 0.55 {
		t.Errorf("threshold %v without the floor, %v with it; want below 0.55, then 0.55", plain.PerClass[0], floored.PerClass[0])
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
