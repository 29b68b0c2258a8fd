package imageio

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"golang.org/x/image/tiff/lzw"
)

// TIFF tags the raster reader uses.
const (
	tImageWidth      = 256
	tImageLength     = 257
	tBitsPerSample   = 258
	tCompression     = 259
	tPhotometric     = 262
	tStripOffsets    = 273
	tSamplesPerPixel = 277
	tRowsPerStrip    = 278
	tStripByteCounts = 279
	tPlanarConfig    = 284
	tPredictor       = 317
	tTileWidth       = 322
	tTileLength      = 323
	tTileOffsets     = 324
	tTileByteCounts  = 325
	tSampleFormat    = 339
)

// TIFF compression schemes the raster reader decodes.
const (
	compNone     = 1
	compLZW      = 5
	compDeflate  = 8
	compPackBits = 32773
	compDeflateZ = 32946 // the old code for deflate
)

// maxTIFFSamples bounds the samples per pixel the raster reader accepts.
const maxTIFFSamples = 256

// errTIFFUnsupported marks TIFFs that are valid but outside the raster
// reader's subset; they are left to golang.org/x/image/tiff.
var errTIFFUnsupported = errors.New("TIFF variant outside the multi-band reader")

// tiffFile is the first image of a TIFF file as the raster reader sees it.
type tiffFile struct {
	data          []byte
	bo            binary.ByteOrder
	width, height int
	spp, bits     int // samples per pixel, bits per sample
	format        int // SampleFormat: 1 unsigned, 2 signed, 3 IEEE float
	compression   int
	photometric   int
	planar        int // 1 chunky, 2 planar
	predictor     int
	tiled         bool
	chunkW        int // tile width, or the image width for strips
	chunkH        int // tile length, or rows per strip
	offsets       []uint64
	counts        []uint64
}

// isTIFF reports whether data starts with a classic TIFF header.
func isTIFF(data []byte) bool {
	return len(data) >= 4 && (string(data[:4]) == "II*\x00" || string(data[:4]) == "MM\x00*")
}

// tiffEntry is one IFD entry.
type tiffEntry struct {
	typ   uint16
	count uint64
	value []byte // the 4 bytes of the value field
}

// tiffTypeSize is the byte size of the TIFF field types the reader reads.
var tiffTypeSize = map[uint16]uint64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8}

// ints returns the values of an integer entry (BYTE, SHORT or LONG),
// checking that they lie inside the file before reading them.
func (t *tiffFile) ints(tag uint16, e tiffEntry) ([]uint64, error) {
	size, ok := tiffTypeSize[e.typ]
	if !ok || (e.typ != 1 && e.typ != 3 && e.typ != 4) {
		return nil, fmt.Errorf("tag %d has type %d, want an unsigned integer", tag, e.typ)
	}
	n := e.count * size
	raw := e.value
	if n > 4 {
		off := uint64(t.bo.Uint32(e.value))
		if off > uint64(len(t.data)) || n > uint64(len(t.data))-off {
			return nil, fmt.Errorf("tag %d: %d values at offset %d run past the end of the %d-byte file", tag, e.count, off, len(t.data))
		}
		raw = t.data[off : off+n]
	}
	out := make([]uint64, e.count)
	for i := range out {
		switch e.typ {
		case 1:
			out[i] = uint64(raw[i])
		case 3:
			out[i] = uint64(t.bo.Uint16(raw[2*i:]))
		default:
			out[i] = uint64(t.bo.Uint32(raw[4*i:]))
		}
	}
	return out, nil
}

