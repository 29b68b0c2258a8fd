package loader

import (
	"bytes"
	"fmt"
	"image"
	"math/rand/v2"
	"sync"

	"mlabel/imageio"
	"mlabel/masks"
)

// mask returns item i's mask over the dataset's labels, cropped as the
// preprocessing crops the image and resized to Size×Size by nearest
// neighbour (at a fixed scale, reduced by Scale instead, whole), with
// the labels the item marks unknown set to masks.Ignore.
func (l *Loader) mask(i int) ([]uint8, error) {
	load := func() ([]uint8, error) {
		it := l.ds.Items[i]
		m, err := l.cfg.Masks.Load(it.Name, l.ds.Labels)
		if err != nil {
			return nil, fmt.Errorf("loader: image %q (%s): %w", it.Name, l.ds.Where(it), err)
		}
		if f := l.cfg.Scale; f > 0 {
			m = m.Resize((m.W+f-1)/f, (m.H+f-1)/f)
		} else {
			if l.cfg.Preprocess.Mode == imageio.ModeCrop {
				m = m.CentreSquare()
			}
			s := l.cfg.Preprocess.Size
			m = m.Resize(s, s)
		}
		nl := len(l.ds.Labels)
		for _, u := range it.Unknown {
			for p := range m.W * m.H {
				m.Data[p*nl+u] = masks.Ignore
			}
		}
		return m.Data, nil
	}
	return l.cache[i].mask.get(!l.cfg.NoCache, load)
}

// lazyRaster is a raster loaded at most once, or the error loading it
// gave.
type lazyRaster struct {
	once sync.Once
	v    *imageio.Raster
	err  error
}

// reduced returns item i's image reduced by Scale, read through
// imageio.Source as predict reads a large image's tiles, decoding it at
// most once unless caching is off.
func (l *Loader) reduced(i int) (*imageio.Raster, error) {
	load := func() (*imageio.Raster, error) {
		it := l.ds.Items[i]
		pre := l.cfg.Preprocess
		data, err := imageio.ReadFile(it.Path, pre.MaxPixels)
		if err != nil {
			return nil, fmt.Errorf("loader: image %q (%s): %w", it.Name, l.ds.Where(it), err)
		}
		src, err := imageio.OpenSource(it.Path, bytes.NewReader(data), int64(len(data)), imageio.SourceOptions{MaxDecodedPixels: pre.MaxPixels, Bands: len(pre.Bands) > 0})
		if err != nil {
			return nil, fmt.Errorf("loader: image %q (%s): %w", it.Name, l.ds.Where(it), err)
		}
		w, h := src.Size()
		r, err := src.Window(image.Rect(0, 0, w, h), l.cfg.Scale)
		if err != nil {
			return nil, fmt.Errorf("loader: image %q (%s): %w", it.Name, l.ds.Where(it), err)
		}
		return r, nil
	}
	if l.cfg.NoCache {
		return load()
	}
	e := &l.cache[i].ras
	e.once.Do(func() { e.v, e.err = load() })
	return e.v, e.err
}

