package predict

import (
	"image"
	"math"
	"math/rand/v2"
	"testing"

	"mlabel/augment"
	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/tensor"
)

// scaledSegmenter is a segmenter at a fixed scale with a 3×3 convolution
// of random weights (so that a pixel's output depends on its neighbours,
// and a tile's edge matters) on 8×8 inputs, with its own pixel threshold
// per label.
func scaledSegmenter(t *testing.T, scale int, view string) *Predictor {
	t.Helper()
	spec := &nn.Spec{Nodes: []nn.Node{
		{Name: "input", Op: nn.OpInput, Attrs: nn.Attrs{Shape: []int{8, 8, 3}}},
		{Name: "logits", Op: nn.OpConv2D, Inputs: []string{"input"}, Attrs: nn.Attrs{Filters: 2, Kernel: [2]int{3, 3}, Stride: [2]int{1, 1}, Pad: [4]int{1, 1, 1, 1}, Bias: true}},
	}, Outputs: []string{"logits"}}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(7, 7)))
	if err != nil {
		t.Fatal(err)
	}
	pre := imageio.DefaultPreprocess(8)
	b := &bundle.Bundle{Header: bundle.Header{
		Kind: bundle.KindSegmenter, Spec: spec, Labels: []string{"a", "b"}, Preprocess: pre, View: view,
		Rules:   &decide.Rules{Kind: decide.PerClass, Labels: 2, Global: 0.5, PerClass: []float64{0.3, 0.3}},
		Segment: &metrics.Segmentation{PixelThreshold: 0.5, PixelThresholds: []float64{0.4, 0.6}, Scale: scale},
	}, Weights: m.Weights()}
	p, err := New(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// noiseImage is a w×h image of random colours.
func noiseImage(w, h int, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, 0))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.IntN(256))
	}
	return img
}

// At a fixed scale, an image of any size and aspect is segmented by
// windows of the input size at that scale: every pixel of the stitched
// map at full resolution shows what its window, run alone through the
// same preprocessing, shows at the output pixel it falls in, at the
// labels' own thresholds; and the windows run a batch at a time, never
// all at once.
func TestSegmentPixelsAtScaleEqualsEachWindow(t *testing.T) {
	for _, tc := range []struct {
		name  string
		w, h  int
		scale int
	}{
		{"wide, scale 2", 75, 37, 2},
		{"tall, scale 3", 30, 90, 3},
		{"narrower than a window", 12, 60, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := scaledSegmenter(t, tc.scale, "")
			src := imageio.ImageSource(noiseImage(tc.w, tc.h, 1))
			most, runs := 0, 0
			ranTiles = func(x *tensor.Tensor) { most, runs = max(most, x.Shape[0]), runs+1 }
			defer func() { ranTiles = func(*tensor.Tensor) {} }()
			pm, err := p.SegmentPixels(src, imageio.Grid{N: 5}) // the grid is ignored at a fixed scale
			if err != nil {
				t.Fatal(err)
			}
			win, f, ok := p.Windows()
			if !ok || f != tc.scale || win.Side != 8*tc.scale {
				t.Fatalf("windows %+v at scale %d (%v)", win, f, ok)
			}
			rects, cols, rows := win.Rects(tc.w, tc.h)
			if len(rects) > tileBatch && (most > tileBatch || runs < 2) {
				t.Errorf("%d windows ran %d at most, in %d runs: want at most %d at once", len(rects), most, runs, tileBatch)
			}
			st := pm.st
			if st.cols != cols || st.rows != rows {
				t.Fatalf("stitched %d×%d windows, want %d×%d", st.cols, st.rows, cols, rows)
			}
			pre := p.tilePre()
			thr := []float32{float32(math.Log(0.4 / 0.6)), float32(math.Log(0.6 / 0.4))}
			row := make([]bool, tc.w*2)
			checked := 0
			for k, r := range rects {
				ras, err := src.Window(r, f)
				if err != nil {
					t.Fatal(err)
				}
				x, err := pre.FromRaster(ras)
				if err != nil {
					t.Fatal(err)
				}
				in, _ := tensor.FromData(x, 1, 8, 8, 3)
				logits, _, err := p.segmentBatch(in)
				if err != nil {
					t.Fatal(err)
				}
				c, rr := k%cols, k/cols
				for y := st.rowB[rr]; y < st.rowB[rr+1]; y++ {
					pm.Row(y, row)
					i := imageio.OutPixel(y, r.Min.Y, r.Max.Y, 8)
					for xx := st.colB[c]; xx < st.colB[c+1]; xx++ {
						j := imageio.OutPixel(xx, r.Min.X, r.Max.X, 8)
						for l := range 2 {
							want := logits.Data[(i*8+j)*2+l] > thr[l]
							if row[xx*2+l] != want {
								t.Fatalf("pixel (%d, %d) label %d: stitched %v, window %d alone %v", xx, y, l, row[xx*2+l], k, want)
							}
							checked++
						}
					}
				}
			}
			if checked != tc.w*tc.h*2 {
				t.Errorf("checked %d values, the image has %d", checked, tc.w*tc.h*2)
			}
		})
	}
}

