// Package imagetest builds image files for tests: valid images with
// distinct content, and crafted bad ones.
package imagetest

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"io"
)

// Noisy returns a w×h image with pseudo-random content derived from seed.
func Noisy(w, h int, seed uint32) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	s := seed*2654435761 + 1
	for i := range img.Pix {
		s ^= s << 13
		s ^= s >> 17
		s ^= s << 5
		img.Pix[i] = uint8(s)
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	return img
}

// PNG encodes img as PNG.
func PNG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err) // cannot happen with an in-memory writer
	}
	return buf.Bytes()
}

// JPEG encodes img as JPEG at quality 90.
func JPEG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		panic(err) // cannot happen with an in-memory writer
	}
	return buf.Bytes()
}

// TruncatedJPEG returns the first half of a noisy 64×64 JPEG: a valid
// header followed by cut scan data.
func TruncatedJPEG() []byte {
	b := JPEG(Noisy(64, 64, 1))
	return b[:len(b)/2]
}

// PNGHeader returns a PNG signature and a valid IHDR chunk (with its CRC)
// declaring w×h 8-bit RGB pixels, and no image data: a decompression bomb
// as far as the header is concerned.
func PNGHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	chunk := make([]byte, 4, 4+4+13+4)
	binary.BigEndian.PutUint32(chunk, 13)
	chunk = append(chunk, "IHDR"...)
	chunk = append(chunk, ihdr...)
	chunk = binary.BigEndian.AppendUint32(chunk, crc32.ChecksumIEEE(chunk[4:]))
	return append([]byte("\x89PNG\r\n\x1a\n"), chunk...)
}

// ZeroGrayPNG encodes a w×h 8-bit grey PNG of zeros, deflating a row at a
// time, so that the file is a few kilobytes whatever its size: a large
// image (or mask) that costs nothing to write.
func ZeroGrayPNG(w, h int) []byte {
	chunk := func(dst []byte, typ string, data []byte) []byte {
		dst = binary.BigEndian.AppendUint32(dst, uint32(len(data)))
		start := len(dst)
		dst = append(append(dst, typ...), data...)
		return binary.BigEndian.AppendUint32(dst, crc32.ChecksumIEEE(dst[start:]))
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(w)), uint32(h))
	ihdr = append(ihdr, 8, 0, 0, 0, 0)
	var idat bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+w)
	for range h {
		zw.Write(row) // writes to a bytes.Buffer do not fail
	}
	zw.Close()
	out := chunk([]byte("\x89PNG\r\n\x1a\n"), "IHDR", ihdr)
	out = chunk(out, "IDAT", idat.Bytes())
	return chunk(out, "IEND", nil)
}

// WriteTIFF writes a width×height little-endian, uncompressed TIFF of
// 8-bit samples to w, a row at a time: bands 1 is grey, 3 is RGB, and any
// other number of bands is a min-is-black multi-band raster, as GeoTIFFs
// from drones are. Sample b of pixel (x, y) is at(x, y, b); the pixels are
// stored in strips of rowsPerStrip rows.
func WriteTIFF(w io.Writer, width, height, bands, rowsPerStrip int, at func(x, y, b int) uint8) error {
	if width < 1 || height < 1 || bands < 1 || rowsPerStrip < 1 {
		return fmt.Errorf("imagetest: a TIFF of %dx%d pixels, %d bands, %d rows per strip", width, height, bands, rowsPerStrip)
	}
	rowBytes := uint64(width * bands)
	dataLen := rowBytes * uint64(height)
	strips := (height + rowsPerStrip - 1) / rowsPerStrip
	if 8+dataLen+uint64(12*strips)+4096 > 1<<32 {
		return fmt.Errorf("imagetest: %dx%dx%d samples do not fit a TIFF", width, height, bands)
	}
	const le = "II*\x00"
	ifd := 8 + uint32(dataLen)
	ifd += ifd & 1 // word-aligned
	type entry struct {
		tag, typ uint16
		vals     []uint32
	}
	photometric := uint32(1)
	if bands == 3 {
		photometric = 2
	}
	offsets, counts := make([]uint32, strips), make([]uint32, strips)
	for i := range strips {
		rows := min(rowsPerStrip, height-i*rowsPerStrip)
		offsets[i] = 8 + uint32(uint64(i*rowsPerStrip)*rowBytes)
		counts[i] = uint32(uint64(rows) * rowBytes)
	}
	bits := make([]uint32, bands)
	for i := range bits {
		bits[i] = 8
	}
	entries := []entry{
		{256, 4, []uint32{uint32(width)}}, {257, 4, []uint32{uint32(height)}}, {258, 3, bits},
		{259, 3, []uint32{1}}, {262, 3, []uint32{photometric}}, {273, 4, offsets},
		{277, 3, []uint32{uint32(bands)}}, {278, 4, []uint32{uint32(rowsPerStrip)}}, {279, 4, counts},
		{284, 3, []uint32{1}},
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(le)
	binary.Write(bw, binary.LittleEndian, ifd)
	row := make([]byte, rowBytes)
	for y := range height {
		for x := range width {
			for b := range bands {
				row[x*bands+b] = at(x, y, b)
			}
		}
		bw.Write(row)
	}
	if ifd > 8+uint32(dataLen) {
		bw.WriteByte(0)
	}
	// The IFD, then the values too long for an entry.
	extra := ifd + 2 + 12*uint32(len(entries)) + 4
	var tail []byte
	binary.Write(bw, binary.LittleEndian, uint16(len(entries)))
	for _, e := range entries {
		size := uint32(4)
		if e.typ == 3 {
			size = 2
		}
		binary.Write(bw, binary.LittleEndian, [2]uint16{e.tag, e.typ})
		binary.Write(bw, binary.LittleEndian, uint32(len(e.vals)))
		var val []byte
		for _, v := range e.vals {
			if e.typ == 3 {
				val = binary.LittleEndian.AppendUint16(val, uint16(v))
			} else {
				val = binary.LittleEndian.AppendUint32(val, v)
			}
		}
		if uint32(len(e.vals))*size <= 4 {
			bw.Write(append(val, make([]byte, 4-len(val))...))
			continue
		}
		binary.Write(bw, binary.LittleEndian, extra+uint32(len(tail)))
		tail = append(tail, val...)
	}
	binary.Write(bw, binary.LittleEndian, uint32(0)) // no next IFD
	bw.Write(tail)
	return bw.Flush()
}
