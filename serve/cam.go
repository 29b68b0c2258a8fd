package serve

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"mlabel/cam"
	"mlabel/infer"
)

// cam answers the heat map of one image as a PNG.
func (s *server) cam(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodPost) {
		return
	}
	if err := s.p.CanMap(); err != nil {
		fail(w, &httpError{http.StatusNotImplemented, "no heat maps for this network: " + strings.TrimPrefix(err.Error(), "cam: ")})
		return
	}
	b := s.p.Bundle()
	label := r.URL.Query().Get("label")
	k := slices.Index(b.Labels, label)
	if label != "" && k < 0 {
		fail(w, badRequest("no label %q (labels: %s)", label, strings.Join(b.Labels, ", ")))
		return
	}
	pix, x, ok := s.oneUpload(w, r, "a heat map")
	if !ok {
		return
	}
	defer s.leave()
	pre := s.p.Preprocess()
	logits, maps, gh, gw, err := s.p.Maps(x)
	if err != nil {
		fail(w, err)
		return
	}
	if k < 0 {
		k = 0
		for j, v := range logits {
			if v > logits[k] {
				k = j
			}
		}
	}
	var buf bytes.Buffer
	seen, err := cam.RGB(pix, pre.Size, camView)
	if err == nil {
		var ov *image.RGBA
		if ov, err = cam.Overlay(seen, maps[k], gh, gw, 0.5); err == nil {
			err = png.Encode(&buf, ov)
		}
	}
	if err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Label", b.Labels[k])
	w.Header().Set("X-Score", strconv.FormatFloat(infer.Sigmoid(float64(logits[k])), 'f', 4, 64))
	w.Write(buf.Bytes())
}