// parseTIFF reads the header and first IFD of a TIFF file, validating every
// count, offset and size against the file length. It does not check the
// pixel limit or whether the reader can decode the pixels.
func parseTIFF(data []byte) (*tiffFile, error) {
	if len(data) < 8 {
		return nil, fmt.Errorf("file of %d bytes is too short for a TIFF header", len(data))
	}
	t := &tiffFile{data: data, format: 1, compression: compNone, planar: 1, predictor: 1}
	switch string(data[:2]) {
	case "II":
		t.bo = binary.LittleEndian
	case "MM":
		t.bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("bad TIFF byte order %q", data[:2])
	}
	switch m := t.bo.Uint16(data[2:]); m {
	case 42:
	case 43:
		return nil, fmt.Errorf("BigTIFF is not supported")
	default:
		return nil, fmt.Errorf("bad TIFF magic number %d", m)
	}
	ifd := uint64(t.bo.Uint32(data[4:]))
	if ifd < 8 || ifd+2 > uint64(len(data)) {
		return nil, fmt.Errorf("first IFD offset %d is outside the %d-byte file", ifd, len(data))
	}
	n := uint64(t.bo.Uint16(data[ifd:]))
	if ifd+2+12*n > uint64(len(data)) {
		return nil, fmt.Errorf("IFD of %d entries at offset %d runs past the end of the %d-byte file", n, ifd, len(data))
	}
	tags := make(map[uint16]tiffEntry, n)
	for i := uint64(0); i < n; i++ {
		e := data[ifd+2+12*i:]
		tags[t.bo.Uint16(e)] = tiffEntry{typ: t.bo.Uint16(e[2:]), count: uint64(t.bo.Uint32(e[4:])), value: e[8:12]}
	}
	// one reads a tag that must hold a single integer; def is used when
	// it is absent (def < 0: the tag is required).
	one := func(tag uint16, def int) (int, error) {
		e, ok := tags[tag]
		if !ok {
			if def < 0 {
				return 0, fmt.Errorf("required tag %d is missing", tag)
			}
			return def, nil
		}
		v, err := t.ints(tag, e)
		if err != nil {
			return 0, err
		}
		if len(v) == 0 || v[0] > math.MaxInt32 {
			return 0, fmt.Errorf("tag %d has no usable value", tag)
		}
		return int(v[0]), nil
	}
	var err error
	if t.width, err = one(tImageWidth, -1); err != nil {
		return nil, err
	}
	if t.height, err = one(tImageLength, -1); err != nil {
		return nil, err
	}
	if t.width == 0 || t.height == 0 {
		return nil, fmt.Errorf("TIFF declares an empty %dx%d image", t.width, t.height)
	}
	if t.spp, err = one(tSamplesPerPixel, 1); err != nil {
		return nil, err
	}
	if t.spp < 1 || t.spp > maxTIFFSamples {
		return nil, fmt.Errorf("TIFF declares %d samples per pixel (1 to %d supported)", t.spp, maxTIFFSamples)
	}
	for _, f := range []struct {
		tag uint16
		dst *int
		def int
	}{
		{tCompression, &t.compression, compNone},
		{tPhotometric, &t.photometric, 1}, // absent: min-is-black
		{tPlanarConfig, &t.planar, 1},
		{tPredictor, &t.predictor, 1},
	} {
		if *f.dst, err = one(f.tag, f.def); err != nil {
			return nil, err
		}
	}
	t.bits, err = t.sameForAll(tags, tBitsPerSample, 1)
	if err != nil {
		return nil, err
	}
	t.format, err = t.sameForAll(tags, tSampleFormat, 1)
	if err != nil {
		return nil, err
	}
	if err := t.readChunks(tags, one); err != nil {
		return nil, err
	}
	return t, nil
}

// sameForAll reads a per-sample tag whose values must all be equal.
func (t *tiffFile) sameForAll(tags map[uint16]tiffEntry, tag uint16, def int) (int, error) {
	e, ok := tags[tag]
	if !ok {
		return def, nil
	}
	v, err := t.ints(tag, e)
	if err != nil {
		return 0, err
	}
	if len(v) == 0 {
		return 0, fmt.Errorf("tag %d has no value", tag)
	}
	for _, x := range v[1:] {
		if x != v[0] {
			return 0, fmt.Errorf("%w: tag %d differs between samples (%v)", errTIFFUnsupported, tag, v)
		}
	}
	if v[0] > math.MaxInt32 {
		return 0, fmt.Errorf("tag %d value %d is out of range", tag, v[0])
	}
	return int(v[0]), nil
}

// readChunks reads the strip or tile layout and checks that every chunk
// lies inside the file.
func (t *tiffFile) readChunks(tags map[uint16]tiffEntry, one func(uint16, int) (int, error)) error {
	offTag, cntTag := uint16(tStripOffsets), uint16(tStripByteCounts)
	var err error
	if _, ok := tags[tTileWidth]; ok {
		t.tiled = true
		offTag, cntTag = tTileOffsets, tTileByteCounts
		if t.chunkW, err = one(tTileWidth, -1); err != nil {
			return err
		}
		if t.chunkH, err = one(tTileLength, -1); err != nil {
			return err
		}
	} else {
		t.chunkW = t.width
		if t.chunkH, err = one(tRowsPerStrip, t.height); err != nil {
			return err
		}
		t.chunkH = min(t.chunkH, t.height)
	}
	if t.chunkW <= 0 || t.chunkH <= 0 {
		return fmt.Errorf("TIFF declares empty %dx%d chunks", t.chunkW, t.chunkH)
	}
	oe, ok := tags[offTag]
	if !ok {
		return fmt.Errorf("required tag %d (chunk offsets) is missing", offTag)
	}
	ce, ok := tags[cntTag]
	if !ok {
		return fmt.Errorf("required tag %d (chunk byte counts) is missing", cntTag)
	}
	if t.offsets, err = t.ints(offTag, oe); err != nil {
		return err
	}
	if t.counts, err = t.ints(cntTag, ce); err != nil {
		return err
	}
	if len(t.offsets) != len(t.counts) {
		return fmt.Errorf("TIFF has %d chunk offsets but %d byte counts", len(t.offsets), len(t.counts))
	}
	for i, off := range t.offsets {
		if off > uint64(len(t.data)) || t.counts[i] > uint64(len(t.data))-off {
			return fmt.Errorf("chunk %d (%d bytes at offset %d) runs past the end of the %d-byte file", i, t.counts[i], off, len(t.data))
		}
	}
	return nil
}

