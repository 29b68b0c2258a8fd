package predict

import (
	"context"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"testing"

	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/tensor"
)

// testSegmenter is a segmenter whose 1×1 convolution lights label "red"
// on red pixels and "green" on green ones, for 8×8 inputs scaled to 0..1.
func testSegmenter(t *testing.T, mode string) *Predictor {
	t.Helper()
	spec := &nn.Spec{Nodes: []nn.Node{
		{Name: "input", Op: nn.OpInput, Attrs: nn.Attrs{Shape: []int{8, 8, 3}}},
		{Name: "logits", Op: nn.OpConv2D, Inputs: []string{"input"}, Attrs: nn.Attrs{Filters: 2, Kernel: [2]int{1, 1}, Bias: true}},
	}, Outputs: []string{"logits"}}
	w, _ := tensor.FromData([]float32{20, 0, 0, 20, 0, 0}, 1, 1, 3, 2)
	bias, _ := tensor.FromData([]float32{-10, -10}, 2)
	pre := imageio.Preprocess{Size: 8, Mode: mode, Std: [3]float32{1, 1, 1}}
	b := &bundle.Bundle{Header: bundle.Header{
		Kind: bundle.KindSegmenter, Spec: spec, Labels: []string{"red", "green"}, Preprocess: pre,
		Rules:   &decide.Rules{Kind: decide.PerClass, Labels: 2, Global: 0.5, PerClass: []float64{0.3, 0.3}},
		Segment: &metrics.Segmentation{PixelThreshold: 0.5},
	}, Weights: map[string]*tensor.Tensor{"logits.weight": w, "logits.bias": bias}}
	p, err := New(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// halfRed writes a w×h PNG whose left half is red and right half black.
func halfRed(t *testing.T, dir string, w, h int) string {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			o := img.PixOffset(x, y)
			if x < w/2 {
				img.Pix[o] = 255
			}
			img.Pix[o+3] = 255
		}
	}
	path := filepath.Join(dir, "half.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := png.Encode(f, img); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSegmentAreasAndMasks(t *testing.T) {
	tests := []struct {
		name     string
		mode     string
		w, h     int
		seen     image.Rectangle
		redArea  float64
		redLabel bool
	}{
		{"squash", imageio.ModeSquash, 16, 8, image.Rect(0, 0, 16, 8), 0.5, true},
		// The centre square of a 32×8 image is x 12..20: red on 12..16.
		{"crop", imageio.ModeCrop, 32, 8, image.Rect(12, 0, 20, 8), 0.5, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			good := halfRed(t, dir, tc.w, tc.h)
			bad := filepath.Join(dir, "bad.png")
			os.WriteFile(bad, []byte("not an image"), 0o644)
			p := testSegmenter(t, tc.mode)
			segs, fails, err := p.Segment(context.Background(), []string{bad, good}, BatchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if len(fails) != 1 || fails[0].Index != 0 || len(segs) != 1 {
				t.Fatalf("%d results, failures %v", len(segs), fails)
			}
			s := segs[0]
			if math.Abs(s.Scores["red"]-tc.redArea) > 1e-9 || s.Scores["green"] != 0 {
				t.Errorf("areas %v, want red %g, green 0", s.Scores, tc.redArea)
			}
			if got := len(s.Labels) == 1 && s.Labels[0].Label == "red"; got != tc.redLabel {
				t.Errorf("labels %+v", s.Labels)
			}
			if s.Seen != tc.seen || s.Bounds != image.Rect(0, 0, tc.w, tc.h) || s.SeenPixels() != tc.seen.Dx()*tc.seen.Dy() {
				t.Errorf("seen %v of %v, want %v", s.Seen, s.Bounds, tc.seen)
			}
			for y := range 8 {
				for x := range 8 {
					want := uint8(0)
					if x < 4 {
						want = 1
					}
					if got := s.Class[y*8+x]; got != want {
						t.Fatalf("class at (%d, %d) = %d, want %d", x, y, got, want)
					}
				}
			}
			// The classifier path scores the same area fractions.
			preds, _, err := p.Files(context.Background(), []string{good}, BatchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if preds[0].Scores["red"] != s.Scores["red"] {
				t.Errorf("Files scores %v, Segment %v", preds[0].Scores, s.Scores)
			}
		})
	}
}

func TestSegmenterNeedsPixelThreshold(t *testing.T) {
	p := testSegmenter(t, imageio.ModeSquash)
	b := *p.Bundle()
	b.Segment = nil
	if _, err := New(&b); err == nil {
		t.Fatal("a segmenter without a pixel threshold is accepted")
	}
	c := testPredictor(t)
	if _, _, err := c.Segment(context.Background(), nil, BatchOptions{}); err == nil {
		t.Fatal("a classifier gives masks")
	}
}