// window returns the Size×Size window win of item i's reduced image that
// epoch shows (see Config.Scale), as 8-bit pixels, and its mask's; and,
// for validation's grid windows (without Augment), how many pixels of
// the reduced image each of its Size×Size pixels stands for (see
// Batch.Weight), nil for training's random ones.
func (l *Loader) window(i, win, epoch int) (pix, mask []uint8, weight []float32, err error) {
	r, err := l.reduced(i)
	if err != nil {
		return nil, nil, nil, err
	}
	s := l.cfg.Preprocess.Size
	if l.cfg.Augment != nil {
		cw, ch := min(s, r.W), min(s, r.H)
		rng := rand.New(rand.NewPCG(l.cfg.Seed^0x51ed270b27e4c3a5^uint64(win)*0x94d049bb133111eb, uint64(epoch)<<32|uint64(i)))
		x0, y0 := rng.IntN(r.W-cw+1), rng.IntN(r.H-ch+1)
		pix, mask, err = l.windowAt(i, image.Rect(x0, y0, x0+cw, y0+ch))
		return pix, mask, nil, err
	}
	rects, cols, rows := l.grid(r.W, r.H)
	if len(rects) != l.windows[i] {
		return nil, nil, nil, fmt.Errorf("loader: image %q: its header gives %d windows, its %d×%d pixels reduced by %d give %d", l.ds.Items[i].Name, l.windows[i], r.W, r.H, l.cfg.Scale, len(rects))
	}
	rect := rects[win]
	colB, rowB := imageio.Owners(rects, cols, rows, r.W, r.H)
	c, row := win%cols, win/cols
	cx := imageio.OwnedPixels(colB[c], colB[c+1], rect.Min.X, rect.Max.X, s)
	cy := imageio.OwnedPixels(rowB[row], rowB[row+1], rect.Min.Y, rect.Max.Y, s)
	weight = make([]float32, s*s)
	for y, ny := range cy {
		for x, nx := range cx {
			weight[y*s+x] = float32(ny * nx)
		}
	}
	pix, mask, err = l.windowAt(i, rect)
	return pix, mask, weight, err
}

// grid cuts a reduced image of w×h pixels into validation's windows:
// Size×Size, overlapping by imageio.WindowOverlap, as prediction cuts an
// image (see imageio.Windows), covering every pixel.
func (l *Loader) grid(w, h int) (rects []image.Rectangle, cols, rows int) {
	return imageio.Windows{Side: l.cfg.Preprocess.Size, Overlap: imageio.WindowOverlap}.Rects(w, h)
}

// windowAt returns the part rect of item i's reduced image resized to
// Size×Size (kept as it is when it is Size×Size; along a side shorter
// than Size, stretched), as 8-bit pixels, and its mask's alike by
// nearest neighbour.
func (l *Loader) windowAt(i int, rect image.Rectangle) (pix, mask []uint8, err error) {
	r, err := l.reduced(i)
	if err != nil {
		return nil, nil, err
	}
	m, err := l.mask(i)
	if err != nil {
		return nil, nil, err
	}
	nl := len(l.ds.Labels)
	if len(m) != r.W*r.H*nl {
		return nil, nil, fmt.Errorf("loader: image %q: its mask reduced by %d has %d values, the image %d×%d pixels", l.ds.Items[i].Name, l.cfg.Scale, len(m), r.W, r.H)
	}
	if !rect.In(image.Rect(0, 0, r.W, r.H)) || rect.Empty() {
		return nil, nil, fmt.Errorf("loader: image %q: window %v outside its %d×%d pixels reduced by %d", l.ds.Items[i].Name, rect, r.W, r.H, l.cfg.Scale)
	}
	pre := l.cfg.Preprocess
	pre.Mode = imageio.ModeSquash
	if pix, err = pre.RasterPixels(r.Sub(rect)); err != nil {
		return nil, nil, fmt.Errorf("loader: image %q: %w", l.ds.Items[i].Name, err)
	}
	cw, ch, x0, y0 := rect.Dx(), rect.Dy(), rect.Min.X, rect.Min.Y
	sub := masks.New(cw, ch, l.ds.Labels)
	for y := range ch {
		copy(sub.Data[y*cw*nl:(y+1)*cw*nl], m[((y0+y)*r.W+x0)*nl:((y0+y)*r.W+x0+cw)*nl])
	}
	return pix, sub.Resize(pre.Size, pre.Size).Data, nil
}

// pixelTargets writes the per-pixel targets of d, an item's window, and
// their known flags into b's Y and Mask at position k, from its mask, and
// returns x, the window's pixels, augmented together with them; m is the
// window's Size×Size mask.
func (l *Loader) pixelTargets(b *Batch, k int, d draw, epoch int, x []float32, m []uint8) ([]float32, error) {
	s, nl := l.cfg.Preprocess.Size, len(l.ds.Labels)
	perT := s * s * nl
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
		x, t = l.cfg.Augment.ApplyMasked(x, t, s, l.augmentRNG(epoch, d.i, d.win))
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
