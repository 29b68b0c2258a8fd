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
	_ "embed"
	"net/http"

	"mlabel/imageio"
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
