package imageio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"mlabel/imageio/imagetest"
)

// ReadFile refuses special files without reading them, checks the header
// before the rest, and refuses a file larger than its image can take
// without allocating its size.
func TestReadFileBounds(t *testing.T) {
	dir := t.TempDir()
	small := imagetest.PNG(imagetest.Noisy(8, 8, 1))
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// sparse makes a file of size bytes that starts with head and holds
	// no blocks beyond it.
	sparse := func(name string, head []byte, size int64) string {
		p := write(name, head)
		if err := os.Truncate(p, size); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	var tif bytes.Buffer // its IFD lies after 3 MiB of samples, past the head read
	if err := imagetest.WriteTIFF(&tif, 1024, 1024, 3, 64, func(x, y, b int) uint8 { return uint8(x ^ y + b) }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		path string
		err  error // nil: read whole
		want []byte
	}{
		{"small PNG", write("a.png", small), nil, small},
		{"TIFF with its IFD at the end", write("end.tif", tif.Bytes()), nil, tif.Bytes()},
		{"/dev/zero", "/dev/zero", ErrNotRegular, nil},
		{"named pipe", fifo, ErrNotRegular, nil},
		{"folder", dir, ErrNotRegular, nil},
		{"20 GB of zeros", sparse("zeros.png", nil, 20<<30), ErrUnknownFormat, nil},
		{"8x8 PNG in 20 GB", sparse("padded.png", small, 20<<30), ErrFileTooLarge, nil},
		{"empty", write("empty.png", nil), ErrEmpty, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			got, err := ReadFile(tc.path, 0)
			runtime.ReadMemStats(&after)
			if tc.err == nil {
				if err != nil || !bytes.Equal(got, tc.want) {
					t.Fatalf("read %d bytes, %v; want the file's %d", len(got), err, len(tc.want))
				}
				return
			}
			if !errors.Is(err, tc.err) || !bytes.Contains([]byte(err.Error()), []byte(tc.path)) {
				t.Fatalf("error %v, want %v naming %s", err, tc.err, tc.path)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
				t.Errorf("allocated %d bytes to refuse it", alloc)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v to refuse it", d)
			}
		})
	}
}

// withPNGInterlace returns a PNG with its IHDR's interlace method set, and
// the chunk's CRC fixed.
func withPNGInterlace(p []byte) []byte {
	p = bytes.Clone(p)
	p[28] = 1
	binary.BigEndian.PutUint32(p[29:], crc32.ChecksumIEEE(p[12:29]))
	return p
}

// The header tells the samples, their size and progression, and the
// decoding cost grows with each.
func TestInfoSamplesAndCost(t *testing.T) {
	read := func(name string) []byte {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
	rgb := read("rgb.jpg")
	progressive := bytes.Clone(rgb)
	if i := bytes.Index(progressive, []byte{0xff, 0xc0}); i >= 0 {
		progressive[i+1] = 0xc2
	} else {
		t.Fatal("no SOF0 in rgb.jpg")
	}
	tiffOf := func(bands int) []byte {
		var buf bytes.Buffer
		if err := imagetest.WriteTIFF(&buf, 8, 8, bands, 4, func(x, y, b int) uint8 { return uint8(x + y + b) }); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	for _, tc := range []struct {
		name        string
		data        []byte
		bands, bits int
		progressive bool
		perPixel    int64 // DecodeCost / pixels
	}{
		{"baseline JPEG", rgb, 3, 8, false, 7},
		{"progressive JPEG", progressive, 3, 8, true, 19},
		{"CMYK JPEG", read("cmyk_plain.jpg"), 4, 8, false, 8},
		{"8-bit PNG", read("rgba.png"), 4, 8, false, 4},
		{"16-bit PNG", read("rgb16.png"), 3, 16, false, 8},
		{"16-bit interlaced PNG", withPNGInterlace(read("rgb16.png")), 3, 16, true, 16},
		{"5-band TIFF", read("bands5_planar_u8.tif"), 5, 8, false, 5 + 24},
		{"16-bit grey TIFF", read("gray16.tif"), 1, 16, false, 2 + 8},
		{"RGB TIFF", tiffOf(3), 3, 8, false, 3 + 4},
		{"4-band TIFF without alpha", tiffOf(4), 4, 8, false, 4 + 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info, err := InspectBytes(tc.name, tc.data, 0)
			if err != nil {
				t.Fatal(err)
			}
			if info.Bands != tc.bands || info.BitsPerSample != tc.bits || info.Progressive != tc.progressive {
				t.Errorf("%d bands of %d bits, progressive %v; want %d, %d, %v", info.Bands, info.BitsPerSample, info.Progressive, tc.bands, tc.bits, tc.progressive)
			}
			if px := int64(info.Width) * int64(info.Height); info.DecodeCost() != tc.perPixel*px {
				t.Errorf("cost %d bytes for %d pixels, want %d a pixel", info.DecodeCost(), px, tc.perPixel)
			}
		})
	}
	// A 1024×1024 TIFF of 256 bands costs over a gigabyte, not a megapixel.
	big := Info{Format: "tiff", Width: 1024, Height: 1024, Bands: 256, BitsPerSample: 8}
	if c := big.DecodeCost(); c < 1<<30 {
		t.Errorf("1024x1024x256 TIFF: cost %d bytes", c)
	}
}

// A TIFF whose first IFD lies gigabytes into a sparse file is refused
// without reading up to it.
func TestReadFileFarTIFFHeader(t *testing.T) {
	p := filepath.Join(t.TempDir(), "far.tif")
	if err := os.WriteFile(p, []byte("II*\x00\x00\xff\xff\xff"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(p, 1<<32+1<<20); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := ReadFile(p, 0)
	runtime.ReadMemStats(&after)
	if err == nil || !strings.Contains(err.Error(), "far.tif") {
		t.Fatalf("error %v", err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Errorf("allocated %d bytes to refuse it", alloc)
	}
}
