// Package serve offers a classifier bundle over HTTP: a web page to try
// images in a browser, and a JSON API.
//
//	GET  /              the page
//	GET  /api/model     the labels, thresholds, preprocessing and held-out metrics
//	POST /api/predict   one or more images as multipart form files (field
//	                    "image"), or one image as the raw request body;
//	                    returns the predictions as JSON
//	POST /api/cam       one image, sent the same way; returns as a PNG the
//	                    class-activation heat map of the label named by the
//	                    query parameter "label" (default: the top-scoring
//	                    label) over the image as the network sees it, with
//	                    the label and its probability in the headers
//	                    X-Label and X-Score
//	POST /api/mask      with a segmenter, one image, sent the same way;
//	                    returns as a PNG the image as the network sees it
//	                    tinted with the colour of each pixel's label (the
//	                    colours are in /api/model's "mask_colors")
//
// Every error is a JSON object {"error": "..."} with a 4xx status for a bad
// request: a wrong method, a body over the size limit, a malformed form, a
// missing or undecodable image, or images that declare too many pixels
// (413, before any is decoded). A request takes one of the slots of
// concurrent requests once its body is read, so that clients slow to send
// theirs do not keep the others out; beyond the limit of concurrent
// requests, or of the request bytes held at once, the answer is 503 with a
// Retry-After header. Heat maps and masks count among the prediction
// requests and go through the same limits.
//
// Memory is bounded by the declared sizes: the bodies being read and held
// are within a server-wide byte budget, and the images of a request are
// decoded one at a time, each within a server-wide pixel budget, resized to
// the network's input and released before the next one is decoded.
package serve

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"io"
	"mime"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"mlabel/cam"
	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/predict"
)

//go:embed page.html
var page []byte

// Options limit what a request may send and what the server takes on at
// once. Zero values stand for the defaults.
type Options struct {
	// MaxBytes bounds a request body (default 32 MiB).
	MaxBytes int64
	// MaxImages bounds the images of one request (default 64).
	MaxImages int
	// MaxPixels bounds each image's declared width × height (default
	// imageio.DefaultMaxPixels).
	MaxPixels int64
	// MaxRequestPixels bounds the sum of the pixels of one request's
	// images (default DefaultRequestPixels). A request over it is refused
	// before any image is decoded. An image counts as the memory its
	// decoding takes, from its header, in pixels of 8 bytes (a decoded
	// 16-bit RGBA pixel), and at least as its width × height: a TIFF of
	// many bands or a progressive JPEG counts as several times its pixels.
	MaxRequestPixels int64
	// MaxServerPixels bounds the pixels, counted likewise, of the images
	// being decoded at once across all requests (default
	// DefaultServerPixels); a decode waits until the pixels it needs are
	// free, and an image that alone exceeds it is refused.
	MaxServerPixels int64
	// MaxConcurrent bounds the prediction requests decoded and predicted
	// at once (default 16); the ones beyond it, once their bodies are
	// read, get 503 with a Retry-After header.
	MaxConcurrent int
	// MaxServerBytes bounds the request body bytes read and held at once
	// across all requests (default MaxConcurrent × MaxBytes); a request
	// whose body would take the total over it gets 503 with a Retry-After
	// header. Bytes are counted as they arrive, so a client slow to send
	// holds only what it has sent.
	MaxServerBytes int64
}

// DefaultRequestPixels is the default pixel budget of one request, and
// DefaultServerPixels that of the decodes running at once: two images of
// the largest size. The budgets count 8 bytes a pixel, so the default
// server budget holds the decoders' memory to 1 GiB.
const (
	DefaultRequestPixels = 2 * imageio.DefaultMaxPixels
	DefaultServerPixels  = 2 * imageio.DefaultMaxPixels
)

// gcPixels is the declared size from which the memory of a decoded image is
// collected at once, once it is resized, rather than when the collector
// next runs: the next image must not come on top of it.
const gcPixels = 4 << 20

// camView is the side in pixels of the heat maps /api/cam draws.
const camView = 256

type server struct {
	p      *predict.Predictor
	opt    Options
	pixels *budget
	bytes  *budget
	slots  chan struct{}
}

// Handler returns the HTTP handler serving p.
func Handler(p *predict.Predictor, opt Options) http.Handler {
	return newServer(p, opt).handler()
}

// newServer returns the server of p with opt's zero values set to the
// defaults.
func newServer(p *predict.Predictor, opt Options) *server {
	if opt.MaxBytes <= 0 {
		opt.MaxBytes = 32 << 20
	}
	if opt.MaxImages <= 0 {
		opt.MaxImages = 64
	}
	if opt.MaxPixels <= 0 {
		opt.MaxPixels = imageio.DefaultMaxPixels
	}
	if opt.MaxRequestPixels <= 0 {
		opt.MaxRequestPixels = DefaultRequestPixels
	}
	if opt.MaxServerPixels <= 0 {
		opt.MaxServerPixels = DefaultServerPixels
	}
	// One image must fit each budget.
	opt.MaxPixels = min(opt.MaxPixels, opt.MaxRequestPixels, opt.MaxServerPixels)
	if opt.MaxConcurrent <= 0 {
		opt.MaxConcurrent = 16
	}
	if opt.MaxServerBytes <= 0 {
		opt.MaxServerBytes = int64(opt.MaxConcurrent) * opt.MaxBytes
	}
	s := &server{p: p, opt: opt, pixels: newBudget(opt.MaxServerPixels), bytes: newBudget(opt.MaxServerBytes), slots: make(chan struct{}, opt.MaxConcurrent)}
	return s
}

