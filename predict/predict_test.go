package predict

import (
	"bytes"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"testing"

	"mlabel/arch"
	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/imageio/imagetest"
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
		Kind: bundle.KindClassifier, Spec: spec, Labels: []string{"a", "b", "c"}, Preprocess: imageio.DefaultPreprocess(32),
		Rules: &decide.Rules{Kind: decide.PerClass, Labels: 3, Global: 0.5, PerClass: []float64{0, 0.5, 1.01}},
	}, Weights: m.Weights()}
	p, err := New(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// pngs encodes imgs as PNG files, which Predictor.Bytes reads losslessly.
func pngs(t *testing.T, imgs []image.Image) [][]byte {
	t.Helper()
	out := make([][]byte, len(imgs))
	for i, img := range imgs {
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Error(err)
		}
		out[i] = buf.Bytes()
	}
	return out
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

// A tiled prediction's scores are the maxima of its tiles' own predictions.
func TestTiledMaxPools(t *testing.T) {
	p := testPredictor(t)
	img := imagetest.Noisy(96, 96, 2) // opaque: tiles are composited onto black
	g := imageio.Grid{N: 2, Overlap: 0.25}
	got, err := p.Tiled("big", imageio.ImageSource(img), g)
	if err != nil {
		t.Fatal(err)
	}
	var tiles []image.Image
	for _, r := range g.Rects(96, 96) {
		tiles = append(tiles, img.SubImage(r))
	}
	names := []string{"0", "1", "2", "3"}
	each, err := p.Bytes(names, pngs(t, tiles))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"a", "b", "c"} {
		want := 0.0
		for _, e := range each {
			want = max(want, e.Scores[l])
		}
		if math.Abs(got.Scores[l]-want) > 1e-6 {
			t.Errorf("%s: tiled score %v, max of tiles %v", l, got.Scores[l], want)
		}
	}
	if got.Image != "big" {
		t.Errorf("name %q", got.Image)
	}
}
