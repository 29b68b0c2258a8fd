package serve

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"mlabel/arch"
	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/nn"
	"mlabel/predict"
)

var testLabels = []string{"water", "road", "forest"}

// testPredictor is a small untrained classifier with per-class thresholds.
func testPredictor(t testing.TB) *predict.Predictor {
	t.Helper()
	spec, err := arch.Build("small", 32, 3, len(testLabels), arch.Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(4, 5)))
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle.Bundle{
		Header: bundle.Header{
			Kind: bundle.KindClassifier, Arch: "small", Spec: spec, Labels: testLabels, Preprocess: imageio.DefaultPreprocess(32),
			Rules: &decide.Rules{Kind: decide.PerClass, Labels: 3, Global: 0.5, PerClass: []float64{0.01, 0.5, 0.99}},
		},
		Weights: m.Weights(),
	}
	p, err := predict.New(b)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// pngBytes encodes a w×h image of one colour.
func pngBytes(t testing.TB, w, h int, c color.Color) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// multipartBody builds a form with the given (field, filename, content) parts.
func multipartBody(t testing.TB, parts ...[3]string) (string, []byte) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for _, p := range parts {
		w, err := mw.CreateFormFile(p[0], p[1])
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(p[2]))
	}
	mw.Close()
	return mw.FormDataContentType(), buf.Bytes()
}

type response struct {
	Predictions []predict.Prediction `json:"predictions"`
	Error       string               `json:"error"`
}

func do(t *testing.T, h http.Handler, method, path, ctype string, body []byte) (int, response) {
	t.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var r response
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatalf("%s %s: invalid JSON %q", method, path, rec.Body.String())
		}
	}
	return rec.Code, r
}

func TestPredictMultipartAndRaw(t *testing.T) {
	h := Handler(testPredictor(t), Options{})
	img := string(pngBytes(t, 40, 30, color.RGBA{20, 90, 200, 255}))
	ct, body := multipartBody(t, [3]string{"image", "a.png", img}, [3]string{"note", "", "ignored"}, [3]string{"image", "b.png", img})
	code, r := do(t, h, http.MethodPost, "/api/predict", ct, body)
	if code != http.StatusOK || len(r.Predictions) != 2 {
		t.Fatalf("multipart: %d %+v", code, r)
	}
	if r.Predictions[0].Image != "a.png" || r.Predictions[1].Image != "b.png" {
		t.Errorf("names %q %q", r.Predictions[0].Image, r.Predictions[1].Image)
	}
	for _, p := range r.Predictions {
		for _, l := range p.Labels {
			if l.Score < l.Threshold {
				t.Errorf("%s predicted at %v below its threshold %v", l.Label, l.Score, l.Threshold)
			}
		}
		// water's threshold is 0.01 and forest's 0.99: an untrained
		// network's scores sit near 0.5, so the decisions are known.
		if p.Scores["water"] >= 0.01 && (len(p.Labels) == 0 || p.Labels[0].Label != "water") {
			t.Errorf("water at %v not predicted: %+v", p.Scores["water"], p.Labels)
		}
	}
	code, raw := do(t, h, http.MethodPost, "/api/predict", "image/png", []byte(img))
	if code != http.StatusOK || len(raw.Predictions) != 1 || raw.Predictions[0].Scores["road"] != r.Predictions[0].Scores["road"] {
		t.Fatalf("raw body: %d %+v", code, raw)
	}
}

