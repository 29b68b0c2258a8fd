package imageio

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"io"
)

// rasterFormat is a format whose files the raster reader decodes itself:
// files that hold more than an RGB picture (many bands, 16-bit samples of
// several channels, floating-point samples), read whole (DecodeRasterBytes,
// and DecodeBytes where the format's ordinary decoder refuses them) or
// window by window (OpenSource). A format registers itself from its own
// file with registerRaster, as image.RegisterFormat registers a decoder;
// TIFF (GeoTIFF among them) is the first. Its ordinary decoder, registered
// with image.RegisterFormat under the same name, gives the RGB picture
// where it can.
type rasterFormat struct {
	// name is the format's name, as Info.Format and image.Decode give it;
	// title names it in errors.
	name, title string
	// match reports whether a file that starts with head is of the format.
	match func(head []byte) bool
	// config reads the ordinary decoder's header from the file of size
	// bytes read from r; nil: image.DecodeConfig's.
	config func(r io.ReaderAt, size int64) (image.Config, error)
	// open reads the raster reader's header from the file of size bytes
	// read from r, validating what it declares against size; the file's
	// samples are read from r later.
	open func(r io.ReaderAt, size int64) (rasterFile, error)
}

// rasterFile is a raster file's header as its format's reader sees it, and
// the reader of its samples.
type rasterFile interface {
	// dims returns the image's width and height in pixels.
	dims() (w, h int)
	// sampleSize returns the samples a pixel and the bits a sample.
	sampleSize() (bands, bits int)
	// supported returns an error wrapping errRasterUnsupported when the
	// raster reader leaves the file to the ordinary decoder.
	supported() error
	// rgbFromBands reports whether the file's RGB picture is its first
	// three bands, or its first band as grey, as Raster.Image renders them.
	rgbFromBands() bool
	// decode reads every pixel, refusing more than maxPixels.
	decode(maxPixels int64) (*Raster, error)
	// window reads the pixels inside win reduced by the factor f (each
	// pixel of the result the mean of an f×f block), refusing a result of
	// more than maxPixels.
	window(win image.Rectangle, f int, maxPixels int64) (*Raster, error)
}

// errRasterUnsupported marks files that are valid but outside their raster
// reader's subset; they are left to their format's ordinary decoder.
var errRasterUnsupported = errors.New("outside the raster reader")

// rasterFormats are the registered raster formats, in registration order.
var rasterFormats []rasterFormat

// registerRaster registers a raster format; see rasterFormat.
func registerRaster(f rasterFormat) { rasterFormats = append(rasterFormats, f) }

// rasterFormatOf returns the raster format of a file that starts with head,
// or nil when no registered one matches.
func rasterFormatOf(head []byte) *rasterFormat {
	for i := range rasterFormats {
		if rasterFormats[i].match(head) {
			return &rasterFormats[i]
		}
	}
	return nil
}

// rasterFormatNamed returns the raster format of that name, or nil.
func rasterFormatNamed(name string) *rasterFormat {
	for i := range rasterFormats {
		if rasterFormats[i].name == name {
			return &rasterFormats[i]
		}
	}
	return nil
}

// decodeRaster decodes the file held in data, of format rf, with the
// raster reader; name is used in error messages.
func decodeRaster(rf *rasterFormat, name string, data []byte, maxPixels int64) (*Raster, error) {
	f, err := rf.open(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, fmt.Errorf("imageio: %q: cannot read %s header: %w", name, rf.title, err)
	}
	if err := f.supported(); err != nil {
		return nil, fmt.Errorf("imageio: %q: cannot decode %s image: %w", name, rf.name, err)
	}
	r, err := f.decode(maxPixels)
	if err != nil {
		return nil, fmt.Errorf("imageio: %q: cannot decode %s image: %w", name, rf.name, err)
	}
	return r, nil
}

// rasterSource reads the windows of a raster file from the file.
type rasterSource struct {
	name string
	f    rasterFile
}

func (s *rasterSource) Size() (int, int) { return s.f.dims() }

func (s *rasterSource) Window(r image.Rectangle, f int) (*Raster, error) {
	ras, err := s.f.window(r, f, maxSourceWindow)
	if err != nil {
		return nil, fmt.Errorf("imageio: %q: reading window %v: %w", s.name, r, err)
	}
	return ras, nil
}
