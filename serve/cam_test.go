package serve

import (
	"bytes"
	"encoding/json"
	"image/color"
	"image/png"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/nn"
	"mlabel/predict"
)

// camRequest posts body to /api/cam with the query q.
func camRequest(h http.Handler, q, ctype string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/api/cam"+q, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The heat map is a PNG of the network's view of the image, for the label
// asked for or else the top-scoring one, with that label's probability as
// /api/predict gives it.
func TestCAM(t *testing.T) {
	h := Handler(testPredictor(t), Options{})
	img := pngBytes(t, 40, 30, color.RGBA{20, 90, 200, 255})
	code, pred := do(t, h, http.MethodPost, "/api/predict", "image/png", img)
	if code != 200 {
		t.Fatalf("predict: %d %s", code, pred.Error)
	}
	scores := pred.Predictions[0].Scores
	top := testLabels[0]
	for _, l := range testLabels {
		if scores[l] > scores[top] {
			top = l
		}
	}
	ct, form := multipartBody(t, [3]string{"image", "a.png", string(img)})
	tests := []struct {
		name, query, ctype string
		body               []byte
		label              string
	}{
		{"default label, raw body", "", "image/png", img, top},
		{"named label, raw body", "?label=road", "image/png", img, "road"},
		{"named label, form", "?label=forest", ct, form, "forest"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := camRequest(h, tc.query, tc.ctype, tc.body)
			if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/png" {
				t.Fatalf("%d %s: %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			m, err := png.Decode(rec.Body)
			if err != nil {
				t.Fatalf("not a PNG: %v", err)
			}
			if b := m.Bounds(); b.Dx() != camView || b.Dy() != camView {
				t.Errorf("heat map %v, want %d×%d", b, camView, camView)
			}
			if got := rec.Header().Get("X-Label"); got != tc.label {
				t.Errorf("X-Label %q, want %q", got, tc.label)
			}
			score, err := strconv.ParseFloat(rec.Header().Get("X-Score"), 64)
			if err != nil || score-scores[tc.label] > 1e-4 || scores[tc.label]-score > 1e-4 {
				t.Errorf("X-Score %q, /api/predict scores %s %v", rec.Header().Get("X-Score"), tc.label, scores[tc.label])
			}
		})
	}
}

func TestCAMBadRequests(t *testing.T) {
	img := pngBytes(t, 100, 100, color.White)
	twoCT, two := multipartBody(t, [3]string{"image", "a.png", string(img)}, [3]string{"image", "b.png", string(img)})
	tests := []struct {
		name, method, query, ctype string
		body                       []byte
		opt                        Options
		status                     int
		want                       string
	}{
		{"get", http.MethodGet, "", "", nil, Options{}, 405, "use POST"},
		{"unknown label", http.MethodPost, "?label=lava", "image/png", img, Options{}, 400, `no label "lava"`},
		{"two images", http.MethodPost, "", twoCT, two, Options{}, 400, "one image, got 2"},
		{"no image", http.MethodPost, "", "image/png", nil, Options{}, 400, "empty"},
		{"over the request pixels", http.MethodPost, "", "image/png", img, Options{MaxRequestPixels: 5000}, 413, "over the limit of 5000"},
		{"over the body size", http.MethodPost, "", "image/png", make([]byte, 1<<12), Options{MaxBytes: 1 << 10}, 413, "too large"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, r := do(t, Handler(testPredictor(t), tc.opt), tc.method, "/api/cam"+tc.query, tc.ctype, tc.body)
			if code != tc.status || !strings.Contains(r.Error, tc.want) {
				t.Errorf("%d %q, want %d with %q", code, r.Error, tc.status, tc.want)
			}
		})
	}
}

// A network without global average pooling and a dense head has no heat
// maps: /api/model says so and /api/cam answers 501.
func TestCAMUnavailable(t *testing.T) {
	spec := &nn.Spec{Nodes: []nn.Node{
		{Name: "input", Op: nn.OpInput, Attrs: nn.Attrs{Shape: []int{8, 8, 3}}},
		{Name: "flat", Op: nn.OpFlatten, Inputs: []string{"input"}},
		{Name: "fc", Op: nn.OpDense, Inputs: []string{"flat"}, Attrs: nn.Attrs{Units: 2}},
	}, Outputs: []string{"fc"}}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := predict.New(&bundle.Bundle{Header: bundle.Header{Kind: "classifier", Spec: spec, Labels: []string{"a", "b"},
		Preprocess: imageio.DefaultPreprocess(8), Rules: &decide.Rules{Kind: decide.Fixed, Labels: 2, Global: 0.5}}, Weights: m.Weights()})
	if err != nil {
		t.Fatal(err)
	}
	h := Handler(p, Options{})
	var info modelInfo
	if code := getJSON(t, h, "/api/model", &info); code != 200 || info.CAM {
		t.Errorf("/api/model: %d, cam %v", code, info.CAM)
	}
	code, r := do(t, h, http.MethodPost, "/api/cam", "image/png", pngBytes(t, 8, 8, color.White))
	if code != http.StatusNotImplemented || !strings.Contains(r.Error, "no heat maps") {
		t.Errorf("%d %q", code, r.Error)
	}
}

// Heat maps and predictions run at once share the networks safely.
func TestCAMConcurrent(t *testing.T) {
	h := Handler(testPredictor(t), Options{})
	img := pngBytes(t, 16, 16, color.RGBA{200, 10, 10, 255})
	first := camRequest(h, "?label=water", "image/png", img).Body.Bytes()
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			if i%2 == 0 {
				if code, _ := do(t, h, http.MethodPost, "/api/predict", "image/png", img); code != 200 {
					t.Errorf("predict: %d", code)
				}
				return
			}
			if got := camRequest(h, "?label=water", "image/png", img); got.Code != 200 || !bytes.Equal(got.Body.Bytes(), first) {
				t.Errorf("heat map %d differs from the first one", got.Code)
			}
		})
	}
	wg.Wait()
}

// getJSON decodes the answer of GET path into v and returns its status.
func getJSON(t *testing.T, h http.Handler, path string, v any) int {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, rec.Body)
	}
	return rec.Code
}
