package dataset

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

// tinyPNG is a valid 4×4 PNG image.
var tinyPNG = func() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	img.Set(1, 1, color.RGBA{200, 10, 10, 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}()

// files writes the given files (name → content) under a new temporary
// folder and returns it. A nil content writes a tiny PNG.
func files(t *testing.T, fs map[string][]byte) string {
	t.Helper()
	dir := t.TempDir()
	for name, data := range fs {
		if data == nil {
			data = tinyPNG
		}
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
