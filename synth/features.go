package synth

import (
	"math"
	"math/rand/v2"
)

// curve is a gently bent line across the tile, used for rivers and roads:
// in a frame turned by the line's angle around (px, py), its centre is
// v = bend*u*u + amp*sin(freq*u + phase).
type curve struct {
	px, py, cos, sin float32
	bend             float32
	amp, freq, phase float32
}

func newCurve(rng *rand.Rand, s int) curve {
	a := rng.Float32() * math.Pi
	return curve{
		px:  (0.2 + 0.6*rng.Float32()) * float32(s),
		py:  (0.2 + 0.6*rng.Float32()) * float32(s),
		cos: cos32(a), sin: sin32(a),
		phase: rng.Float32() * 2 * math.Pi,
	}
}

// dist returns the approximate distance of (x, y) from the curve's centre
// line and the position u along it.
func (l *curve) dist(x, y float32) (d, u float32) {
	dx, dy := x-l.px, y-l.py
	u = dx*l.cos + dy*l.sin
	v := -dx*l.sin + dy*l.cos
	return abs32(v - l.bend*u*u - l.amp*sin32(l.freq*u+l.phase)), u
}

// at returns the point of the centre line at position u, and the unit
// normal there.
func (l *curve) at(u float32) (x, y, nx, ny float32) {
	v := l.bend*u*u + l.amp*sin32(l.freq*u+l.phase)
	dv := 2*l.bend*u + l.amp*l.freq*cos32(l.freq*u+l.phase)
	x = l.px + u*l.cos - v*l.sin
	y = l.py + u*l.sin + v*l.cos
	tx, ty := l.cos-dv*l.sin, l.sin+dv*l.cos
	n := sqrt32(tx*tx + ty*ty)
	return x, y, -ty / n, tx / n
}

// paintRiver paints a meandering river with muddy banks.
func (c *canvas) paintRiver(rng *rand.Rand) {
	s := float32(c.s)
	l := newCurve(rng, c.s)
	l.amp = s * (0.04 + 0.1*rng.Float32())
	l.freq = 2 * math.Pi / (s * (0.6 + 0.7*rng.Float32()))
	w := s * (0.06 + 0.06*rng.Float32())
	deep := waterColour(rng)
	ripple := vnoise(rng.Uint64())
	for i := range c.pix {
		x, y := float32(i%c.s)+0.5, float32(i/c.s)+0.5
		d, _ := l.dist(x, y)
		switch {
		case d < w/2:
			col := deep.scale(0.92 + 0.16*ripple.fbm(x, y, 3*c.k, 2))
			c.pix[i] = col.mix(rgb{0.3, 0.32, 0.26}, 0.5*smoothstep(0.2*w, 0.5*w, d))
			c.id[i] = lWater
		case d < w/2+1.3*c.k:
			c.pix[i] = c.pix[i].mix(rgb{0.45, 0.42, 0.3}, 0.6)
		}
	}
}

// paintPond paints an irregular pond or reservoir.
func (c *canvas) paintPond(rng *rand.Rand) {
	s := float32(c.s)
	cx, cy := (0.15+0.7*rng.Float32())*s, (0.15+0.7*rng.Float32())*s
	rx, ry := (0.1+0.12*rng.Float32())*s, (0.08+0.1*rng.Float32())*s
	a := rng.Float32() * math.Pi
	ca, sa := cos32(a), sin32(a)
	deep := waterColour(rng)
	shore := vnoise(rng.Uint64())
	for i := range c.pix {
		x, y := float32(i%c.s)+0.5, float32(i/c.s)+0.5
		u, v := (x-cx)*ca+(y-cy)*sa, -(x-cx)*sa+(y-cy)*ca
		r := sqrt32(u*u/(rx*rx)+v*v/(ry*ry)) + 0.35*(shore.fbm(x, y, 8*c.k, 2)-0.5)
		switch {
		case r < 1:
			c.pix[i] = deep.scale(0.85 + 0.15*r)
			c.id[i] = lWater
		case r < 1.08:
			c.pix[i] = c.pix[i].mix(rgb{0.45, 0.42, 0.3}, 0.6)
		}
	}
}

func waterColour(rng *rand.Rand) rgb {
	palette := []rgb{{0.08, 0.17, 0.32}, {0.1, 0.24, 0.28}, {0.14, 0.2, 0.26}}
	return palette[rng.IntN(len(palette))]
}

// paintRoad paints a paved or dirt road and returns it, for placing
// buildings along it.
func (c *canvas) paintRoad(rng *rand.Rand) (curve, float32) {
	l := newCurve(rng, c.s)
	l.bend = (rng.Float32() - 0.5) * 0.6 / float32(c.s)
	w := max(1.7, c.k*(2+1.2*rng.Float32()))
	col := rgb{0.64, 0.63, 0.6}
	if rng.IntN(2) == 0 {
		col = rgb{0.74, 0.62, 0.46}
	}
	for i := range c.pix {
		x, y := float32(i%c.s)+0.5, float32(i/c.s)+0.5
		d, _ := l.dist(x, y)
		if a := clamp01(w/2 + 0.5 - d); a > 0 {
			c.pix[i] = c.pix[i].mix(col, a)
			if a >= 0.5 {
				c.id[i] = lRoad
			}
		}
	}
	return l, w
}

// rect is a rotated rectangle: centre, unit axis (ca, sa), half sizes.
type rect struct {
	cx, cy, ca, sa, ha, hb float32
}

