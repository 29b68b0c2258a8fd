package geo

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"mlabel/imageio"
)

// FuzzGeoFromTags reads the georeferencing of mangled GeoTIFFs: an error
// or a georeferencing whose CRS is supported, never a panic.
func FuzzGeoFromTags(f *testing.F) {
	for _, n := range []string{"utm37n.tif", "point.tif", "rotated.tif", "badkeys.tif"} {
		data, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		tt, err := imageio.ReadTIFFTags(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			return
		}
		g, err := fromTags(tt)
		if err != nil {
			return
		}
		if g.CRS.Check() != nil {
			t.Fatalf("accepted %v", g.CRS)
		}
		g.Corners()
		g.PixelSize()
	})
}
