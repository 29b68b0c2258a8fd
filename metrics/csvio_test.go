package metrics

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadTruth(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []TruthRow
		wantErr string
	}{
		{"header and unknown", "image,tags\na.jpg,cat ?dog\nb.jpg,\n",
			[]TruthRow{{Image: "a.jpg", Tags: []string{"cat"}, Unknown: []string{"dog"}, Line: 2}, {Image: "b.jpg", Line: 3}}, ""},
		{"no header", "a.jpg,cat dog\n",
			[]TruthRow{{Image: "a.jpg", Tags: []string{"cat", "dog"}, Line: 1}}, ""},
		{"three fields", "a.jpg,cat,dog\n", nil, "t.csv:1:"},
		{"empty", "image,tags\n", nil, "no images"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ReadTruth(strings.NewReader(tc.in), "t.csv")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for k := range got {
				g, w := got[k], tc.want[k]
				if g.Image != w.Image || g.Line != w.Line || strings.Join(g.Tags, " ") != strings.Join(w.Tags, " ") ||
					strings.Join(g.Unknown, " ") != strings.Join(w.Unknown, " ") {
					t.Errorf("row %d = %+v, want %+v", k, g, w)
				}
			}
		})
	}
}

func TestLoadFiles(t *testing.T) {
	const scoresOK = "image,cat,dog\na.jpg,0.9,0.2\nb.jpg,0.1,0.7\n"
	tests := []struct {
		name, truth, scores string
		wantErr             string
	}{
		{"ok", "image,tags\nb.jpg,dog\na.jpg,cat ?dog\n", scoresOK, ""},
		{"unknown label", "a.jpg,cat\nb.jpg,bird\n", scoresOK, `truth.csv:2: unknown label "bird"`},
		{"unknown label in ?tag", "a.jpg,?bird\nb.jpg,\n", scoresOK, `truth.csv:1: unknown label "bird"`},
		{"missing from truth", "a.jpg,cat\n", scoresOK, `scores.csv:3: image "b.jpg" is missing from`},
		{"missing from scores", "a.jpg,cat\nb.jpg,\nc.jpg,dog\n", scoresOK, `truth.csv:3: image "c.jpg" is missing from`},
		{"non-numeric", "a.jpg,cat\nb.jpg,\n", "image,cat,dog\na.jpg,0.9,0.2\nb.jpg,high,0.7\n", `scores.csv:3: score "high" for label "cat"`},
		{"short row", "a.jpg,cat\n", "image,cat,dog\na.jpg,0.9\n", "scores.csv:2: 2 fields"},
		{"empty label", "a.jpg,cat\n", "image,cat,\na.jpg,0.9,0.1\n", "scores.csv:1: label 2 has an empty name"},
		{"bad header", "a.jpg,cat\n", "name,cat\na.jpg,0.9\n", "scores.csv:1: header"},
		{"duplicate truth", "a.jpg,cat\na.jpg,\n", scoresOK, `truth.csv:2: image "a.jpg" already listed on line 1`},
		{"tag and unknown", "a.jpg,cat ?cat\nb.jpg,\n", scoresOK, "both a tag and unknown"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tp, sp := filepath.Join(dir, "truth.csv"), filepath.Join(dir, "scores.csv")
			if err := os.WriteFile(tp, []byte(tc.truth), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(sp, []byte(tc.scores), 0o600); err != nil {
				t.Fatal(err)
			}
			d, err := LoadFiles(tp, sp)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantTruth := [][]float64{{1, 0}, {0, 1}}
			wantMask := [][]bool{{true, false}, {true, true}}
			for i := range wantTruth {
				for j := range wantTruth[i] {
					if d.Truth[i][j] != wantTruth[i][j] || d.Mask[i][j] != wantMask[i][j] {
						t.Errorf("entry %d,%d: truth %v mask %v", i, j, d.Truth[i][j], d.Mask[i][j])
					}
				}
			}
		})
	}
}

func TestLoadFilesMissingFile(t *testing.T) {
	if _, err := LoadFiles(filepath.Join(t.TempDir(), "none.csv"), "x.csv"); err == nil || !strings.Contains(err.Error(), "none.csv") {
		t.Fatalf("err = %v, want it to name the file", err)
	}
}
