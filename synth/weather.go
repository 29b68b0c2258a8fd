package synth

import (
	"math/rand/v2"
	"slices"
)

// sky holds one tile's atmosphere: a haze veil and a cloud layer (the
// cloud opacity per pixel lives in canvas.cloud).
type sky struct {
	weather int
	haze    float32 // mean opacity of the haze veil
	veil    rgb
	hazeTex vnoise
	texture vnoise // cloud brightness
	shadowX int    // offset of cloud shadows, pixels
	shadowY int
}

// pickWeather draws the weather label with Planet-like frequencies.
func pickWeather(rng *rand.Rand) int {
	switch r := rng.Float32(); {
	case r < 0.6:
		return lClear
	case r < 0.78:
		return lPartlyCloudy
	case r < 0.91:
		return lHaze
	default:
		return lCloudy
	}
}

// makeSky draws the atmosphere for weather w and fills c.cloud.
func (c *canvas) makeSky(rng *rand.Rand, w int) sky {
	sk := sky{
		weather: w,
		veil:    rgb{0.74, 0.77, 0.82}.scale(0.95 + 0.1*rng.Float32()),
		hazeTex: vnoise(rng.Uint64()),
		texture: vnoise(rng.Uint64()),
		shadowX: int(c.k * (2 + 3*rng.Float32())),
		shadowY: int(c.k * (1 + 3*rng.Float32())),
	}
	for i := range c.cloud {
		c.cloud[i] = 0
	}
	s := float32(c.s)
	switch w {
	case lClear:
		sk.haze = 0.08 * rng.Float32()
	case lHaze:
		sk.haze = 0.38 + 0.22*rng.Float32()
	case lPartlyCloudy:
		sk.haze = 0.15 * rng.Float32()
		cover := 0.12 + 0.38*rng.Float32()
		scale := s * (0.25 + 0.25*rng.Float32())
		n := vnoise(rng.Uint64())
		for i := range c.cloud {
			c.cloud[i] = n.fbm(float32(i%c.s), float32(i/c.s), scale, 4)
		}
		sorted := slices.Clone(c.cloud)
		slices.Sort(sorted)
		t := sorted[int((1-cover)*float32(len(sorted)-1))]
		for i, v := range c.cloud {
			c.cloud[i] = smoothstep(t-0.04, t+0.1, v)
		}
	case lCloudy:
		n := vnoise(rng.Uint64())
		for i := range c.cloud {
			c.cloud[i] = 0.9 + 0.1*n.fbm(float32(i%c.s), float32(i/c.s), s/3, 3)
		}
	}
	return sk
}

// composite lays the atmosphere over the painted ground: cloud shadows,
// haze that lowers contrast, then the clouds themselves.
func (c *canvas) composite(sk sky) {
	s := float32(c.s)
	for y := range c.s {
		for x := range c.s {
			i := y*c.s + x
			fx, fy := float32(x), float32(y)
			g := c.pix[i]
			if sx, sy := x-sk.shadowX, y-sk.shadowY; sx >= 0 && sy >= 0 {
				g = g.scale(1 - 0.45*c.cloud[sy*c.s+sx])
			}
			if sk.haze > 0 {
				h := sk.haze * (0.7 + 0.6*sk.hazeTex.fbm(fx, fy, s/2, 2))
				g = g.mix(sk.veil, clamp01(h))
			}
			if a := c.cloud[i]; a > 0 {
				white := rgb{0.96, 0.96, 0.97}.scale(0.75 + 0.25*sk.texture.fbm(fx, fy, s/5, 3))
				g = g.mix(white, a)
			}
			c.pix[i] = g
		}
	}
}
