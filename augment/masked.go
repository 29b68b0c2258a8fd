package augment

import "math/rand/v2"

// ApplyMasked is Apply for an image x and its per-pixel targets t (any
// number of values per pixel, such as a mask's labels): the same flip,
// quarter turn and crop move both, the crop sampling t by nearest
// neighbour so that its values stay what they were, and the colour jitter
// touches only x. x draws from rng exactly as Apply draws, so a seed
// gives the same image with or without targets. Neither input is
// modified.
func (p Pipeline) ApplyMasked(x, t []float32, size int, rng *rand.Rand) (xo, to []float32) {
	c, ct := len(x)/(size*size), len(t)/(size*size)
	xo, to = make([]float32, len(x)), make([]float32, len(t))
	k := 0
	switch {
	case p.Dihedral:
		k = rng.IntN(8)
	case p.HFlip && rng.IntN(2) == 1:
		k = 4
	}
	Dihedral(xo, x, size, c, k)
	Dihedral(to, t, size, ct, k)
	if p.Crop {
		x0, y0, w, h := cropBox(size, p.CropScale, p.CropRatio, rng)
		tmp := make([]float32, len(xo))
		resizedCrop(tmp, xo, size, c, x0, y0, w, h)
		xo = tmp
		tt := make([]float32, len(to))
		nearestCrop(tt, to, size, ct, x0, y0, w, h)
		to = tt
	}
	if p.Brightness > 0 || p.Contrast > 0 {
		b := 1 + p.Brightness*(2*rng.Float64()-1)
		kc := 1 + p.Contrast*(2*rng.Float64()-1)
		jitter(xo, float32(b), float32(kc))
	}
	return xo, to
}

// nearestCrop writes into dst (n×n, c values per pixel) the rectangle
// (x0, y0, w, h) of the n×n src scaled by nearest neighbour: each output
// pixel takes the source pixel under its centre.
func nearestCrop(dst, src []float32, n, c int, x0, y0, w, h float64) {
	sx, sy := w/float64(n), h/float64(n)
	for y := range n {
		iy := min(int(y0+(float64(y)+0.5)*sy), n-1)
		for x := range n {
			ix := min(int(x0+(float64(x)+0.5)*sx), n-1)
			copy(dst[(y*n+x)*c:(y*n+x+1)*c], src[(iy*n+ix)*c:(iy*n+ix+1)*c])
		}
	}
}
