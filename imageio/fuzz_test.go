package imageio

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"mlabel/imageio/imagetest"
)

// FuzzSource opens any bytes as a Source and reads its tiles, reduced and
// not: bad input must give an error, never a panic or a huge allocation.
func FuzzSource(f *testing.F) {
	for _, file := range []string{"bgrn_tiled_lzw.tif", "bands5_strip_deflate.tif", "bands5_planar_u8.tif", "float32_packbits.tif", "gray16.tif", "rgb.jpg"} {
		data, err := os.ReadFile(filepath.Join("testdata", file))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	var buf bytes.Buffer
	img := imagetest.Noisy(30, 20, 1)
	if err := imagetest.WriteTIFF(&buf, 30, 20, 3, 4, func(x, y, b int) uint8 { return img.Pix[img.PixOffset(x, y)+b] }); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := OpenSource("fuzz", bytes.NewReader(data), int64(len(data)), SourceOptions{Bands: true, MaxPixels: 1 << 20, MaxDecodedPixels: 1 << 20})
		if err != nil {
			return
		}
		for _, minSide := range []int{0, 4} {
			for _, err := range Tiles(src, Grid{N: 2, Overlap: 0.25}, minSide) {
				if err != nil {
					break
				}
			}
		}
	})
}
