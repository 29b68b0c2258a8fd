package predict

import (
	"image"
	"math/rand/v2"
	"testing"

	"mlabel/arch"
	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/nn"
)

func testPredictor(t *testing.T) *Predictor {
	t.Helper()
	spec, err := arch.Build("small", 32, 3, 3, arch.Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(8, 9)))
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle.Bundle{Header: bundle.Header{
		Kind: bundle.KindClassifier, Spec: spec, Labels: []string{"a", "b", "c"}, Preprocess: imageio.DefaultPreprocess(32).ToBundle(),
		Rules: (&decide.Rules{Kind: decide.PerClass, Labels: 3, Global: 0.5, PerClass: []float64{0, 0.5, 1.01}}).ToBundle(),
	}, Weights: m.Weights()}
	p, err := New(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func noise(w, h int, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 1))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(256))
	}
	return img
}

func TestDecideUsesThresholds(t *testing.T) {
	p := testPredictor(t)
	preds := Decide(p.Bundle(), []string{"x"}, [][]float64{{0.2, 0.6, 0.99}})
	got := preds[0].Labels
	if len(got) != 2 || got[0].Label != "a" || got[1].Label != "b" || got[1].Threshold != 0.5 {
		t.Fatalf("labels %+v, want a (threshold 0) and b (0.5), not c (1.01)", got)
	}
	if preds[0].Scores["c"] != 0.99 {
		t.Errorf("scores %v", preds[0].Scores)
	}
}

func TestTilesCoverTheImage(t *testing.T) {
	img := noise(100, 60, 1)
	for _, tc := range []struct {
		grid    int
		overlap float64
	}{{1, 0}, {2, 0}, {2, 0.25}, {3, 0.5}} {
		tiles, err := Tiles(img, tc.grid, tc.overlap)
		if err != nil {
			t.Fatal(err)
		}
		if len(tiles) != tc.grid*tc.grid {
			t.Fatalf("%d tiles for grid %d", len(tiles), tc.grid)
		}
		covered := map[image.Point]bool{}
		for _, tl := range tiles {
			r := tl.Bounds()
			if !r.In(img.Bounds()) {
				t.Fatalf("tile %v outside %v", r, img.Bounds())
			}
			for y := r.Min.Y; y < r.Max.Y; y++ {
				for x := r.Min.X; x < r.Max.X; x++ {
					covered[image.Pt(x, y)] = true
				}
			}
		}
		if tc.grid > 1 && len(covered) != 100*60 {
			t.Errorf("grid %d overlap %g covers %d of %d pixels", tc.grid, tc.overlap, len(covered), 100*60)
		}
	}
	if _, err := Tiles(img, 0, 0); err == nil {
		t.Error("accepted grid 0")
	}
}

// A tiled prediction's scores are the maxima of its tiles' own predictions.
func TestTiledMaxPools(t *testing.T) {
	p := testPredictor(t)
	img := noise(96, 96, 2)
	got, err := p.Tiled("big", img, 2, 0.25)
	if err != nil {
		t.Fatal(err)
	}
	tiles, _ := Tiles(img, 2, 0.25)
	names := []string{"0", "1", "2", "3"}
	each, err := p.Images(names, tiles)
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"a", "b", "c"} {
		want := 0.0
		for _, e := range each {
			want = max(want, e.Scores[l])
		}
		if got.Scores[l] != want {
			t.Errorf("%s: tiled score %v, max of tiles %v", l, got.Scores[l], want)
		}
	}
	if got.Image != "big" {
		t.Errorf("name %q", got.Image)
	}
}
