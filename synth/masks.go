package synth

import (
	"image"
	"math/rand/v2"
	"path/filepath"

	"mlabel/masks"
)

// MasksDir is the folder of per-label masks Generate writes with
// Options.Masks: one binary PNG per tag per tile (see package masks).
const MasksDir = "masks"

// tileMasks renders a tile as tile does (the same rng gives the same
// picture and tags) and also returns, for each of its tags, the pixels
// that show it, row by row: a ground feature's visible pixels (those under
// a cloud of opacity 0.5 or more are hidden), the cloud's pixels for
// partly_cloudy and cloudy, and the whole tile for clear and haze, which
// veil everything.
func tileMasks(rng *rand.Rand, size int) (image.Image, []string, map[string][]bool) {
	if rng == nil {
		rng = rand.New(rand.NewPCG(0, 0))
	}
	c := newCanvas(clampSize(size))
	set := c.render(rng)
	img := c.image(rng)
	out := make(map[string][]bool)
	for l := range numLabels {
		if set.has(l) {
			out[labelNames[l]] = c.labelPixels(l)
		}
	}
	return img, set.names(), out
}

// labelPixels returns the pixels of the tile that show label l.
func (c *canvas) labelPixels(l int) []bool {
	on := make([]bool, len(c.id))
	for i := range on {
		switch l {
		case lClear, lHaze:
			on[i] = true
		case lPartlyCloudy, lCloudy:
			on[i] = c.cloud[i] >= 0.5
		default:
			on[i] = int(c.id[i]) == l && c.cloud[i] < 0.5
		}
	}
	return on
}

// writeMasks writes the masks of one tile's tags under dir.
func writeMasks(dir, name string, size int, m map[string][]bool) error {
	for l, on := range m {
		if err := masks.WriteBinary(filepath.Join(dir, MasksDir), name, l, size, size, on); err != nil {
			return err
		}
	}
	return nil
}
