package loader

import (
	"context"
	"fmt"

	"mlabel/imageio"
	"mlabel/masks"
	"mlabel/tensor"
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
	if l.cfg.NoCache {
		return load()
	}
	e := &l.cache[i]
	e.maskOnce.Do(func() { e.mask, e.maskErr = load() })
	return e.mask, e.maskErr
}

// buildMasked assembles a batch with per-pixel targets: Y and Mask are
// [N, Size, Size, L], Mask 0 on the pixels a mask leaves unlabelled, and
// Tags and TagsMask are the images' tags.
func (l *Loader) buildMasked(ctx context.Context, epoch int, idx []int) (*Batch, error) {
	s, nl, ch := l.cfg.Preprocess.Size, len(l.ds.Labels), l.cfg.Preprocess.Channels()
	per, perT := s*s*ch, s*s*nl
	b := &Batch{
		X:        tensor.New(len(idx), s, s, ch),
		Y:        tensor.New(len(idx), s, s, nl),
		Mask:     tensor.New(len(idx), s, s, nl),
		Tags:     tensor.New(len(idx), nl),
		TagsMask: tensor.New(len(idx), nl),
		Names:    make([]string, len(idx)),
		Index:    append([]int(nil), idx...),
	}
	for k, i := range idx {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pix, err := l.pixels(i)
		if err != nil {
			return nil, err
		}
		m, err := l.mask(i)
		if err != nil {
			return nil, err
		}
		x := imageio.ToFloat(pix)
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
		l.cfg.Preprocess.Normalize(x)
		copy(b.X.Data[k*per:(k+1)*per], x)
		y, known := b.Y.Data[k*perT:(k+1)*perT], b.Mask.Data[k*perT:(k+1)*perT]
		for p := range s * s {
			copy(y[p*nl:(p+1)*nl], t[p*2*nl:p*2*nl+nl])
			copy(known[p*nl:(p+1)*nl], t[p*2*nl+nl:(p+1)*2*nl])
		}
		it := l.ds.Items[i]
		l.ds.TargetsInto(it, b.Tags.Data[k*nl:(k+1)*nl], b.TagsMask.Data[k*nl:(k+1)*nl])
		b.Names[k] = it.Name
	}
	return b, nil
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
