package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"runtime"
	"strings"

	"mlabel/imageio"
)

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
