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

// Preprocess turns an image into the network's input: a Size×Size RGB image,
// as float32 values in HWC order, each channel normalised as (v-Mean)/Std
// with v in [0, 1]. It is stored in the model bundle as JSON.
type Preprocess struct {
	Size      int        `json:"size"`
	Mode      string     `json:"mode"`
	Mean      [3]float32 `json:"mean"`
	Std       [3]float32 `json:"std"`
	MaxPixels int64      `json:"max_pixels,omitempty"`
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
	return nil
}

// Load decodes the image at path and returns its normalised Size×Size×3
// float32 HWC array.
func (p Preprocess) Load(path string) ([]float32, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	img, err := DecodeFile(path, p.MaxPixels)
	if err != nil {
		return nil, err
	}
	return p.FromImage(img), nil
}

// LoadPixels decodes the image at path and returns it resized to Size×Size
// as 8-bit RGB in HWC order, before normalisation. It is the compact form
// kept in caches; Normalize(ToFloat(pix)) completes the preprocessing.
func (p Preprocess) LoadPixels(path string) ([]uint8, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	img, err := DecodeFile(path, p.MaxPixels)
	if err != nil {
		return nil, err
	}
	return p.Pixels(img), nil
}

// FromImage returns the normalised Size×Size×3 float32 HWC array of img.
func (p Preprocess) FromImage(img image.Image) []float32 {
	x := ToFloat(p.Pixels(img))
	p.Normalize(x)
	return x
}

// Pixels returns img resized to Size×Size according to Mode, as 8-bit RGB
// in HWC order.
func (p Preprocess) Pixels(img image.Image) []uint8 {
	b := img.Bounds()
	src := b
	if p.Mode == ModeCrop {
		s := min(b.Dx(), b.Dy())
		x0 := b.Min.X + (b.Dx()-s)/2
		y0 := b.Min.Y + (b.Dy()-s)/2
		src = image.Rect(x0, y0, x0+s, y0+s)
	}
	dst := image.NewRGBA(image.Rect(0, 0, p.Size, p.Size))
	xdraw.CatmullRom.Scale(dst, dst.Rect, img, src, xdraw.Src, nil)
	out := make([]uint8, 0, p.Size*p.Size*3)
	for i := 0; i < len(dst.Pix); i += 4 {
		out = append(out, dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2])
	}
	return out
}

// ToFloat converts 8-bit values to float32 in [0, 1].
func ToFloat(pix []uint8) []float32 {
	out := make([]float32, len(pix))
	for i, v := range pix {
		out[i] = float32(v) / 255
	}
	return out
}

// Normalize applies (v-Mean[c])/Std[c] in place to an HWC RGB array.
func (p Preprocess) Normalize(x []float32) {
	var inv [3]float32
	for c := range inv {
		inv[c] = 1 / p.Std[c]
	}
	for i := range x {
		c := i % 3
		x[i] = (x[i] - p.Mean[c]) * inv[c]
	}
}