func TestBadRequests(t *testing.T) {
	h := Handler(testPredictor(t), Options{MaxBytes: 1 << 16, MaxImages: 2})
	img := string(pngBytes(t, 8, 8, color.White))
	// A PNG header that declares 100000×100000 pixels.
	bomb := pngBytes(t, 1, 1, color.White)
	copy(bomb[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	binary.BigEndian.PutUint32(bomb[29:33], crc32.ChecksumIEEE(bomb[12:29]))
	emptyCT, emptyForm := multipartBody(t)
	threeCT, three := multipartBody(t, [3]string{"image", "1.png", img}, [3]string{"image", "2.png", img}, [3]string{"image", "3.png", img})
	junkCT, junk := multipartBody(t, [3]string{"image", "junk.jpg", "not an image at all"})
	tests := []struct {
		name, method, path, ctype string
		body                      []byte
		status                    int
		want                      string
	}{
		{"get predict", http.MethodGet, "/api/predict", "", nil, 405, "use POST"},
		{"post model", http.MethodPost, "/api/model", "", nil, 405, "use GET"},
		{"unknown path", http.MethodGet, "/nope", "", nil, 404, "no such page"},
		{"empty body", http.MethodPost, "/api/predict", "image/png", nil, 400, "empty"},
		{"not an image", http.MethodPost, "/api/predict", "application/octet-stream", []byte("hello"), 400, "body"},
		{"truncated png", http.MethodPost, "/api/predict", "image/png", []byte(img[:40]), 400, "body"},
		{"pixel bomb", http.MethodPost, "/api/predict", "image/png", bomb, 413, "too many pixels"},
		{"too large", http.MethodPost, "/api/predict", "image/png", make([]byte, 1<<17), 413, "too large"},
		{"bad content type", http.MethodPost, "/api/predict", "multipart/form-data; boundary=", []byte("x"), 400, "malformed Content-Type"},
		{"no boundary", http.MethodPost, "/api/predict", "multipart/form-data", []byte("x"), 400, "without a boundary"},
		{"broken multipart", http.MethodPost, "/api/predict", "multipart/form-data; boundary=zz", []byte("--zz\r\nnonsense"), 400, "malformed multipart"},
		{"no image field", http.MethodPost, "/api/predict", emptyCT, emptyForm, 400, "no image"},
		{"too many images", http.MethodPost, "/api/predict", threeCT, three, 400, "more than 2"},
		{"undecodable upload", http.MethodPost, "/api/predict", junkCT, junk, 400, "junk.jpg"},
	}
	for _, tc := range tests {
		code, r := do(t, h, tc.method, tc.path, tc.ctype, tc.body)
		if code != tc.status || !strings.Contains(r.Error, tc.want) {
			t.Errorf("%s: %d %q, want %d with %q", tc.name, code, r.Error, tc.status, tc.want)
		}
	}
}

func TestPageAndModel(t *testing.T) {
	srv := httptest.NewServer(Handler(testPredictor(t), Options{}))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(string(body), `id="predict"`) {
		t.Fatalf("page: %d", res.StatusCode)
	}
	res, err = http.Get(srv.URL + "/api/model")
	if err != nil {
		t.Fatal(err)
	}
	var info modelInfo
	json.NewDecoder(res.Body).Decode(&info)
	res.Body.Close()
	if len(info.Labels) != 3 || info.Thresholds["forest"] != 0.99 || info.Rule != "per_class" {
		t.Fatalf("model info %+v", info)
	}
	// What the page batches its uploads under, and whether it offers heat maps.
	if !info.CAM || info.Limits != (limits{MaxImages: 64, MaxBytes: 32 << 20, MaxPixels: imageio.DefaultMaxPixels, MaxRequestPixels: DefaultRequestPixels}) {
		t.Errorf("model info: cam %v, limits %+v", info.CAM, info.Limits)
	}
}

// Concurrent requests share one network safely.
func TestConcurrentPredictions(t *testing.T) {
	h := Handler(testPredictor(t), Options{})
	img := pngBytes(t, 16, 16, color.RGBA{200, 10, 10, 255})
	done := make(chan int, 8)
	for i := 0; i < 8; i++ {
		go func() {
			req := httptest.NewRequest(http.MethodPost, "/api/predict", bytes.NewReader(img))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			done <- rec.Code
		}()
	}
	for i := 0; i < 8; i++ {
		if c := <-done; c != 200 {
			t.Errorf("status %d", c)
		}
	}
}
