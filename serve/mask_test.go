package serve

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"testing"

	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/masks"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/predict"
	"mlabel/tensor"
)

// testSegmenter lights label "red" on red pixels of 8×8 inputs.
func testSegmenter(t *testing.T) *predict.Predictor {
	t.Helper()
	spec := &nn.Spec{Nodes: []nn.Node{
		{Name: "input", Op: nn.OpInput, Attrs: nn.Attrs{Shape: []int{8, 8, 3}}},
		{Name: "logits", Op: nn.OpConv2D, Inputs: []string{"input"}, Attrs: nn.Attrs{Filters: 2, Kernel: [2]int{1, 1}, Bias: true}},
	}, Outputs: []string{"logits"}}
	w, _ := tensor.FromData([]float32{20, 0, 0, 20, 0, 0}, 1, 1, 3, 2)
	bias, _ := tensor.FromData([]float32{-10, -10}, 2)
	pre := imageio.Preprocess{Size: 8, Mode: imageio.ModeSquash, Std: [3]float32{1, 1, 1}}
	p, err := predict.New(&bundle.Bundle{Header: bundle.Header{
		Kind: bundle.KindSegmenter, Spec: spec, Labels: []string{"red", "green"}, Preprocess: pre,
		Rules:   &decide.Rules{Kind: decide.PerClass, Labels: 2, Global: 0.5, PerClass: []float64{0.3, 0.3}},
		Segment: &metrics.Segmentation{PixelThreshold: 0.5},
	}, Weights: map[string]*tensor.Tensor{"logits.weight": w, "logits.bias": bias}})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMaskOverlay(t *testing.T) {
	h := Handler(testSegmenter(t), Options{})
	var info modelInfo
	if code := getJSON(t, h, "/api/model", &info); code != http.StatusOK || len(info.MaskColors) != 2 || info.Kind != "segmenter" {
		t.Fatalf("model info %d: %+v", code, info)
	}
	// Left half red, right half white.
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for y := range 16 {
		for x := range 16 {
			if x < 8 {
				img.Set(x, y, color.RGBA{255, 0, 0, 255})
			} else {
				img.Set(x, y, color.RGBA{255, 255, 255, 255})
			}
		}
	}
	var body bytes.Buffer
	png.Encode(&body, img)
	req := httptest.NewRequest(http.MethodPost, "/api/mask", bytes.NewReader(body.Bytes()))
	req.Header.Set("Content-Type", "image/png")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("mask: %d %s", rec.Code, rec.Body)
	}
	out, err := png.Decode(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	// The left half is tinted toward red's overlay colour; the right
	// half, where both labels light (white has red and green), toward
	// the higher one's, and neither is left as it was.
	b := out.Bounds()
	if b.Dx() != camView {
		t.Fatalf("overlay is %v, want %d px", b, camView)
	}
	l := color.RGBAModel.Convert(out.At(b.Dx()/4, b.Dy()/2)).(color.RGBA)
	pr, pg, pb, _ := masks.Palette(2)[1].RGBA()
	want := [3]float64{0.45*255 + 0.55*float64(pr>>8), 0.55 * float64(pg>>8), 0.55 * float64(pb>>8)}
	for k, v := range [3]uint8{l.R, l.G, l.B} {
		if d := float64(v) - want[k]; d > 2 || d < -2 {
			t.Fatalf("the red half is %v, want red tinted with label red's colour %v", l, want)
		}
	}
	// A classifier has no masks.
	hc := Handler(testPredictor(t), Options{})
	req = httptest.NewRequest(http.MethodPost, "/api/mask", bytes.NewReader(body.Bytes()))
	req.Header.Set("Content-Type", "image/png")
	rec = httptest.NewRecorder()
	hc.ServeHTTP(rec, req)
	if rec.Code != http.StatusNotImplemented {
		t.Errorf("a classifier's mask: %d, want 501", rec.Code)
	}
}
