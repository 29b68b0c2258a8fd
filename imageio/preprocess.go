package imageio

import (
	"fmt"
	"image"

	xdraw "golang.org/x/image/draw"
)

// Resize modes for Preprocess.Mode.
const (
	// ModeSquash scales the whole image to Size×Size, ignoring its aspect.
	ModeSquash = "squash"
	// ModeCrop scales the shorter side to Size and keeps the centre square.
	ModeCrop = "crop"
)

// MaxSize is the largest Preprocess.Size: a network input of 2048×2048
// already takes 48 MiB per image.
const MaxSize = 2048

// Preprocess turns an image into the network's input: a Size×Size image
// with Channels() channels, as float32 values in HWC order. It is stored in
// the model bundle as JSON.
//
// Without Bands the input is RGB: each channel is normalised as
// (v-Mean)/Std with v in [0, 1]. With Bands, the network sees the listed
// bands of the file's raster (see DecodeRasterBytes) in that order; band i
// is scaled by BandStats[i] from its raw values: Low..High map to 0..1
// (clipped), then (v-Mean)/Std normalises.
type Preprocess struct {
	Size      int        `json:"size"`
	Mode      string     `json:"mode"`
	Mean      [3]float32 `json:"mean"`
	Std       [3]float32 `json:"std"`
	MaxPixels int64      `json:"max_pixels,omitempty"`
	// Bands are the 1-based band numbers the network sees, in order;
	// empty means RGB.
	Bands []int `json:"bands,omitempty"`
	// BandStats scale each selected band; see BandStatistics.
	BandStats []BandStat `json:"band_stats,omitempty"`
}

// BandStat scales one selected band: raw values Low..High map to 0..1
// (clipped), after which (v-Mean)/Std normalises.
type BandStat struct {
	Low  float32 `json:"low"`
	High float32 `json:"high"`
	Mean float32 `json:"mean"`
	Std  float32 `json:"std"`
}

// Channels returns the number of channels the network sees: len(Bands),
// or 3 (RGB).
func (p Preprocess) Channels() int {
	if len(p.Bands) > 0 {
		return len(p.Bands)
	}
	return 3
}

// DefaultPreprocess returns a Preprocess of the given size with centre crop
// and the ImageNet channel statistics.
func DefaultPreprocess(size int) Preprocess {
	return Preprocess{
		Size: size,
		Mode: ModeCrop,
		Mean: [3]float32{0.485, 0.456, 0.406},
		Std:  [3]float32{0.229, 0.224, 0.225},
	}
}

// Validate reports whether p describes a usable transformation.
func (p Preprocess) Validate() error {
	if p.Size <= 0 || p.Size > MaxSize {
		return fmt.Errorf("imageio: preprocess size must be in 1..%d, got %d", MaxSize, p.Size)
	}
	if p.Mode != ModeSquash && p.Mode != ModeCrop {
		return fmt.Errorf("imageio: preprocess mode must be %q or %q, got %q", ModeSquash, ModeCrop, p.Mode)
	}
	for c, s := range p.Std {
		if s == 0 {
			return fmt.Errorf("imageio: preprocess std of channel %d is zero", c)
		}
	}
	for _, b := range p.Bands {
		if b < 1 {
			return fmt.Errorf("imageio: preprocess bands are numbered from 1, got %d", b)
		}
	}
	if len(p.Bands) > 0 && len(p.BandStats) != len(p.Bands) {
		return fmt.Errorf("imageio: preprocess has %d bands but statistics for %d (compute them with BandStatistics)", len(p.Bands), len(p.BandStats))
	}
	for i, st := range p.BandStats {
		if !(st.High > st.Low) || !(st.Std > 0) {
			return fmt.Errorf("imageio: preprocess statistics of band %d: low %g, high %g, std %g: need high > low and std > 0", p.Bands[i], st.Low, st.High, st.Std)
		}
	}
	return nil
}

// Input is the one way an image file becomes network input: it decodes
// the file's bytes in data (name is used in errors) and returns the
// normalised Size×Size×Channels() float32 HWC array. Band selection,
// orientation, colour conversion, resizing and normalisation all happen
// here, the same for training, evaluation, prediction and serving.
func (p Preprocess) Input(name string, data []byte) ([]float32, error) {
	pix, _, err := p.InputPixels(name, data)
	if err != nil {
		return nil, err
	}
	return p.Normalized(pix), nil
}

