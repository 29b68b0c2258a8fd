package masks

import (
	"bytes"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the mask readers, as an indexed mask
// and as a binary one: bad files must be refused with an error, never
// crash or allocate beyond their declared size.
func FuzzLoad(f *testing.F) {
	var buf bytes.Buffer
	img := image.NewGray(image.Rect(0, 0, 3, 2))
	copy(img.Pix, []uint8{0, 1, 2, 255, 128, 0})
	png.Encode(&buf, img)
	f.Add(buf.Bytes())
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		idx := filepath.Join(dir, "indexed")
		bin := filepath.Join(dir, "binary", "a")
		os.MkdirAll(idx, 0o755)
		os.MkdirAll(bin, 0o755)
		os.WriteFile(filepath.Join(idx, LegendName), []byte("road\nwater\n"), 0o644)
		os.WriteFile(filepath.Join(idx, "a.png"), data, 0o644)
		os.WriteFile(filepath.Join(bin, "road.png"), data, 0o644)
		for _, d := range []string{idx, filepath.Dir(bin)} {
			s, err := Open(d)
			if err != nil {
				t.Fatal(err)
			}
			m, err := s.Load("a", []string{"road", "water"})
			if err == nil && len(m.Data) != m.W*m.H*2 {
				t.Fatalf("%d values for %d×%d pixels", len(m.Data), m.W, m.H)
			}
		}
	})
}