// handler routes the server's pages and API.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/", s.page)
	mux.HandleFunc("/api/model", s.model)
	mux.HandleFunc("/api/predict", s.predict)
	mux.HandleFunc("/api/cam", s.cam)
	mux.HandleFunc("/api/mask", s.mask)
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
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
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
	// View is the nature of the training images: overhead or ground.
	View    string `json:"view,omitempty"`
	Metrics any    `json:"metrics,omitempty"`
	// CAM tells whether /api/cam can draw heat maps for this network.
	CAM bool `json:"cam"`
	// MaskColors, for a segmenter, gives each label's colour in the
	// overlays of /api/mask; absent for a classifier.
	MaskColors map[string]string `json:"mask_colors,omitempty"`
	Limits     limits            `json:"limits"`
}

// limits are the request limits a client batches its uploads under.
type limits struct {
	MaxImages        int   `json:"max_images"`
	MaxBytes         int64 `json:"max_bytes"`
	MaxPixels        int64 `json:"max_pixels"`
	MaxRequestPixels int64 `json:"max_request_pixels"`
}

func (s *server) model(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet) {
		return
	}
	b := s.p.Bundle()
	rules := s.p.Rules()
	info := modelInfo{Kind: string(b.Kind), Arch: b.Arch, Labels: b.Labels, Rule: string(rules.Kind), Thresholds: map[string]float64{}, Size: b.Preprocess.Size,
		View: b.View, CAM: s.p.CanMap() == nil,
		Limits: limits{MaxImages: s.opt.MaxImages, MaxBytes: s.opt.MaxBytes, MaxPixels: s.opt.MaxPixels, MaxRequestPixels: s.opt.MaxRequestPixels}}
	for j, t := range rules.Thresholds() {
		if j < len(b.Labels) {
			info.Thresholds[b.Labels[j]] = t
		}
	}
	if b.Metrics != nil {
		info.Metrics = b.Metrics
	}
	if s.p.Segmenter() {
		info.MaskColors = maskColors(b.Labels)
	}
	writeJSON(w, http.StatusOK, info)
}

// enter takes one of the request slots, or answers 503 with Retry-After
// and returns false when all are taken. The caller calls s.leave. A
// request enters once its body is read.
func (s *server) enter(w http.ResponseWriter) bool {
	select {
	case s.slots <- struct{}{}:
		return true
	default:
		fail(w, &httpError{http.StatusServiceUnavailable, fmt.Sprintf("busy: %d requests are being handled, retry later", s.opt.MaxConcurrent)})
		return false
	}
}

func (s *server) leave() { <-s.slots }

// heldBody is a request body whose bytes, as they are read, are taken from
// the server's byte budget, within the per-request limit.
type heldBody struct {
	r    io.ReadCloser
	b    *budget
	max  int64
	held int64
}

// errBusyBytes is the answer to a body that would take the bytes held by
// all requests over the server's budget.
var errBusyBytes = &httpError{http.StatusServiceUnavailable, "busy: the server holds as many request bytes as it may, retry later"}

func (h *heldBody) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if n > 0 {
		if !h.b.tryAcquire(int64(n)) {
			return 0, errBusyBytes
		}
		h.held += int64(n)
	}
	return n, err
}

func (h *heldBody) Close() error { return h.r.Close() }

// release gives the bytes read back to the budget; the request must hold
// none of them any more.
func (h *heldBody) release() {
	h.b.release(h.held)
	h.held = 0
}

// holdBody limits r's body to MaxBytes and counts its bytes against the
// server's byte budget; the caller releases them.
func (s *server) holdBody(w http.ResponseWriter, r *http.Request) *heldBody {
	h := &heldBody{r: http.MaxBytesReader(w, r.Body, s.opt.MaxBytes), b: s.bytes}
	r.Body = h
	return h
}

func (s *server) predict(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodPost) {
		return
	}
	body := s.holdBody(w, r)
	defer body.release()
	ups, err := s.readUploads(r)
	if err != nil {
		fail(w, err)
		return
	}
	if !s.enter(w) {
		return
	}
	defer s.leave()
	pre := s.p.Preprocess()
	names := make([]string, len(ups))
	xs := make([][]float32, len(ups))
	err = s.decodeEach(r.Context(), ups, func(i int, pix []uint8) {
		names[i], xs[i] = ups[i].name, pre.Normalized(pix)
	})
	if err != nil {
		fail(w, err)
		return
	}
	preds, err := s.p.Inputs(names, xs)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"predictions": preds})
}

// upload is one image of a request, read but not decoded.
type upload struct {
	name string
	data []byte
	info imageio.Info
	cost int64 // what decoding it takes of the pixel budgets
}

