package train

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mlabel/augment"
	"mlabel/dataset"
	"mlabel/imageio"
)

// arrowSize is the side of the test images.
const arrowSize = 16

// arrows returns count arrowSize² RGB images of noise, each with a solid
// dark or light triangle at a random column, drawn only in the middle
// third of the rows, so that top and bottom thirds are alike. With upright
// set every triangle points up, as objects that have an up; otherwise each
// is turned by a random one of the 8 dihedral transforms, as a texture
// seen from above.
func arrows(count int, upright bool, seed uint64) [][]float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	n := arrowSize
	out := make([][]float32, count)
	for i := range out {
		x := make([]float32, n*n*3)
		for j := range x {
			x[j] = 0.3 + 0.4*rng.Float32()
		}
		v := float32(rng.IntN(2)) * 0.9 // dark or light, against mid-grey noise
		col := [3]float32{v + 0.1*rng.Float32(), v + 0.1*rng.Float32(), v + 0.1*rng.Float32()}
		cx := 4 + rng.IntN(n-8)
		for r := range 6 { // rows n/3-1 .. n/3+4, widening downwards
			y := n/3 - 1 + r
			for dx := -r / 2; dx <= r/2; dx++ {
				copy(x[(y*n+cx+dx)*3:], col[:])
			}
		}
		if !upright {
			t := make([]float32, len(x))
			augment.Dihedral(t, x, n, 3, rng.IntN(8))
			x = t
		}
		out[i] = x
	}
	return out
}

func TestOrientationTest(t *testing.T) {
	for _, tc := range []struct {
		name    string
		imgs    [][]float32
		upright bool
	}{
		{"upright arrows", arrows(160, true, 1), true},
		{"arrows turned every way", arrows(160, false, 2), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			o, err := orientationTest(context.Background(), tc.imgs, arrowSize, 3, nil)
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%+v in %v", o, time.Since(start))
			if o.Fitted != 80 || o.Scored != 80 {
				t.Errorf("fitted %d, scored %d; want half of 160 each", o.Fitted, o.Scored)
			}
			if o.Upright() != tc.upright {
				t.Errorf("upright %v, want %v: %+v", o.Upright(), tc.upright, o)
			}
			// Turned every way, the two forms are alike: the network is
			// right by chance only.
			if !tc.upright && (o.Accuracy < 0.3 || o.Accuracy > 0.7) {
				t.Errorf("accuracy %.2f on images without an up, want near 1/2", o.Accuracy)
			}
			if tc.upright && o.Accuracy < 0.9 {
				t.Errorf("accuracy %.2f on upright arrows, want at least 0.9", o.Accuracy)
			}
		})
	}
}

func TestOrientationTestDeterministic(t *testing.T) {
	imgs := arrows(64, true, 4)
	norm := imageio.DefaultPreprocess(arrowSize).Normalize
	a, err := orientationTest(context.Background(), imgs, arrowSize, 5, norm)
	if err != nil {
		t.Fatal(err)
	}
	b, err := orientationTest(context.Background(), imgs, arrowSize, 5, norm)
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Errorf("the same seed gave %+v, then %+v", a, b)
	}
	// The images are left as they were.
	if again := arrows(64, true, 4); fmt.Sprint(again[0]) != fmt.Sprint(imgs[0]) {
		t.Error("the test changed its input images")
	}
}

func TestOrientationTestRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		imgs [][]float32
		size int
	}{
		{"too small", [][]float32{make([]float32, 8*8*3)}, 8},
		{"wrong length", [][]float32{make([]float32, arrowSize*arrowSize*3), make([]float32, 5)}, arrowSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := orientationTest(context.Background(), tc.imgs, tc.size, 1, nil); err == nil {
				t.Error("accepted")
			}
		})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := orientationTest(ctx, arrows(32, true, 1), arrowSize, 1, nil); err == nil {
		t.Error("a cancelled test ran")
	}
}

// arrowSet writes images as PNG files and returns them as a dataset.
func arrowSet(t *testing.T, imgs [][]float32) *dataset.Dataset {
	t.Helper()
	dir := t.TempDir()
	ds := &dataset.Dataset{Labels: []string{"arrow"}}
	for i, x := range imgs {
		img := image.NewRGBA(image.Rect(0, 0, arrowSize, arrowSize))
		for p := range arrowSize * arrowSize {
			img.Set(p%arrowSize, p/arrowSize, color.RGBA{uint8(x[3*p] * 255), uint8(x[3*p+1] * 255), uint8(x[3*p+2] * 255), 255})
		}
		path := filepath.Join(dir, fmt.Sprintf("%03d.png", i))
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		ds.Items = append(ds.Items, dataset.Item{Name: filepath.Base(path), Path: path, Pos: []int{0}})
	}
	return ds
}

func TestResolveViewOrientation(t *testing.T) {
	for _, tc := range []struct {
		name        string
		imgs        [][]float32
		want        augment.View
		orientation bool
		why         string
	}{
		// No sky, but an up: the orientation test decides.
		{"upright arrows", arrows(160, true, 6), augment.Ground, true, "a small network tells"},
		{"arrows turned every way", arrows(160, false, 7), augment.Overhead, true, "does not clearly tell"},
		// Too few images: overhead as before, and no orientation test.
		{"too few", arrows(12, true, 8), augment.Overhead, false, "too few images"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := quickConfig()
			cfg.View, cfg.Size = augment.Auto, arrowSize
			got, ev, err := ResolveView(context.Background(), cfg, arrowSet(t, tc.imgs), imageio.DefaultPreprocess(arrowSize))
			if err != nil {
				t.Fatal(err)
			}
			if got.View != tc.want || ev.View != tc.want || got.Augment.Dihedral != (tc.want == augment.Overhead) {
				t.Errorf("view %s (evidence %s, dihedral %v), want %s: %v", got.View, ev.View, got.Augment.Dihedral, tc.want, ev)
			}
			if (ev.Orientation != nil) != tc.orientation {
				t.Errorf("orientation evidence %v, want it %v", ev.Orientation, tc.orientation)
			}
			if !strings.Contains(ev.String(), tc.why) {
				t.Errorf("explanation %q lacks %q", ev, tc.why)
			}
			if ev.Orientation != nil && ev.Orientation.Fitted+ev.Orientation.Scored != len(tc.imgs) {
				t.Errorf("the orientation test saw %d images, want %d", ev.Orientation.Fitted+ev.Orientation.Scored, len(tc.imgs))
			}
		})
	}
}
