package synth

import (
	"image"
	"math/rand/v2"
)

// noID marks a pixel that shows no labelled feature (pasture, verges).
const noID = 0xff

// canvas is a tile being painted: colours plus, per pixel, the label of
// the top-most ground feature and the opacity of the cloud above it.
type canvas struct {
	s     int
	k     float32 // scale relative to a 64 px tile
	pix   []rgb
	id    []uint8
	cloud []float32
}

func newCanvas(size int) *canvas {
	n := size * size
	return &canvas{
		s:     size,
		k:     float32(size) / 64,
		pix:   make([]rgb, n),
		id:    make([]uint8, n),
		cloud: make([]float32, n),
	}
}

// reset clears ground and clouds for a fresh attempt.
func (c *canvas) reset() {
	for i := range c.id {
		c.id[i] = noID
		c.cloud[i] = 0
	}
}

// counts returns, per label, how many pixels show it. With visibleOnly,
// pixels under a cloud of opacity 0.5 or more are not counted.
func (c *canvas) counts(visibleOnly bool) [numLabels]int {
	var n [numLabels]int
	for i, id := range c.id {
		if id == noID || visibleOnly && c.cloud[i] >= 0.5 {
			continue
		}
		n[id]++
	}
	return n
}

// groundSet returns the ground labels whose pixel counts reach their
// minimum, and whether any label is ambiguous: present on some pixels but
// below amb times its minimum.
func (c *canvas) groundSet(n [numLabels]int, amb float32) (labelSet, bool) {
	var s labelSet
	ambiguous := false
	area := float32(c.s * c.s)
	for l := lMaize; l < numLabels; l++ {
		need := minFrac[l] * area
		switch got := float32(n[l]); {
		case got >= need:
			s = s.with(l)
		case got >= amb*need:
			ambiguous = true
		}
	}
	return s, ambiguous
}

// image converts the canvas to an RGBA image, applying a per-tile exposure
// and colour balance and a little sensor noise.
func (c *canvas) image(rng *rand.Rand) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, c.s, c.s))
	exposure := 0.9 + 0.2*rng.Float32()
	var bal rgb
	for ch := range bal {
		bal[ch] = exposure * (0.96 + 0.08*rng.Float32())
	}
	grain := vnoise(rng.Uint64())
	const sigma = 0.035
	for y := range c.s {
		for x := range c.s {
			p := c.pix[y*c.s+x]
			o := img.PixOffset(x, y)
			for ch := range 3 {
				v := p[ch]*bal[ch] + sigma*(grain.pixel(x, y, ch)-0.5)
				img.Pix[o+ch] = uint8(clamp01(v)*255 + 0.5)
			}
			img.Pix[o+3] = 0xff
		}
	}
	return img
}
