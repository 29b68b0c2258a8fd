package predict

import (
	"bytes"
	"context"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/imageio/imagetest"
)

// tiledPredictor is testPredictor's model with a tiled rule for 2×2 tiles
// overlapping by 0.25 whose thresholds no score reaches.
func tiledPredictor(t *testing.T) *Predictor {
	t.Helper()
	b := *testPredictor(t).Bundle()
	b.Tiles = &decide.Tiled{Grid: 2, Overlap: 0.25, Images: 10,
		Rules: &decide.Rules{Kind: decide.PerClass, Labels: 3, Global: 0.5, PerClass: []float64{1.01, 1.01, 1.01}}}
	p, err := New(&b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestTileRules(t *testing.T) {
	plain, tiled := testPredictor(t), tiledPredictor(t)
	for _, tc := range []struct {
		name string
		p    *Predictor
		g    imageio.Grid
		err  error
		want []float64
	}{
		{"no tiled rule", plain, imageio.Grid{N: 2, Overlap: 0.25}, ErrNoTileRules, []float64{0, 0.5, 1.01}},
		{"same grid", tiled, imageio.Grid{N: 2, Overlap: 0.25}, nil, []float64{1.01, 1.01, 1.01}},
		{"other grid", tiled, imageio.Grid{N: 3, Overlap: 0.25}, ErrTileGridMismatch, []float64{0, 0.5, 1.01}},
		{"other overlap", tiled, imageio.Grid{N: 2, Overlap: 0}, ErrTileGridMismatch, []float64{0, 0.5, 1.01}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := tc.p.TileRules(tc.g)
			br, berr := TileRules(tc.p.Bundle(), tc.g)
			for _, e := range []error{err, berr} {
				if !errors.Is(e, tc.err) {
					t.Errorf("error %v, want %v", e, tc.err)
				}
			}
			for _, r := range []*decide.Rules{r, br} {
				if got := r.Thresholds(); len(got) != len(tc.want) || got[0] != tc.want[0] || got[2] != tc.want[2] {
					t.Errorf("thresholds %v, want %v", got, tc.want)
				}
			}
		})
	}
}

// A scene's labels are the union of its tiles': the pooled rule keeps the
// implications and drops the groups and exclusions, which hold tile by
// tile, so that a scene clear in one tile and cloudy in another is both.
func TestTileRulesPoolStructure(t *testing.T) {
	names := []string{"clear", "cloudy", "road"}
	structure := &decide.Structure{
		Exclusive: [][]string{{"clear", "cloudy"}},
		Excludes:  []decide.Exclusion{{If: "cloudy", Not: []string{"road"}}},
		Implies:   []decide.Implication{{If: "clear", Then: "road"}},
	}
	whole := &decide.Rules{Kind: decide.PerClass, Labels: 3, Names: names, Global: 0.5,
		PerClass: []float64{0.5, 0.5, 0.5}, Structure: structure}
	tiled := &decide.Tiled{Grid: 2, Overlap: 0.25, Images: 10, Rules: whole}
	pooled := [][]float64{{0.9, 0.8, 0.1}} // one tile clear, another cloudy
	for _, tc := range []struct {
		name string
		t    *decide.Tiled
	}{{"whole-image rule", nil}, {"tiled rule", tiled}} {
		t.Run(tc.name, func(t *testing.T) {
			r, _ := tileRules(whole, tc.t, imageio.Grid{N: 2, Overlap: 0.25})
			if got := r.Apply(pooled)[0]; !got[0] || !got[1] || !got[2] {
				t.Errorf("pooled decisions %v, want clear, cloudy and road (clear implies road)", got)
			}
		})
	}
	// One image, or one tile, still obeys the whole structure.
	if got := whole.Apply(pooled)[0]; !got[0] || got[1] || !got[2] {
		t.Errorf("whole-image decisions %v, want clear and road only", got)
	}
	if len(whole.Structure.Exclusive) != 1 || len(whole.Structure.Excludes) != 1 {
		t.Errorf("the bundle's structure was changed: %+v", whole.Structure)
	}
}

// Files decides tiled scores with the tiled rule when its grid matches,
// and with the whole-image rule otherwise.
func TestFilesDecidesTilesWithTiledRules(t *testing.T) {
	p := tiledPredictor(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "a.png")
	if err := os.WriteFile(path, imagetest.PNG(imagetest.Noisy(80, 60, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		o      BatchOptions
		labels int // labels predicted: none under the tiled rule, a and b under the whole-image one
	}{
		{"whole image", BatchOptions{}, 2},
		{"tiles of the fitted grid", BatchOptions{Tiles: 2, Overlap: 0.25}, 0},
		{"tiles of another grid", BatchOptions{Tiles: 3, Overlap: 0.25}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			preds, fails, err := p.Files(context.Background(), []string{path}, tc.o)
			if err != nil || len(fails) > 0 {
				t.Fatal(err, fails)
			}
			if len(preds[0].Labels) != tc.labels {
				t.Errorf("labels %+v, want %d", preds[0].Labels, tc.labels)
			}
		})
	}
}

// A TIFF is scored tile by tile from its file as the same image decoded
// whole would be; one over the tiles' pixel limit is a failure of its own.
func TestScoreFilesTilesOfTIFF(t *testing.T) {
	p := testPredictor(t)
	img := imagetest.Noisy(600, 400, 5)
	var buf bytes.Buffer
	at := func(x, y, b int) uint8 { return img.Pix[img.PixOffset(x, y)+b] }
	if err := imagetest.WriteTIFF(&buf, 600, 400, 3, 7, at); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "scene.tif")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	g := imageio.Grid{N: 2, Overlap: 0.25}
	want, err := p.TiledScores(imageio.ImageSource(img), g)
	if err != nil {
		t.Fatal(err)
	}
	s, err := p.ScoreFiles(context.Background(), []string{path}, BatchOptions{Tiles: 2, Overlap: 0.25})
	if err != nil || len(s.Failures) > 0 {
		t.Fatal(err, s.Failures)
	}
	for j := range want {
		if math.Abs(s.Scores[0][j]-want[j]) > 1e-5 {
			t.Errorf("label %d: %v from the file, %v from the image", j, s.Scores[0][j], want[j])
		}
	}
	s, err = p.ScoreFiles(context.Background(), []string{path}, BatchOptions{Tiles: 2, Overlap: 0.25, Source: imageio.SourceOptions{MaxPixels: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Failures) != 1 || !errors.Is(s.Failures[0].Err, imageio.ErrTooLarge) || !strings.Contains(s.Failures[0].Error(), "scene.tif") {
		t.Errorf("failures %v, want the image over the limit", s.Failures)
	}
}

// A bundle whose tiles section is unusable is refused.
func TestCheckRefusesBadTileRules(t *testing.T) {
	good := *testPredictor(t).Bundle()
	for _, tc := range []struct {
		name  string
		tiles *decide.Tiled
		msg   string
	}{
		{"grid 0", &decide.Tiled{Grid: 0, Rules: good.Rules}, "grid"},
		{"overlap 1", &decide.Tiled{Grid: 2, Overlap: 1, Rules: good.Rules}, "overlap"},
		{"no rules", &decide.Tiled{Grid: 2}, "no rules"},
		{"labels", &decide.Tiled{Grid: 2, Rules: &decide.Rules{Kind: decide.PerClass, Labels: 2, Global: 0.5, PerClass: []float64{0.5, 0.5}}}, "tile decision rules"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := good
			b.Tiles = tc.tiles
			err := Check(&b)
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %v, want %q", err, tc.msg)
			}
		})
	}
}

// A bundle whose preprocessing makes another number of channels than its
// network takes is refused before an image is read, however many bands it
// names.
func TestCheckRefusesChannelMismatch(t *testing.T) {
	good := *testPredictor(t).Bundle()
	if err := Check(&good); err != nil {
		t.Fatalf("the good bundle: %v", err)
	}
	for _, n := range []int{1, 4, 100000} {
		b := good
		pre := good.Preprocess
		pre.Bands = make([]int, n)
		pre.BandStats = make([]imageio.BandStat, n)
		for i := range n {
			pre.Bands[i] = 1
			pre.BandStats[i] = imageio.BandStat{Low: 0, High: 1, Std: 1}
		}
		b.Preprocess = pre
		if err := Check(&b); err == nil || !strings.Contains(err.Error(), "channels") {
			t.Errorf("%d bands: error %v, want a channel mismatch", n, err)
		}
		if _, err := New(&b); err == nil {
			t.Errorf("%d bands: New accepted the bundle", n)
		}
	}
}
