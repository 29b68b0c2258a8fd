package metrics

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestSummarizeJSON(t *testing.T) {
	labels := []string{"cat", "dog", "rare"}
	truth := [][]float64{{1, 0, 0}, {0, 1, 0}, {1, 1, 0}, {0, 0, 0}}
	scores := [][]float64{{0.9, 0.2, 0.1}, {0.3, 0.6, 0.2}, {0.8, 0.4, 0.7}, {0.1, 0.1, 0.1}}
	s, err := Summarize(labels, truth, scores, nil, []float64{0.5, 0.35, 0.5})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"f1_samples", "f2_samples", "f1_micro", "f1_macro", "precision_micro", "recall_micro",
		"hamming_loss", "subset_accuracy", "jaccard_samples", "map_macro", "map_micro", "lrap", "ranking_loss",
		"coverage_error", "roc_auc_macro", "per_label"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	rare := m["per_label"].(map[string]any)["rare"].(map[string]any)
	if rare["ap"] != nil || rare["roc_auc"] != nil {
		t.Errorf("label without positives: ap %v roc_auc %v, want null", rare["ap"], rare["roc_auc"])
	}
	if m["map_macro"].(float64) != 1 {
		t.Errorf("map_macro = %v, want 1 (rare label left out)", m["map_macro"])
	}
	dog := s.PerLabel["dog"]
	if dog.Support != 2 || dog.Threshold != 0.35 || dog.Predicted != 2 || dog.Recall != 1 {
		t.Errorf("dog = %+v", dog)
	}
	// Samples 1-3 are predicted exactly; sample 3 predicts rare wrongly.
	if s.SubsetAccuracy != 0.75 {
		t.Errorf("subset accuracy = %v, want 0.75", s.SubsetAccuracy)
	}
	var buf bytes.Buffer
	if err := s.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"f2_samples", "map_macro", "rare", "dog", "0.3500"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestSummarizeErrors(t *testing.T) {
	truth := [][]float64{{1, 0}}
	scores := [][]float64{{0.9, 0.1}}
	tests := []struct {
		name       string
		labels     []string
		thresholds []float64
	}{
		{"label count", []string{"a"}, nil},
		{"duplicate label", []string{"a", "a"}, nil},
		{"threshold count", []string{"a", "b"}, []float64{0.1, 0.2, 0.3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Summarize(tc.labels, truth, scores, nil, tc.thresholds); err == nil {
				t.Error("want an error")
			}
		})
	}
}

// Given decisions replace the thresholds' in every threshold-based metric
// while the ranking metrics still come from the scores.
func TestSummarizeDecisions(t *testing.T) {
	labels := []string{"cat", "dog"}
	truth := [][]float64{{1, 0}, {0, 1}, {1, 1}}
	scores := [][]float64{{0.9, 0.6}, {0.3, 0.6}, {0.8, 0.7}}
	thr := []float64{0.5, 0.5}
	base, err := Summarize(labels, truth, scores, nil, thr)
	if err != nil {
		t.Fatal(err)
	}
	// One label per image, the higher scored: exactly the truth of rows 0
	// and 1, half of row 2's.
	pred := [][]bool{{true, false}, {false, true}, {true, false}}
	s, err := SummarizeDecisions(labels, truth, scores, nil, pred, thr)
	if err != nil {
		t.Fatal(err)
	}
	if *s.MAPMacro != *base.MAPMacro {
		t.Errorf("mAP %v with decisions, %v with thresholds", *s.MAPMacro, *base.MAPMacro)
	}
	if got := s.PerLabel["dog"].Predicted; got != 1 {
		t.Errorf("dog predicted %d times, want 1 (thresholds: %d)", got, base.PerLabel["dog"].Predicted)
	}
	if s.SubsetAccuracy != 2.0/3 || base.SubsetAccuracy != 2.0/3 {
		t.Errorf("subset accuracy %v with decisions, %v with thresholds; want 2/3 for both", s.SubsetAccuracy, base.SubsetAccuracy)
	}
	if s.PerLabel["dog"].Threshold != 0.5 {
		t.Errorf("dog's recorded threshold %v", s.PerLabel["dog"].Threshold)
	}
	for _, tc := range []struct {
		name string
		pred [][]bool
	}{
		{"too few rows", pred[:2]},
		{"short row", [][]bool{{true}, {false, true}, {true, false}}},
	} {
		if _, err := SummarizeDecisions(labels, truth, scores, nil, tc.pred, thr); err == nil {
			t.Errorf("%s: want an error", tc.name)
		}
	}
}

// An undefined value (NaN) is nil and prints as "-"; a defined one keeps
// its value and prints with four decimals.
func TestOptional(t *testing.T) {
	for _, tc := range []struct {
		x     float64
		undef bool
		text  string
	}{
		{math.NaN(), true, "-"},
		{0, false, "0.0000"},
		{0.12345, false, "0.1235"},
		{-1, false, "-1.0000"},
	} {
		p := Optional(tc.x)
		if (p == nil) != tc.undef || (p != nil && *p != tc.x) {
			t.Errorf("Optional(%v) = %v", tc.x, p)
		}
		if got := FormatOptional(p); got != tc.text {
			t.Errorf("FormatOptional(Optional(%v)) = %q, want %q", tc.x, got, tc.text)
		}
	}
}