// costPixels is what decoding an image takes of the pixel budgets: its
// decoding's working set (imageio.Info.DecodeCost) in pixels of 8 bytes,
// a decoded 16-bit RGBA pixel, and at least its pixels.
func costPixels(info imageio.Info) int64 {
	return max(int64(info.Width)*int64(info.Height), (info.DecodeCost()+7)/8)
}

// readUploads reads and inspects the images of a request: multipart files in
// the field "image", or the whole body as one image. Each image's header is
// checked against the per-image and per-request pixel limits; nothing is
// decoded.
func (s *server) readUploads(r *http.Request) ([]upload, error) {
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil && r.Header.Get("Content-Type") != "" {
		return nil, badRequest("malformed Content-Type: %v", err)
	}
	var ups []upload
	var total int64
	add := func(name string, data []byte) error {
		info, err := imageio.InspectBytes(name, data, s.opt.MaxPixels)
		if err != nil {
			return imageError(err)
		}
		cost := costPixels(info)
		if cost > s.opt.MaxServerPixels {
			return &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("%q: decoding a %dx%d %s image of %d %d-bit bands takes about %d MiB, the memory of %d pixels, over the server's limit of %d: send a smaller image",
				name, info.Width, info.Height, info.Format, info.Bands, info.BitsPerSample, info.DecodeCost()>>20, cost, s.opt.MaxServerPixels)}
		}
		total += cost
		if total > s.opt.MaxRequestPixels {
			return &httpError{http.StatusRequestEntityTooLarge, fmt.Sprintf("the images of this request declare more than %d pixels together (%q takes them to %d): send fewer or smaller images", s.opt.MaxRequestPixels, name, total)}
		}
		ups = append(ups, upload{name: name, data: data, info: info, cost: cost})
		return nil
	}
	if ct != "multipart/form-data" {
		data, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, readError("the body", err)
		}
		if err := add("body", data); err != nil {
			return nil, err
		}
		return ups, nil
	}
	if params["boundary"] == "" {
		return nil, badRequest("multipart request without a boundary")
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badRequest("malformed multipart request: %v", err)
	}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if berr := bodyError("the body", err); berr != nil {
				return nil, berr
			}
			return nil, badRequest("malformed multipart request: %v", err)
		}
		if part.FormName() != "image" {
			part.Close()
			continue
		}
		if len(ups) == s.opt.MaxImages {
			return nil, badRequest("more than %d images in one request", s.opt.MaxImages)
		}
		name := part.FileName()
		if name == "" {
			name = fmt.Sprintf("image%d", len(ups)+1)
		}
		data, err := io.ReadAll(part)
		part.Close()
		if err != nil {
			return nil, readError(fmt.Sprintf("%q", name), err)
		}
		if err := add(name, data); err != nil {
			return nil, err
		}
	}
	if len(ups) == 0 {
		return nil, badRequest("no image: send files in the form field %q", "image")
	}
	return ups, nil
}

// readError is the answer to a failed body read: that of bodyError, or 400
// (a malformed or cut-off body).
func readError(what string, err error) error {
	if berr := bodyError(what, err); berr != nil {
		return berr
	}
	return badRequest("reading %s: %v", what, err)
}

// bodyError is the answer to a body read that failed for a limit: 413 over
// the size limit, 503 over the server's byte budget, 408 past the read
// deadline; nil for any other failure.
func bodyError(what string, err error) error {
	var mb *http.MaxBytesError
	var he *httpError
	switch {
	case errors.As(err, &mb):
		return err
	case errors.As(err, &he):
		return he
	case errors.Is(err, os.ErrDeadlineExceeded):
		return &httpError{http.StatusRequestTimeout, fmt.Sprintf("reading %s: the body did not arrive in time", what)}
	}
	return nil
}

// imageError is the answer to an image that cannot be decoded: 413 when it
// declares too many pixels, 400 otherwise.
func imageError(err error) error {
	status := http.StatusBadRequest
	if errors.Is(err, imageio.ErrTooLarge) {
		status = http.StatusRequestEntityTooLarge
	}
	return &httpError{status, strings.TrimPrefix(err.Error(), "imageio: ")}
}

// decodeEach decodes the uploads one at a time, each within the server's
// pixel budget, into the network's pixels (imageio.Preprocess.InputPixels),
// and hands each to use before the next is decoded, so a request holds at
// most one decoded image.
func (s *server) decodeEach(ctx context.Context, ups []upload, use func(i int, pix []uint8)) error {
	pre := s.p.Preprocess()
	pre.MaxPixels = s.opt.MaxPixels
	for i := range ups {
		u := &ups[i]
		px := u.cost
		if err := s.pixels.acquire(ctx, px); err != nil {
			return &httpError{http.StatusServiceUnavailable, fmt.Sprintf("gave up waiting to decode %q: %v", u.name, err)}
		}
		pix, _, err := pre.InputPixels(u.name, u.data)
		if err == nil {
			use(i, pix)
		}
		u.data = nil
		if px >= gcPixels {
			runtime.GC()
		}
		s.pixels.release(px)
		if err != nil {
			return imageError(err)
		}
	}
	return nil
}

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
