package loader

import (
	"fmt"

	"mlabel/imageio"
	"mlabel/masks"
)

// mask returns item i's mask over the dataset's labels, cropped as the
// preprocessing crops the image and resized to Size×Size by nearest
// neighbour, with the labels the item marks unknown set to masks.Ignore.
func (l *Loader) mask(i int) ([]uint8, error) {
	load := func() ([]uint8, error) {
		it := l.ds.Items[i]
		m, err := l.cfg.Masks.Load(it.Name, l.ds.Labels)
		if err != nil {
			return nil, fmt.Errorf("loader: image %q (%s): %w", it.Name, l.ds.Where(it), err)
		}
		if l.cfg.Preprocess.Mode == imageio.ModeCrop {
			m = m.CentreSquare()
		}
		s := l.cfg.Preprocess.Size
		m = m.Resize(s, s)
		nl := len(l.ds.Labels)
		for _, u := range it.Unknown {
			for p := range s * s {
				m.Data[p*nl+u] = masks.Ignore
			}
		}
		return m.Data, nil
	}
	return l.cache[i].mask.get(!l.cfg.NoCache, load)
}

// pixelTargets writes item i's per-pixel targets and their known flags
// into b's Y and Mask at position k, from its mask, and returns x, the
// item's pixels, augmented together with them.
func (l *Loader) pixelTargets(b *Batch, k, i, epoch int, x []float32) ([]float32, error) {
	s, nl := l.cfg.Preprocess.Size, len(l.ds.Labels)
	perT := s * s * nl
	m, err := l.mask(i)
	if err != nil {
		return nil, err
	}
	// Targets and their known flags travel as 2L values per pixel, so
	// that one geometric transform moves them together.
	t := make([]float32, 2*perT)
	for p := range s * s {
		for j := range nl {
			switch m[p*nl+j] {
			case masks.Present:
				t[p*2*nl+j], t[p*2*nl+nl+j] = 1, 1
			case masks.Absent:
				t[p*2*nl+nl+j] = 1
			}
		}
	}
	if l.cfg.Augment != nil {
		x, t = l.cfg.Augment.ApplyMasked(x, t, s, l.augmentRNG(epoch, i))
	}
	y, known := b.Y.Data[k*perT:(k+1)*perT], b.Mask.Data[k*perT:(k+1)*perT]
	for p := range s * s {
		copy(y[p*nl:(p+1)*nl], t[p*2*nl:p*2*nl+nl])
		copy(known[p*nl:(p+1)*nl], t[p*2*nl+nl:(p+1)*2*nl])
	}
	return x, nil
}

// PixelPrevalence returns, per label, the fraction of the known pixels of
// the dataset's masks (at the loader's size) that show it; a label with no
// known pixel gets 0. It reads every mask once (they stay cached).
func (l *Loader) PixelPrevalence() ([]float64, error) {
	if l.cfg.Masks == nil {
		return nil, fmt.Errorf("loader: no masks")
	}
	nl := len(l.ds.Labels)
	pos, known := make([]float64, nl), make([]float64, nl)
	for i := range l.ds.Items {
		m, err := l.mask(i)
		if err != nil {
			return nil, err
		}
		for k, v := range m {
			switch v {
			case masks.Present:
				pos[k%nl]++
				known[k%nl]++
			case masks.Absent:
				known[k%nl]++
			}
		}
	}
	for j := range pos {
		if known[j] > 0 {
			pos[j] /= known[j]
		}
	}
	return pos, nil
}
