package metrics

import (
	"errors"
	"math"
	"testing"
)

func TestBinarize(t *testing.T) {
	scores := [][]float64{{0.5, 0.49, 0.9}}
	tests := []struct {
		name       string
		thresholds []float64
		want       []bool
		wantErr    bool
	}{
		{"default 0.5 inclusive", nil, []bool{true, false, true}, false},
		{"global", []float64{0.95}, []bool{false, false, false}, false},
		{"per label", []float64{0.6, 0.4, 0.9}, []bool{false, true, true}, false},
		{"wrong count", []float64{0.1, 0.2}, nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Binarize(scores, tc.thresholds)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			for j, w := range tc.want {
				if got[0][j] != w {
					t.Errorf("label %d = %v, want %v", j, got[0][j], w)
				}
			}
		})
	}
}

// A sample with one known label has no ranking among known labels; these
// are the values the filtered-row definition gives.
func TestRankingSingleKnownLabel(t *testing.T) {
	mask := [][]bool{{true, false, false}}
	scores := [][]float64{{0.2, 0.9, 0.8}}
	tests := []struct {
		name  string
		truth float64
		fn    func(truth, scores [][]float64, mask [][]bool) (float64, error)
		want  float64
	}{
		{"LRAP positive", 1, LRAP, 1},
		{"LRAP negative", 0, LRAP, 1},
		{"ranking loss positive", 1, RankingLoss, 0},
		{"coverage positive", 1, CoverageError, 1},
		{"coverage negative", 0, CoverageError, 0},
		{"NDCG positive", 1, NDCG, 1},
		{"NDCG negative", 0, NDCG, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			truth := [][]float64{{tc.truth, 1, 1}} // unknown entries must not matter
			got, err := tc.fn(truth, scores, mask)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestMaskedEntriesCountNowhere(t *testing.T) {
	truth := [][]float64{{1, 0}, {0, 1}, {1, 1}}
	scores := [][]float64{{0.9, 0.1}, {0.2, 0.8}, {0.7, 0.6}}
	// The unknown entries hold wrong values: masking them must equal
	// dropping them, so every metric stays perfect.
	bad := [][]float64{{1, 0}, {0, 1}, {0, 0}}
	badScores := [][]float64{{0.9, 0.1}, {0.2, 0.8}, {0.99, 0.99}}
	mask := [][]bool{{true, true}, {true, true}, {false, false}}
	s, err := Summarize([]string{"a", "b"}, bad, badScores, mask, nil)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := Summarize([]string{"a", "b"}, truth[:2], scores[:2], nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if s.F1Samples != ref.F1Samples || s.SubsetAccuracy != 1 || s.HammingLoss != 0 || *s.MAPMacro != 1 || s.LRAP != 1 {
		t.Errorf("masked summary %+v differs from the filtered one %+v", s, ref)
	}
	if s.PerLabel["a"].Known != 2 {
		t.Errorf("label a known = %d, want 2", s.PerLabel["a"].Known)
	}
}

func TestMacroSkipsLabelWithNoKnownSample(t *testing.T) {
	truth := [][]float64{{1, 0}, {0, 0}}
	pred := [][]bool{{true, true}, {false, true}}
	mask := [][]bool{{true, false}, {true, false}}
	got, err := ScorePRF(truth, pred, mask, Macro, F1)
	if err != nil {
		t.Fatal(err)
	}
	if got.F != 1 {
		t.Errorf("macro F1 = %v, want 1 (label b has no known sample)", got.F)
	}
}

func TestErrors(t *testing.T) {
	truth := [][]float64{{1, 0}}
	pred := [][]bool{{true, false}}
	allUnknown := [][]bool{{false, false}}
	tests := []struct {
		name   string
		call   func() error
		target error
	}{
		{"shape", func() error { _, err := ScorePRF(truth, [][]bool{{true}}, nil, Micro, F1); return err }, nil},
		{"ragged", func() error { _, err := HammingLoss([][]float64{{1, 0}, {1}}, pred, nil); return err }, nil},
		{"truth not 0/1", func() error { _, err := SubsetAccuracy([][]float64{{0.5, 0}}, pred, nil); return err }, nil},
		{"negative beta", func() error { _, err := ScorePRF(truth, pred, nil, Micro, Options{Beta: -1}); return err }, nil},
		{"zero division 2", func() error {
			_, err := ScorePRF(truth, pred, nil, Micro, Options{Beta: 1, ZeroDivision: 2})
			return err
		}, nil},
		{"jaccard weighted", func() error { _, err := Jaccard(truth, pred, nil, Weighted, 0); return err }, nil},
		{"NaN score", func() error { _, err := LRAP(truth, [][]float64{{math.NaN(), 0}}, nil); return err }, nil},
		{"mask shape", func() error { _, err := NDCG(truth, truth, [][]bool{{true}}); return err }, nil},
		{"all unknown samples", func() error { _, err := ScorePRF(truth, pred, allUnknown, Samples, F1); return err }, ErrNoKnown},
		{"all unknown micro", func() error { _, err := ScorePRF(truth, pred, allUnknown, Micro, F1); return err }, ErrNoKnown},
		{"all unknown ranking", func() error { _, err := CoverageError(truth, truth, allUnknown); return err }, ErrNoKnown},
		{"empty", func() error { _, err := Confusion(nil, nil, nil); return err }, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil {
				t.Fatal("want an error")
			}
			if tc.target != nil && !errors.Is(err, tc.target) {
				t.Errorf("err = %v, want %v", err, tc.target)
			}
		})
	}
}

func TestCurves(t *testing.T) {
	truth := []float64{1, 0, 1, 0}
	scores := []float64{0.8, 0.8, 0.3, 0.1}
	pr := PRCurve(truth, scores)
	want := []PRPoint{{0.8, 0.5, 0.5}, {0.3, 2.0 / 3, 1}, {0.1, 0.5, 1}}
	if len(pr) != len(want) {
		t.Fatalf("PR curve %v, want %v", pr, want)
	}
	for k := range want {
		if math.Abs(pr[k].Precision-want[k].Precision) > 1e-12 || pr[k].Recall != want[k].Recall || pr[k].Threshold != want[k].Threshold {
			t.Errorf("point %d = %v, want %v", k, pr[k], want[k])
		}
	}
	if got := AveragePrecision(truth, scores); math.Abs(got-(0.25+1.0/3)) > 1e-12 {
		t.Errorf("AP = %v", got)
	}
	if got := ROCAUC(truth, scores); got != 0.625 {
		t.Errorf("ROC AUC = %v, want 0.625 (a tie counts one half)", got)
	}
	if !math.IsNaN(AveragePrecision([]float64{0, 0}, []float64{1, 2})) || !math.IsNaN(ROCAUC([]float64{1, 1}, []float64{1, 2})) {
		t.Error("undefined AP or AUC should be NaN")
	}
}
