package imageio

import (
	"fmt"

	"mlabel/bundle"
)

// ToBundle returns p as a bundle stores it.
func (p Preprocess) ToBundle() bundle.Preprocess {
	out := bundle.Preprocess{Size: p.Size, Mode: p.Mode, Mean: p.Mean, Std: p.Std, MaxPixels: p.MaxPixels, Bands: p.Bands}
	for _, s := range p.BandStats {
		out.BandStats = append(out.BandStats, bundle.BandStat(s))
	}
	return out
}

// PreprocessFromBundle returns the preprocessing a bundle stores. It
// refuses sizes that would make preprocessing allocate without limit (a
// checksum proves a bundle intact, not harmless); a size of 0 (none
// recorded) passes, for Validate to refuse where a size is needed.
func PreprocessFromBundle(b bundle.Preprocess) (Preprocess, error) {
	if b.Size < 0 || b.Size > MaxSize {
		return Preprocess{}, fmt.Errorf("imageio: preprocess size %d is outside 0..%d", b.Size, MaxSize)
	}
	if b.MaxPixels < 0 {
		return Preprocess{}, fmt.Errorf("imageio: negative preprocess max_pixels %d", b.MaxPixels)
	}
	p := Preprocess{Size: b.Size, Mode: b.Mode, Mean: b.Mean, Std: b.Std, MaxPixels: b.MaxPixels, Bands: b.Bands}
	for _, s := range b.BandStats {
		p.BandStats = append(p.BandStats, BandStat(s))
	}
	return p, nil
}
