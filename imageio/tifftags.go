package imageio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
)

// maxTagBytes bounds the bytes of one tag's values that TIFFTags holds
// (GeoTIFF keys, tie points, metadata), and maxAllTagBytes those of all
// its tags; a tag over either is known but reading it is an error.
const (
	maxTagBytes    = 1 << 20
	maxAllTagBytes = 8 << 20
)

// ErrNotTIFF is returned by ReadTIFFTags for a file that is not a TIFF.
var ErrNotTIFF = errors.New("not a TIFF file")

// TIFFTags is the first image of a TIFF file as its tags describe it,
// without its pixels: its size and samples, and the values of its other
// tags (the GeoTIFF tags among them).
type TIFFTags struct {
	// Width and Height are the image's size in pixels.
	Width, Height int
	// Bands is the number of samples per pixel.
	Bands int
	// Bits is the bits per sample, and Format the SampleFormat (1
	// unsigned, 2 signed, 3 IEEE float).
	Bits, Format int

	bo    binary.ByteOrder
	types map[uint16]uint16
	vals  map[uint16][]byte
	errs  map[uint16]error
}

// ReadTIFFTags reads the header and first IFD of the TIFF file of size
// bytes read from r, checking every count and offset against the file's
// length, and the values of its tags except the chunk layout; it reads no
// pixels.
func ReadTIFFTags(r io.ReaderAt, size int64) (*TIFFTags, error) {
	tt, err := readTIFFTags(r, size)
	if err != nil {
		return nil, fmt.Errorf("imageio: %w", err)
	}
	return tt, nil
}

// readTIFFTags is ReadTIFFTags with errors that do not name the package.
func readTIFFTags(r io.ReaderAt, size int64) (*TIFFTags, error) {
	var head [4]byte
	if n, _ := r.ReadAt(head[:], 0); !isTIFF(head[:n]) {
		return nil, ErrNotTIFF
	}
	t, err := parseTIFFAt(r, size)
	if err != nil {
		return nil, fmt.Errorf("cannot read TIFF header: %w", err)
	}
	tt := &TIFFTags{Width: t.width, Height: t.height, Bands: t.spp, Bits: t.bits, Format: t.format,
		bo: t.bo, types: map[uint16]uint16{}, vals: map[uint16][]byte{}, errs: map[uint16]error{}}
	held := 0
	for tag, e := range t.tags {
		switch tag {
		case tStripOffsets, tStripByteCounts, tTileOffsets, tTileByteCounts:
			continue
		}
		tt.types[tag] = e.typ
		b, err := t.values(tag, e, maxAllTagBytes-held)
		if err != nil {
			tt.errs[tag] = err
			continue
		}
		tt.vals[tag] = b
		held += len(b)
	}
	return tt, nil
}

// ReadTIFFTagsFile is ReadTIFFTags on the file at path.
func ReadTIFFTagsFile(path string) (*TIFFTags, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("imageio: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("imageio: %w", err)
	}
	tt, err := readTIFFTags(f, st.Size())
	if err != nil {
		return nil, fmt.Errorf("imageio: %q: %w", path, err)
	}
	return tt, nil
}

// values reads the bytes of an entry's values, checking that they lie
// inside the file and hold at most maxTagBytes, and at most left.
func (t *tiffFile) values(tag uint16, e tiffEntry, left int) ([]byte, error) {
	size, ok := tiffTypeSize[e.typ]
	if !ok {
		return nil, fmt.Errorf("TIFF tag %d has unknown type %d", tag, e.typ)
	}
	if e.count > maxTagBytes/size {
		return nil, fmt.Errorf("TIFF tag %d declares %d values, over the limit of %d bytes", tag, e.count, maxTagBytes)
	}
	if e.count*size > uint64(max(left, 0)) {
		return nil, fmt.Errorf("TIFF tag %d: its %d values would take the tags' values over %d bytes", tag, e.count, maxAllTagBytes)
	}
	n := e.count * size
	if n <= 4 {
		return append([]byte(nil), e.value[:n]...), nil
	}
	off := uint64(t.bo.Uint32(e.value))
	if off > t.size || n > t.size-off {
		return nil, fmt.Errorf("TIFF tag %d: %d values at offset %d run past the end of the %d-byte file", tag, e.count, off, t.size)
	}
	b := make([]byte, n)
	if _, err := t.r.ReadAt(b, int64(off)); err != nil {
		return nil, fmt.Errorf("TIFF tag %d: reading %d values at offset %d: %w", tag, e.count, off, err)
	}
	return b, nil
}

// Has reports whether the image has the tag.
func (tt *TIFFTags) Has(tag uint16) bool {
	_, ok := tt.types[tag]
	return ok
}

// raw returns the bytes of a tag's values and its type.
func (tt *TIFFTags) raw(tag uint16) ([]byte, uint16, error) {
	typ, ok := tt.types[tag]
	if !ok {
		return nil, 0, fmt.Errorf("imageio: TIFF tag %d is missing", tag)
	}
	if err := tt.errs[tag]; err != nil {
		return nil, 0, fmt.Errorf("imageio: %w", err)
	}
	return tt.vals[tag], typ, nil
}

// Uints returns the values of an unsigned integer tag (BYTE, SHORT or
// LONG).
func (tt *TIFFTags) Uints(tag uint16) ([]uint64, error) {
	b, typ, err := tt.raw(tag)
	if err != nil {
		return nil, err
	}
	var out []uint64
	switch typ {
	case 1:
		for _, c := range b {
			out = append(out, uint64(c))
		}
	case 3:
		for i := 0; i+2 <= len(b); i += 2 {
			out = append(out, uint64(tt.bo.Uint16(b[i:])))
		}
	case 4:
		for i := 0; i+4 <= len(b); i += 4 {
			out = append(out, uint64(tt.bo.Uint32(b[i:])))
		}
	default:
		return nil, fmt.Errorf("imageio: TIFF tag %d has type %d, want an unsigned integer", tag, typ)
	}
	return out, nil
}

// Floats returns the values of a numeric tag (DOUBLE, FLOAT, or an
// unsigned integer type) as float64s.
func (tt *TIFFTags) Floats(tag uint16) ([]float64, error) {
	b, typ, err := tt.raw(tag)
	if err != nil {
		return nil, err
	}
	var out []float64
	switch typ {
	case 12:
		for i := 0; i+8 <= len(b); i += 8 {
			out = append(out, math.Float64frombits(tt.bo.Uint64(b[i:])))
		}
	case 11:
		for i := 0; i+4 <= len(b); i += 4 {
			out = append(out, float64(math.Float32frombits(tt.bo.Uint32(b[i:]))))
		}
	default:
		u, err := tt.Uints(tag)
		if err != nil {
			return nil, fmt.Errorf("imageio: TIFF tag %d has type %d, want a number", tag, typ)
		}
		for _, v := range u {
			out = append(out, float64(v))
		}
	}
	return out, nil
}

// ASCII returns the text of an ASCII tag, without its trailing NULs.
func (tt *TIFFTags) ASCII(tag uint16) (string, error) {
	b, typ, err := tt.raw(tag)
	if err != nil {
		return "", err
	}
	if typ != 2 {
		return "", fmt.Errorf("imageio: TIFF tag %d has type %d, want ASCII", tag, typ)
	}
	return strings.TrimRight(string(b), "\x00"), nil
}
