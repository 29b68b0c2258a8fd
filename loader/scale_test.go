package loader

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"testing"

	"mlabel/augment"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/masks"
)

// roadSet writes one 96×128 grey image (not square, larger than the input
// size) crossed by a dark vertical road 2 pixels wide at x = 44, and
// its indexed mask (label "road" on the road, "land" elsewhere).
func roadSet(t *testing.T) (*dataset.Dataset, *masks.Set) {
	t.Helper()
	dir := t.TempDir()
	const w, h = 96, 128
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	class := make([]uint8, w*h)
	for y := range h {
		for x := range w {
			o := img.PixOffset(x, y)
			v := uint8(200)
			class[y*w+x] = 1
			if x == 44 || x == 45 {
				v, class[y*w+x] = 20, 2
			}
			img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = v, v, v, 255
		}
	}
	path := filepath.Join(dir, "scene.png")
	writePNG(t, path, img)
	mdir := filepath.Join(dir, "masks")
	labels := []string{"land", "road"}
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := masks.WriteLegend(mdir, labels); err != nil {
		t.Fatal(err)
	}
	if err := masks.WriteIndexed(filepath.Join(mdir, "scene.png"), w, h, class, len(labels)); err != nil {
		t.Fatal(err)
	}
	set, err := masks.Open(mdir)
	if err != nil {
		t.Fatal(err)
	}
	ds := &dataset.Dataset{Source: filepath.Join(dir, "tags.csv"), Labels: labels, Items: []dataset.Item{{Name: "scene", Path: path, Pos: []int{0, 1}}}}
	return ds, set
}

// At a fixed scale a thin road keeps its width in the network's pixels
// (2 image pixels, 1 at scale 2), in the targets and in the image alike,
// in every window, and training windows move from epoch to epoch; shrunk
// whole into the input, as before, it falls below a pixel and is lost
// from most rows.
func TestFixedScaleKeepsThinStructures(t *testing.T) {
	ds, set := roadSet(t)
	const size = 32
	pre := imageio.DefaultPreprocess(size)
	rows := func(b *Batch) (road int, cols map[int]bool) {
		cols = map[int]bool{}
		for y := range size {
			n := 0
			for x := range size {
				if b.Y.Data[(y*size+x)*2+1] == 1 {
					n++
					cols[x] = true
					// The image is dark where the target says road.
					if v := b.X.Data[(y*size+x)*3]; v > -1 {
						t.Fatalf("pixel (%d, %d) is road in the target but %g in the image", x, y, v)
					}
				}
			}
			if n == 1 {
				road++
			}
		}
		return road, cols
	}
	l, err := New(ds, Config{Preprocess: pre, BatchSize: 1, Masks: set, Scale: 2, Augment: &augment.Pipeline{}, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	places := map[int]bool{}
	for epoch := range 8 {
		for b, err := range l.Batches(context.Background(), epoch) {
			if err != nil {
				t.Fatal(err)
			}
			road, cols := rows(b)
			if road != size || len(cols) != 1 {
				t.Fatalf("epoch %d: the road is one pixel wide in %d of %d rows, at columns %v", epoch, road, size, cols)
			}
			for c := range cols {
				places[c] = true
			}
		}
	}
	if len(places) < 3 {
		t.Errorf("the road sat at columns %v over 8 epochs: the windows do not move", places)
	}
	whole, err := New(ds, Config{Preprocess: pre, BatchSize: 1, Masks: set})
	if err != nil {
		t.Fatal(err)
	}
	for b, err := range whole.Batches(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if road, _ := rows(b); road == size {
			t.Errorf("resized whole, the road still shows in all %d rows: the fixture does not test the scale", size)
		}
	}
}

// A negative scale is refused.
func TestNegativeScale(t *testing.T) {
	ds, set := roadSet(t)
	if _, err := New(ds, Config{Preprocess: imageio.DefaultPreprocess(32), BatchSize: 1, Masks: set, Scale: -1}); err == nil {
		t.Error("scale -1 accepted")
	}
}
