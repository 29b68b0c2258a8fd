package predict

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/imageio/imagetest"
)

// batchFiles writes good and bad image files and returns their paths in
// list order with, for each, the reason it must fail ("" for a good one).
func batchFiles(t *testing.T) (paths, reasons []string) {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []struct {
		name   string
		data   []byte
		reason string
	}{
		{"a.png", imagetest.PNG(imagetest.Noisy(40, 30, 1)), ""},
		{"cut.jpg", imagetest.TruncatedJPEG(), "decode"},
		{"b.jpg", imagetest.JPEG(imagetest.Noisy(32, 32, 2)), ""},
		{"empty.png", []byte{}, "empty"},
		{"c.png", imagetest.PNG(imagetest.Noisy(50, 50, 3)), ""},
		{"text.png", []byte("not an image at all"), "supported image format"},
		{"ghost.png", nil, "no such file"},
		{"bomb.png", imagetest.PNGHeader(100000, 100000), "over the limit"},
		{"d.png", imagetest.PNG(imagetest.Noisy(33, 64, 4)), ""},
	} {
		p := filepath.Join(dir, f.name)
		if f.data != nil {
			if err := os.WriteFile(p, f.data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		paths, reasons = append(paths, p), append(reasons, f.reason)
	}
	return paths, reasons
}

// ScoreFiles scores every good image, as Images and Tiled would score it
// alone, and names every bad one with its reason, whatever the batch size.
func TestScoreFilesKeepsGoingPastBadImages(t *testing.T) {
	p := testPredictor(t)
	paths, reasons := batchFiles(t)
	for _, tc := range []struct {
		name string
		o    BatchOptions
	}{
		{"batch 2", BatchOptions{Batch: 2, Workers: 2}},
		{"batch 32", BatchOptions{}},
		{"one worker", BatchOptions{Batch: 3, Workers: 1}},
		{"tiles", BatchOptions{Batch: 4, Workers: 3, Tiles: 2, Overlap: 0.25}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := p.ScoreFiles(context.Background(), paths, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			var wantOK, gotFailed []int
			for i, r := range reasons {
				if r == "" {
					wantOK = append(wantOK, i)
				}
			}
			for _, f := range s.Failures {
				gotFailed = append(gotFailed, f.Index)
				if f.Image != paths[f.Index] || !strings.Contains(f.Error(), reasons[f.Index]) || !strings.HasPrefix(f.Error(), paths[f.Index]+": ") {
					t.Errorf("failure %q of %s, want its path and %q", f.Error(), paths[f.Index], reasons[f.Index])
				}
			}
			if !slices.Equal(s.Index, wantOK) || len(s.Scores) != len(wantOK) || len(s.Hashes) != len(wantOK) {
				t.Fatalf("scored %v (%d scores, %d hashes), want %v", s.Index, len(s.Scores), len(s.Hashes), wantOK)
			}
			if len(s.Failures)+len(s.Index) != len(paths) {
				t.Errorf("failed %v and scored %v of %d", gotFailed, s.Index, len(paths))
			}
			for k, i := range s.Index {
				data, _ := os.ReadFile(paths[i])
				if sum := sha256.Sum256(data); s.Hashes[k] != hex.EncodeToString(sum[:]) {
					t.Errorf("%s: hash %s", paths[i], s.Hashes[k])
				}
				img, err := imageio.DecodeFile(paths[i], 0)
				if err != nil {
					t.Fatal(err)
				}
				var want Prediction
				if tc.o.Tiles > 0 {
					want, err = p.Tiled(paths[i], imageio.ImageSource(img), imageio.Grid{N: tc.o.Tiles, Overlap: tc.o.Overlap})
				} else {
					var ps []Prediction
					ps, err = p.Bytes([]string{paths[i]}, [][]byte{data})
					if err == nil {
						want = ps[0]
					}
				}
				if err != nil {
					t.Fatal(err)
				}
				for j, l := range p.Bundle().Labels {
					if math.Abs(s.Scores[k][j]-want.Scores[l]) > 1e-5 {
						t.Errorf("%s %s: score %v, alone %v", paths[i], l, s.Scores[k][j], want.Scores[l])
					}
				}
			}
		})
	}
}

func TestFilesNamesPredictions(t *testing.T) {
	p := testPredictor(t)
	paths, reasons := batchFiles(t)
	preds, fails, err := p.Files(context.Background(), paths, BatchOptions{Batch: 4})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for i, r := range reasons {
		if r == "" {
			want = append(want, paths[i])
		}
	}
	var got []string
	for _, pr := range preds {
		got = append(got, pr.Image)
		if len(pr.Scores) != 3 {
			t.Errorf("%s: scores %v", pr.Image, pr.Scores)
		}
	}
	if !slices.Equal(got, want) || len(fails) != len(paths)-len(want) {
		t.Errorf("predicted %v with %d failures, want %v", got, len(fails), want)
	}
	// Nothing readable gives an empty list, not an error.
	preds, fails, err = p.Files(context.Background(), paths[1:2], BatchOptions{})
	if err != nil || preds == nil || len(preds) != 0 || len(fails) != 1 {
		t.Errorf("only a bad image: %v predictions, %d failures, %v", preds, len(fails), err)
	}
}

func TestScoreSetCarriesTruthAndLines(t *testing.T) {
	p := testPredictor(t)
	paths, _ := batchFiles(t)
	dir := filepath.Dir(paths[0])
	csv := filepath.Join(dir, "tags.csv")
	if err := os.WriteFile(csv, []byte("image,tags\na.png,a ?c\ncut.jpg,b\nb.jpg,\nc.png,b c\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ds, err := dataset.Load(dataset.Options{CSV: csv, Labels: p.Bundle().Labels})
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.ScoreSet(context.Background(), ds, BatchOptions{Batch: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Names, []string{"a.png", "b.jpg", "c.png"}) || !slices.Equal(s.Index, []int{0, 2, 3}) {
		t.Fatalf("scored %v at %v", s.Names, s.Index)
	}
	wantTruth := [][]float64{{1, 0, 0}, {0, 0, 0}, {0, 1, 1}}
	wantMask := [][]bool{{true, true, false}, {true, true, true}, {true, true, true}}
	for k := range s.Names {
		if !slices.Equal(s.Truth[k], wantTruth[k]) || !slices.Equal(s.Mask[k], wantMask[k]) {
			t.Errorf("%s: truth %v mask %v, want %v %v", s.Names[k], s.Truth[k], s.Mask[k], wantTruth[k], wantMask[k])
		}
	}
	if len(s.Failures) != 1 || s.Failures[0].Where != csv+":3" || !strings.Contains(s.Failures[0].Error(), "("+csv+":3)") {
		t.Errorf("failures %v, want cut.jpg at %s:3", s.Failures, csv)
	}
}

func TestScoreFilesStops(t *testing.T) {
	p := testPredictor(t)
	paths, _ := batchFiles(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for name, run := range map[string]func() error{
		"cancelled": func() error { _, err := p.ScoreFiles(ctx, paths, BatchOptions{}); return err },
		"bad overlap": func() error {
			_, err := p.ScoreFiles(context.Background(), paths, BatchOptions{Tiles: 2, Overlap: 1})
			return err
		},
		"labels": func() error {
			_, err := p.ScoreSet(context.Background(), &dataset.Dataset{Labels: []string{"a"}}, BatchOptions{})
			return err
		},
	} {
		if err := run(); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
