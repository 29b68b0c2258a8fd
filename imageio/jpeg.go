package imageio

import (
	"encoding/binary"
	"image"
)

// jpegSegments calls f with each marker segment of the JPEG held in data,
// from the start of the file up to the start of scan, until f returns
// false. seg is the segment's payload without its length field. It stops
// silently at the first malformed segment.
func jpegSegments(data []byte, f func(marker byte, seg []byte) bool) {
	if len(data) < 4 || data[0] != 0xFF || data[1] != 0xD8 {
		return
	}
	for p := 2; p+4 <= len(data); {
		if data[p] != 0xFF {
			return
		}
		marker := data[p+1]
		if marker == 0xFF { // fill byte
			p++
			continue
		}
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image
			return
		}
		n := int(binary.BigEndian.Uint16(data[p+2:]))
		if n < 2 || p+2+n > len(data) {
			return
		}
		if !f(marker, data[p+4:p+2+n]) {
			return
		}
		p += 2 + n
	}
}

// isSOF reports whether marker starts a frame (SOF0..SOF15 less DHT, JPG
// and DAC).
func isSOF(marker byte) bool {
	return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC
}

// adobeCMYK is an Adobe APP14 segment declaring transform 0 (CMYK stored
// without colour transform).
var adobeCMYK = []byte{0xFF, 0xEE, 0x00, 0x0E, 'A', 'd', 'o', 'b', 'e', 0x00, 0x64, 0x00, 0x00, 0x00, 0x00, 0x00}

// withAdobeMarker returns data with an Adobe APP14 segment inserted after
// the start-of-image marker when data is a 4-component JPEG without one, and
// data itself otherwise. libjpeg reads a 4-component frame without the
// marker as CMYK, which is what transform 0 tells image/jpeg; and PIL
// reads every CMYK JPEG as Adobe-inverted, which is how image/jpeg reads a
// file that has the marker, so no inversion needs fixing afterwards.
func withAdobeMarker(data []byte) []byte {
	comps, adobe := 0, false
	jpegSegments(data, func(marker byte, seg []byte) bool {
		switch {
		case marker == 0xEE && len(seg) >= 5 && string(seg[:5]) == "Adobe":
			adobe = true
		case isSOF(marker) && len(seg) >= 6:
			comps = int(seg[5])
		}
		return true
	})
	if comps != 4 || adobe {
		return data
	}
	out := make([]byte, 0, len(data)+len(adobeCMYK))
	out = append(out, data[:2]...)
	out = append(out, adobeCMYK...)
	return append(out, data[2:]...)
}

// muldiv255 is a*b/255 rounded the way PIL computes it.
func muldiv255(a, b int) int {
	t := a*b + 128
	return ((t >> 8) + t) >> 8
}

// cmykToRGBA converts a CMYK image to RGB with PIL's formula (R = (255-K) -
// C×(255-K)/255, and likewise G from M and B from Y), which is what
// PIL's Image.convert("RGB") gives.
func cmykToRGBA(src *image.CMYK) *image.RGBA {
	b := src.Rect
	dst := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		s := src.Pix[y*src.Stride : y*src.Stride+4*b.Dx()]
		d := dst.Pix[y*dst.Stride : y*dst.Stride+4*b.Dx()]
		for i := 0; i < len(s); i += 4 {
			nk := 255 - int(s[i+3])
			d[i] = uint8(nk - muldiv255(int(s[i]), nk))
			d[i+1] = uint8(nk - muldiv255(int(s[i+1]), nk))
			d[i+2] = uint8(nk - muldiv255(int(s[i+2]), nk))
			d[i+3] = 255
		}
	}
	return dst
}
