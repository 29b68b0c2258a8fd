package augment

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// scene returns an n×n RGB image of noise; with sky set, its top half is
// brighter and bluer than its bottom half, as in a photo.
func scene(n int, sky bool, rng *rand.Rand) []float32 {
	x := make([]float32, n*n*3)
	for y := 0; y < n; y++ {
		for i := 0; i < n; i++ {
			for c := 0; c < 3; c++ {
				v := 0.3 + 0.4*rng.Float32()
				if sky && y < n/2 {
					v += 0.1 + 0.1*float32(c) // brighter, bluer
				}
				x[(y*n+i)*3+c] = v
			}
		}
	}
	return x
}

func TestDetectView(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n = 12
	gen := func(count int, sky bool) [][]float32 {
		var imgs [][]float32
		for range count {
			imgs = append(imgs, scene(n, sky, rng))
		}
		return imgs
	}
	// Tiles with left halves darker: a left-right asymmetry alone must not
	// make a set "ground".
	lopsided := gen(60, false)
	for _, x := range lopsided {
		for y := 0; y < n; y++ {
			for i := 0; i < n/2; i++ {
				for c := 0; c < 3; c++ {
					x[(y*n+i)*3+c] *= 0.5
				}
			}
		}
	}
	for _, tc := range []struct {
		name string
		imgs [][]float32
		want View
		why  string
	}{
		{"photos with a sky", gen(60, true), Ground, "sky"},
		{"overhead noise", gen(60, false), Overhead, "no more than"},
		{"left-right asymmetry only", lopsided, Overhead, "no more than"},
		{"too few photos", gen(10, true), Overhead, "too few"},
		{"wrong sizes are skipped", [][]float32{make([]float32, 5)}, Overhead, "too few"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := DetectView(tc.imgs, n)
			if e.View != tc.want {
				t.Fatalf("view %s, want %s: %v", e.View, tc.want, e)
			}
			if !strings.Contains(e.String(), tc.why) {
				t.Errorf("explanation %q lacks %q", e.String(), tc.why)
			}
		})
	}
}

func TestForViewAndTransforms(t *testing.T) {
	p := Default()
	g := p.ForView(Ground)
	if g.Dihedral || !g.HFlip || g.Crop != p.Crop || g.Brightness != p.Brightness {
		t.Errorf("ground pipeline %+v", g)
	}
	o := g.ForView(Overhead)
	if !o.Dihedral || o.HFlip {
		t.Errorf("overhead pipeline %+v", o)
	}
	if got := len(Transforms(Overhead)); got != 8 {
		t.Errorf("overhead has %d transforms, want 8", got)
	}
	if got := Transforms(Ground); len(got) != 2 || got[0] != 0 || got[1] != 4 {
		t.Errorf("ground transforms %v, want identity and mirror", got)
	}
	// A ground pipeline never turns an image upside down: with a top row of
	// ones and zeros elsewhere, the ones stay in the top row.
	src := make([]float32, 4*4)
	for i := 0; i < 4; i++ {
		src[i] = 1
	}
	rng := rand.New(rand.NewPCG(3, 4))
	q := Pipeline{}.ForView(Ground)
	for range 50 {
		out := q.Apply(src, 4, rng)
		for i, v := range out {
			if (i < 4) != (v == 1) {
				t.Fatalf("ground augmentation moved the top row: %v", out)
			}
		}
	}
}

func TestParseView(t *testing.T) {
	for _, s := range []string{"overhead", "ground", "auto"} {
		if v, err := ParseView(s); err != nil || string(v) != s {
			t.Errorf("ParseView(%q) = %q, %v", s, v, err)
		}
	}
	if _, err := ParseView("sideways"); err == nil || !strings.Contains(err.Error(), "sideways") {
		t.Errorf("ParseView(sideways) error %v", err)
	}
}
