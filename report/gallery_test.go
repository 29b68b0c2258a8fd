package report

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestErrorRows(t *testing.T) {
	truth := [][]float64{{0}, {0}, {1}, {1}, {0}, {1}, {0}}
	scores := [][]float64{{0.9}, {0.6}, {0.1}, {0.4}, {0.2}, {0.8}, {0.95}}
	tests := []struct {
		name   string
		mask   [][]bool
		k      int
		fp, fn []int
	}{
		{"all", nil, 5, []int{6, 0, 1}, []int{2, 3}},
		{"at most k", nil, 1, []int{6}, []int{2}},
		{"unknown rows are no errors", [][]bool{{true}, {true}, {false}, {true}, {true}, {true}, {false}}, 5, []int{0, 1}, []int{3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fp, fn := errorRows(truth, scores, tc.mask, 0, 0.5, tc.k)
			if !slices.Equal(fp, tc.fp) || !slices.Equal(fn, tc.fn) {
				t.Errorf("false positives %v, false negatives %v; want %v and %v", fp, fn, tc.fp, tc.fn)
			}
		})
	}
}

func TestMostConfused(t *testing.T) {
	labels := []string{"a", "b", "c"}
	truth := [][]float64{{1, 0, 0}, {1, 0, 0}, {1, 0, 0}, {0, 1, 0}, {1, 0, 1}}
	scores := [][]float64{
		{0.1, 0.9, 0.0}, // a missed, b predicted
		{0.2, 0.7, 0.8}, // a missed, b and c predicted
		{0.9, 0.9, 0.0}, // a found: no confusion
		{0.0, 0.1, 0.9}, // b missed, c predicted
		{0.1, 0.9, 0.9}, // a missed, b predicted; c is true
	}
	got := mostConfused(labels, truth, scores, nil, []float64{0.5}, 10)
	want := []confusedPair{{"a", "b", 3}, {"a", "c", 1}, {"b", "c", 1}}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := mostConfused(labels, truth, scores, nil, []float64{0.5}, 1); len(got) != 1 || got[0] != want[0] {
		t.Errorf("top 1: %v", got)
	}
	mask := [][]bool{{true, false, true}, {true, true, true}, {true, true, true}, {true, true, true}, {true, true, true}}
	if got := mostConfused(labels, truth, scores, mask, []float64{0.5}, 10); got[0] != (confusedPair{"a", "b", 2}) {
		t.Errorf("with an unknown entry: %v", got)
	}
}

func TestECE(t *testing.T) {
	tests := []struct {
		name          string
		truth, scores []float64
		want          float64
	}{
		{"calibrated", []float64{0, 1, 0, 1}, []float64{0.55, 0.55, 0.45, 0.45}, 0.05},
		{"overconfident", []float64{0, 0, 1, 1}, []float64{0.95, 0.95, 0.05, 0.05}, 0.95},
		{"empty", nil, nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := ece(reliability(tc.truth, tc.scores)); math.Abs(got-tc.want) > 1e-9 {
				t.Errorf("ECE %v, want %v", got, tc.want)
			}
		})
	}
}

func TestBestEpoch(t *testing.T) {
	nan := math.NaN()
	tests := []struct {
		epochs []Epoch
		want   int
	}{
		{[]Epoch{{1, 1, 1, 0.3, 0}, {2, 1, 1, 0.5, 0}, {3, 1, 1, 0.4, 0}}, 2},
		{[]Epoch{{1, 1, nan, nan, nan}}, 0},
		{nil, 0},
	}
	for _, tc := range tests {
		if got := bestEpoch(tc.epochs); got != tc.want {
			t.Errorf("bestEpoch(%v) = %d, want %d", tc.epochs, got, tc.want)
		}
	}
}

func TestWarningsGrouped(t *testing.T) {
	in := sample()
	in.Labels = []string{"cat", "dog", "rare", "never"}
	in.MinPositives = 100 // every label has too few
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	text := parse(t, buf.Bytes()).text
	if n := strings.Count(text, "fewer than 100 known positives"); n != 1 {
		t.Errorf("the too-few warning appears %d times, want once", n)
	}
	if !strings.Contains(text, `4 labels have fewer than 100 known positives`) || !strings.Contains(text, `"rare" (1)`) {
		t.Errorf("grouped warning lacks the count or a label:\n%s", text)
	}
}

// writeImages writes one small PNG per row of in, coloured by row, and sets
// in.Paths.
func writeImages(t *testing.T, in *Input) {
	t.Helper()
	dir := t.TempDir()
	in.Names = nil
	for i := range in.Scores {
		img := image.NewRGBA(image.Rect(0, 0, 40, 30))
		c := color.RGBA{uint8(40 * i), 120, uint8(255 - 4*i), 255}
		for k := 0; k < len(img.Pix); k += 4 {
			img.Pix[k], img.Pix[k+1], img.Pix[k+2], img.Pix[k+3] = c.R, c.G, c.B, c.A
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, fmt.Sprintf("img%03d.png", i))
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		in.Names = append(in.Names, filepath.Base(name))
		in.Paths = append(in.Paths, name)
	}
	// One unreadable file: its card says so instead of failing the report.
	if err := os.WriteFile(in.Paths[0], []byte("not an image"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestGalleryThumbnails(t *testing.T) {
	in := sample()
	writeImages(t, &in)
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	p := parse(t, buf.Bytes())
	var thumbs int
	for _, src := range p.images {
		if b, ok := strings.CutPrefix(src, "data:image/jpeg;base64,"); ok && len(b) > 0 {
			thumbs++
		}
	}
	// Per label at most 4 false positives and 4 false negatives; the
	// sample has errors on every label but "<never>", never predicted.
	if thumbs < 6 || thumbs > 3*8+4 {
		t.Errorf("%d thumbnails", thumbs)
	}
	for _, want := range []string{"false negatives", "score 0.", "tags: ", "Most-confused label pairs"} {
		if !strings.Contains(p.text, want) {
			t.Errorf("gallery lacks %q", want)
		}
	}
	if strings.Contains(p.text, "img000.png") != strings.Contains(p.text, "cannot be read") {
		t.Error("the unreadable image must be shown as such, and only it")
	}
	// The unreadable image scores highest for "cat" among its negatives.
	in.Scores[0][0], in.Truth[0][0] = 0.99, 0
	buf.Reset()
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(parse(t, buf.Bytes()).text, "cannot be read") {
		t.Error("an unreadable image is not marked")
	}
	in.Paths = in.Paths[:3]
	if err := Write(&bytes.Buffer{}, in); err == nil {
		t.Error("accepted fewer paths than rows")
	}
}
