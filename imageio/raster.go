package imageio

import (
	"errors"
	"image"
	"math"
)

// Raster is a decoded multi-band image: Bands samples per pixel, stored
// band-interleaved in row-major order, as raw sample values (0..255 for
// 8-bit data, 0..65535 for 16-bit data, the stored numbers for floating-point
// data).
type Raster struct {
	W, H, Bands int
	// Pix holds sample b of pixel (x, y) at Pix[(y*W+x)*Bands+b].
	Pix []float32
	// Max is the nominal full-scale sample value: 255 for 8-bit data,
	// 65535 for 16-bit data, 1 for floating-point data.
	Max float32
}

// At returns sample b (0-based) of pixel (x, y).
func (r *Raster) At(x, y, b int) float32 { return r.Pix[(y*r.W+x)*r.Bands+b] }

// DecodeRasterFile reads the image at path as a raster; see
// DecodeRasterBytes.
func DecodeRasterFile(path string, maxPixels int64) (*Raster, error) {
	data, err := ReadFile(path, maxPixels)
	if err != nil {
		return nil, err
	}
	return DecodeRasterBytes(path, data, maxPixels)
}

// DecodeRasterBytes decodes the image held in data as a raster; name is
// used in error messages. A TIFF gives every sample of its pixels as a
// band, in file order, with its raw values (GDAL's band numbering): a
// 4-band BGRN GeoTIFF gives 4 bands. Any other image (and a TIFF the
// raster reader leaves to the ordinary decoder, such as a palette TIFF)
// gives 3 RGB bands as DecodeBytes decodes it, upright and with alpha
// composited onto black; 16-bit PNG and TIFF keep their 16-bit values.
func DecodeRasterBytes(name string, data []byte, maxPixels int64) (*Raster, error) {
	info, err := InspectBytes(name, data, maxPixels)
	if err != nil {
		return nil, err
	}
	if rf := rasterFormatNamed(info.Format); rf != nil {
		r, err := decodeRaster(rf, name, data, info.maxPixels)
		if err == nil || !errors.Is(err, errRasterUnsupported) {
			return r, err
		}
	}
	img, err := DecodeBytes(name, data, maxPixels)
	if err != nil {
		return nil, err
	}
	return RasterFromImage(img), nil
}

// RasterFromImage returns the 3 RGB bands of img, composited onto black
// where it has alpha. 16-bit images keep 16-bit values (Max 65535); others
// give 8-bit values (Max 255).
func RasterFromImage(img image.Image) *Raster {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	r := &Raster{W: w, H: h, Bands: 3, Pix: make([]float32, w*h*3)}
	switch img.(type) {
	case *image.Gray16, *image.RGBA64, *image.NRGBA64:
		r.Max = 65535
		i := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				cr, cg, cb, _ := img.At(x, y).RGBA() // premultiplied: composited onto black
				r.Pix[i], r.Pix[i+1], r.Pix[i+2] = float32(cr), float32(cg), float32(cb)
				i += 3
			}
		}
		return r
	}
	r.Max = 255
	src := toRGBA(img)
	for i, j := 0, 0; j < len(r.Pix); i, j = i+4, j+3 {
		r.Pix[j], r.Pix[j+1], r.Pix[j+2] = float32(src.Pix[i]), float32(src.Pix[i+1]), float32(src.Pix[i+2])
	}
	return r
}

// Image renders r as an 8-bit RGB image: bands 1, 2 and 3 as red, green and
// blue (band 1 as grey when there are fewer than 3), each sample scaled by
// 255/Max and clipped to 0..255.
func (r *Raster) Image() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, r.W, r.H))
	scale := 255 / r.Max
	if r.Max <= 0 || math.IsInf(float64(scale), 0) {
		scale = 1
	}
	bands := [3]int{0, 1, 2}
	if r.Bands < 3 {
		bands = [3]int{0, 0, 0}
	}
	for i := 0; i < r.W*r.H; i++ {
		for c, b := range bands {
			v := float64(r.Pix[i*r.Bands+b] * scale)
			if math.IsNaN(v) {
				v = 0
			}
			img.Pix[4*i+c] = uint8(min(max(math.Round(v), 0), 255))
		}
		img.Pix[4*i+3] = 255
	}
	return img
}
