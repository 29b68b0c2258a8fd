package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// truthScores writes a scores file as mlabel predict --format scores writes
// it (images named by path) and returns it with a folder for truth files.
func truthScores(t *testing.T) (dir, scores string) {
	t.Helper()
	dir = t.TempDir()
	scores = filepath.Join(dir, "scores.csv")
	const s = "image,clear,haze\nphotos/train_0.jpg,0.9,0.2\nphotos/train_1.jpg,0.1,0.7\nphotos/train_2.jpg,0.6,0.4\nphotos/train_3.jpg,0.3,0.8\n"
	if err := os.WriteFile(scores, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir, scores
}

func TestMetricsReadsTruthAsTrainDoes(t *testing.T) {
	const planet = "image_name,tags\ntrain_0,clear\ntrain_1,haze\ntrain_2,clear ?haze\ntrain_3,haze\n"
	tests := []struct {
		name, truth string
		flags       []string
		wantCode    int
		wantErr     string
	}{
		{"planet header", planet, nil, 0, ""},
		{"image,tags header with paths", "image,tags\nphotos/train_0.jpg,clear\nphotos/train_1.jpg,haze\nphotos/train_2.jpg,clear ?haze\nphotos/train_3.jpg,haze\n", nil, 0, ""},
		{"no header", "train_0,clear\ntrain_1,haze\ntrain_2,clear ?haze\ntrain_3,haze\n", nil, 0, ""},
		{"header forced on", "name,tags\ntrain_0,clear\ntrain_1,haze\ntrain_2,clear ?haze\ntrain_3,haze\n", []string{"--header", "yes"}, 0, ""},
		{"separator and column", "id;file;labels\n0;train_0.jpg;clear\n1;train_1.jpg;haze\n2;train_2.jpg;clear ?haze\n3;train_3.jpg;haze\n",
			[]string{"--sep", ";", "--image-column", "file"}, 0, ""},
		{"planet header read as data", planet, []string{"--header", "no"}, 1, `"image_name"`},
		{"bad header flag", planet, []string{"--header", "maybe"}, 2, "--header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir, scores := truthScores(t)
			truth := filepath.Join(dir, "truth.csv")
			if err := os.WriteFile(truth, []byte(tc.truth), 0o644); err != nil {
				t.Fatal(err)
			}
			args := append([]string{"metrics", "--truth", truth, "--scores", scores, "--json"}, tc.flags...)
			code, out, stderr := runCLI(t, args...)
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d: %s", code, tc.wantCode, stderr)
			}
			if tc.wantCode != 0 {
				if !strings.Contains(stderr, tc.wantErr) {
					t.Errorf("stderr %q does not contain %q", stderr, tc.wantErr)
				}
				return
			}
			var m struct {
				MAPMacro float64 `json:"map_macro"`
			}
			if err := json.Unmarshal([]byte(out), &m); err != nil {
				t.Fatalf("%v: %s", err, out)
			}
			// Both labels rank their known positives first: mAP 1.
			if m.MAPMacro != 1 {
				t.Errorf("map_macro %v, want 1 (%s)", m.MAPMacro, out)
			}
		})
	}
}

func TestDecideReadsTruthAsTrainDoes(t *testing.T) {
	dir, scores := truthScores(t)
	truth := filepath.Join(dir, "truth.csv")
	if err := os.WriteFile(truth, []byte("image_name,tags\ntrain_0,clear\ntrain_1,haze\ntrain_2,clear ?haze\ntrain_3,haze\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rules := filepath.Join(dir, "rules.json")
	code, out, stderr := runCLI(t, "decide", "--truth", truth, "--scores", scores, "--eval-truth", truth, "--eval-scores", scores,
		"--min-positives", "1", "--rule", "global", "--out", rules)
	if code != 0 || !strings.Contains(out, "fitted on all 4 rows") {
		t.Fatalf("decide: exit %d: %s %s", code, out, stderr)
	}
	code, _, stderr = runCLI(t, "decide", "--truth", truth, "--scores", scores, "--eval-truth", truth, "--eval-scores", scores, "--header", "no")
	if code != 1 || !strings.Contains(stderr, `"image_name"`) {
		t.Errorf("decide --header no: exit %d: %s", code, stderr)
	}
}
