package loader

import (
	"context"
	"image"
	"math"
	"os"
	"path/filepath"
	"testing"

	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/masks"
)

// Without augmentation, at a fixed scale, an image's windows cover its
// reduced image exactly: each reduced pixel is counted once over its
// windows (Batch.Weight), in the window that shows it, whatever the
// image's size; along a side shorter than a window the window is
// stretched and its weights still add up to the side. Each f×f block of
// the image has the colour (its column, its row, 7), so that a window
// pixel names the reduced pixel it shows.
func TestValidationWindowsCoverEachImageOnce(t *testing.T) {
	const size, f = 16, 2
	sizes := [][2]int{{40, 40}, {31, 17}, {16, 16}, {50, 9}, {5, 7}} // reduced pixels
	dir := t.TempDir()
	mdir := filepath.Join(dir, "masks")
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		t.Fatal(err)
	}
	labels := []string{"a"}
	if err := masks.WriteLegend(mdir, labels); err != nil {
		t.Fatal(err)
	}
	ds := &dataset.Dataset{Source: filepath.Join(dir, "tags.csv"), Labels: labels}
	for k, s := range sizes {
		w, h := s[0]*f, s[1]*f
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				o := img.PixOffset(x, y)
				img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = uint8(x/f), uint8(y/f), 7, 255
			}
		}
		name := string(rune('a' + k))
		path := filepath.Join(dir, name+".png")
		writePNG(t, path, img)
		if err := masks.WriteIndexed(filepath.Join(mdir, name+".png"), w, h, make([]uint8, w*h), len(labels)); err != nil {
			t.Fatal(err)
		}
		ds.Items = append(ds.Items, dataset.Item{Name: name, Path: path})
	}
	set, err := masks.Open(mdir)
	if err != nil {
		t.Fatal(err)
	}
	pre := imageio.DefaultPreprocess(size)
	pre.Mean, pre.Std = [3]float32{0, 0, 0}, [3]float32{1.0 / 255, 1.0 / 255, 1.0 / 255}
	l, err := New(ds, Config{Preprocess: pre, BatchSize: 4, Masks: set, Scale: f})
	if err != nil {
		t.Fatal(err)
	}
	counts := make([][]int, len(sizes)) // per reduced pixel
	sum := make([]float64, len(sizes))
	for k, s := range sizes {
		counts[k] = make([]int, s[0]*s[1])
	}
	for b, err := range l.Batches(context.Background(), 0) {
		if err != nil {
			t.Fatal(err)
		}
		if b.Weight == nil {
			t.Fatal("validation windows without weights")
		}
		for n, i := range b.Index {
			rw, rh := sizes[i][0], sizes[i][1]
			for p := range size * size {
				wt := b.Weight.Data[n*size*size+p]
				sum[i] += float64(wt)
				if wt == 0 || rw < size || rh < size {
					continue
				}
				if wt != 1 {
					t.Fatalf("image %d: a window pixel of an unstretched window stands for %g pixels", i, wt)
				}
				// The 8-bit values, back from the normalisation.
				x := b.X.Data[(n*size*size+p)*3:]
				cx, cy, c := int(math.Round(float64(x[0]))), int(math.Round(float64(x[1]))), math.Round(float64(x[2]))
				if c != 7 || cx >= rw || cy >= rh {
					t.Fatalf("image %d: window pixel %d is %v, not a pixel of the image", i, p, x[:3])
				}
				counts[i][cy*rw+cx]++
			}
		}
	}
	for i, s := range sizes {
		if want := float64(s[0] * s[1]); sum[i] != want {
			t.Errorf("image %v: its windows' weights add up to %g, its reduced image has %g pixels", s, sum[i], want)
		}
		if s[0] < size || s[1] < size {
			continue
		}
		for p, c := range counts[i] {
			if c != 1 {
				t.Errorf("image %v: reduced pixel (%d, %d) counted %d times", s, p%s[0], p/s[0], c)
				break
			}
		}
	}
}