// supported returns an error wrapping errTIFFUnsupported when the raster
// reader cannot decode the pixels of t.
func (t *tiffFile) supported() error {
	switch t.photometric {
	case 0, 1, 2, 5: // min-is-white, min-is-black, RGB, separated
	default:
		return fmt.Errorf("%w: photometric interpretation %d", errTIFFUnsupported, t.photometric)
	}
	switch t.compression {
	case compNone, compLZW, compDeflate, compDeflateZ, compPackBits:
	default:
		return fmt.Errorf("%w: compression %d", errTIFFUnsupported, t.compression)
	}
	ok := (t.format == 1 && (t.bits == 8 || t.bits == 16 || t.bits == 32)) ||
		(t.format == 2 && (t.bits == 8 || t.bits == 16 || t.bits == 32)) ||
		(t.format == 3 && t.bits == 32)
	if !ok {
		return fmt.Errorf("%w: %d-bit samples of format %d", errTIFFUnsupported, t.bits, t.format)
	}
	if t.planar != 1 && t.planar != 2 {
		return fmt.Errorf("planar configuration %d is invalid", t.planar)
	}
	if t.predictor != 1 && (t.predictor != 2 || t.format == 3) {
		return fmt.Errorf("%w: predictor %d", errTIFFUnsupported, t.predictor)
	}
	return nil
}

// decodeTIFFRaster decodes a TIFF with the raster reader; name is used in
// error messages.
func decodeTIFFRaster(name string, data []byte, maxPixels int64) (*Raster, error) {
	t, err := parseTIFF(data)
	if err != nil {
		return nil, fmt.Errorf("imageio: %q: cannot read TIFF header: %w", name, err)
	}
	if err := t.supported(); err != nil {
		return nil, fmt.Errorf("imageio: %q: cannot decode tiff image: %w", name, err)
	}
	r, err := t.decode(maxPixels)
	if err != nil {
		return nil, fmt.Errorf("imageio: %q: cannot decode tiff image: %w", name, err)
	}
	return r, nil
}

// decode reads the pixels of t into a raster, refusing images or chunks of
// more than maxPixels pixels before allocating them.
func (t *tiffFile) decode(maxPixels int64) (*Raster, error) {
	w, h, spp := t.width, t.height, t.spp
	if px := int64(w) * int64(h); px > maxPixels {
		return nil, fmt.Errorf("%dx%d = %d pixels, over the limit of %d: %w", w, h, px, maxPixels, ErrTooLarge)
	}
	if int64(w)*int64(h)*int64(spp) > 4*maxPixels {
		return nil, fmt.Errorf("%dx%d pixels of %d samples exceed the limit of %d samples: %w", w, h, spp, 4*maxPixels, ErrTooLarge)
	}
	if int64(t.chunkW)*int64(t.chunkH) > maxPixels {
		return nil, fmt.Errorf("%dx%d chunks exceed the pixel limit of %d: %w", t.chunkW, t.chunkH, maxPixels, ErrTooLarge)
	}
	across := (w + t.chunkW - 1) / t.chunkW
	down := (h + t.chunkH - 1) / t.chunkH
	planes, perChunk := 1, spp
	if t.planar == 2 {
		planes, perChunk = spp, 1
	}
	if need := across * down * planes; len(t.offsets) < need {
		return nil, fmt.Errorf("TIFF has %d chunks, its %dx%d layout needs %d", len(t.offsets), across, down, need)
	}
	bps := t.bits / 8
	r := &Raster{W: w, H: h, Bands: spp, Pix: make([]float32, w*h*spp), Max: sampleMax(t.format, t.bits)}
	buf := make([]byte, t.chunkW*t.chunkH*perChunk*bps)
	row := make([]uint32, t.chunkW*perChunk)
	for p := 0; p < planes; p++ {
		for cy := 0; cy < down; cy++ {
			for cx := 0; cx < across; cx++ {
				i := (p*down+cy)*across + cx
				rows := t.chunkH
				if !t.tiled {
					rows = min(t.chunkH, h-cy*t.chunkH)
				}
				need := t.chunkW * rows * perChunk * bps
				if err := t.inflate(i, buf[:need]); err != nil {
					return nil, err
				}
				t.place(r, buf[:need], row, p, perChunk, cx*t.chunkW, cy*t.chunkH, rows)
			}
		}
	}
	return r, nil
}

