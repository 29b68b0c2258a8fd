package predict

import (
	"context"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"mlabel/decide"
	"mlabel/imageio"
)

// paint returns a w×h image coloured by at.
func paint(w, h int, at func(x, y int) color.RGBA) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.SetRGBA(x, y, at(x, y))
		}
	}
	return img
}

var (
	red   = color.RGBA{255, 0, 0, 255}
	green = color.RGBA{0, 255, 0, 255}
	black = color.RGBA{0, 0, 0, 255}
)

// Every pixel of the image is counted once, whatever the grid, overlap
// and preprocessing: a red image is all red.
func TestSegmentTiledCountsEveryPixelOnce(t *testing.T) {
	tests := []struct {
		name string
		mode string
		w, h int
		g    imageio.Grid
	}{
		{"one tile", imageio.ModeSquash, 40, 24, imageio.Grid{N: 1}},
		{"2x2 no overlap", imageio.ModeSquash, 40, 24, imageio.Grid{N: 2}},
		{"3x3 overlapping, odd sides", imageio.ModeSquash, 41, 23, imageio.Grid{N: 3, Overlap: 0.25}},
		{"4x4 half overlap", imageio.ModeSquash, 64, 64, imageio.Grid{N: 4, Overlap: 0.5}},
		{"centre crop of wide tiles", imageio.ModeCrop, 96, 24, imageio.Grid{N: 3, Overlap: 0.25}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := testSegmenter(t, tc.mode)
			img := paint(tc.w, tc.h, func(int, int) color.RGBA { return red })
			s, err := p.SegmentTiled("red", imageio.ImageSource(img), tc.g)
			if err != nil {
				t.Fatal(err)
			}
			if s.Scores["red"] != 1 || s.Scores["green"] != 0 || s.Areas["red"] != 1 || s.Areas["green"] != 0 {
				t.Errorf("scores %v and areas %v, want red 1 and green 0", s.Scores, s.Areas)
			}
			whole := image.Rect(0, 0, tc.w, tc.h)
			if s.Seen != whole || s.Bounds != whole || s.SeenPixels() != tc.w*tc.h {
				t.Errorf("seen %v of %v, want the whole %v", s.Seen, s.Bounds, whole)
			}
			if len(s.Class) != s.W*s.H || s.W < 1 || s.H < 1 {
				t.Fatalf("class map of %d for %d×%d", len(s.Class), s.W, s.H)
			}
			for i, c := range s.Class {
				if c != 1 {
					t.Fatalf("class %d at %d, want 1 (red)", c, i)
				}
			}
			if len(s.Labels) != 1 || s.Labels[0].Label != "red" {
				t.Errorf("labels %+v", s.Labels)
			}
		})
	}
}

// When the tiles' outputs are at the image's resolution the stitched mask
// has one pixel per image pixel, and each label's area is exactly the
// share of the mask's pixels it takes.
func TestSegmentTiledAreasMatchStitchedMask(t *testing.T) {
	// Red top left, green bottom right, black elsewhere: no pixel has two
	// labels, so the mask says every pixel's labels.
	img := paint(32, 24, func(x, y int) color.RGBA {
		switch {
		case x < 13 && y < 9:
			return red
		case x >= 20 && y >= 15:
			return green
		}
		return black
	})
	for _, g := range []imageio.Grid{{N: 4, Overlap: 0.25}, {N: 4}, {N: 5, Overlap: 0.5}} {
		t.Run(g.String(), func(t *testing.T) {
			p := testSegmenter(t, imageio.ModeSquash)
			s, err := p.SegmentTiled("blocks", imageio.ImageSource(img), g)
			if err != nil {
				t.Fatal(err)
			}
			if s.W != 32 || s.H != 24 {
				t.Fatalf("mask %d×%d, want the image's 32×24", s.W, s.H)
			}
			var n [3]int
			for _, c := range s.Class {
				n[c]++
			}
			for j, l := range []string{"red", "green"} {
				if want := float64(n[j+1]) / (32 * 24); s.Areas[l] != want {
					t.Errorf("%s area %g, the mask's share %g", l, s.Areas[l], want)
				}
			}
			// The blocks are 13×9 and 12×9 pixels: the stitched areas
			// miss at most a pixel's blur along each edge.
			if r := s.Areas["red"]; math.Abs(r-13*9.0/(32*24)) > 24.0/(32*24) {
				t.Errorf("red area %g, the block is %g", r, 13*9.0/(32*24))
			}
			if gr := s.Areas["green"]; math.Abs(gr-12*9.0/(32*24)) > 24.0/(32*24) {
				t.Errorf("green area %g, the block is %g", gr, 12*9.0/(32*24))
			}
		})
	}
}