// InputPixels is Input before normalisation: the decoded image resized to
// Size×Size as 8-bit values in HWC order (RGB, or the selected bands
// scaled by their statistics), and the decoded image's width and height.
// It is the compact form kept in caches; Normalized completes it.
func (p Preprocess) InputPixels(name string, data []byte) ([]uint8, image.Point, error) {
	if err := p.Validate(); err != nil {
		return nil, image.Point{}, err
	}
	if len(p.Bands) > 0 {
		r, err := DecodeRasterBytes(name, data, p.MaxPixels)
		if err != nil {
			return nil, image.Point{}, err
		}
		pix, err := p.BandPixels(r)
		if err != nil {
			return nil, image.Point{}, fmt.Errorf("imageio: %q: %w", name, err)
		}
		return pix, image.Pt(r.W, r.H), nil
	}
	img, err := DecodeBytes(name, data, p.MaxPixels)
	if err != nil {
		return nil, image.Point{}, err
	}
	return p.Pixels(img), img.Bounds().Size(), nil
}

// Normalized returns the network input of pixels that InputPixels gave:
// ToFloat, then Normalize.
func (p Preprocess) Normalized(pix []uint8) []float32 {
	x := ToFloat(pix)
	p.Normalize(x)
	return x
}

// Load reads the image file at path and returns its network input (see
// Input).
func (p Preprocess) Load(path string) ([]float32, error) {
	pix, err := p.LoadPixels(path)
	if err != nil {
		return nil, err
	}
	return p.Normalized(pix), nil
}

// LoadPixels reads the image file at path (through ReadFile: a regular
// file, its header checked before the rest is read) and returns its pixels
// as InputPixels does.
func (p Preprocess) LoadPixels(path string) ([]uint8, error) {
	data, err := ReadFile(path, p.MaxPixels)
	if err != nil {
		return nil, err
	}
	pix, _, err := p.InputPixels(path, data)
	return pix, err
}

// ViewRGB returns pixels that InputPixels gave as an 8-bit RGB picture of
// what the network sees, for showing it: 3 channels as red, green and
// blue; one or two as grey (the first); more than 3 as their first three.
func (p Preprocess) ViewRGB(pix []uint8) []uint8 {
	nc := p.Channels()
	if nc == 3 {
		return pix
	}
	n := len(pix) / nc
	out := make([]uint8, 3*n)
	for i := range n {
		for k := range 3 {
			src := k
			if nc < 3 {
				src = 0
			}
			out[3*i+k] = pix[i*nc+src]
		}
	}
	return out
}

// Pixels returns img resized to Size×Size according to Mode, as 8-bit RGB
// in HWC order. It ignores Bands.
func (p Preprocess) Pixels(img image.Image) []uint8 {
	src := p.source(img.Bounds())
	dst := image.NewRGBA(image.Rect(0, 0, p.Size, p.Size))
	xdraw.CatmullRom.Scale(dst, dst.Rect, img, src, xdraw.Src, nil)
	out := make([]uint8, 0, p.Size*p.Size*3)
	for i := 0; i < len(dst.Pix); i += 4 {
		out = append(out, dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2])
	}
	return out
}

// source returns the part of an image with bounds b that is scaled to
// Size×Size: all of it, or its centre square with ModeCrop.
func (p Preprocess) source(b image.Rectangle) image.Rectangle {
	if p.Mode != ModeCrop {
		return b
	}
	s := min(b.Dx(), b.Dy())
	x0 := b.Min.X + (b.Dx()-s)/2
	y0 := b.Min.Y + (b.Dy()-s)/2
	return image.Rect(x0, y0, x0+s, y0+s)
}

// ToFloat converts 8-bit values to float32 in [0, 1].
func ToFloat(pix []uint8) []float32 {
	out := make([]float32, len(pix))
	for i, v := range pix {
		out[i] = float32(v) / 255
	}
	return out
}

// FromFloat is ToFloat's inverse: it writes values in [0, 1] (clamped) as
// bytes into dst, which must be as long as x, and returns dst.
func FromFloat(dst []uint8, x []float32) []uint8 {
	for i, v := range x {
		dst[i] = uint8(min(max(v, 0), 1)*255 + 0.5)
	}
	return dst
}

// Normalize applies (v-Mean[c])/Std[c] in place to an HWC array of
// Channels() channels (the band statistics' Mean and Std with Bands).
func (p Preprocess) Normalize(x []float32) {
	if len(p.Bands) > 0 {
		nc := len(p.Bands)
		mean, inv := make([]float32, nc), make([]float32, nc)
		for c, st := range p.BandStats[:nc] {
			mean[c], inv[c] = st.Mean, 1/st.Std
		}
		for i := range x {
			c := i % nc
			x[i] = (x[i] - mean[c]) * inv[c]
		}
		return
	}
	var inv [3]float32
	for c := range inv {
		inv[c] = 1 / p.Std[c]
	}
	for i := range x {
		c := i % 3
		x[i] = (x[i] - p.Mean[c]) * inv[c]
	}
}
