package loader

import (
	"context"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"reflect"
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

// EpochWindows covers a reduced image's area about once, one window for an
// image no larger than a window, and caps the count.
func TestEpochWindows(t *testing.T) {
	for _, c := range []struct {
		w, h, scale, size, want int
	}{
		{64, 64, 1, 64, 1},        // a synthetic tile at its own size
		{40, 50, 1, 64, 1},        // smaller than a window
		{128, 128, 1, 64, 4},      // four windows' area
		{129, 128, 1, 64, 5},      // a little more: rounded up
		{128, 128, 2, 64, 1},      // reduced to one window
		{96, 128, 2, 32, 3},       // reduced to 48×64
		{100, 1000, 1, 128, 8},    // narrower than a window: windows 100 wide
		{2149, 1480, 5, 128, 8},   // 430×296 reduced
		{10000, 10000, 1, 64, 16}, // capped
		{64, 64, 0, 64, 1},        // no scale
	} {
		if got := EpochWindows(c.w, c.h, c.scale, c.size); got != c.want {
			t.Errorf("EpochWindows(%d, %d, %d, %d) = %d, want %d", c.w, c.h, c.scale, c.size, got, c.want)
		}
	}
}

// sizedSet writes one image per size, its pixels a gradient that tells
// windows apart, each with a mask of label "land" everywhere.
func sizedSet(t *testing.T, sizes [][2]int) (*dataset.Dataset, *masks.Set) {
	t.Helper()
	dir := t.TempDir()
	mdir := filepath.Join(dir, "masks")
	labels := []string{"land", "road"}
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := masks.WriteLegend(mdir, labels); err != nil {
		t.Fatal(err)
	}
	ds := &dataset.Dataset{Source: filepath.Join(dir, "tags.csv"), Labels: labels}
	for k, s := range sizes {
		w, h := s[0], s[1]
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		class := make([]uint8, w*h)
		for y := range h {
			for x := range w {
				o := img.PixOffset(x, y)
				img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = uint8(x), uint8(y), uint8(x^y), 255
				class[y*w+x] = 1
			}
		}
		name := string(rune('a' + k))
		path := filepath.Join(dir, name+".png")
		writePNG(t, path, img)
		if err := masks.WriteIndexed(filepath.Join(mdir, name+".png"), w, h, class, len(labels)); err != nil {
			t.Fatal(err)
		}
		ds.Items = append(ds.Items, dataset.Item{Name: name, Path: path, Pos: []int{0}})
	}
	set, err := masks.Open(mdir)
	if err != nil {
		t.Fatal(err)
	}
	return ds, set
}

// A training epoch at a fixed scale draws EpochWindows random windows of
// each image: four of an image four windows in area, one of an image smaller
// than a window, in an order and at places the seed fixes; validation
// (no augmentation) keeps one centre window per image.
func TestEpochCoversEachImage(t *testing.T) {
	ds, set := sizedSet(t, [][2]int{{128, 128}, {48, 40}})
	const size = 32
	cfg := Config{Preprocess: imageio.DefaultPreprocess(size), BatchSize: 2, Shuffle: true, Masks: set, Scale: 2, Augment: &augment.Pipeline{}, Seed: 5}
	run := func(cfg Config, e int) (names map[string]int, x [][]float32, n int) {
		l, err := New(ds, cfg)
		if err != nil {
			t.Fatal(err)
		}
		names = map[string]int{}
		for b, err := range l.Batches(context.Background(), e) {
			if err != nil {
				t.Fatal(err)
			}
			for _, name := range b.Names {
				names[name]++
			}
			x = append(x, append([]float32(nil), b.X.Data...))
		}
		return names, x, l.Len()
	}
	names, x, n := run(cfg, 1)
	if names["a"] != 4 || names["b"] != 1 {
		t.Errorf("an epoch drew %v windows, want a: 4, b: 1", names)
	}
	if n != 3 || len(x) != 3 {
		t.Errorf("Len = %d and the epoch gave %d batches, want 3 (5 windows, batch 2)", n, len(x))
	}
	_, again, _ := run(cfg, 1)
	if !reflect.DeepEqual(x, again) {
		t.Error("the same seed and epoch gave different windows")
	}
	other := cfg
	other.Seed = 6
	if _, y, _ := run(other, 1); reflect.DeepEqual(x, y) {
		t.Error("another seed gave the same windows")
	}
	// The four windows of a in one epoch are not all one place.
	one := cfg
	one.BatchSize, one.Shuffle = 1, false
	l, err := New(ds, one)
	if err != nil {
		t.Fatal(err)
	}
	distinct := map[string]bool{}
	for b, err := range l.Batches(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if b.Names[0] == "a" {
			distinct[fmt.Sprint(b.X.Data[:3])] = true
		}
	}
	if len(distinct) < 2 {
		t.Errorf("the windows of a in one epoch all start at the same pixel %v", distinct)
	}
	val := cfg
	val.Augment, val.Shuffle = nil, false
	// Without, the grid: a reduced to 64×64 takes 3×3 windows of 32
	// overlapping by a quarter, b (24×20) one.
	if names, _, n := run(val, 0); names["a"] != 9 || names["b"] != 1 || n != 5 {
		t.Errorf("without augmentation an epoch drew %v windows in %d batches, want a: 9, b: 1 in 5", names, n)
	}
}
