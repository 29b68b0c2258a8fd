// Package augment holds mlabel's training-time image augmentations. Images
// are square float32 arrays in HWC order with values in [0, 1], before
// normalisation. Randomness comes from a caller-supplied *rand.Rand, so a
// seed reproduces a run.
package augment

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Pipeline says which augmentations to apply. It is stored as JSON in the
// training configuration.
type Pipeline struct {
	// Dihedral picks one of the 8 flips and 90° rotations uniformly; right
	// for overhead imagery, which has no preferred up.
	Dihedral bool `json:"dihedral"`
	// HFlip mirrors left-right with probability 1/2 (ignored when Dihedral
	// is set, which includes it).
	HFlip bool `json:"hflip"`
	// Crop enables random resized crop with the ranges below.
	Crop bool `json:"crop"`
	// CropScale is the range of the crop's area as a fraction of the image.
	CropScale [2]float64 `json:"crop_scale"`
	// CropRatio is the range of the crop's width/height.
	CropRatio [2]float64 `json:"crop_ratio"`
	// Brightness multiplies values by a factor drawn from [1-B, 1+B].
	Brightness float64 `json:"brightness"`
	// Contrast scales values about the image mean by a factor drawn from
	// [1-C, 1+C].
	Contrast float64 `json:"contrast"`
}

// Default returns the default pipeline: the dihedral transforms (a
// training run sets the geometric transforms from its view, see ForView),
// and no crop or colour jitter. At the short budgets small teams train with
// (15 epochs from scratch), crops and jitter cost held-out mAP on both
// overhead chips and ground photos; WithCrop and WithJitter add them for
// longer runs. The crop ranges are set, so that Crop alone enables a mild
// crop.
func Default() Pipeline {
	return Pipeline{
		Dihedral:  true,
		CropScale: [2]float64{0.6, 1},
		CropRatio: [2]float64{3.0 / 4, 4.0 / 3},
	}
}

// WithCrop returns p with a random resized crop whose area is a fraction
// min..1 of the image; min 0 turns cropping off.
func (p Pipeline) WithCrop(min float64) Pipeline {
	p.Crop = min > 0
	if p.Crop {
		p.CropScale[0] = min
		p.CropScale[1] = 1
		if p.CropRatio == [2]float64{} {
			p.CropRatio = [2]float64{3.0 / 4, 4.0 / 3}
		}
	}
	return p
}

// WithJitter returns p with brightness and contrast drawn within ±f.
func (p Pipeline) WithJitter(f float64) Pipeline {
	p.Brightness, p.Contrast = f, f
	return p
}

// Validate reports whether the ranges of p are usable.
func (p Pipeline) Validate() error {
	if p.Crop {
		s, r := p.CropScale, p.CropRatio
		if !(s[0] > 0 && s[0] <= s[1] && s[1] <= 1) {
			return fmt.Errorf("augment: crop scale range %v must satisfy 0 < min <= max <= 1", s)
		}
		if !(r[0] > 0 && r[0] <= r[1]) {
			return fmt.Errorf("augment: crop ratio range %v must satisfy 0 < min <= max", r)
		}
	}
	if p.Brightness < 0 || p.Brightness >= 1 || p.Contrast < 0 || p.Contrast >= 1 {
		return fmt.Errorf("augment: brightness %g and contrast %g must be in [0, 1)", p.Brightness, p.Contrast)
	}
	return nil
}

// Apply returns an augmented copy of the size×size image x; x is not
// modified.
func (p Pipeline) Apply(x []float32, size int, rng *rand.Rand) []float32 {
	c := len(x) / (size * size)
	out := make([]float32, len(x))
	switch {
	case p.Dihedral:
		Dihedral(out, x, size, c, rng.IntN(8))
	case p.HFlip && rng.IntN(2) == 1:
		Dihedral(out, x, size, c, 4)
	default:
		copy(out, x)
	}
	if p.Crop {
		x0, y0, w, h := cropBox(size, p.CropScale, p.CropRatio, rng)
		tmp := make([]float32, len(out))
		resizedCrop(tmp, out, size, c, x0, y0, w, h)
		out = tmp
	}
	if p.Brightness > 0 || p.Contrast > 0 {
		b := 1 + p.Brightness*(2*rng.Float64()-1)
		k := 1 + p.Contrast*(2*rng.Float64()-1)
		jitter(out, float32(b), float32(k))
	}
	return out
}

