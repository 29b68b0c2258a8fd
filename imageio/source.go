package imageio

import (
	"fmt"
	"image"
	"image/draw"
	"io"
	"os"
)

// Limits of the images read as a Source.
const (
	// DefaultMaxSourcePixels is the largest width×height of a TIFF read
	// window by window, when no limit is configured: 4 gigapixels. Its
	// pixels are never held all at once.
	DefaultMaxSourcePixels int64 = 1 << 32
	// DefaultMaxDecodedSourcePixels is the largest width×height of any
	// other image read as a Source, when no limit is configured: 256
	// megapixels (a 16384×16384 image). Such an image is decoded whole,
	// at 8 or 16 bits a sample, before its windows are read.
	DefaultMaxDecodedSourcePixels int64 = 256 << 20
	// maxSourceWindow bounds the pixels of one window a Source returns.
	maxSourceWindow = DefaultMaxPixels
)

// Source is an image whose windows are read one at a time, so that an
// image larger than memory allows at full resolution as floats can still
// be cut into tiles.
type Source interface {
	// Size returns the image's width and height in pixels.
	Size() (w, h int)
	// Window returns the pixels of r (inside the image, whose top left
	// pixel is (0, 0)) as a raster, reduced by the factor f ≥ 1: each
	// pixel is the mean of an f×f block (blocks cut by r's right or bottom
	// edge average the pixels they hold).
	Window(r image.Rectangle, f int) (*Raster, error)
}

// SourceOptions bound the images OpenSource accepts.
type SourceOptions struct {
	// MaxPixels bounds a TIFF read window by window;
	// DefaultMaxSourcePixels when 0.
	MaxPixels int64
	// MaxDecodedPixels bounds an image that is decoded whole (JPEG, PNG
	// and the other formats); DefaultMaxDecodedSourcePixels when 0.
	MaxDecodedPixels int64
	// Bands asks for a TIFF's raw bands even where its RGB picture differs
	// from them (min-is-white, CMYK, alpha): set it when the windows'
	// bands are selected (Preprocess.Bands), not rendered as RGB.
	Bands bool
}

// OpenSource opens the image file of size bytes read from r as a Source;
// name is used in error messages. A TIFF the raster reader decodes is read
// from r window by window, chunk by chunk, and r must stay open while the
// source is used; any other image is read and decoded now, upright, and
// its windows come from the decoded picture (as RasterFromImage gives
// them). The image's header is checked against the limits of o before its
// pixels are read.
func OpenSource(name string, r io.ReaderAt, size int64, o SourceOptions) (Source, error) {
	if o.MaxPixels <= 0 {
		o.MaxPixels = DefaultMaxSourcePixels
	}
	if o.MaxDecodedPixels <= 0 {
		o.MaxDecodedPixels = DefaultMaxDecodedSourcePixels
	}
	if size <= 0 {
		return nil, fmt.Errorf("imageio: %q: %w", name, ErrEmpty)
	}
	var head [16]byte
	n, _ := r.ReadAt(head[:], 0)
	if rf := rasterFormatOf(head[:n]); rf != nil {
		f, err := rf.open(r, size)
		if err != nil {
			return nil, fmt.Errorf("imageio: %q: cannot read %s header: %w", name, rf.title, err)
		}
		if f.supported() == nil && (o.Bands || f.rgbFromBands()) {
			w, h := f.dims()
			if px := int64(w) * int64(h); px > o.MaxPixels {
				return nil, fmt.Errorf("imageio: %q: header declares %dx%d = %d pixels, over the limit of %d for images read by windows: %w",
					name, w, h, px, o.MaxPixels, ErrTooLarge)
			}
			return &rasterSource{name: name, f: f}, nil
		}
	}
	if size > 4*o.MaxDecodedPixels+1<<20 {
		return nil, fmt.Errorf("imageio: %q: a %d-byte file is over the limit of %d bytes for an image decoded whole: %w", name, size, 4*o.MaxDecodedPixels+1<<20, ErrTooLarge)
	}
	data := make([]byte, size)
	if _, err := r.ReadAt(data, 0); err != nil && err != io.EOF {
		return nil, fmt.Errorf("imageio: %q: %w", name, err)
	}
	img, err := DecodeBytes(name, data, o.MaxDecodedPixels)
	if err != nil {
		return nil, err
	}
	return ImageSource(img), nil
}

