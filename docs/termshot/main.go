// Command termshot renders the text of a terminal screen, as tmux's
// capture-pane -p -e prints it, to a PNG with a monospace TrueType font. It
// keeps the foreground colours and bold of SGR escapes and drops every other
// escape. docs/screenshots.sh uses it for the README's picture of the
// training screen.
//
// Usage:
//
//	termshot -font DejaVuSansMono.ttf -cols 132 -rows 32 -o train.png < screen.txt
package main

import (
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/image/font"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"

	"mlabel/atomicfile"
)

// cell is one character of the screen with its colour.
type cell struct {
	r    rune
	fg   color.RGBA
	bold bool
}

var (
	background = color.RGBA{0x1e, 0x1e, 0x1e, 0xff}
	foreground = color.RGBA{0xd4, 0xd4, 0xd4, 0xff}
	// palette holds the 8 normal and the 8 bright colours of SGR 30-37 and
	// 90-97.
	palette = [16]color.RGBA{
		{0x00, 0x00, 0x00, 0xff}, {0xcd, 0x31, 0x31, 0xff}, {0x0d, 0xbc, 0x79, 0xff}, {0xe5, 0xe5, 0x10, 0xff},
		{0x24, 0x72, 0xc8, 0xff}, {0xbc, 0x3f, 0xbc, 0xff}, {0x11, 0xa8, 0xcd, 0xff}, {0xe5, 0xe5, 0xe5, 0xff},
		{0x66, 0x66, 0x66, 0xff}, {0xf1, 0x4c, 0x4c, 0xff}, {0x23, 0xd1, 0x8b, 0xff}, {0xf5, 0xf5, 0x43, 0xff},
		{0x3b, 0x8e, 0xea, 0xff}, {0xd6, 0x70, 0xd6, 0xff}, {0x29, 0xb8, 0xdb, 0xff}, {0xff, 0xff, 0xff, 0xff},
	}
)

// parse splits text into lines of cells, at most cols wide and rows long,
// applying SGR foreground colours and bold; other escapes are dropped.
func parse(text string, cols, rows int) [][]cell {
	var out [][]cell
	fg, bold := foreground, false
	for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		if len(out) == rows {
			break
		}
		var cells []cell
		rs := []rune(strings.TrimSuffix(line, "\r"))
		for i := 0; i < len(rs); i++ {
			if rs[i] != '\x1b' {
				if rs[i] >= ' ' && len(cells) < cols {
					cells = append(cells, cell{rs[i], fg, bold})
				}
				continue
			}
			if i+1 < len(rs) && (rs[i+1] == '(' || rs[i+1] == ')') {
				i += 2 // a character set: ESC ( B
				continue
			}
			if i+1 >= len(rs) || rs[i+1] != '[' {
				i++ // a two-character escape
				continue
			}
			j := i + 2
			for j < len(rs) && (rs[j] < 0x40 || rs[j] > 0x7e) {
				j++
			}
			if j < len(rs) && rs[j] == 'm' {
				fg, bold = sgr(string(rs[i+2:j]), fg, bold)
			}
			i = j
		}
		out = append(out, cells)
	}
	return out
}

// sgr applies the parameters of one SGR escape to the colour and bold.
func sgr(params string, fg color.RGBA, bold bool) (color.RGBA, bool) {
	ps := strings.Split(params, ";")
	for k := 0; k < len(ps); k++ {
		n, err := strconv.Atoi(ps[k])
		if ps[k] == "" {
			n, err = 0, nil
		}
		if err != nil {
			continue
		}
		switch {
		case n == 0:
			fg, bold = foreground, false
		case n == 1:
			bold = true
		case n == 22:
			bold = false
		case n == 39:
			fg = foreground
		case n >= 30 && n <= 37:
			fg = palette[n-30]
		case n >= 90 && n <= 97:
			fg = palette[n-90+8]
		case n == 38 && k+2 < len(ps) && ps[k+1] == "5":
			if c, err := strconv.Atoi(ps[k+2]); err == nil && c >= 0 && c < 16 {
				fg = palette[c]
			}
			k += 2
		case n == 38 && k+4 < len(ps) && ps[k+1] == "2":
			var v [3]uint8
			for m := range v {
				c, _ := strconv.Atoi(ps[k+2+m])
				v[m] = uint8(min(max(c, 0), 255))
			}
			fg = color.RGBA{v[0], v[1], v[2], 0xff}
			k += 4
		}
	}
	return fg, bold
}

// render draws the screen in face, cols by rows cells with a margin.
func render(screen [][]cell, cols, rows int, face, boldFace font.Face) *image.RGBA {
	m := face.Metrics()
	adv, _ := face.GlyphAdvance('M')
	cw, lh := adv.Ceil(), m.Height.Ceil()
	const margin = 12
	img := image.NewRGBA(image.Rect(0, 0, 2*margin+cols*cw, 2*margin+rows*lh))
	draw.Draw(img, img.Bounds(), image.NewUniform(background), image.Point{}, draw.Src)
	for y, line := range screen {
		for x, c := range line {
			f := face
			if c.bold {
				f = boldFace
			}
			d := font.Drawer{Dst: img, Src: image.NewUniform(c.fg), Face: f,
				Dot: fixed.P(margin+x*cw, margin+y*lh+m.Ascent.Ceil())}
			d.DrawString(string(c.r))
		}
	}
	return img
}

// loadFace opens a TrueType font at size points and 72 dpi.
func loadFace(path string, size float64) (font.Face, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("font: %w", err)
	}
	f, err := opentype.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: size, DPI: 72, Hinting: font.HintingFull})
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	return face, nil
}

func main() {
	fontPath := flag.String("font", "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", "monospace TrueType font (Debian's fonts-dejavu-core)")
	boldPath := flag.String("bold-font", "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf", "its bold face")
	size := flag.Float64("size", 14, "font size in pixels")
	cols := flag.Int("cols", 132, "screen width in characters")
	rows := flag.Int("rows", 32, "screen height in lines")
	out := flag.String("o", "", "PNG file to write")
	flag.Parse()
	if err := run(os.Stdin, *out, *fontPath, *boldPath, *size, *cols, *rows); err != nil {
		fmt.Fprintln(os.Stderr, "termshot:", err)
		os.Exit(1)
	}
}

func run(in io.Reader, out, fontPath, boldPath string, size float64, cols, rows int) error {
	if out == "" {
		return fmt.Errorf("-o FILE is required")
	}
	if cols < 1 || rows < 1 || cols > 1000 || rows > 1000 {
		return fmt.Errorf("screen of %dx%d characters: want 1 to 1000 each", cols, rows)
	}
	text, err := io.ReadAll(io.LimitReader(in, 1<<20))
	if err != nil {
		return fmt.Errorf("reading the screen: %w", err)
	}
	face, err := loadFace(fontPath, size)
	if err != nil {
		return err
	}
	boldFace, err := loadFace(boldPath, size)
	if err != nil {
		return err
	}
	img := render(parse(string(text), cols, rows), cols, rows, face, boldFace)
	return atomicfile.Write(out, func(w io.Writer) error { return png.Encode(w, img) })
}
