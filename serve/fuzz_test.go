package serve

import (
	"bytes"
	"encoding/json"
	"image/color"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzPredict checks that the predict handler answers any body with any
// content type without panicking: 200 with predictions, or a 4xx JSON
// error.
func FuzzPredict(f *testing.F) {
	img := string(pngBytes(f, 8, 8, color.RGBA{20, 90, 200, 255}))
	ct, body := multipartBody(f, [3]string{"image", "a.png", img})
	f.Add(ct, body)
	f.Add("image/png", []byte(img))
	f.Add("multipart/form-data; boundary=zz", []byte("--zz\r\nnonsense"))
	f.Add("", []byte{})
	h := Handler(testPredictor(f), Options{MaxBytes: 1 << 20, MaxImages: 4, MaxPixels: 1 << 16})
	f.Fuzz(func(t *testing.T, ctype string, body []byte) {
		req := httptest.NewRequest(http.MethodPost, "/api/predict", bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var r response
		if err := json.Unmarshal(rec.Body.Bytes(), &r); err != nil {
			t.Fatalf("%d: not JSON: %q", rec.Code, rec.Body)
		}
		switch {
		case rec.Code == http.StatusOK && len(r.Predictions) == 0:
			t.Fatal("200 without predictions")
		case rec.Code != http.StatusOK && (rec.Code < 400 || rec.Code >= 500 || r.Error == ""):
			t.Fatalf("%d %q", rec.Code, r.Error)
		}
	})
}
