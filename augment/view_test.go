package augment

import (
	"math"
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

func TestNewOrientation(t *testing.T) {
	for _, tc := range []struct {
		name                    string
		fitted, scored, correct int
		acc, p                  float64
		upright                 bool
	}{
		// P(X >= k) for X ~ Binomial(n, 1/2), summed exactly with Python's
		// math.comb.
		{"9 of 10", 10, 10, 9, 0.9, 11.0 / 1024, false}, // above 3 of 4, but by luck once in 93
		{"half of 4", 4, 4, 2, 0.5, 11.0 / 16, false},
		{"none of 3", 3, 3, 0, 0, 1, false},
		{"all right of 16", 16, 16, 16, 1, 1.0 / 65536, true},
		{"3 of 4 of 64", 64, 64, 48, 0.75, 3.866538440643513e-05, true},
		{"just below 3 of 4", 256, 256, 191, 191.0 / 256, 7.306608830706546e-16, false},
		{"nothing scored", 8, 0, 0, 0, 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := NewOrientation(tc.fitted, tc.scored, tc.correct)
			if o.Fitted != tc.fitted || o.Scored != tc.scored || o.Correct != tc.correct || math.Abs(o.Accuracy-tc.acc) > 1e-12 {
				t.Errorf("%+v", o)
			}
			if math.Abs(o.P-tc.p) > 1e-3*tc.p {
				t.Errorf("p = %g, want %g", o.P, tc.p)
			}
			if o.Upright() != tc.upright {
				t.Errorf("upright %v, want %v", o.Upright(), tc.upright)
			}
		})
	}
}

func TestWithOrientation(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	gen := func(count int, sky bool) [][]float32 {
		var imgs [][]float32
		for range count {
			imgs = append(imgs, scene(12, sky, rng))
		}
		return imgs
	}
	up, chance := NewOrientation(30, 30, 29), NewOrientation(30, 30, 16)
	for _, tc := range []struct {
		name string
		sky  ViewEvidence
		o    Orientation
		want View
		why  []string
	}{
		{"an up without a sky", DetectView(gen(60, false), 12), up, Ground,
			[]string{"a small network tells", "29 of 30 unseen images, 97%"}},
		{"a sky and an up", DetectView(gen(60, true), 12), up, Ground, []string{"sky", "29 of 30"}},
		{"a sky at chance", DetectView(gen(60, true), 12), chance, Ground, []string{"sky", "16 of 30"}},
		{"neither", DetectView(gen(60, false), 12), chance, Overhead,
			[]string{"does not clearly tell", "needs 75% right", "16 of 30 unseen images, 53%"}},
		{"too few images", DetectView(gen(10, false), 12), up, Overhead, []string{"too few"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.sky.WithOrientation(tc.o)
			if e.View != tc.want || *e.Orientation != tc.o {
				t.Fatalf("view %s, want %s: %v", e.View, tc.want, e)
			}
			for _, w := range tc.why {
				if !strings.Contains(e.String(), w) {
					t.Errorf("explanation %q lacks %q", e, w)
				}
			}
		})
	}
}
