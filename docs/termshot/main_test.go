package main

import (
	"image/color"
	"os"
	"path/filepath"
	"testing"
)

func TestParse(t *testing.T) {
	red, bright := palette[1], palette[10]
	tests := []struct {
		name       string
		text       string
		cols, rows int
		want       [][]cell
	}{
		{"plain", "ab\ncd\n", 10, 10, [][]cell{{{'a', foreground, false}, {'b', foreground, false}}, {{'c', foreground, false}, {'d', foreground, false}}}},
		{"colour and reset", "\x1b[31ma\x1b[0mb", 10, 10, [][]cell{{{'a', red, false}, {'b', foreground, false}}}},
		{"bold bright", "\x1b[1;92mx\x1b[22my", 10, 10, [][]cell{{{'x', bright, true}, {'y', bright, false}}}},
		{"truecolour", "\x1b[38;2;1;2;3mz", 10, 10, [][]cell{{{'z', color.RGBA{1, 2, 3, 0xff}, false}}}},
		{"other escapes dropped", "\x1b[K\x1b[2Aq\x1b(Br\t", 10, 10, [][]cell{{{'q', foreground, false}, {'r', foreground, false}}}},
		{"cut to the screen", "abc\nd\ne", 2, 2, [][]cell{{{'a', foreground, false}, {'b', foreground, false}}, {{'d', foreground, false}}}},
		{"unicode", "…=", 10, 10, [][]cell{{{'…', foreground, false}, {'=', foreground, false}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := parse(tc.text, tc.cols, tc.rows)
			if len(got) != len(tc.want) {
				t.Fatalf("%d lines %v, want %v", len(got), got, tc.want)
			}
			for i := range got {
				if len(got[i]) != len(tc.want[i]) {
					t.Fatalf("line %d is %v, want %v", i, got[i], tc.want[i])
				}
				for j := range got[i] {
					if got[i][j] != tc.want[i][j] {
						t.Errorf("cell %d,%d is %v, want %v", i, j, got[i][j], tc.want[i][j])
					}
				}
			}
		})
	}
}

// run draws the screen at the size asked, text in the foreground colour on
// the background; it refuses absurd sizes and a missing output.
func TestRun(t *testing.T) {
	const fontPath = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
	if _, err := os.Stat(fontPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no DejaVu Sans Mono: install Debian's fonts-dejavu-core package")
		}
		t.Skip("no DejaVu Sans Mono: install Debian's fonts-dejavu-core package")
	}
	for _, tc := range []struct {
		out        string
		cols, rows int
	}{{"", 10, 2}, {"x.png", 0, 2}, {"x.png", 10, 5000}} {
		if err := run(nil, tc.out, fontPath, fontPath, 14, tc.cols, tc.rows); err == nil {
			t.Errorf("run(%q, %dx%d) succeeded", tc.out, tc.cols, tc.rows)
		}
	}
	face, err := loadFace(fontPath, 14)
	if err != nil {
		t.Fatal(err)
	}
	img := render(parse("\x1b[31m█", 4, 2), 4, 2, face, face)
	adv, _ := face.GlyphAdvance('M')
	if w := img.Bounds().Dx(); w != 24+4*adv.Ceil() {
		t.Errorf("image %d pixels wide for 4 columns of %d", w, adv.Ceil())
	}
	var fg, bg int
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			switch img.RGBAAt(x, y) {
			case palette[1]:
				fg++
			case background:
				bg++
			}
		}
	}
	if fg == 0 || bg == 0 {
		t.Errorf("%d pixels of the text colour and %d of the background", fg, bg)
	}
	if _, err := loadFace(filepath.Join(t.TempDir(), "none.ttf"), 14); err == nil {
		t.Error("a missing font loads")
	}
}