// Segment, Files and ScoreFiles with tiles agree, read each image as a
// source and keep going past a bad file.
func TestSegmentFilesFromTiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "wide.png")
	f, err := os.Create(good)
	if err != nil {
		t.Fatal(err)
	}
	// Red on the left 3/8: over the area threshold of 0.3.
	if err := png.Encode(f, paint(64, 32, func(x, _ int) color.RGBA {
		if x < 24 {
			return red
		}
		return black
	})); err != nil {
		t.Fatal(err)
	}
	f.Close()
	bad := filepath.Join(dir, "bad.png")
	os.WriteFile(bad, []byte("not an image"), 0o644)
	p := testSegmenter(t, imageio.ModeSquash)
	o := BatchOptions{Tiles: 2, Overlap: 0.25}
	segs, fails, err := p.Segment(context.Background(), []string{bad, good}, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(fails) != 1 || fails[0].Index != 0 || len(segs) != 1 {
		t.Fatalf("%d results, failures %v", len(segs), fails)
	}
	s := segs[0]
	if r := s.Areas["red"]; math.Abs(r-24.0/64) > 2.0/64 {
		t.Errorf("red area %g, want about %g", r, 24.0/64)
	}
	if len(s.Labels) != 1 || s.Labels[0].Label != "red" || s.Labels[0].Threshold != 0.3 {
		t.Errorf("labels %+v, want red by the area threshold 0.3", s.Labels)
	}
	preds, fails, err := p.Files(context.Background(), []string{bad, good}, o)
	if err != nil || len(fails) != 1 || len(preds) != 1 {
		t.Fatalf("Files: %v, %d predictions, failures %v", err, len(preds), fails)
	}
	if preds[0].Scores["red"] != s.Scores["red"] || len(preds[0].Labels) != 1 || preds[0].Labels[0].Threshold != 0.3 {
		t.Errorf("Files %+v, Segment %+v", preds[0], s.Prediction)
	}
	if _, _, err := p.Segment(context.Background(), []string{good}, BatchOptions{Tiles: 2, Overlap: 1}); err == nil {
		t.Error("an overlap of 1 is accepted")
	}
	c := testPredictor(t)
	if _, err := c.SegmentTiled("x", imageio.ImageSource(paint(8, 8, func(int, int) color.RGBA { return red })), imageio.Grid{N: 2}); err == nil {
		t.Error("a classifier segments tiles")
	}
}

// A label that fills one tile of sixteen is scored by that tile, as the
// area thresholds fitted on tile-sized images expect, and its area is its
// share of the whole image.
func TestSegmentTiledScoresByTheLargestTile(t *testing.T) {
	img := paint(64, 64, func(x, y int) color.RGBA {
		if x < 16 && y < 16 {
			return red
		}
		return black
	})
	p := testSegmenter(t, imageio.ModeSquash)
	s, err := p.SegmentTiled("corner", imageio.ImageSource(img), imageio.Grid{N: 4})
	if err != nil {
		t.Fatal(err)
	}
	if s.Scores["red"] != 1 || s.Areas["red"] != 1.0/16 {
		t.Errorf("red score %g and area %g, want 1 and 1/16", s.Scores["red"], s.Areas["red"])
	}
	if len(s.Labels) != 1 || s.Labels[0].Label != "red" {
		t.Errorf("labels %+v, want red", s.Labels)
	}
	scores, err := p.TiledScores(imageio.ImageSource(img), imageio.Grid{N: 4})
	if err != nil || scores[0] != 1 || scores[1] != 0 {
		t.Errorf("TiledScores %v, %v", scores, err)
	}
}

// Thresholds fitted on tiled validation scores decide a segmenter's tiles
// of their grid; another grid falls back to the area thresholds.
func TestSegmentTiledUsesTileRules(t *testing.T) {
	p := testSegmenter(t, imageio.ModeSquash)
	b := *p.Bundle()
	tiledRules := &decide.Rules{Kind: decide.PerClass, Labels: 2, Global: 0.5, PerClass: []float64{0.6, 0.6}}
	b.Tiles = &decide.Tiled{Grid: 4, Rules: tiledRules, Images: 1}
	tp, err := New(&b)
	if err != nil {
		t.Fatal(err)
	}
	img := paint(64, 64, func(x, y int) color.RGBA {
		if x < 32 && y < 32 {
			return red
		}
		return black
	})
	tests := []struct {
		g         imageio.Grid
		threshold float64
	}{
		{imageio.Grid{N: 4}, 0.6},
		{imageio.Grid{N: 2}, 0.3},
	}
	for _, tc := range tests {
		s, err := tp.SegmentTiled("quarter", imageio.ImageSource(img), tc.g)
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Labels) != 1 || s.Labels[0].Label != "red" || s.Labels[0].Threshold != tc.threshold {
			t.Errorf("%v: labels %+v, want red at %g", tc.g, s.Labels, tc.threshold)
		}
	}
}
