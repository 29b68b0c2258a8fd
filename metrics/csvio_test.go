package metrics

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mlabel/dataset"
)

func TestLoadFiles(t *testing.T) {
	const scoresOK = "image,cat,dog\na.jpg,0.9,0.2\nb.jpg,0.1,0.7\n"
	tests := []struct {
		name, truth, scores string
		opts                dataset.Options
		wantErr             []string
	}{
		{"ok", "image,tags\nb.jpg,dog\na.jpg,cat ?dog\n", scoresOK, dataset.Options{}, nil},
		{"planet header", "image_name,tags\nb.jpg,dog\na.jpg,cat ?dog\n", scoresOK, dataset.Options{}, nil},
		{"no header", "b.jpg,dog\na.jpg,cat ?dog\n", scoresOK, dataset.Options{}, nil},
		{"named column, separator", "id;file;labels\n1;b.jpg;dog\n2;a.jpg;cat ?dog\n", scoresOK,
			dataset.Options{ImageColumn: "file", Comma: ';'}, nil},
		{"names without extension", "image_name,tags\nb,dog\na,cat ?dog\n", scoresOK, dataset.Options{}, nil},
		{"scores with folders", "image,tags\nb,dog\na.jpg,cat ?dog\n", "image,cat,dog\nimgs/a.jpg,0.9,0.2\nimgs/sub/b.png,0.1,0.7\n",
			dataset.Options{}, nil},
		{"unknown label", "a.jpg,cat\nb.jpg,bird\n", scoresOK, dataset.Options{},
			[]string{"truth.csv:2", `"bird"`, "not in the vocabulary"}},
		{"unknown label in ?tag", "a.jpg,?bird\nb.jpg,\n", scoresOK, dataset.Options{},
			[]string{"truth.csv:1", `"bird"`, "not in the vocabulary"}},
		{"missing from truth", "a.jpg,cat\n", scoresOK, dataset.Options{}, []string{`scores.csv:3: image "b.jpg" is missing from`}},
		{"missing from scores", "a.jpg,cat\nb.jpg,\nc.jpg,dog\n", scoresOK, dataset.Options{}, []string{`truth.csv:3: image "c.jpg" is missing from`}},
		{"ambiguous truth", "image,tags\nx/a.jpg,cat\ny/a.jpg,dog\nb,\n", "image,cat,dog\na,0.9,0.2\nb,0.1,0.7\n", dataset.Options{},
			[]string{`scores.csv:2: image "a" could be "x/a.jpg" (`, `truth.csv:2) or "y/a.jpg" (`, "truth.csv:3)"}},
		{"ambiguous scores", "image,tags\na,cat\nb,\n", "image,cat,dog\nx/a.jpg,0.9,0.2\ny/a.jpg,0.1,0.7\n", dataset.Options{},
			[]string{`scores.csv:3: image "y/a.jpg" and "x/a.jpg" on line 2 are both "a"`}},
		{"non-numeric", "a.jpg,cat\nb.jpg,\n", "image,cat,dog\na.jpg,0.9,0.2\nb.jpg,high,0.7\n", dataset.Options{},
			[]string{`scores.csv:3: score "high" for label "cat"`}},
		{"short row", "a.jpg,cat\n", "image,cat,dog\na.jpg,0.9\n", dataset.Options{}, []string{"scores.csv:2: 2 fields"}},
		{"empty label", "a.jpg,cat\n", "image,cat,\na.jpg,0.9,0.1\n", dataset.Options{}, []string{"scores.csv:1: label 2 has an empty name"}},
		{"bad header", "a.jpg,cat\n", "name,cat\na.jpg,0.9\n", dataset.Options{}, []string{"scores.csv:1: header"}},
		{"duplicate truth", "a.jpg,cat\na.jpg,\n", scoresOK, dataset.Options{}, []string{"truth.csv:2", `"a.jpg" is listed again`, "truth.csv:1"}},
		{"tag and unknown", "a.jpg,cat ?cat\nb.jpg,\n", scoresOK, dataset.Options{}, []string{"truth.csv:1", "both as positive and as unknown"}},
		{"empty truth", "image,tags\n", scoresOK, dataset.Options{}, []string{"no images"}},
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
			o := tc.opts
			o.CSV = tp
			d, err := LoadFiles(o, sp)
			if tc.wantErr != nil {
				if err == nil {
					t.Fatalf("no error, want %q", tc.wantErr)
				}
				for _, w := range tc.wantErr {
					if !strings.Contains(err.Error(), w) {
						t.Errorf("err = %v, want %q", err, w)
					}
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(d.Labels, []string{"cat", "dog"}) || len(d.Names) != 2 {
				t.Errorf("labels %v, names %v", d.Labels, d.Names)
			}
			wantTruth := [][]float64{{1, 0}, {0, 1}}
			wantMask := [][]bool{{true, false}, {true, true}}
			wantScores := [][]float64{{0.9, 0.2}, {0.1, 0.7}}
			for i := range wantTruth {
				for j := range wantTruth[i] {
					if d.Truth[i][j] != wantTruth[i][j] || d.Mask[i][j] != wantMask[i][j] || d.Scores[i][j] != wantScores[i][j] {
						t.Errorf("entry %d,%d: truth %v mask %v score %v", i, j, d.Truth[i][j], d.Mask[i][j], d.Scores[i][j])
					}
				}
			}
		})
	}
}

func TestImageKey(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"x", "x"},
		{"x.jpg", "x"},
		{"a/b/x.JPG", "x"},
		{`a\x.png`, "x"},
		{"train_1.2", "train_1.2"},
		{"dir/train_1.2.tif", "train_1.2"},
	} {
		if got := dataset.ImageKey(tc.name); got != tc.want {
			t.Errorf("dataset.ImageKey(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestLoadFilesMissingFile(t *testing.T) {
	dir := t.TempDir()
	sp := filepath.Join(dir, "scores.csv")
	if err := os.WriteFile(sp, []byte("image,cat\na,0.5\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ truth, scores, want string }{
		{filepath.Join(dir, "none.csv"), sp, "none.csv"},
		{sp, filepath.Join(dir, "noscores.csv"), "noscores.csv"},
	} {
		if _, err := LoadFiles(dataset.Options{CSV: tc.truth}, tc.scores); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("err = %v, want it to name %s", err, tc.want)
		}
	}
}