// local returns (x, y) in the rectangle's frame, and whether it is inside.
func (r *rect) local(x, y float32) (a, b float32, in bool) {
	dx, dy := x-r.cx, y-r.cy
	a, b = dx*r.ca+dy*r.sa, -dx*r.sa+dy*r.ca
	return a, b, abs32(a) < r.ha && abs32(b) < r.hb
}

// paintRect paints a roof-like rectangle with a cast shadow, tagging its
// pixels id; roof gives the colour at a point of the rectangle's frame.
// It paints nothing and returns false if the rectangle would touch water
// or a road.
func (c *canvas) paintRect(r rect, id uint8, roof func(a, b float32) rgb) bool {
	ext := r.ha + r.hb + 2*c.k
	x0, x1 := max(int(r.cx-ext), 0), min(int(r.cx+ext)+1, c.s)
	y0, y1 := max(int(r.cy-ext), 0), min(int(r.cy+ext)+1, c.s)
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			if _, _, in := r.local(float32(x)+0.5, float32(y)+0.5); in {
				if t := c.id[y*c.s+x]; t == lWater || t == lRoad {
					return false
				}
			}
		}
	}
	sh := 0.9 * c.k
	for y := y0; y < y1; y++ {
		for x := x0; x < x1; x++ {
			fx, fy := float32(x)+0.5, float32(y)+0.5
			i := y*c.s + x
			if a, b, in := r.local(fx, fy); in {
				c.pix[i] = roof(a, b)
				c.id[i] = id
			} else if _, _, in := r.local(fx-sh, fy-sh); in {
				c.pix[i] = c.pix[i].scale(0.5)
			}
		}
	}
	return true
}

var roofs = []rgb{{0.68, 0.3, 0.2}, {0.55, 0.55, 0.58}, {0.86, 0.85, 0.8}, {0.35, 0.45, 0.6}}

// paintBuildings lines a stretch of road with houses, on both sides.
func (c *canvas) paintBuildings(rng *rand.Rand, road curve, w float32) {
	s := float32(c.s)
	u0 := (rng.Float32() - 0.5) * 0.6 * s
	n := 4 + rng.IntN(7)
	step := c.k * (6 + 3*rng.Float32())
	for j := range n {
		u := u0 + float32(j/2)*step + (rng.Float32()-0.5)*c.k
		side := float32(1 - 2*(j%2))
		ha, hb := c.k*(2+1.4*rng.Float32()), c.k*(1.6+1*rng.Float32())
		x, y, nx, ny := road.at(u)
		off := side * (w/2 + c.k*(1+1.5*rng.Float32()) + hb)
		col := roofs[rng.IntN(len(roofs))]
		c.paintRect(rect{cx: x + off*nx, cy: y + off*ny, ca: ny, sa: -nx, ha: ha, hb: hb}, lBuilding,
			func(_, b float32) rgb {
				if b > 0 {
					return col.scale(0.82) // the shaded slope of the roof
				}
				return col
			})
	}
}

// paintGreenhouses puts a block of long plastic greenhouses beside a road.
func (c *canvas) paintGreenhouses(rng *rand.Rand, road curve, w float32) {
	u := (rng.Float32() - 0.5) * 0.5 * float32(c.s)
	x, y, nx, ny := road.at(u)
	side := float32(1 - 2*rng.IntN(2))
	ha, hb := c.k*(5+2.5*rng.Float32()), c.k*(1.6+0.6*rng.Float32())
	n := 2 + rng.IntN(3)
	ribs := c.k * 1.4
	for j := range n {
		// Long sides run away from the road, houses side by side along it.
		off := side * (w/2 + c.k*1.5 + ha)
		along := (float32(j) - float32(n-1)/2) * (2*hb + c.k)
		tx, ty := -ny, nx
		r := rect{cx: x + off*nx + along*tx, cy: y + off*ny + along*ty, ca: nx, sa: ny, ha: ha, hb: hb}
		c.paintRect(r, lGreenhouse, func(a, _ float32) rgb {
			return rgb{0.9, 0.92, 0.95}.scale(0.93 + 0.07*sin32(2*math.Pi*a/ribs))
		})
	}
}

// paintBurn chars an irregular patch inside the forest. It returns false if
// the tile has no forest to burn.
func (c *canvas) paintBurn(rng *rand.Rand) bool {
	var cx, cy float32
	found := false
	for range 40 {
		i := rng.IntN(len(c.id))
		if c.id[i] == lForest {
			cx, cy, found = float32(i%c.s)+0.5, float32(i/c.s)+0.5, true
			break
		}
	}
	if !found {
		return false
	}
	r := float32(c.s) * (0.08 + 0.07*rng.Float32())
	edge, ash := vnoise(rng.Uint64()), vnoise(rng.Uint64())
	for i := range c.pix {
		if c.id[i] != lForest {
			continue
		}
		x, y := float32(i%c.s)+0.5, float32(i/c.s)+0.5
		dx, dy := x-cx, y-cy
		if sqrt32(dx*dx+dy*dy)/r+0.5*(edge.fbm(x, y, 5*c.k, 2)-0.5) < 1 {
			a := ash.fbm(x, y, 1.5*c.k, 2)
			c.pix[i] = rgb{0.12, 0.1, 0.09}.mix(rgb{0.4, 0.37, 0.33}, smoothstep(0.55, 0.8, a))
			c.id[i] = lBurned
		}
	}
	return true
}
