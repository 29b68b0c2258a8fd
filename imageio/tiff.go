package imageio

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"image"
	"io"
	"math"

	"golang.org/x/image/tiff"
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
var errTIFFUnsupported = fmt.Errorf("TIFF variant %w", errRasterUnsupported)

// TIFF, GeoTIFF among them, is a raster format: golang.org/x/image/tiff
// decodes the RGB pictures it can, and the raster reader below the rest
// and every TIFF's bands.
func init() {
	registerRaster(rasterFormat{
		name: "tiff", title: "TIFF", match: isTIFF,
		// image.DecodeConfig would hand golang.org/x/image/tiff a stream,
		// which it buffers up to the first IFD, wherever in the file.
		config: func(r io.ReaderAt, size int64) (image.Config, error) {
			return tiff.DecodeConfig(io.NewSectionReader(r, 0, size))
		},
		// golang.org/x/image/tiff refuses the headers of TIFFs with more
		// than 4 samples; this parser reads them, and tells the samples
		// and their size of every TIFF.
		open: func(r io.ReaderAt, size int64) (rasterFile, error) {
			t, err := parseTIFFAt(r, size)
			if err != nil {
				return nil, err
			}
			return t, nil
		},
	})
}

func (t *tiffFile) dims() (int, int)       { return t.width, t.height }
func (t *tiffFile) sampleSize() (int, int) { return t.spp, t.bits }

// rgbFromBands reports whether the RGB picture of t is its first three
// bands, or its first band as grey, as Raster.Image renders them: true
// for grey and RGB images without alpha and for multi-band rasters.
func (t *tiffFile) rgbFromBands() bool {
	switch {
	case t.photometric == 1:
		return t.spp != 2
	case t.photometric == 2:
		return t.spp == 3 || t.spp > 4
	}
	return false
}

