package synth

import (
	"math"
	"math/rand/v2"
)

// fieldKind is the land cover of one field of the tile's partition.
type fieldKind uint8

const (
	kPasture fieldKind = iota // unlabelled background
	kMaize
	kWheat
	kRice
	kBare
	kForest
	numKinds
)

// kindLabel maps a field kind to its label; pasture has none.
var kindLabel = [numKinds]uint8{noID, lMaize, lWheat, lRice, lBare, lForest}

// field is one cell of the tile's Voronoi partition into fields.
type field struct {
	cx, cy   float32
	kind     fieldKind
	cos, sin float32 // direction of rows, furrows or paddy grid
	period   float32 // row or paddy spacing, pixels
	period2  float32 // second spacing (paddy height, tramlines)
	phase    float32
	tint     rgb
	soil     rgb
	noise    vnoise
}

// pickKind draws a field's land cover; rice is much likelier near water.
func pickKind(rng *rand.Rand, water bool) fieldKind {
	rice := float32(0.04)
	if water {
		rice = 0.3
	}
	w := [numKinds]float32{kPasture: 0.2, kMaize: 0.22, kWheat: 0.22, kRice: rice, kBare: 0.12, kForest: 0.18}
	var total float32
	for _, v := range w {
		total += v
	}
	r := rng.Float32() * total
	for k, v := range w {
		if r < v {
			return fieldKind(k)
		}
		r -= v
	}
	return kPasture
}

var soils = []rgb{{0.5, 0.38, 0.25}, {0.6, 0.36, 0.24}, {0.55, 0.48, 0.38}, {0.44, 0.34, 0.26}}

func newField(rng *rand.Rand, s int, k float32, kind fieldKind) field {
	a := rng.Float32() * math.Pi
	f := field{
		cx:    (rng.Float32()*1.2 - 0.1) * float32(s),
		cy:    (rng.Float32()*1.2 - 0.1) * float32(s),
		kind:  kind,
		cos:   cos32(a),
		sin:   sin32(a),
		phase: rng.Float32() * 2 * math.Pi,
		soil:  soils[rng.IntN(len(soils))],
		noise: vnoise(rng.Uint64()),
	}
	for ch := range f.tint {
		f.tint[ch] = 0.85 + 0.3*rng.Float32()
	}
	switch kind {
	case kMaize:
		f.period = k * (3.2 + 1.4*rng.Float32())
	case kWheat:
		f.period = k * (2 + 0.5*rng.Float32())
		f.period2 = k * (11 + 6*rng.Float32())
	case kRice:
		f.period = k * (7 + 5*rng.Float32())
		f.period2 = k * (5 + 4*rng.Float32())
	case kBare:
		f.period = k * (2.5 + 2*rng.Float32())
	}
	return f
}

// colour returns the field's colour at pixel (x, y); k is the tile scale.
func (f *field) colour(x, y, k float32) rgb {
	u := x*f.cos + y*f.sin
	v := -x*f.sin + y*f.cos
	lo := f.noise.fbm(x, y, 14*k, 2) // slow variation in vigour or moisture
	switch f.kind {
	case kMaize:
		r := 0.5 + 0.5*sin32(2*math.Pi*u/f.period+f.phase)
		green := rgb{0.16, 0.46, 0.1}.tint(f.tint).scale(0.85 + 0.3*lo)
		return f.soil.mix(green, smoothstep(0.25, 0.6, r))
	case kWheat:
		gold := rgb{0.82, 0.7, 0.38}.tint(f.tint).scale(0.9 + 0.2*lo)
		gold = gold.scale(1 + 0.05*sin32(2*math.Pi*u/f.period))
		if frac(u/f.period2+f.phase) < 0.9*k/f.period2 {
			gold = gold.scale(0.72) // tramline
		}
		return gold
	case kRice:
		pu, pv := u/f.period+f.phase, v/f.period2
		if frac(pu) < 1.1*k/f.period || frac(pv) < 1.1*k/f.period2 {
			return rgb{0.58, 0.6, 0.42} // bund
		}
		h := unit(mix64(uint64(f.noise) ^ uint64(int64(math.Floor(float64(pu))))<<20 ^ uint64(int64(math.Floor(float64(pv))))))
		paddy := rgb{0.2, 0.55, 0.42}.tint(f.tint).scale(0.85 + 0.3*h)
		return paddy.mix(rgb{0.18, 0.32, 0.45}, 0.35*lo)
	case kBare:
		mid := f.noise.fbm(x+100, y, 4*k, 3)
		furrow := 0.04 * sin32(2*math.Pi*u/f.period)
		return f.soil.scale(1.05 + 0.35*(mid-0.5) + furrow)
	case kForest:
		crowns := f.noise.fbm(x, y+200, 1.8*k, 3)
		return rgb{0.08, 0.24, 0.09}.tint(f.tint).scale(0.55 + 0.9*crowns)
	}
	return rgb{0.48, 0.56, 0.3}.tint(f.tint).scale(0.88 + 0.24*lo) // pasture
}

// paintFields partitions the tile into fields (a Voronoi diagram on
// slightly warped coordinates, so edges look surveyed but not ruled),
// and paints them. Crops too small to be tagged become pasture.
func (c *canvas) paintFields(rng *rand.Rand, water bool) {
	n := 3 + rng.IntN(5)
	fs := make([]field, n)
	for i := range fs {
		fs[i] = newField(rng, c.s, c.k, pickKind(rng, water))
	}
	owner := make([]uint8, c.s*c.s)
	edge := make([]bool, c.s*c.s)
	warp := vnoise(rng.Uint64())
	var area [numKinds]int
	for y := range c.s {
		for x := range c.s {
			fx, fy := float32(x)+0.5, float32(y)+0.5
			wx := fx + 3*c.k*(warp.fbm(fx, fy, 12*c.k, 2)-0.5)
			wy := fy + 3*c.k*(warp.fbm(fx+50, fy, 12*c.k, 2)-0.5)
			best, d1, d2 := 0, float32(math.MaxFloat32), float32(math.MaxFloat32)
			for j := range fs {
				dx, dy := wx-fs[j].cx, wy-fs[j].cy
				d := dx*dx + dy*dy
				if d < d1 {
					best, d1, d2 = j, d, d1
				} else if d < d2 {
					d2 = d
				}
			}
			i := y*c.s + x
			owner[i] = uint8(best)
			edge[i] = sqrt32(d2)-sqrt32(d1) < 1.2*c.k
			area[fs[best].kind]++
		}
	}
	// A crop covering too little of the tile to be tagged becomes pasture.
	need := int(minFrac[lMaize] * float32(c.s*c.s))
	for j := range fs {
		if area[fs[j].kind] < need {
			fs[j].kind = kPasture
		}
	}
	for i := range c.pix {
		f := &fs[owner[i]]
		x, y := float32(i%c.s)+0.5, float32(i/c.s)+0.5
		col := f.colour(x, y, c.k)
		if edge[i] {
			col = col.mix(rgb{0.33, 0.31, 0.22}, 0.55) // hedge or track
		}
		c.pix[i] = col
		c.id[i] = kindLabel[f.kind]
	}
}
