package synth

import "math"

// vnoise is a seeded 2-D value noise: random values on an integer lattice,
// smoothly interpolated. It needs no tables, so each tile can own several.
type vnoise uint64

// lattice returns the noise value in [0, 1) at integer point (ix, iy).
func (n vnoise) lattice(ix, iy int32) float32 {
	return unit(mix64(uint64(n) ^ uint64(uint32(ix))*0x9e3779b97f4a7c15 ^ uint64(uint32(iy))*0xc2b2ae3d27d4eb4f))
}

// at returns the smooth noise value in [0, 1) at (x, y), in lattice units.
func (n vnoise) at(x, y float32) float32 {
	fx, fy := float32(math.Floor(float64(x))), float32(math.Floor(float64(y)))
	ix, iy := int32(fx), int32(fy)
	tx, ty := smooth(x-fx), smooth(y-fy)
	a := lerp(n.lattice(ix, iy), n.lattice(ix+1, iy), tx)
	b := lerp(n.lattice(ix, iy+1), n.lattice(ix+1, iy+1), tx)
	return lerp(a, b, ty)
}

// fbm sums octaves of noise at doubling frequencies and halving amplitudes,
// normalised to [0, 1). scale is the size of the largest feature, in pixels.
func (n vnoise) fbm(x, y, scale float32, octaves int) float32 {
	var sum, norm float32
	amp, f := float32(1), 1/scale
	for o := range octaves {
		sum += amp * (n+vnoise(o)*0x632be59bd9b4e019).at(x*f, y*f)
		norm += amp
		amp *= 0.5
		f *= 2
	}
	return sum / norm
}

// pixel returns white-ish noise in [0, 1) for one pixel and channel.
func (n vnoise) pixel(x, y, c int) float32 {
	return n.lattice(int32(x)+int32(c)<<20, int32(y))
}

// mix64 is the splitmix64 finaliser.
func mix64(z uint64) uint64 {
	z += 0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}

func unit(h uint64) float32        { return float32(h>>40) / (1 << 24) }
func smooth(t float32) float32     { return t * t * (3 - 2*t) }
func lerp(a, b, t float32) float32 { return a + (b-a)*t }

// smoothstep is 0 below e0, 1 above e1 and smooth in between.
func smoothstep(e0, e1, x float32) float32 {
	t := (x - e0) / (e1 - e0)
	return smooth(clamp01(t))
}

func clamp01(t float32) float32 {
	return min(max(t, 0), 1)
}

// frac returns the fractional part of x, in [0, 1).
func frac(x float32) float32 {
	return x - float32(math.Floor(float64(x)))
}

func sin32(x float32) float32  { return float32(math.Sin(float64(x))) }
func cos32(x float32) float32  { return float32(math.Cos(float64(x))) }
func abs32(x float32) float32  { return float32(math.Abs(float64(x))) }
func sqrt32(x float32) float32 { return float32(math.Sqrt(float64(x))) }

// rgb is a linear-ish colour with channels in [0, 1].
type rgb [3]float32

func (c rgb) mix(d rgb, t float32) rgb {
	return rgb{lerp(c[0], d[0], t), lerp(c[1], d[1], t), lerp(c[2], d[2], t)}
}

func (c rgb) scale(k float32) rgb { return rgb{c[0] * k, c[1] * k, c[2] * k} }

func (c rgb) tint(t rgb) rgb { return rgb{c[0] * t[0], c[1] * t[1], c[2] * t[2]} }