// sampleMax is the nominal full-scale value of a sample type.
func sampleMax(format, bits int) float32 {
	switch {
	case format == 3:
		return 1
	case format == 2:
		return float32(uint64(1)<<(bits-1) - 1)
	default:
		return float32(uint64(1)<<bits - 1)
	}
}

// inflate decompresses chunk i into dst, which must be filled exactly.
func (t *tiffFile) inflate(i int, dst []byte) error {
	src := t.data[t.offsets[i] : t.offsets[i]+t.counts[i]]
	var r io.Reader
	switch t.compression {
	case compNone:
		if len(src) < len(dst) {
			return fmt.Errorf("chunk %d holds %d bytes, its pixels need %d: %w", i, len(src), len(dst), io.ErrUnexpectedEOF)
		}
		copy(dst, src)
		return nil
	case compPackBits:
		return unpackBits(dst, src, i)
	case compLZW:
		lr := lzw.NewReader(bytes.NewReader(src), lzw.MSB, 8)
		defer lr.Close()
		r = lr
	default: // deflate
		zr, err := zlib.NewReader(bytes.NewReader(src))
		if err != nil {
			return fmt.Errorf("chunk %d: %w", i, err)
		}
		defer zr.Close()
		r = zr
	}
	if _, err := io.ReadFull(r, dst); err != nil {
		return fmt.Errorf("chunk %d: decompressing %d bytes: %w", i, len(dst), err)
	}
	return nil
}

// unpackBits decodes PackBits data from src into dst.
func unpackBits(dst, src []byte, chunk int) error {
	d := 0
	for s := 0; d < len(dst); {
		if s >= len(src) {
			return fmt.Errorf("chunk %d: PackBits data ends after %d of %d bytes: %w", chunk, d, len(dst), io.ErrUnexpectedEOF)
		}
		n := int(int8(src[s]))
		s++
		switch {
		case n >= 0:
			if s+n+1 > len(src) || d+n+1 > len(dst) {
				return fmt.Errorf("chunk %d: PackBits literal run overflows", chunk)
			}
			d += copy(dst[d:], src[s:s+n+1])
			s += n + 1
		case n != -128:
			if s >= len(src) || d+1-n > len(dst) {
				return fmt.Errorf("chunk %d: PackBits repeat run overflows", chunk)
			}
			for k := 0; k < 1-n; k++ {
				dst[d+k] = src[s]
			}
			d += 1 - n
			s++
		}
	}
	return nil
}

// place writes the decoded chunk buf, whose top left pixel is (x0, y0), into
// r. With planar data the chunk holds band p only. row is scratch space
// for one chunk row of samples.
func (t *tiffFile) place(r *Raster, buf []byte, row []uint32, p, perChunk, x0, y0, rows int) {
	bps := t.bits / 8
	cw := t.chunkW
	mask := uint32(1<<t.bits - 1)
	if t.bits == 32 {
		mask = math.MaxUint32
	}
	for y := 0; y < rows && y0+y < r.H; y++ {
		line := buf[y*cw*perChunk*bps:]
		for k := range row {
			switch bps {
			case 1:
				row[k] = uint32(line[k])
			case 2:
				row[k] = uint32(t.bo.Uint16(line[2*k:]))
			default:
				row[k] = t.bo.Uint32(line[4*k:])
			}
		}
		if t.predictor == 2 {
			for k := perChunk; k < len(row); k++ {
				row[k] = (row[k] + row[k-perChunk]) & mask
			}
		}
		out := r.Pix[((y0+y)*r.W)*r.Bands:]
		for x := 0; x < cw && x0+x < r.W; x++ {
			for s := 0; s < perChunk; s++ {
				v := row[x*perChunk+s]
				var f float32
				switch {
				case t.format == 3:
					f = math.Float32frombits(v)
				case t.format == 2 && t.bits == 8:
					f = float32(int8(v))
				case t.format == 2 && t.bits == 16:
					f = float32(int16(v))
				case t.format == 2:
					f = float32(int32(v))
				default:
					f = float32(v)
				}
				out[(x0+x)*r.Bands+p+s] = f
			}
		}
	}
}
