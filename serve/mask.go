package serve

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"net/http"

	"mlabel/cam"
	"mlabel/masks"
)

// maskColors returns each label's colour in the mask overlays, as
// "#rrggbb": the colours of the masks predict --masks-out writes.
func maskColors(labels []string) map[string]string {
	pal := masks.Palette(len(labels))
	out := make(map[string]string, len(labels))
	for j, l := range labels {
		r, g, b, _ := pal[j+1].RGBA()
		out[l] = fmt.Sprintf("#%02x%02x%02x", r>>8, g>>8, b>>8)
	}
	return out
}

// mask answers a segmenter's mask of one image as a PNG: the image as the
// network sees it, each pixel that shows a label tinted with the label's
// colour (the highest-scoring label where several show).
func (s *server) mask(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodPost) {
		return
	}
	b := s.p.Bundle()
	if !s.p.Segmenter() {
		fail(w, &httpError{http.StatusNotImplemented, fmt.Sprintf("no masks: the model is a %s, not a segmenter", b.Kind)})
		return
	}
	pix, x, ok := s.oneUpload(w, r, "a mask")
	if !ok {
		return
	}
	defer s.leave()
	pre := s.p.Preprocess()
	classes, err := s.p.Masks([][]float32{x})
	if err != nil {
		fail(w, err)
		return
	}
	seen, err := cam.RGB(pix, pre.Size, camView)
	if err != nil {
		fail(w, err)
		return
	}
	out := image.NewRGBA(seen.Bounds())
	draw.Draw(out, out.Rect, seen, seen.Bounds().Min, draw.Src)
	tint(out, classes[0], pre.Size, masks.Palette(len(b.Labels)), 0.55)
	var buf bytes.Buffer
	if err := png.Encode(&buf, out); err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
}

// tint blends into img (a square picture of any side) the colour of each
// pixel's class of the size×size map class (nearest neighbour), with
// opacity alpha; class 0 is left as it is.
func tint(img *image.RGBA, class []uint8, size int, pal color.Palette, alpha float64) {
	side := img.Bounds().Dx()
	for y := range side {
		cy := min(y*size/side, size-1)
		for x := range side {
			c := class[cy*size+min(x*size/side, size-1)]
			if c == 0 {
				continue
			}
			r, g, b, _ := pal[c].RGBA()
			o := img.PixOffset(x, y)
			for k, v := range []uint32{r >> 8, g >> 8, b >> 8} {
				img.Pix[o+k] = uint8((1-alpha)*float64(img.Pix[o+k]) + alpha*float64(v))
			}
		}
	}
}

// oneUpload reads a request's single image upload, takes a request slot
// and returns the image's pixels as the page shows them and the network's
// input; the caller then holds the slot and calls s.leave. On failure it
// has answered with the error, holds no slot and returns false; what names
// the answer ("a mask") in the error for a request of several images.
func (s *server) oneUpload(w http.ResponseWriter, r *http.Request, what string) (pix []uint8, x []float32, ok bool) {
	body := s.holdBody(w, r)
	defer body.release()
	ups, err := s.readUploads(r)
	if err != nil {
		fail(w, err)
		return nil, nil, false
	}
	if len(ups) != 1 {
		fail(w, badRequest("%s is of one image, got %d", what, len(ups)))
		return nil, nil, false
	}
	if !s.enter(w) {
		return nil, nil, false
	}
	pre := s.p.Preprocess()
	if err := s.decodeEach(r.Context(), ups, func(_ int, in []uint8) { pix, x = pre.ViewRGB(in), pre.Normalized(in) }); err != nil {
		s.leave()
		fail(w, err)
		return nil, nil, false
	}
	return pix, x, true
}
