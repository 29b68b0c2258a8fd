package loader

import (
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"mlabel/augment"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/masks"
)

// maskedSet writes n 16×8 black images with a white 4×2 block at a place
// that depends on the image, and a binary mask folder where label "a" is
// the white block, "b" is absent and the image's right-most column is
// unlabelled for "b". Item 1 marks "a" unknown.
func maskedSet(t *testing.T, n int) (*dataset.Dataset, *masks.Set) {
	t.Helper()
	dir := t.TempDir()
	mdir := filepath.Join(dir, "masks")
	ds := &dataset.Dataset{Source: filepath.Join(dir, "tags.csv"), Labels: []string{"a", "b"}}
	const w, h = 16, 8
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		on := make([]bool, w*h)
		b := image.NewGray(image.Rect(0, 0, w, h))
		for y := range h {
			for x := range w {
				white := x >= 4+2*i && x < 8+2*i && y >= 1+i%3 && y < 3+i%3
				o := img.PixOffset(x, y)
				if white {
					img.Pix[o], img.Pix[o+1], img.Pix[o+2] = 255, 255, 255
				}
				img.Pix[o+3] = 255
				on[y*w+x] = white
				if x == w-1 {
					b.Pix[y*w+x] = 128
				}
			}
		}
		name := fmt.Sprintf("im%d", i)
		path := filepath.Join(dir, name+".png")
		writePNG(t, path, img)
		if err := masks.WriteBinary(mdir, name, "a", w, h, on); err != nil {
			t.Fatal(err)
		}
		writePNG(t, filepath.Join(mdir, name, "b.png"), b)
		it := dataset.Item{Name: name, Path: path, Pos: []int{0}}
		if i == 1 {
			it.Pos, it.Unknown = nil, []int{0}
		}
		ds.Items = append(ds.Items, it)
	}
	set, err := masks.Open(mdir)
	if err != nil {
		t.Fatal(err)
	}
	return ds, set
}

func writePNG(t *testing.T, path string, img image.Image) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
}

func TestMaskedBatches(t *testing.T) {
	tests := []struct {
		name string
		mode string
		aug  *augment.Pipeline
	}{
		{"squash", imageio.ModeSquash, nil},
		{"crop", imageio.ModeCrop, nil},
		{"crop dihedral", imageio.ModeCrop, &augment.Pipeline{Dihedral: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ds, set := maskedSet(t, 4)
			s := 8
			l, err := New(ds, Config{
				Preprocess: imageio.Preprocess{Size: s, Mode: tc.mode, Std: [3]float32{1, 1, 1}},
				BatchSize:  4, Workers: 2, Masks: set, Augment: tc.aug,
			})
			if err != nil {
				t.Fatal(err)
			}
			for e := range 3 {
				bs := epoch(t, l, e)
				if len(bs) != 1 {
					t.Fatalf("%d batches", len(bs))
				}
				b := bs[0]
				if got := b.Y.Shape; len(got) != 4 || got[1] != s || got[2] != s || got[3] != 2 {
					t.Fatalf("Y shape %v, want [4 %d %d 2]", got, s, s)
				}
				whites, ignoredB := 0, 0
				for k := range 4 {
					for p := range s * s {
						white := b.X.Data[(k*s*s+p)*3] > 0.5
						ya, ka := b.Y.Data[(k*s*s+p)*2], b.Mask.Data[(k*s*s+p)*2]
						kb := b.Mask.Data[(k*s*s+p)*2+1]
						if kb == 0 {
							ignoredB++
						}
						if b.Y.Data[(k*s*s+p)*2+1] != 0 {
							t.Fatalf("image %d pixel %d: label b is set", k, p)
						}
						if ds.Items[b.Index[k]].Name == "im1" {
							if ka != 0 {
								t.Fatalf("im1 pixel %d: the unknown label a is known", p)
							}
							continue
						}
						if ka != 1 {
							t.Fatalf("image %d pixel %d: label a unknown", k, p)
						}
						if white {
							whites++
						}
						if white != (ya == 1) {
							t.Fatalf("image %s pixel %d: white %v, target %v", b.Names[k], p, white, ya)
						}
					}
				}
				if whites == 0 {
					t.Fatalf("no white pixel seen")
				}
				if wantIgnored := tc.mode == imageio.ModeSquash; (ignoredB > 0) != wantIgnored {
					t.Errorf("%d unlabelled pixels of b; the right-most column is unlabelled and %s", ignoredB, tc.mode)
				}
			}
		})
	}
}