// Test-time augmentation averages a segmenter's probability maps over the
// view's transforms, each map turned back first.
func TestSegmenterTTAAveragesMaps(t *testing.T) {
	p := scaledSegmenter(t, 0, string(augment.Overhead))
	x := tensor.New(2, 8, 8, 3)
	rng := rand.New(rand.NewPCG(3, 3))
	for i := range x.Data {
		x.Data[i] = float32(rng.NormFloat64())
	}
	plain, _, err := p.segmentBatch(x)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]float64, len(plain.Data))
	tx, back := tensor.New(x.Shape...), tensor.New(plain.Shape...)
	for k := range 8 {
		transform(tx, x, k)
		l, _, err := p.segmentBatch(tx)
		if err != nil {
			t.Fatal(err)
		}
		transform(back, l, augment.InverseDihedral(k))
		for i, v := range back.Data {
			want[i] += 1 / (1 + math.Exp(-float64(v))) / 8
		}
	}
	if n := p.SetTTA(true); n != 8 {
		t.Fatalf("%d passes, want 8", n)
	}
	got, area, err := p.segmentBatch(x)
	if err != nil {
		t.Fatal(err)
	}
	differs := false
	for i, v := range got.Data {
		q := 1 / (1 + math.Exp(-float64(v)))
		if math.Abs(q-want[i]) > 1e-5 {
			t.Fatalf("value %d: probability %g with TTA, want the mean %g", i, q, want[i])
		}
		if math.Abs(q-1/(1+math.Exp(-float64(plain.Data[i])))) > 1e-3 {
			differs = true
		}
	}
	if !differs {
		t.Error("TTA gives the plain maps: the network is symmetric and the test proves nothing")
	}
	if len(area) != 2 || len(area[0]) != 2 {
		t.Errorf("area fractions %v", area)
	}
}

// At a fixed scale an image's labels are decided on its area fractions of
// the whole stitched image, as validation scores an image (its windows
// pooled, each pixel once), not on its largest window's: the scores are
// the areas, and differ from the windows' max pool on an image whose
// windows differ.
func TestSegmentTiledAtScaleScoresTheWholeImage(t *testing.T) {
	p := scaledSegmenter(t, 2, "")
	src := imageio.ImageSource(noiseImage(75, 37, 2))
	s, err := p.SegmentTiled("noise", src, imageio.Grid{N: 1})
	if err != nil {
		t.Fatal(err)
	}
	st, err := p.stitch(src, imageio.Grid{N: 1})
	if err != nil {
		t.Fatal(err)
	}
	pooled := infer.MaxPool(st.tileAreas)
	differ := false
	for j, l := range p.b.Labels {
		if s.Prediction.Scores[l] != s.Areas[l] {
			t.Errorf("label %s: score %g, the image's area %g", l, s.Prediction.Scores[l], s.Areas[l])
		}
		differ = differ || pooled[j] != s.Areas[l]
	}
	if !differ {
		t.Error("the windows' max pool equals the image's areas: the image does not tell them apart")
	}
	if got, err := p.TiledScores(src, imageio.Grid{N: 1}); err != nil || got[0] != s.Areas["a"] || got[1] != s.Areas["b"] {
		t.Errorf("TiledScores = %v, %v; want the areas %v", got, err, s.Areas)
	}
}
