package synth

import (
	"image"
	"math/rand/v2"
)

// Size limits of a tile, in pixels.
const (
	MinSize = 16   // smallest tile side
	MaxSize = 1024 // largest tile side
)

// Attempts at a scene, and at a cloud layer over it, before the generator
// settles for what it has. Retries keep labels unambiguous: no feature is
// left half-tagged, and the co-occurrence rules hold.
const (
	groundTries = 30
	skyTries    = 8
)

// tile renders one tile of size×size pixels (size is clamped to
// [MinSize, MaxSize]) and returns it with its labels in vocabulary order.
// The result depends only on rng's state; a nil rng stands for a PCG
// source seeded with zeros.
func tile(rng *rand.Rand, size int) (image.Image, []string) {
	if rng == nil {
		rng = rand.New(rand.NewPCG(0, 0))
	}
	c := newCanvas(clampSize(size))
	set := c.render(rng)
	return c.image(rng), set.names()
}

// clampSize limits a tile side to [MinSize, MaxSize].
func clampSize(size int) int { return min(max(size, MinSize), MaxSize) }

// render paints a scene and its atmosphere and returns its labels.
func (c *canvas) render(rng *rand.Rand) labelSet {
	var ground labelSet
	for try := range groundTries {
		c.reset()
		c.paintScene(rng)
		set, ambiguous := c.groundSet(c.counts(false), 0.15)
		ground = set
		if !ambiguous && set.followsRules() || try == groundTries-1 {
			break
		}
	}
	w := pickWeather(rng)
	for try := 0; ; try++ {
		if try == skyTries {
			w = lClear // give up on clouds that hide the scene awkwardly
		}
		sk := c.makeSky(rng, w)
		if w == lCloudy {
			c.composite(sk)
			return labelSet(0).with(lCloudy)
		}
		set, ambiguous := c.groundSet(c.counts(true), 0.3)
		set &= ground
		if w != lPartlyCloudy || !ambiguous && set.followsRules() {
			c.composite(sk)
			return set.with(w)
		}
	}
}

// paintScene paints the ground: fields, then burned forest, water, roads,
// and the buildings and greenhouses that stand along roads.
func (c *canvas) paintScene(rng *rand.Rand) {
	water := rng.Float32() < 0.32
	c.paintFields(rng, water)
	if rng.Float32() < 0.06 {
		c.paintBurn(rng)
	}
	if water {
		if rng.IntN(2) == 0 {
			c.paintRiver(rng)
		} else {
			c.paintPond(rng)
		}
	}
	greenhouse := rng.Float32() < 0.035
	if !greenhouse && rng.Float32() >= 0.45 {
		return
	}
	road, w := c.paintRoad(rng)
	if rng.Float32() < 0.25 {
		c.paintRoad(rng)
	}
	if rng.Float32() < 0.55 {
		c.paintBuildings(rng, road, w)
	}
	if greenhouse {
		c.paintGreenhouses(rng, road, w)
	}
}
