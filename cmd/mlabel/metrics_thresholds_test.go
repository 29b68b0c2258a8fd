package main

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// metrics --thresholds decides each label at its own threshold: the set
// metrics it prints are those of the decisions at those thresholds.
func TestMetricsThresholds(t *testing.T) {
	// Scores: clear 0.9 0.1 0.6 0.3, haze 0.2 0.7 0.4 0.8.
	const truthCSV = "image,tags\ntrain_0,clear\ntrain_1,haze\ntrain_2,clear haze\ntrain_3,haze\n"
	tests := []struct {
		name       string
		thresholds string // JSON; "" runs without --thresholds
		subset     float64
		hamming    float64
		f1Micro    float64
	}{
		// At 0.5, train_2's haze (0.4) is missed: one of 8 decisions wrong.
		{"default 0.5", "", 0.75, 1.0 / 8, 2 * 4.0 / (2*4.0 + 1)},
		{"haze lowered to 0.35", `{"clear": 0.5, "haze": 0.35}`, 1, 0, 1},
		// Nothing reaches 0.95: every positive (5) is missed.
		{"both at 0.95", `{"clear": 0.95, "haze": 0.95}`, 0, 5.0 / 8, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, scores := truthScores(t)
			truth := filepath.Join(dir, "truth.csv")
			if err := os.WriteFile(truth, []byte(strings.ReplaceAll(truthCSV, "train_", "photos/train_")), 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"metrics", "--truth", truth, "--scores", scores, "--json"}
			if tc.thresholds != "" {
				thr := filepath.Join(dir, "thresholds.json")
				if err := os.WriteFile(thr, []byte(tc.thresholds), 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, "--thresholds", thr)
			}
			code, out, stderr := runCLI(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			var m struct {
				Subset  float64 `json:"subset_accuracy"`
				Hamming float64 `json:"hamming_loss"`
				F1Micro float64 `json:"f1_micro"`
			}
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			if math.Abs(m.Subset-tc.subset) > 1e-12 || math.Abs(m.Hamming-tc.hamming) > 1e-12 || math.Abs(m.F1Micro-tc.f1Micro) > 1e-12 {
				t.Errorf("subset accuracy %v, Hamming loss %v, micro F1 %v; want %v, %v, %v", m.Subset, m.Hamming, m.F1Micro, tc.subset, tc.hamming, tc.f1Micro)
			}
		})
	}
	// A threshold file naming a label the data lacks is refused.
	dir, scores := truthScores(t)
	truth, thr := filepath.Join(dir, "truth.csv"), filepath.Join(dir, "t.json")
	if err := os.WriteFile(truth, []byte(truthCSV), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(thr, []byte(`{"clear": 0.5, "sunny": 0.5}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "metrics", "--truth", truth, "--scores", scores, "--thresholds", thr); code == 0 || !strings.Contains(stderr, "t.json") {
		t.Errorf("an unknown label's threshold: exit %d, stderr %q; want a failure naming the file", code, stderr)
	}
}