// File is an image file opened as a Source; Close it when done.
type File struct {
	Source
	f *os.File
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

// OpenFile opens the image file at path as a Source (see OpenSource).
func OpenFile(path string, o SourceOptions) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("imageio: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("imageio: %w", err)
	}
	src, err := OpenSource(path, f, st.Size(), o)
	if err != nil {
		f.Close()
		return nil, err
	}
	return &File{Source: src, f: f}, nil
}

// ImageSource returns a Source reading the windows of img, decoded in
// memory; its windows are as RasterFromImage gives them.
func ImageSource(img image.Image) Source { return imageSource{img} }

type imageSource struct{ img image.Image }

func (s imageSource) Size() (int, int) {
	b := s.img.Bounds()
	return b.Dx(), b.Dy()
}

func (s imageSource) Window(r image.Rectangle, f int) (*Raster, error) {
	b := s.img.Bounds()
	r = r.Add(b.Min).Intersect(b)
	if r.Empty() {
		return nil, fmt.Errorf("imageio: window lies outside the %dx%d image", b.Dx(), b.Dy())
	}
	f = max(f, 1)
	ow, oh := (r.Dx()+f-1)/f, (r.Dy()+f-1)/f
	if px := int64(ow) * int64(oh); px > maxSourceWindow {
		return nil, fmt.Errorf("imageio: a window of %dx%d = %d pixels, over the limit of %d: %w", ow, oh, px, maxSourceWindow, ErrTooLarge)
	}
	out := &Raster{W: ow, H: oh, Bands: 3, Pix: make([]float32, ow*oh*3), Max: 255}
	// A strip of f rows at a time is drawn premultiplied (composited onto
	// black), at 16 bits for 16-bit images, then averaged by blocks.
	var (
		strip draw.Image
		rgba  *image.RGBA
		deep  *image.RGBA64
	)
	switch s.img.(type) {
	case *image.Gray16, *image.RGBA64, *image.NRGBA64:
		deep, out.Max = image.NewRGBA64(image.Rect(0, 0, r.Dx(), f)), 65535
		strip = deep
	default:
		rgba = image.NewRGBA(image.Rect(0, 0, r.Dx(), f))
		strip = rgba
	}
	sums := make([]float64, ow*3)
	for oy := 0; oy < oh; oy++ {
		y0 := r.Min.Y + oy*f
		bh := min(f, r.Max.Y-y0)
		draw.Draw(strip, image.Rect(0, 0, r.Dx(), bh), s.img, image.Pt(r.Min.X, y0), draw.Src)
		clear(sums)
		for y := 0; y < bh; y++ {
			for x := 0; x < r.Dx(); x++ {
				k := x / f * 3
				if deep != nil {
					p := deep.RGBA64At(x, y)
					sums[k] += float64(p.R)
					sums[k+1] += float64(p.G)
					sums[k+2] += float64(p.B)
					continue
				}
				i := rgba.PixOffset(x, y)
				sums[k] += float64(rgba.Pix[i])
				sums[k+1] += float64(rgba.Pix[i+1])
				sums[k+2] += float64(rgba.Pix[i+2])
			}
		}
		for ox := 0; ox < ow; ox++ {
			n := float64(bh * min(f, r.Dx()-ox*f))
			for c := 0; c < 3; c++ {
				out.Pix[(oy*ow+ox)*3+c] = float32(sums[ox*3+c] / n)
			}
		}
	}
	return out, nil
}
