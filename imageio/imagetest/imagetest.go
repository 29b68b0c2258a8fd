// Package imagetest builds image files for tests: valid images with
// distinct content, and crafted bad ones.
package imagetest

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
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
