package imageio

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/imageio/imagetest"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"
)

// tinyWebP is a 1×1 lossless WebP image.
const tinyWebP = "UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA=="

// quadrants returns a w×h image whose quadrants are red (top left), green
// (top right), blue (bottom left) and white (bottom right).
func quadrants(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var c color.RGBA
			switch {
			case x < w/2 && y < h/2:
				c = color.RGBA{255, 0, 0, 255}
			case y < h/2:
				c = color.RGBA{0, 255, 0, 255}
			case x < w/2:
				c = color.RGBA{0, 0, 255, 255}
			default:
				c = color.RGBA{255, 255, 255, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

func encode(t *testing.T, format string, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	var err error
	switch format {
	case "jpeg":
		err = jpeg.Encode(&buf, img, &jpeg.Options{Quality: 95})
	case "png":
		err = png.Encode(&buf, img)
	case "gif":
		err = gif.Encode(&buf, img, nil)
	case "bmp":
		err = bmp.Encode(&buf, img)
	case "tiff":
		err = tiff.Encode(&buf, img, nil)
	case "webp":
		return mustBase64(t, tinyWebP)
	}
	if err != nil {
		t.Fatalf("encode %s: %v", format, err)
	}
	return buf.Bytes()
}

func mustBase64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func writeFile(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestDecodeFormats(t *testing.T) {
	for _, tc := range []struct {
		format string
		w, h   int
	}{
		{"jpeg", 16, 8}, {"png", 16, 8}, {"gif", 16, 8}, {"bmp", 16, 8}, {"tiff", 16, 8}, {"webp", 1, 1},
	} {
		t.Run(tc.format, func(t *testing.T) {
			p := writeFile(t, "img."+tc.format, encode(t, tc.format, quadrants(tc.w, tc.h)))
			img, err := DecodeFile(p, 0)
			if err != nil {
				t.Fatal(err)
			}
			if b := img.Bounds(); b.Dx() != tc.w || b.Dy() != tc.h {
				t.Fatalf("got %v, want %dx%d", b, tc.w, tc.h)
			}
		})
	}
}

// withExif inserts an APP1 Exif segment holding only an orientation tag
// right after the SOI marker of a JPEG.
func withExif(jpg []byte, orientation int, bo binary.ByteOrder) []byte {
	tiffHdr := make([]byte, 8+2+12+4)
	if bo == binary.LittleEndian {
		copy(tiffHdr, "II")
	} else {
		copy(tiffHdr, "MM")
	}
	bo.PutUint16(tiffHdr[2:], 42)
	bo.PutUint32(tiffHdr[4:], 8)
	bo.PutUint16(tiffHdr[8:], 1)                    // one entry
	bo.PutUint16(tiffHdr[10:], tagOrientation)      // tag
	bo.PutUint16(tiffHdr[12:], 3)                   // SHORT
	bo.PutUint32(tiffHdr[14:], 1)                   // count
	bo.PutUint16(tiffHdr[18:], uint16(orientation)) // value
	payload := append([]byte("Exif\x00\x00"), tiffHdr...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	return append(out, jpg[2:]...)
}

func TestJPEGOrientation(t *testing.T) {
	const R, G, B, W = "R", "G", "B", "W"
	stored := encode(t, "jpeg", quadrants(64, 32))
	// Expected colours at the upright corners: top left, top right,
	// bottom left, bottom right.
	for _, tc := range []struct {
		orientation int
		w, h        int
		corners     [4]string
	}{
		{1, 64, 32, [4]string{R, G, B, W}},
		{2, 64, 32, [4]string{G, R, W, B}},
		{3, 64, 32, [4]string{W, B, G, R}},
		{4, 64, 32, [4]string{B, W, R, G}},
		{5, 32, 64, [4]string{R, B, G, W}},
		{6, 32, 64, [4]string{B, R, W, G}},
		{7, 32, 64, [4]string{W, G, B, R}},
		{8, 32, 64, [4]string{G, W, R, B}},
	} {
		for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
			data := withExif(stored, tc.orientation, bo)
			if got := jpegOrientation(data); got != tc.orientation {
				t.Fatalf("orientation %d (%v): parsed %d", tc.orientation, bo, got)
			}
			img, err := DecodeBytes("x.jpg", data, 0)
			if err != nil {
				t.Fatal(err)
			}
			b := img.Bounds()
			if b.Dx() != tc.w || b.Dy() != tc.h {
				t.Fatalf("orientation %d: size %v, want %dx%d", tc.orientation, b, tc.w, tc.h)
			}
			pts := [4]image.Point{{4, 4}, {b.Dx() - 5, 4}, {4, b.Dy() - 5}, {b.Dx() - 5, b.Dy() - 5}}
			for i, pt := range pts {
				if got := colourName(img.At(pt.X, pt.Y)); got != tc.corners[i] {
					t.Errorf("orientation %d (%v) corner %d: got %s, want %s", tc.orientation, bo, i, got, tc.corners[i])
				}
			}
		}
	}
}

func colourName(c color.Color) string {
	r, g, b, _ := c.RGBA()
	hi := func(v uint32) bool { return v > 0x8000 }
	switch {
	case hi(r) && hi(g) && hi(b):
		return "W"
	case hi(r):
		return "R"
	case hi(g):
		return "G"
	case hi(b):
		return "B"
	}
	return "?"
}

func TestJPEGOrientationMalformed(t *testing.T) {
	jpg := encode(t, "jpeg", quadrants(16, 16))
	for name, data := range map[string][]byte{
		"no exif":       jpg,
		"not jpeg":      []byte("hello world"),
		"bad tiff":      append(append([]byte{0xFF, 0xD8, 0xFF, 0xE1, 0, 12}, "Exif\x00\x00XXXX"...), jpg[2:]...),
		"value 9":       withExif(jpg, 9, binary.BigEndian),
		"truncated seg": {0xFF, 0xD8, 0xFF, 0xE1, 0x10, 0x00, 'E'},
	} {
		if got := jpegOrientation(data); got != 1 {
			t.Errorf("%s: got %d, want 1", name, got)
		}
	}
}

func TestBadInput(t *testing.T) {
	jpg := imagetest.JPEG(imagetest.Noisy(64, 64, 1))
	for _, tc := range []struct {
		name, file string
		data       []byte
		max        int64
		is         error
		msg        string
	}{
		{"zero bytes", "empty.jpg", nil, 0, ErrEmpty, "empty"},
		{"truncated jpeg", "cut.jpg", imagetest.TruncatedJPEG(), 0, nil, "cannot decode jpeg"},
		{"png bomb", "bomb.png", imagetest.PNGHeader(100000, 100000), 0, ErrTooLarge, "100000x100000"},
		{"over custom limit", "big.jpg", jpg, 1000, ErrTooLarge, "limit of 1000"},
		{"not an image", "notes.png", []byte("just some text"), 0, ErrUnknownFormat, "not a supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, tc.file, tc.data)
			_, err := DecodeFile(p, tc.max)
			if err == nil {
				t.Fatal("no error")
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v is not %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.file) || !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("error %q should name %s and say %q", err, tc.file, tc.msg)
			}
		})
	}
	if _, err := DecodeFile(filepath.Join(t.TempDir(), "missing.png"), 0); err == nil || !strings.Contains(err.Error(), "missing.png") {
		t.Errorf("missing file: %v", err)
	}
}
