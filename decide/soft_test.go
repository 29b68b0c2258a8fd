package decide

import (
	"math"
	"slices"
	"strings"
	"testing"
)

// With probabilities that are the 0/1 truth, expected counts are the
// counts: fitExpectedPerClass gives FitPerClass's thresholds.
func TestFitExpectedPerClassMatchesHardTruth(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    Options
	}{
		{"label F2", Options{Beta: 2, Objective: LabelF}},
		{"samples F2", Options{Beta: 2, Objective: SamplesF}},
		{"samples F1, shrinking", Options{Beta: 1, Objective: SamplesF, MinPositives: 30}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := randomSplit(3, 60, 4, false)
			want, err := FitPerClass(s, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			got, err := fitExpectedPerClass(s.Scores, s.Truth, nil, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got.PerClass, want.PerClass) || !slices.Equal(got.Shrunk, want.Shrunk) ||
				!slices.Equal(got.Positives, want.Positives) || got.Global != want.Global {
				t.Errorf("expected-count fit %v (shrunk %v, global %v), hard fit %v (shrunk %v, global %v)",
					got.PerClass, got.Shrunk, got.Global, want.PerClass, want.Shrunk, want.Global)
			}
		})
	}
}

// Raising every probability lowers the F2-optimal threshold.
func TestFitExpectedPerClassFollowsProbabilities(t *testing.T) {
	var scores, low, high [][]float64
	for i := 0; i < 200; i++ {
		s := float64(i) / 200
		scores = append(scores, []float64{s})
		low = append(low, []float64{s * s * 0.5})
		high = append(high, []float64{math.Sqrt(s)})
	}
	o := Options{Beta: 2, Objective: LabelF}
	a, err := fitExpectedPerClass(scores, low, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := fitExpectedPerClass(scores, high, nil, o)
	if err != nil {
		t.Fatal(err)
	}
	if !(b.PerClass[0] < a.PerClass[0]) {
		t.Errorf("threshold %v with high probabilities, %v with low ones", b.PerClass[0], a.PerClass[0])
	}
}

func TestFitExpectedPerClassErrors(t *testing.T) {
	o := Options{Beta: 2, Objective: SamplesF}
	for _, tc := range []struct {
		name          string
		scores, probs [][]float64
		o             Options
		want          string
	}{
		{"empty", nil, nil, o, "no scores"},
		{"rows", [][]float64{{0.1}}, nil, o, "0 probability rows for 1"},
		{"ragged", [][]float64{{0.1}, {0.2, 0.3}}, [][]float64{{0.1}, {0.2}}, o, "row 1"},
		{"probability above one", [][]float64{{0.1}}, [][]float64{{1.5}}, o, "outside [0, 1]"},
		{"NaN score", [][]float64{{math.NaN()}}, [][]float64{{0.5}}, o, "NaN"},
		{"bad beta", [][]float64{{0.1}}, [][]float64{{0.5}}, Options{Objective: SamplesF}, "beta"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fitExpectedPerClass(tc.scores, tc.probs, nil, tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// A label with too few expected positives is shrunk toward the threshold
// given for it.
func TestFitExpectedPerClassShrinksToward(t *testing.T) {
	var scores, probs [][]float64
	for i := 0; i < 100; i++ {
		s := float64(i) / 100
		scores = append(scores, []float64{s, s})
		probs = append(probs, []float64{s, 0.0001 * s})
	}
	o := Options{Beta: 2, Objective: LabelF, MinPositives: 5}
	r, err := fitExpectedPerClass(scores, probs, []float64{0.3, 0.77}, o)
	if err != nil {
		t.Fatal(err)
	}
	if r.Shrunk[0] || !r.Shrunk[1] || math.Abs(r.PerClass[1]-0.77) > 0.01 {
		t.Errorf("thresholds %v, shrunk %v; want label 1 shrunk to about 0.77", r.PerClass, r.Shrunk)
	}
	if _, err := fitExpectedPerClass(scores, probs, []float64{0.3}, o); err == nil {
		t.Error("accepted 1 threshold to shrink toward for 2 labels")
	}
}

// A held label keeps the threshold given for it, under either objective,
// while the others are fitted as without holding.
func TestFitExpectedPerClassHolding(t *testing.T) {
	var scores, probs [][]float64
	for i := 0; i < 200; i++ {
		s := float64(i%100) / 100
		u := float64((i*37)%100) / 100
		scores = append(scores, []float64{s, u})
		probs = append(probs, []float64{s, u * u})
	}
	for _, obj := range []Objective{LabelF, SamplesF} {
		o := Options{Beta: 2, Objective: obj, MinPositives: 5}
		free, err := fitExpectedPerClass(scores, probs, nil, o)
		if err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name   string
			toward []float64
			want   float64
		}{
			{"toward", []float64{0.9, 0.2}, 0.9},
			{"global", nil, free.Global},
		} {
			r, err := FitExpectedPerClassHolding(scores, probs, tc.toward, []bool{true, false}, o)
			if err != nil {
				t.Fatal(err)
			}
			if r.PerClass[0] != tc.want || !r.Shrunk[0] || r.Shrunk[1] {
				t.Errorf("%s, %s: thresholds %v, shrunk %v; want label 0 held at %v", obj, tc.name, r.PerClass, r.Shrunk, tc.want)
			}
			if obj == LabelF && r.PerClass[1] != free.PerClass[1] {
				t.Errorf("%s, %s: free label's threshold %v, %v without holding", obj, tc.name, r.PerClass[1], free.PerClass[1])
			}
		}
	}
	if _, err := FitExpectedPerClassHolding(scores, probs, nil, []bool{true}, Options{Beta: 2, Objective: LabelF}); err == nil {
		t.Error("accepted 1 held flag for 2 labels")
	}
}