// InverseDihedral returns the transform that undoes Dihedral's transform
// k: the opposite quarter turns, or k itself for a mirrored one (a
// reflection undoes itself).
func InverseDihedral(k int) int {
	if k >= 4 {
		return k
	}
	return (4 - k) & 3
}

// Dihedral writes into dst the transform k (0..7) of the n×n image src with
// c channels: k&3 quarter turns clockwise, after a left-right mirror when
// k >= 4. dst and src must not overlap.
func Dihedral(dst, src []float32, n, c, k int) {
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			dx, dy := x, y
			if k >= 4 {
				dx = n - 1 - dx
			}
			for r := 0; r < k&3; r++ {
				dx, dy = n-1-dy, dx
			}
			copy(dst[(dy*n+dx)*c:(dy*n+dx+1)*c], src[(y*n+x)*c:(y*n+x+1)*c])
		}
	}
}

// cropBox draws a crop rectangle like torchvision's RandomResizedCrop: area
// fraction from scale, log-uniform aspect ratio from ratio, uniform
// position; after 10 failed draws it falls back to the centred square of
// the image. Coordinates are in pixels of an n×n image.
func cropBox(n int, scale, ratio [2]float64, rng *rand.Rand) (x0, y0, w, h float64) {
	side := float64(n)
	lo, hi := math.Log(ratio[0]), math.Log(ratio[1])
	for range 10 {
		area := side * side * (scale[0] + (scale[1]-scale[0])*rng.Float64())
		ar := math.Exp(lo + (hi-lo)*rng.Float64())
		w, h = math.Round(math.Sqrt(area*ar)), math.Round(math.Sqrt(area/ar))
		if w >= 1 && h >= 1 && w <= side && h <= side {
			return math.Floor(rng.Float64() * (side - w + 1)), math.Floor(rng.Float64() * (side - h + 1)), w, h
		}
	}
	return 0, 0, side, side
}

// resizedCrop writes into dst (n×n, c channels) the rectangle (x0, y0, w, h)
// of the n×n image src, scaled with bilinear interpolation that samples
// only inside the rectangle.
func resizedCrop(dst, src []float32, n, c int, x0, y0, w, h float64) {
	sx, sy := w/float64(n), h/float64(n)
	for y := 0; y < n; y++ {
		fy := clampf(y0+(float64(y)+0.5)*sy-0.5, y0, min(y0+h-1, float64(n-1)))
		iy := int(fy)
		ty := float32(fy - float64(iy))
		for x := 0; x < n; x++ {
			fx := clampf(x0+(float64(x)+0.5)*sx-0.5, x0, min(x0+w-1, float64(n-1)))
			ix := int(fx)
			tx := float32(fx - float64(ix))
			ix1, iy1 := min(ix+1, n-1), min(iy+1, n-1)
			for ch := 0; ch < c; ch++ {
				a := src[(iy*n+ix)*c+ch]*(1-tx) + src[(iy*n+ix1)*c+ch]*tx
				b := src[(iy1*n+ix)*c+ch]*(1-tx) + src[(iy1*n+ix1)*c+ch]*tx
				dst[(y*n+x)*c+ch] = a*(1-ty) + b*ty
			}
		}
	}
}

// jitter scales x in place by brightness b, then by contrast k about its
// mean, clamping to [0, 1].
func jitter(x []float32, b, k float32) {
	var sum float64
	for i := range x {
		x[i] *= b
		sum += float64(x[i])
	}
	mean := float32(sum / float64(max(len(x), 1)))
	for i, v := range x {
		x[i] = min(max((v-mean)*k+mean, 0), 1)
	}
}

func clampf(v, lo, hi float64) float64 { return math.Min(math.Max(v, lo), hi) }
