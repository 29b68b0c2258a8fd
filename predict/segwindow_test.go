package predict

import (
	"context"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"mlabel/augment"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/loader"
	"mlabel/masks"
	"mlabel/tensor"
)

// A segmenter at a fixed scale sees in training what prediction feeds it
// at the same place: a random training window of an image reduced by the
// scale equals, value by value, the window prediction cuts at that place
// of the full-resolution image. The image is one reduced pixel wider and
// taller than a window, so that training's windows lie at four places,
// the very four prediction cuts (its windows step by the scale, as their
// offsets are multiples of it).
func TestTrainingWindowEqualsPredictionWindow(t *testing.T) {
	for _, tc := range []struct {
		name  string
		scale int
	}{
		{"scale 2", 2},
		{"scale 3", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			const size = 8 // scaledSegmenter's input
			f := tc.scale
			w, h := (size+1)*f, (size+1)*f
			dir := t.TempDir()
			path := filepath.Join(dir, "a.png")
			fh, err := os.Create(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := png.Encode(fh, noiseImage(w, h, 3)); err != nil {
				t.Fatal(err)
			}
			if err := fh.Close(); err != nil {
				t.Fatal(err)
			}
			mdir := filepath.Join(dir, "masks")
			if err := os.MkdirAll(mdir, 0o755); err != nil {
				t.Fatal(err)
			}
			labels := []string{"a", "b"}
			if err := masks.WriteLegend(mdir, labels); err != nil {
				t.Fatal(err)
			}
			if err := masks.WriteIndexed(filepath.Join(mdir, "a.png"), w, h, make([]uint8, w*h), len(labels)); err != nil {
				t.Fatal(err)
			}
			set, err := masks.Open(mdir)
			if err != nil {
				t.Fatal(err)
			}

			p := scaledSegmenter(t, f, "")
			var fed [][]float32
			ranTiles = func(x *tensor.Tensor) {
				per := len(x.Data) / x.Shape[0]
				for k := range x.Shape[0] {
					fed = append(fed, append([]float32(nil), x.Data[k*per:(k+1)*per]...))
				}
			}
			defer func() { ranTiles = func(*tensor.Tensor) {} }()
			src, err := imageio.OpenFile(path, imageio.SourceOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer src.Close()
			if _, err := p.SegmentPixels(src, imageio.Grid{N: 1}); err != nil {
				t.Fatal(err)
			}
			if len(fed) != 4 {
				t.Fatalf("prediction fed %d windows, want 2×2", len(fed))
			}

			ds := &dataset.Dataset{Source: filepath.Join(dir, "tags.csv"), Labels: labels, Items: []dataset.Item{{Name: "a", Path: path}}}
			// An empty pipeline: the windows move, their pixels are kept.
			l, err := loader.New(ds, loader.Config{Preprocess: p.pre, BatchSize: 1, Masks: set, Scale: f, Augment: &augment.Pipeline{}, Seed: 9})
			if err != nil {
				t.Fatal(err)
			}
			places := map[int]int{}
			for epoch := range 12 {
				for b, err := range l.Batches(context.Background(), epoch) {
					if err != nil {
						t.Fatal(err)
					}
					match := -1
					for k, x := range fed {
						if slices.Equal(b.X.Data, x) {
							if match >= 0 {
								t.Fatalf("epoch %d: the training window equals prediction's windows %d and %d", epoch, match, k)
							}
							match = k
						}
					}
					if match < 0 {
						t.Fatalf("epoch %d: the training window equals none of prediction's windows at its places", epoch)
					}
					places[match]++
				}
			}
			if len(places) < 3 {
				t.Errorf("training's windows lay at %d of the 4 places in 12 epochs: %v", len(places), places)
			}
		})
	}
}
