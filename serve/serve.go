// Package serve offers a classifier bundle over HTTP: a web page to try
// images in a browser, and a JSON API.
//
//	GET  /              the page
//	GET  /api/model     the labels, thresholds, preprocessing and held-out metrics
//	POST /api/predict   one or more images as multipart form files (field
//	                    "image"), or one image as the raw request body;
//	                    returns the predictions as JSON
//
// Every error is a JSON object {"error": "..."} with a 4xx status for a bad
// request: a wrong method, a body over the size limit, a malformed form, a
// missing or undecodable image, or an image that declares too many pixels.
package serve

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"io"
	"mime"
	"net/http"
	"strings"

	"mlabel/imageio"
	"mlabel/predict"
)

//go:embed page.html
var page []byte

// Options limit what a request may send.
type Options struct {
	// MaxBytes bounds a request body (default 32 MiB).
	MaxBytes int64
	// MaxImages bounds the images of one request (default 64).
	MaxImages int
	// MaxPixels bounds each image's declared width × height (default
	// imageio.DefaultMaxPixels).
	MaxPixels int64
}

type server struct {
	p   *predict.Predictor
	opt Options
}

// Handler returns the HTTP handler serving p.
func Handler(p *predict.Predictor, opt Options) http.Handler {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 32 << 20
	}
	if opt.MaxImages <= 0 {
		opt.MaxImages = 64
	}
	if opt.MaxPixels <= 0 {
		opt.MaxPixels = imageio.DefaultMaxPixels
	}
	s := &server{p: p, opt: opt}
	mux := http.NewServeMux()
	mux.HandleFunc("/", s.page)
	mux.HandleFunc("/api/model", s.model)
	mux.HandleFunc("/api/predict", s.predict)
	return mux
}

// httpError is an error with the status it should be answered with.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func badRequest(format string, args ...any) error {
	return &httpError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

// writeJSON answers v as JSON with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fail answers err as a JSON error.
func fail(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	var he *httpError
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &he):
		status = he.status
	case errors.As(err, &mb):
		status = http.StatusRequestEntityTooLarge
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

// allow answers 405 unless the request uses method.
func allow(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method || (method == http.MethodGet && r.Method == http.MethodHead) {
		return true
	}
	w.Header().Set("Allow", method)
	fail(w, &httpError{http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: use %s", r.Method, r.URL.Path, method)})
	return false
}

func (s *server) page(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		fail(w, &httpError{http.StatusNotFound, "no such page: " + r.URL.Path})
		return
	}
	if !allow(w, r, http.MethodGet) {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(page)
}

// modelInfo is what /api/model answers.
type modelInfo struct {
	Kind       string             `json:"kind"`
	Arch       string             `json:"arch"`
	Labels     []string           `json:"labels"`
	Rule       string             `json:"rule"`
	Thresholds map[string]float64 `json:"thresholds"`
	Size       int                `json:"size"`
	Metrics    any                `json:"metrics,omitempty"`
}

func (s *server) model(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet) {
		return
	}
	b := s.p.Bundle()
	rules := predict.Rules(b)
	info := modelInfo{Kind: b.Kind, Arch: b.Arch, Labels: b.Labels, Rule: string(rules.Kind), Thresholds: map[string]float64{}, Size: b.Preprocess.Size}
	for j, t := range rules.Thresholds() {
		if j < len(b.Labels) {
			info.Thresholds[b.Labels[j]] = t
		}
	}
	if b.Metrics != nil {
		info.Metrics = b.Metrics
	}
	writeJSON(w, http.StatusOK, info)
}

func (s *server) predict(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodPost) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.opt.MaxBytes)
	names, imgs, err := s.readImages(r)
	if err != nil {
		fail(w, err)
		return
	}
	preds, err := s.p.Images(names, imgs)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"predictions": preds})
}

// readImages decodes the images of a request: multipart files in the field
// "image", or the whole body as one image.
func (s *server) readImages(r *http.Request) ([]string, []image.Image, error) {
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return nil, nil, badRequest("malformed Content-Type: %v", err)
	}
	if ct != "multipart/form-data" {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, nil, err
		}
		img, err := s.decode("body", data)
		if err != nil {
			return nil, nil, err
		}
		return []string{"body"}, []image.Image{img}, nil
	}
	if params["boundary"] == "" {
		return nil, nil, badRequest("multipart request without a boundary")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, nil, badRequest("malformed multipart request: %v", err)
	}
	var names []string
	var imgs []image.Image
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				return nil, nil, err
			}
			return nil, nil, badRequest("malformed multipart request: %v", err)
		}
		if part.FormName() != "image" {
			part.Close()
			continue
		}
		if len(imgs) == s.opt.MaxImages {
			return nil, nil, badRequest("more than %d images in one request", s.opt.MaxImages)
		}
		name := part.FileName()
		if name == "" {
			name = fmt.Sprintf("image%d", len(imgs)+1)
		}
		data, err := io.ReadAll(part)
		part.Close()
		if err != nil {
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				return nil, nil, err
			}
			return nil, nil, badRequest("reading %q: %v", name, err)
		}
		img, err := s.decode(name, data)
		if err != nil {
			return nil, nil, err
		}
		names, imgs = append(names, name), append(imgs, img)
	}
	if len(imgs) == 0 {
		return nil, nil, badRequest("no image: send files in the form field %q", "image")
	}
	return names, imgs, nil
}

// decode decodes one uploaded image, refusing empty, unknown, corrupt and
// oversized ones with a message that names it.
func (s *server) decode(name string, data []byte) (image.Image, error) {
	img, err := imageio.DecodeBytes(name, data, s.opt.MaxPixels)
	if err != nil {
		return nil, badRequest("%s", strings.TrimPrefix(err.Error(), "imageio: "))
	}
	return img, nil
}
