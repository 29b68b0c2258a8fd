// Package imageio decodes image files for mlabel with safety limits, honours
// JPEG EXIF orientation, and turns images into normalised float32 HWC
// arrays of a fixed size: RGB, or chosen bands of a multi-band raster
// scaled by per-band statistics.
//
// Supported formats are JPEG, PNG, GIF (first frame), BMP, TIFF and WebP.
// JPEG includes 4-component files (CMYK with or without an Adobe APP14
// marker, and YCCK), converted to RGB as PIL's convert("RGB") does. PNG and
// TIFF include 16-bit, grey and palette images; alpha is composited onto
// black. TIFF also includes multi-band files such as GeoTIFFs from drones and
// satellites: any number of 8-, 16- or 32-bit integer or 32-bit float
// samples, striped or tiled, chunky or planar, uncompressed, LZW, deflate or
// PackBits; DecodeRasterBytes gives their raw bands and DecodeBytes an RGB
// picture of bands 1 to 3. Every count, offset and size read from a file is
// checked against its length and the pixel limit before allocating. Every
// error names the file it concerns.
//
// A large image is read as a Source (OpenSource, OpenFile) and cut into
// tiles by a Grid (Tiles): a TIFF's windows are read from the file chunk by
// chunk and row by row, reduced by block means as they are read, so that no
// full-resolution array of it is ever held.
package imageio

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"

	// Register the decoders for image.Decode and image.DecodeConfig.
	_ "image/gif"
	_ "image/jpeg"
	_ "image/png"

	_ "golang.org/x/image/bmp"
	_ "golang.org/x/image/webp"
)

// DefaultMaxPixels is the largest width×height accepted when no limit is
// configured: 64 megapixels.
const DefaultMaxPixels int64 = 64 << 20

// ErrEmpty is returned (wrapped) for a zero-byte file.
var ErrEmpty = errors.New("file is empty (0 bytes)")

// ErrTooLarge is returned (wrapped) when an image header declares more pixels
// than the configured limit. The image is refused before its pixels are
// decoded.
var ErrTooLarge = errors.New("image declares too many pixels")

// ErrUnknownFormat is returned (wrapped) when the file is not in a supported
// image format.
var ErrUnknownFormat = errors.New("not a supported image format (JPEG, PNG, GIF, BMP, TIFF, WebP)")

// Info describes an image file from its header.
type Info struct {
	Format      string // "jpeg", "png", "gif", "bmp", "tiff" or "webp"
	Width       int    // stored width in pixels
	Height      int    // stored height in pixels
	Orientation int    // EXIF orientation 1..8 (1 when absent)
	// Bands is the number of samples of a pixel as stored (1 for grey or
	// palette, 3 for RGB or YCbCr, 4 for CMYK or RGBA, a TIFF's samples
	// per pixel), and BitsPerSample their size.
	Bands, BitsPerSample int
	// Progressive is set for a progressive JPEG and an interlaced PNG,
	// whose decoders hold more than the picture while decoding.
	Progressive bool

	maxPixels int64 // the limit the header was checked against
	// raster is set for a file of a raster format whose header the
	// format's ordinary decoder refuses: the raster reader decodes it.
	raster bool
}

// DecodeFile reads and decodes the image at path, refusing images whose
// header declares more than maxPixels pixels (DefaultMaxPixels when
// maxPixels <= 0). JPEG EXIF orientation is applied, so the result is
// upright.
func DecodeFile(path string, maxPixels int64) (image.Image, error) {
	data, err := ReadFile(path, maxPixels)
	if err != nil {
		return nil, err
	}
	return DecodeBytes(path, data, maxPixels)
}

// DecodeBytes decodes the image held in data; name is used in error
// messages. See DecodeFile.
func DecodeBytes(name string, data []byte, maxPixels int64) (image.Image, error) {
	info, err := InspectBytes(name, data, maxPixels)
	if err != nil {
		return nil, err
	}
	if info.Format == "jpeg" {
		data = withAdobeMarker(data)
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if rf := rasterFormatNamed(info.Format); err != nil && rf != nil {
		// Multi-band, 16-bit multi-sample and other files that the
		// format's ordinary decoder refuses are read by the raster reader.
		r, rerr := decodeRaster(rf, name, data, info.maxPixels)
		if rerr != nil {
			return nil, rerr
		}
		return r.Image(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("imageio: %q: cannot decode %s image: %w", name, info.Format, err)
	}
	if c, ok := img.(*image.CMYK); ok {
		img = cmykToRGBA(c)
	}
	return Orient(img, info.Orientation), nil
}

// InspectBytes reads the header of the image held in data without decoding
// its pixels, and checks it against maxPixels (DefaultMaxPixels when <= 0).
func InspectBytes(name string, data []byte, maxPixels int64) (Info, error) {
	return inspectAt(name, bytes.NewReader(data), int64(len(data)), data, maxPixels)
}

// inspectAt reads the header of the image file of size bytes read from r;
// head is the start of the file (all of it, or enough for the markers read
// from it: JPEG orientation, components and progression, PNG bit depth and
// interlacing). See InspectBytes.
func inspectAt(name string, r io.ReaderAt, size int64, head []byte, maxPixels int64) (Info, error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if size == 0 {
		return Info{}, fmt.Errorf("imageio: %q: %w", name, ErrEmpty)
	}
	var cfg image.Config
	var format string
	var err error
	rf := rasterFormatOf(head)
	if rf != nil && rf.config != nil {
		cfg, err = rf.config(r, size)
		format = rf.name
	} else {
		cfg, format, err = image.DecodeConfig(io.NewSectionReader(r, 0, size))
	}
	var f rasterFile
	raster := false
	if rf != nil {
		// The raster reader's header tells the samples and their size,
		// and reads the files whose header the ordinary decoder refuses.
		var ferr error
		if f, ferr = rf.open(r, size); ferr != nil && err != nil {
			return Info{}, fmt.Errorf("imageio: %q: cannot read %s header: %w", name, rf.title, ferr)
		}
		if err != nil {
			w, h := f.dims()
			cfg, format, err = image.Config{Width: w, Height: h}, rf.name, nil
			raster = true
		}
	}
	if errors.Is(err, image.ErrFormat) {
		return Info{}, fmt.Errorf("imageio: %q: %w", name, ErrUnknownFormat)
	}
	if err != nil {
		return Info{}, fmt.Errorf("imageio: %q: cannot read image header: %w", name, err)
	}
	info := Info{Format: format, Width: cfg.Width, Height: cfg.Height, Orientation: 1, maxPixels: maxPixels, raster: raster}
	if cfg.Width <= 0 || cfg.Height <= 0 {
		return info, fmt.Errorf("imageio: %q: image header declares an empty %dx%d image", name, cfg.Width, cfg.Height)
	}
	if px := int64(cfg.Width) * int64(cfg.Height); px > maxPixels {
		return info, fmt.Errorf("imageio: %q: header declares %dx%d = %d pixels, over the limit of %d: %w",
			name, cfg.Width, cfg.Height, px, maxPixels, ErrTooLarge)
	}
	info.setSamples(head, f)
	if format == "jpeg" {
		info.Orientation = jpegOrientation(head)
	}
	return info, nil
}
