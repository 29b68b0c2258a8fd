package metrics

import (
	"encoding/json"
	"math"
	"os"
	"strconv"
	"testing"
)

// goldenCase is one scikit-learn reference case from testdata/golden.json.
type goldenCase struct {
	Name      string      `json:"name"`
	Truth     [][]float64 `json:"truth"`
	Scores    [][]float64 `json:"scores"`
	Mask      [][]bool    `json:"mask"`
	Threshold float64     `json:"threshold"`
	PRF       []struct {
		Average      string  `json:"average"`
		Beta         float64 `json:"beta"`
		ZeroDivision float64 `json:"zero_division"`
		P, R, F      float64
	} `json:"prf"`
	PerLabelPRF []struct {
		Beta         float64     `json:"beta"`
		ZeroDivision float64     `json:"zero_division"`
		Values       [][]float64 `json:"values"`
	} `json:"per_label_prf"`
	Jaccard []struct {
		Average      string  `json:"average"`
		ZeroDivision float64 `json:"zero_division"`
		Value        float64 `json:"value"`
	} `json:"jaccard"`
	SubsetAccuracy  float64     `json:"subset_accuracy"`
	HammingLoss     float64     `json:"hamming_loss"`
	Confusion       [][2][2]int `json:"confusion"`
	AP              []*float64  `json:"ap"`
	ROCAUC          []*float64  `json:"roc_auc"`
	MAPMacro        *float64    `json:"map_macro"`
	MAPMacroSklearn *float64    `json:"map_macro_sklearn"`
	MAPMicro        *float64    `json:"map_micro"`
	ROCAUCMacro     *float64    `json:"roc_auc_macro"`
	LRAP            float64     `json:"lrap"`
	RankingLoss     float64     `json:"ranking_loss"`
	CoverageError   float64     `json:"coverage_error"`
	NDCG            float64     `json:"ndcg"`
}

const tol = 1e-9

func loadGolden(t *testing.T) []goldenCase {
	t.Helper()
	raw, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var g struct {
		Cases []goldenCase `json:"cases"`
	}
	if err := json.Unmarshal(raw, &g); err != nil {
		t.Fatal(err)
	}
	if len(g.Cases) < 50 {
		t.Fatalf("golden file has %d cases, want at least 50", len(g.Cases))
	}
	return g.Cases
}

func parseAverage(t *testing.T, s string) Average {
	t.Helper()
	for _, a := range []Average{Samples, Micro, Macro, Weighted} {
		if a.String() == s {
			return a
		}
	}
	t.Fatalf("unknown average %q", s)
	return 0
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > tol || math.IsNaN(got) != math.IsNaN(want) {
		t.Errorf("%s = %.17g, scikit-learn %.17g", what, got, want)
	}
}

// nearOpt compares a value that scikit-learn leaves undefined (nil) with NaN.
func nearOpt(t *testing.T, what string, got float64, want *float64) {
	t.Helper()
	if want == nil {
		if !math.IsNaN(got) {
			t.Errorf("%s = %v, want undefined", what, got)
		}
		return
	}
	near(t, what, got, *want)
}

func TestGoldenSetMetrics(t *testing.T) {
	for _, c := range loadGolden(t) {
		t.Run(c.Name, func(t *testing.T) {
			pred, err := Binarize(c.Scores, []float64{c.Threshold})
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range c.PRF {
				got, err := ScorePRF(c.Truth, pred, c.Mask, parseAverage(t, e.Average), Options{Beta: e.Beta, ZeroDivision: e.ZeroDivision})
				if err != nil {
					t.Fatal(err)
				}
				what := e.Average + " beta " + ftoa(e.Beta) + " zd " + ftoa(e.ZeroDivision)
				near(t, what+" precision", got.Precision, e.P)
				near(t, what+" recall", got.Recall, e.R)
				near(t, what+" F", got.F, e.F)
			}
			for _, e := range c.PerLabelPRF {
				got, err := PerLabelPRF(c.Truth, pred, c.Mask, Options{Beta: e.Beta, ZeroDivision: e.ZeroDivision})
				if err != nil {
					t.Fatal(err)
				}
				for j, v := range e.Values {
					near(t, "label precision", got[j].Precision, v[0])
					near(t, "label recall", got[j].Recall, v[1])
					near(t, "label F", got[j].F, v[2])
				}
			}
			for _, e := range c.Jaccard {
				got, err := Jaccard(c.Truth, pred, c.Mask, parseAverage(t, e.Average), e.ZeroDivision)
				if err != nil {
					t.Fatal(err)
				}
				near(t, "jaccard "+e.Average, got, e.Value)
			}
			acc, err := SubsetAccuracy(c.Truth, pred, c.Mask)
			if err != nil {
				t.Fatal(err)
			}
			near(t, "subset accuracy", acc, c.SubsetAccuracy)
			ham, err := HammingLoss(c.Truth, pred, c.Mask)
			if err != nil {
				t.Fatal(err)
			}
			near(t, "hamming loss", ham, c.HammingLoss)
			cm, err := Confusion(c.Truth, pred, c.Mask)
			if err != nil {
				t.Fatal(err)
			}
			for j, m := range c.Confusion {
				if cm[j].Matrix() != m {
					t.Errorf("label %d confusion %v, scikit-learn %v", j, cm[j].Matrix(), m)
				}
			}
		})
	}
}

func TestGoldenScoreMetrics(t *testing.T) {
	for _, c := range loadGolden(t) {
		t.Run(c.Name, func(t *testing.T) {
			ap, err := PerLabelAP(c.Truth, c.Scores, c.Mask)
			if err != nil {
				t.Fatal(err)
			}
			for j := range ap {
				nearOpt(t, "AP", ap[j], c.AP[j])
			}
			auc, err := PerLabelROCAUC(c.Truth, c.Scores, c.Mask)
			if err != nil {
				t.Fatal(err)
			}
			for j := range auc {
				nearOpt(t, "ROC AUC", auc[j], c.ROCAUC[j])
			}
			checkMean(t, "mAP macro", ap, c.MAPMacro)
			if c.MAPMacroSklearn != nil {
				checkMean(t, "mAP macro (sklearn average)", ap, c.MAPMacroSklearn)
			}
			checkMean(t, "ROC AUC macro", auc, c.ROCAUCMacro)
			micro, err := MeanAPMicro(c.Truth, c.Scores, c.Mask)
			if err != nil {
				t.Fatal(err)
			}
			nearOpt(t, "mAP micro", micro, c.MAPMicro)
			for _, r := range []struct {
				name string
				fn   func(truth, scores [][]float64, mask [][]bool) (float64, error)
				want float64
			}{
				{"LRAP", LRAP, c.LRAP},
				{"ranking loss", RankingLoss, c.RankingLoss},
				{"coverage error", CoverageError, c.CoverageError},
				{"NDCG", NDCG, c.NDCG},
			} {
				got, err := r.fn(c.Truth, c.Scores, c.Mask)
				if err != nil {
					t.Fatal(err)
				}
				near(t, r.name, got, r.want)
			}
		})
	}
}

func checkMean(t *testing.T, what string, xs []float64, want *float64) {
	t.Helper()
	got, err := MeanDefined(xs)
	if want == nil {
		if err == nil {
			t.Errorf("%s = %v, want undefined", what, got)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	near(t, what, got, *want)
}

func ftoa(x float64) string { return strconv.FormatFloat(x, 'g', -1, 64) }
