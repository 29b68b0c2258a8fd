package imageio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
)

// ErrNotRegular is returned (wrapped) for a path that is not a regular
// file: a device such as /dev/zero, a named pipe, a socket or a folder.
var ErrNotRegular = errors.New("not a regular file")

// ErrFileTooLarge is returned (wrapped) for a file larger than an image of
// the size its header declares can take (see Info.MaxFileBytes).
var ErrFileTooLarge = errors.New("file is larger than its image can take")

// headBytes is how much of a file ReadFile reads to check its header
// before the rest: enough for the EXIF, ICC and other segments a JPEG
// carries before its frame header.
const headBytes = 1 << 20

// ReadFile reads the image file at path for decoding, within bounds that
// hold whatever the file holds: a path that is not a regular file is
// refused before it is opened, the header is read and checked against
// maxPixels (DefaultMaxPixels when <= 0) before the rest, and a file
// larger than Info.MaxFileBytes of its header is refused unread. The
// errors name the file and the limit.
func ReadFile(path string, maxPixels int64) ([]byte, error) {
	if _, err := StatRegular(path); err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("imageio: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("imageio: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("imageio: %q: %w (%s)", path, ErrNotRegular, describeMode(fi.Mode()))
	}
	size := fi.Size()
	head := make([]byte, min(size, headBytes))
	if _, err := io.ReadFull(f, head); err != nil {
		return nil, fmt.Errorf("imageio: %q: %w", path, err)
	}
	info, err := inspectAt(path, f, size, head, maxPixels)
	if err != nil {
		return nil, err
	}
	if limit := info.MaxFileBytes(); size > limit {
		return nil, fmt.Errorf("imageio: %q: %w: %d bytes, over the %d a %dx%d %s image of %d %d-bit bands may take", path, ErrFileTooLarge,
			size, limit, info.Width, info.Height, info.Format, info.Bands, info.BitsPerSample)
	}
	if int64(len(head)) == size {
		return head, nil
	}
	data := make([]byte, size)
	copy(data, head)
	if _, err := io.ReadFull(f, data[len(head):]); err != nil {
		return nil, fmt.Errorf("imageio: %q: %w", path, err)
	}
	return data, nil
}

// InspectFile reads the header of the image file at path (a regular file)
// and returns what it declares, checked against maxPixels as ReadFile
// checks it, without reading the pixels.
func InspectFile(path string, maxPixels int64) (Info, error) {
	fi, err := StatRegular(path)
	if err != nil {
		return Info{}, err
	}
	f, err := os.Open(path)
	if err != nil {
		return Info{}, fmt.Errorf("imageio: %w", err)
	}
	defer f.Close()
	head := make([]byte, min(fi.Size(), headBytes))
	if _, err := io.ReadFull(f, head); err != nil {
		return Info{}, fmt.Errorf("imageio: %q: %w", path, err)
	}
	return inspectAt(path, f, fi.Size(), head, maxPixels)
}

// StatRegular returns the file information of path, or an error wrapping
// ErrNotRegular when it is not a regular file, so that a reader of image
// files never opens a device, which may never end (/dev/zero), or a named
// pipe, whose opening blocks.
func StatRegular(path string) (os.FileInfo, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("imageio: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("imageio: %q: %w (%s)", path, ErrNotRegular, describeMode(fi.Mode()))
	}
	return fi, nil
}

func describeMode(m os.FileMode) string {
	switch {
	case m.IsDir():
		return "a folder"
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

// RawBytes is the size of the image's samples as stored, uncompressed:
// width × height × bands × bytes per sample.
func (i Info) RawBytes() int64 {
	return int64(i.Width) * int64(i.Height) * int64(max(i.Bands, 1)) * int64(max((i.BitsPerSample+7)/8, 1))
}

// maxFileSlack is what a file may hold besides twice its raw samples:
// metadata such as EXIF, ICC profiles and XMP.
const maxFileSlack = 16 << 20

// MaxFileBytes is the largest file ReadFile accepts for the image: twice
// its raw samples (RawBytes), which no compression or padding of a real
// file exceeds, plus 16 MiB of metadata.
func (i Info) MaxFileBytes() int64 { return 2*i.RawBytes() + maxFileSlack }

// DecodeCost is an upper estimate, in bytes, of the memory decoding the
// image holds at its peak: the decoded picture, the decoder's working set
// (the coefficients of a progressive JPEG, the passes of an interlaced
// PNG, the samples of a multi-band TIFF as floats) and the copy an EXIF
// rotation makes. A server bounds its decodes by it rather than by the
// pixels alone, which a multi-band TIFF or a progressive CMYK JPEG exceed
// many times.
func (i Info) DecodeCost() int64 {
	px := int64(i.Width) * int64(i.Height)
	bands := int64(max(i.Bands, 1))
	wide := i.BitsPerSample > 8
	var per int64 // bytes a pixel
	switch {
	case rasterFormatNamed(i.Format) != nil:
		per = bands * int64(max((i.BitsPerSample+7)/8, 1)) // the decompressed samples
		switch {
		case i.raster || i.Bands > 4:
			per += 4*bands + 4 // the raster's float32 bands and its RGB picture
		case wide:
			per += 8 // the ordinary decoder's 16-bit picture
		default:
			per += 4 // the ordinary decoder's 8-bit picture
		}
	case i.Format == "jpeg":
		if i.Bands == 0 { // no frame header in the head read: the worst
			bands = 4
			i.Progressive = true
		}
		per = bands + 4 // the planes, and the RGBA picture of CMYK
		if i.Progressive {
			per += 4 * bands // an int32 coefficient a sample
		}
	case i.Format == "png":
		per = 4
		if wide {
			per = 8
		}
		if i.Progressive {
			per *= 2 // each pass is decoded on its own, then merged
		}
	default:
		per = 4
	}
	if i.Orientation > 1 {
		per += 4
		if wide {
			per += 4
		}
	}
	return px * per
}

// setSamples sets i's Bands, BitsPerSample and Progressive from the
// file's start, head, and the raster reader's header f when there is one.
func (i *Info) setSamples(head []byte, f rasterFile) {
	i.Bands, i.BitsPerSample = 3, 8
	if f != nil {
		i.Bands, i.BitsPerSample = f.sampleSize()
		return
	}
	switch i.Format {
	case "jpeg":
		i.Bands = 0
		jpegSegments(head, func(marker byte, seg []byte) bool {
			if isSOF(marker) && len(seg) >= 6 {
				i.Bands, i.BitsPerSample = int(seg[5]), int(seg[0])
				i.Progressive = marker == 0xC2 || marker == 0xC6 || marker == 0xCA || marker == 0xCE
				return false
			}
			return true
		})
	case "png":
		// The IHDR chunk follows the 8-byte signature: length, type,
		// width, height, bit depth, colour type, compression, filter,
		// interlace.
		if len(head) >= 29 && string(head[12:16]) == "IHDR" && binary.BigEndian.Uint32(head[8:]) == 13 {
			i.BitsPerSample = int(head[24])
			i.Bands = map[byte]int{0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[head[25]]
			i.Progressive = head[28] == 1
		}
	case "gif":
		i.Bands = 1
	case "bmp", "webp":
		i.Bands = 4
	}
}
