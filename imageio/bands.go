package imageio

import (
	"fmt"
	"image"
	"math"
	"slices"

	xdraw "golang.org/x/image/draw"
)

// Band statistics sampling: at most MaxStatImages images, at most
// statSamples pixels of each.
const (
	// MaxStatImages is the most images BandStatistics reads.
	MaxStatImages = 256
	statSamples   = 4096
	// StatLowPercentile and StatHighPercentile are the percentiles of the
	// raw values that become a band's Low and High.
	StatLowPercentile  = 1
	StatHighPercentile = 99
)

// BandPixels returns the bands of r selected by p.Bands, each scaled by its
// statistics to 0..255 and resized to Size×Size according to Mode, as 8-bit
// values in HWC order. It is InputPixels after decoding.
func (p Preprocess) BandPixels(r *Raster) ([]uint8, error) {
	if len(p.BandStats) != len(p.Bands) {
		return nil, fmt.Errorf("%d bands but statistics for %d", len(p.Bands), len(p.BandStats))
	}
	for _, b := range p.Bands {
		if b < 1 || b > r.Bands {
			return nil, fmt.Errorf("band %d requested, the image has %d bands", b, r.Bands)
		}
	}
	return p.bandPixels(r), nil
}

// bandPixels is BandPixels after its checks.
func (p Preprocess) bandPixels(r *Raster) []uint8 {
	nc := len(p.Bands)
	n := p.Size * p.Size
	out := make([]uint8, n*nc)
	bounds := image.Rect(0, 0, r.W, r.H)
	src := p.source(bounds)
	plane := image.NewGray(bounds)
	dst := image.NewGray(image.Rect(0, 0, p.Size, p.Size))
	for c, b := range p.Bands {
		st := p.BandStats[c]
		for i := range plane.Pix {
			plane.Pix[i] = scale8(r.Pix[i*r.Bands+b-1], st)
		}
		xdraw.CatmullRom.Scale(dst, dst.Rect, plane, src, xdraw.Src, nil)
		for i, v := range dst.Pix {
			out[i*nc+c] = v
		}
	}
	return out
}

// unit maps a raw value to 0..1 by a band's Low and High, clipped; NaN gives 0.
func unit(v float32, st BandStat) float64 {
	u := (float64(v) - float64(st.Low)) / (float64(st.High) - float64(st.Low))
	if math.IsNaN(u) {
		return 0
	}
	return min(max(u, 0), 1)
}

// scale8 maps a raw value to 0..255 by a band's Low and High.
func scale8(v float32, st BandStat) uint8 {
	return uint8(math.Round(unit(v, st) * 255))
}

// BandStatistics computes the statistics of the given 1-based bands from
// training images: it reads at most MaxStatImages of paths (evenly spread)
// and at most a few thousand pixels of each; Low and High are the
// StatLowPercentile and StatHighPercentile percentiles of the raw values
// (High is Low+1 for a constant band), Mean and Std those of the values
// scaled to 0..1 as the network sees them (Std is 1 when they are all equal).
func BandStatistics(paths []string, bands []int, maxPixels int64) ([]BandStat, error) {
	if len(paths) == 0 {
		return nil, fmt.Errorf("imageio: band statistics: no images")
	}
	if len(bands) == 0 {
		return nil, fmt.Errorf("imageio: band statistics: no bands")
	}
	nImg := min(len(paths), MaxStatImages)
	vals := make([][]float32, len(bands))
	for k := 0; k < nImg; k++ {
		path := paths[k*len(paths)/nImg]
		r, err := DecodeRasterFile(path, maxPixels)
		if err != nil {
			return nil, fmt.Errorf("imageio: band statistics: %w", err)
		}
		for _, b := range bands {
			if b < 1 || b > r.Bands {
				return nil, fmt.Errorf("imageio: band statistics: %q: band %d requested, the image has %d bands", path, b, r.Bands)
			}
		}
		step := max(1, r.W*r.H/statSamples)
		for i := 0; i < r.W*r.H; i += step {
			for c, b := range bands {
				if v := r.Pix[i*r.Bands+b-1]; !math.IsNaN(float64(v)) {
					vals[c] = append(vals[c], v)
				}
			}
		}
	}
	out := make([]BandStat, len(bands))
	for c, v := range vals {
		if len(v) == 0 {
			return nil, fmt.Errorf("imageio: band statistics: band %d has no valid values", bands[c])
		}
		slices.Sort(v)
		st := BandStat{Low: percentile(v, StatLowPercentile), High: percentile(v, StatHighPercentile)}
		if !(st.High > st.Low) {
			st.High = st.Low + 1
		}
		var sum, sq float64
		for _, x := range v {
			u := unit(x, st)
			sum += u
			sq += u * u
		}
		mean := sum / float64(len(v))
		std := math.Sqrt(max(sq/float64(len(v))-mean*mean, 0))
		if std < 1e-6 {
			std = 1
		}
		st.Mean, st.Std = float32(mean), float32(std)
		out[c] = st
	}
	return out, nil
}

// percentile returns the q-th percentile (0..100) of sorted values, by
// linear interpolation.
func percentile(sorted []float32, q float64) float32 {
	pos := q / 100 * float64(len(sorted)-1)
	i := int(pos)
	if i >= len(sorted)-1 {
		return sorted[len(sorted)-1]
	}
	f := float32(pos - float64(i))
	return sorted[i]*(1-f) + sorted[i+1]*f
}

// WithBandStats returns p with BandStats computed from the training images
// at paths (see BandStatistics) when it selects bands and has no
// statistics yet, and p unchanged otherwise.
func (p Preprocess) WithBandStats(paths []string) (Preprocess, error) {
	if len(p.Bands) == 0 || len(p.BandStats) > 0 {
		return p, nil
	}
	st, err := BandStatistics(paths, p.Bands, p.MaxPixels)
	if err != nil {
		return p, err
	}
	p.BandStats = st
	return p, nil
}