// tiffFile is the first image of a TIFF file as the raster reader sees it.
// Its pixels are read from r, the file of size bytes, chunk by chunk, so
// that a window of a large file is read without holding the whole file.
type tiffFile struct {
	r             io.ReaderAt
	size          uint64
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
	tags          map[uint16]tiffEntry // the first IFD's entries
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
	if e.count > t.size {
		return nil, fmt.Errorf("tag %d declares %d values, more than the %d-byte file holds", tag, e.count, t.size)
	}
	n := e.count * size
	raw := e.value
	if n > 4 {
		off := uint64(t.bo.Uint32(e.value))
		if off > t.size || n > t.size-off {
			return nil, fmt.Errorf("tag %d: %d values at offset %d run past the end of the %d-byte file", tag, e.count, off, t.size)
		}
		raw = make([]byte, n)
		if _, err := t.r.ReadAt(raw, int64(off)); err != nil {
			return nil, fmt.Errorf("tag %d: reading %d values at offset %d: %w", tag, e.count, off, err)
		}
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

// parseTIFF reads the header and first IFD of the TIFF file held in data;
// see parseTIFFAt.
func parseTIFF(data []byte) (*tiffFile, error) {
	return parseTIFFAt(bytes.NewReader(data), int64(len(data)))
}

// parseTIFFAt reads the header and first IFD of a TIFF file of size bytes
// read from r, validating every count, offset and size against the file
// length. It does not check the pixel limit or whether the reader can
// decode the pixels.
func parseTIFFAt(r io.ReaderAt, size int64) (*tiffFile, error) {
	if size < 8 {
		return nil, fmt.Errorf("file of %d bytes is too short for a TIFF header", size)
	}
	t := &tiffFile{r: r, size: uint64(size), format: 1, compression: compNone, planar: 1, predictor: 1}
	var head [8]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return nil, fmt.Errorf("reading the TIFF header: %w", err)
	}
	switch string(head[:2]) {
	case "II":
		t.bo = binary.LittleEndian
	case "MM":
		t.bo = binary.BigEndian
	default:
		return nil, fmt.Errorf("bad TIFF byte order %q", head[:2])
	}
	switch m := t.bo.Uint16(head[2:]); m {
	case 42:
	case 43:
		return nil, fmt.Errorf("BigTIFF is not supported")
	default:
		return nil, fmt.Errorf("bad TIFF magic number %d", m)
	}
	ifd := uint64(t.bo.Uint32(head[4:]))
	if ifd < 8 || ifd+2 > t.size {
		return nil, fmt.Errorf("first IFD offset %d is outside the %d-byte file", ifd, size)
	}
	var cnt [2]byte
	if _, err := r.ReadAt(cnt[:], int64(ifd)); err != nil {
		return nil, fmt.Errorf("reading the IFD at offset %d: %w", ifd, err)
	}
	n := uint64(t.bo.Uint16(cnt[:]))
	if ifd+2+12*n > t.size {
		return nil, fmt.Errorf("IFD of %d entries at offset %d runs past the end of the %d-byte file", n, ifd, size)
	}
	entries := make([]byte, 12*n)
	if _, err := r.ReadAt(entries, int64(ifd+2)); err != nil {
		return nil, fmt.Errorf("reading the IFD at offset %d: %w", ifd, err)
	}
	tags := make(map[uint16]tiffEntry, n)
	for i := uint64(0); i < n; i++ {
		e := entries[12*i:]
		tags[t.bo.Uint16(e)] = tiffEntry{typ: t.bo.Uint16(e[2:]), count: uint64(t.bo.Uint32(e[4:])), value: e[8:12]}
	}
	t.tags = tags
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
		if off > t.size || t.counts[i] > t.size-off {
			return fmt.Errorf("chunk %d (%d bytes at offset %d) runs past the end of the %d-byte file", i, t.counts[i], off, t.size)
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

// decode reads every pixel of t into a raster, refusing images or chunks
// of more than maxPixels pixels before allocating them.
func (t *tiffFile) decode(maxPixels int64) (*Raster, error) {
	if px := int64(t.width) * int64(t.height); px > maxPixels {
		return nil, fmt.Errorf("%dx%d = %d pixels, over the limit of %d: %w", t.width, t.height, px, maxPixels, ErrTooLarge)
	}
	if int64(t.chunkW)*int64(t.chunkH) > maxPixels {
		return nil, fmt.Errorf("%dx%d chunks exceed the pixel limit of %d: %w", t.chunkW, t.chunkH, maxPixels, ErrTooLarge)
	}
	return t.window(image.Rect(0, 0, t.width, t.height), 1, maxPixels)
}

// maxChunkRow bounds the bytes of one chunk row the reader holds at a time.
const maxChunkRow = 256 << 20

// window reads the pixels of t inside win, reduced by the factor f ≥ 1:
// each pixel of the result is the mean of an f×f block of the window's
// pixels (blocks cut by the window's right or bottom edge average the
// pixels they hold), so a large window can be read at a small size. Only
// the chunks that meet win are read, a row at a time. The result's size is
// checked against maxPixels, and the row held against maxChunkRow, before
// anything is allocated.
func (t *tiffFile) window(win image.Rectangle, f int, maxPixels int64) (*Raster, error) {
	w, h, spp := t.width, t.height, t.spp
	win = win.Intersect(image.Rect(0, 0, w, h))
	if win.Empty() {
		return nil, fmt.Errorf("window %v lies outside the %dx%d image", win, w, h)
	}
	f = max(f, 1)
	ow, oh := (win.Dx()+f-1)/f, (win.Dy()+f-1)/f
	if px := int64(ow) * int64(oh); px > maxPixels {
		return nil, fmt.Errorf("a window of %dx%d = %d pixels, over the limit of %d: %w", ow, oh, px, maxPixels, ErrTooLarge)
	}
	if int64(ow)*int64(oh)*int64(spp) > 4*maxPixels {
		return nil, fmt.Errorf("%dx%d pixels of %d samples exceed the limit of %d samples: %w", ow, oh, spp, 4*maxPixels, ErrTooLarge)
	}
	planes, perChunk := 1, spp
	if t.planar == 2 {
		planes, perChunk = spp, 1
	}
	if t.chunkW > w+4096 {
		return nil, fmt.Errorf("chunks %d pixels wide for an image %d pixels wide", t.chunkW, w)
	}
	bps := t.bits / 8
	rowBytes := int64(t.chunkW) * int64(perChunk) * int64(bps)
	if rowBytes > maxChunkRow {
		return nil, fmt.Errorf("chunk rows of %d bytes exceed the limit of %d: %w", rowBytes, maxChunkRow, ErrTooLarge)
	}
	across := (w + t.chunkW - 1) / t.chunkW
	down := (h + t.chunkH - 1) / t.chunkH
	if need := across * down * planes; len(t.offsets) < need {
		return nil, fmt.Errorf("TIFF has %d chunks, its %dx%d layout needs %d", len(t.offsets), across, down, need)
	}
	r := &Raster{W: ow, H: oh, Bands: spp, Pix: make([]float32, ow*oh*spp), Max: sampleMax(t.format, t.bits)}
	var acc []float64 // the sums of f×f blocks when f > 1
	if f > 1 {
		acc = make([]float64, len(r.Pix))
	}
	line := make([]byte, rowBytes)
	row := make([]uint32, t.chunkW*perChunk)
	for p := 0; p < planes; p++ {
		for cy := 0; cy < down; cy++ {
			y0 := cy * t.chunkH
			rows := t.chunkH
			if !t.tiled {
				rows = min(t.chunkH, h-y0)
			}
			if y0 >= win.Max.Y || y0+rows <= win.Min.Y {
				continue
			}
			for cx := 0; cx < across; cx++ {
				x0 := cx * t.chunkW
				if x0 >= win.Max.X || x0+t.chunkW <= win.Min.X {
					continue
				}
				i := (p*down+cy)*across + cx
				if err := t.readChunk(i, y0, rows, x0, p, perChunk, win, f, line, row, r, acc); err != nil {
					return nil, err
				}
			}
		}
	}
	if f > 1 {
		for oy := 0; oy < oh; oy++ {
			bh := min(f, win.Dy()-oy*f)
			for ox := 0; ox < ow; ox++ {
				n := float64(bh * min(f, win.Dx()-ox*f))
				k := (oy*ow + ox) * spp
				for s := 0; s < spp; s++ {
					r.Pix[k+s] = float32(acc[k+s] / n)
				}
			}
		}
	}
	return r, nil
}

// readChunk reads the rows of chunk i (whose top left pixel is (x0, y0),
// holding band p alone with planar data) that meet win, and writes their
// samples inside win into r, or adds them to acc's blocks when f > 1. line
// and row are scratch space for one chunk row.
func (t *tiffFile) readChunk(i, y0, rows, x0, p, perChunk int, win image.Rectangle, f int, line []byte, row []uint32, r *Raster, acc []float64) error {
	src, err := t.chunkReader(i)
	if err != nil {
		return fmt.Errorf("chunk %d: %w", i, err)
	}
	defer src.Close()
	xa, xb := max(x0, win.Min.X), min(x0+t.chunkW, win.Max.X)
	for ry := 0; ry < rows; ry++ {
		y := y0 + ry
		if y >= win.Max.Y {
			break
		}
		if _, err := io.ReadFull(src, line); err != nil {
			return fmt.Errorf("chunk %d: reading row %d of %d (%d bytes): %w", i, ry+1, rows, len(line), err)
		}
		if y < win.Min.Y {
			continue
		}
		t.samples(line, row, perChunk)
		oy := (y - win.Min.Y) / f
		for x := xa; x < xb; x++ {
			k := (oy*r.W+(x-win.Min.X)/f)*r.Bands + p
			for s := 0; s < perChunk; s++ {
				v := t.value(row[(x-x0)*perChunk+s])
				if acc != nil {
					acc[k+s] += float64(v)
				} else {
					r.Pix[k+s] = v
				}
			}
		}
	}
	return nil
}

// chunkReader returns a reader of chunk i's decompressed bytes.
func (t *tiffFile) chunkReader(i int) (io.ReadCloser, error) {
	src := io.NewSectionReader(t.r, int64(t.offsets[i]), int64(t.counts[i]))
	switch t.compression {
	case compNone:
		return io.NopCloser(src), nil
	case compPackBits:
		return io.NopCloser(&packBitsReader{r: bufio.NewReader(src)}), nil
	case compLZW:
		return lzw.NewReader(src, lzw.MSB, 8), nil
	default: // deflate
		zr, err := zlib.NewReader(src)
		if err != nil {
			return nil, err
		}
		return zr, nil
	}
}

// samples decodes one chunk row of raw bytes into row, undoing the
// horizontal predictor.
func (t *tiffFile) samples(line []byte, row []uint32, perChunk int) {
	mask := uint32(1<<t.bits - 1)
	if t.bits == 32 {
		mask = math.MaxUint32
	}
	for k := range row {
		switch t.bits {
		case 8:
			row[k] = uint32(line[k])
		case 16:
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
}

// value converts a raw sample to its number.
func (t *tiffFile) value(v uint32) float32 {
	switch {
	case t.format == 3:
		return math.Float32frombits(v)
	case t.format == 2 && t.bits == 8:
		return float32(int8(v))
	case t.format == 2 && t.bits == 16:
		return float32(int16(v))
	case t.format == 2:
		return float32(int32(v))
	default:
		return float32(v)
	}
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

// packBitsReader decodes a PackBits stream as it is read.
type packBitsReader struct {
	r   io.ByteReader
	lit int  // literal bytes left in the current run
	rep int  // repetitions of b left in the current run
	b   byte // the byte a repeat run repeats
}

// Read fills dst with decoded bytes. The stream ending inside a run is
// io.ErrUnexpectedEOF; ending between runs is io.EOF.
func (p *packBitsReader) Read(dst []byte) (int, error) {
	n := 0
	for n < len(dst) {
		switch {
		case p.lit > 0:
			c, err := p.r.ReadByte()
			if err != nil {
				return n, fmt.Errorf("PackBits literal run: %w", io.ErrUnexpectedEOF)
			}
			dst[n] = c
			n++
			p.lit--
		case p.rep > 0:
			dst[n] = p.b
			n++
			p.rep--
		default:
			h, err := p.r.ReadByte()
			if err != nil {
				if n > 0 {
					return n, nil
				}
				return 0, io.EOF
			}
			switch c := int(int8(h)); {
			case c >= 0:
				p.lit = c + 1
			case c != -128:
				b, err := p.r.ReadByte()
				if err != nil {
					return n, fmt.Errorf("PackBits repeat run: %w", io.ErrUnexpectedEOF)
				}
				p.b, p.rep = b, 1-c
			}
		}
	}
	return n, nil
}
