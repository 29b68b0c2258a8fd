// Package loader turns a dataset into batches of tensors for training and
// evaluation. Images are decoded in parallel, kept in memory once resized
// (a few thousand images fit), augmented afresh each epoch, and prepared a
// few batches ahead of the consumer.
package loader

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"

	"mlabel/augment"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/masks"
	"mlabel/tensor"
)

// Config says how to batch a dataset.
type Config struct {
	// Preprocess resizes and normalises each image.
	Preprocess imageio.Preprocess
	// Augment, when not nil, is applied to each image before
	// normalisation, with fresh randomness each epoch.
	Augment *augment.Pipeline
	// BatchSize is the number of images per batch.
	BatchSize int
	// Shuffle reorders the images each epoch.
	Shuffle bool
	// DropLast drops a final batch smaller than BatchSize.
	DropLast bool
	// Seed makes shuffling and augmentation reproducible.
	Seed uint64
	// Workers is the number of decoding goroutines; the number of CPUs
	// when 0.
	Workers int
	// Prefetch is the number of batches prepared ahead; 2 when 0.
	Prefetch int
	// NoCache decodes every image each epoch instead of keeping the resized
	// pixels in memory.
	NoCache bool
	// Masks, when not nil, gives per-pixel targets: Y and Mask are then
	// [N, Size, Size, L], read from each image's mask over the dataset's
	// labels (see masks.Set), cropped and resized as the image is, and
	// augmented with it.
	Masks *masks.Set
	// Scale, with Masks, when at least 1, trains at a fixed scale: each
	// image is reduced by Scale (each pixel the mean of a Scale×Scale
	// block, as imageio.Source windows reduce) and kept so in memory
	// (float32 samples), its mask reduced alike by nearest neighbour, and
	// a batch holds Size×Size windows of each. With Augment, an epoch
	// draws enough random windows of each image to cover its reduced area
	// about once (see EpochWindows). Without (validation, test), the
	// windows are a fixed grid that covers every pixel of the reduced
	// image, overlapping as prediction's do (imageio.Windows,
	// imageio.WindowOverlap), each pixel owned by one window (Batch.Weight),
	// so that an image's figures pool all its pixels once. Along a side
	// shorter than Size a window spans the side and is stretched to Size.
	// 0 resizes the whole image (Preprocess.Mode).
	Scale int
}

// MaxWindows caps the windows an image gives per training epoch at a
// fixed scale (see EpochWindows).
const MaxWindows = 16

// EpochWindows returns the number of random windows a training epoch
// draws from an image of w×h pixels reduced by scale into size×size
// windows: the reduced image's area over a window's (along a side
// shorter than size the window spans the side), rounded up, so that an
// epoch is about one pass over its pixels; 1 for an image no larger than
// a window, at most MaxWindows.
func EpochWindows(w, h, scale, size int) int {
	if scale < 1 || size < 1 || w < 1 || h < 1 {
		return 1
	}
	rw, rh := (w+scale-1)/scale, (h+scale-1)/scale
	win := min(rw, size) * min(rh, size)
	return min((rw*rh+win-1)/win, MaxWindows)
}

// Batch is a set of images with their targets.
type Batch struct {
	// X holds the images, [N, H, W, C], normalised; C is the
	// preprocessing's channel count (3 for RGB).
	X *tensor.Tensor
	// Y holds the multi-hot targets, [N, L].
	Y *tensor.Tensor
	// Mask is 0 where a label is unknown for an image and 1 elsewhere, [N, L].
	Mask *tensor.Tensor
	// Tags and TagsMask are the image-level targets and mask, [N, L], of a
	// batch whose Y and Mask are per pixel (nil otherwise).
	Tags, TagsMask *tensor.Tensor
	// Weight, for the grid windows of a fixed scale without augmentation
	// (see Config.Scale), is [N, Size, Size]: how many pixels of the
	// image reduced by Scale each window pixel stands for, 0 where another
	// window owns them (1 where a window is not stretched), so that over
	// an image's windows every pixel counts exactly once; nil otherwise
	// (every pixel of a batch counts once).
	Weight *tensor.Tensor
	// Names are the images' names as given in the dataset.
	Names []string
	// Index are the images' indices in the dataset's Items.
	Index []int
}

// Loader produces batches from a dataset. It is safe for concurrent use.
type Loader struct {
	ds    *dataset.Dataset
	cfg   Config
	cache []entry

	drawsOnce sync.Once
	draws     []draw // an epoch's windows, in item order
	windows   []int  // each item's windows per epoch
}

// draw is one item of an epoch: window win of item i (0 for whole
// images).
type draw struct{ i, win int }

// entry is one image's cached, resized pixels, and its resized mask when
// the loader has masks.
type entry struct {
	pix, mask lazy
	ras       lazyRaster
}

// lazy is a value loaded at most once, or the error loading it gave.
type lazy struct {
	once sync.Once
	v    []uint8
	err  error
}

// get returns the value, loading it on the first call; without caching it
// loads it on every call.
func (o *lazy) get(cache bool, load func() ([]uint8, error)) ([]uint8, error) {
	if !cache {
		return load()
	}
	o.once.Do(func() { o.v, o.err = load() })
	return o.v, o.err
}

// New returns a loader for ds.
func New(ds *dataset.Dataset, cfg Config) (*Loader, error) {
	if ds == nil || len(ds.Items) == 0 {
		return nil, fmt.Errorf("loader: the dataset has no images")
	}
	if cfg.BatchSize <= 0 {
		return nil, fmt.Errorf("loader: batch size must be positive, got %d", cfg.BatchSize)
	}
	if err := cfg.Preprocess.Validate(); err != nil {
		return nil, fmt.Errorf("loader: %w", err)
	}
	if cfg.Augment != nil {
		if err := cfg.Augment.Validate(); err != nil {
			return nil, fmt.Errorf("loader: %w", err)
		}
	}
	if cfg.Scale < 0 {
		return nil, fmt.Errorf("loader: scale must be 0 or positive, got %d", cfg.Scale)
	}
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.NumCPU()
	}
	if cfg.Prefetch <= 0 {
		cfg.Prefetch = 2
	}
	return &Loader{ds: ds, cfg: cfg, cache: make([]entry, len(ds.Items))}, nil
}

// epochDraws returns the windows of an epoch in item order: one per
// item, or, at a fixed scale (Masks and Scale set), EpochWindows of each
// with Augment and its grid's windows without, from the sizes the
// images' headers declare (an image whose header cannot be read gets
// one, and its error comes when its window is loaded).
func (l *Loader) epochDraws() []draw {
	l.drawsOnce.Do(func() {
		f, s := l.cfg.Scale, l.cfg.Preprocess.Size
		windows := l.cfg.Masks != nil && f > 0
		l.windows = make([]int, len(l.ds.Items))
		for i, it := range l.ds.Items {
			k := 1
			if windows {
				if info, err := imageio.InspectFile(it.Path, l.cfg.Preprocess.MaxPixels); err == nil {
					if l.cfg.Augment != nil {
						k = EpochWindows(info.Width, info.Height, f, s)
					} else {
						rects, _, _ := l.grid((info.Width+f-1)/f, (info.Height+f-1)/f)
						k = len(rects)
					}
				}
			}
			l.windows[i] = k
			for w := range k {
				l.draws = append(l.draws, draw{i, w})
			}
		}
	})
	return l.draws
}

// Len returns the number of batches in an epoch.
func (l *Loader) Len() int {
	n, bs := len(l.epochDraws()), l.cfg.BatchSize
	if l.cfg.DropLast {
		return n / bs
	}
	return (n + bs - 1) / bs
}

// order returns the windows of an epoch, shuffled when configured.
func (l *Loader) order(epoch int) []draw {
	d := l.epochDraws()
	if !l.cfg.Shuffle {
		return d
	}
	out := make([]draw, len(d))
	for k, p := range rand.New(rand.NewPCG(l.cfg.Seed, uint64(epoch))).Perm(len(d)) {
		out[k] = d[p]
	}
	return out
}

// pixels returns the resized 8-bit pixels of item i, decoding it at most
// once unless caching is off.
func (l *Loader) pixels(i int) ([]uint8, error) {
	load := func() ([]uint8, error) {
		it := l.ds.Items[i]
		pix, err := l.cfg.Preprocess.LoadPixels(it.Path)
		if err != nil {
			return nil, fmt.Errorf("loader: image %q (%s): %w", it.Name, l.ds.Where(it), err)
		}
		return pix, nil
	}
	return l.cache[i].pix.get(!l.cfg.NoCache, load)
}

// augmentRNG returns the random source of the augmentation of item i's
// window win in epoch.
func (l *Loader) augmentRNG(epoch, i, win int) *rand.Rand {
	return rand.New(rand.NewPCG(l.cfg.Seed^0x9e3779b97f4a7c15^uint64(win)*0xbf58476d1ce4e5b9, uint64(epoch)<<32|uint64(i)))
}

// build assembles the batch of the given windows. With masks, Y and
// Mask are per pixel, [N, Size, Size, L], Mask 0 on the pixels a mask
// leaves unlabelled, and Tags and TagsMask are the images' tags; without,
// Y and Mask are the tags.
func (l *Loader) build(ctx context.Context, epoch int, idx []draw) (*Batch, error) {
	s, nl, ch := l.cfg.Preprocess.Size, len(l.ds.Labels), l.cfg.Preprocess.Channels()
	per := s * s * ch
	b := &Batch{
		X:     tensor.New(len(idx), s, s, ch),
		Names: make([]string, len(idx)),
		Index: make([]int, len(idx)),
	}
	tags, tagsMask := &b.Y, &b.Mask
	if l.cfg.Masks != nil {
		b.Y, b.Mask = tensor.New(len(idx), s, s, nl), tensor.New(len(idx), s, s, nl)
		tags, tagsMask = &b.Tags, &b.TagsMask
		if l.cfg.Scale > 0 && l.cfg.Augment == nil {
			b.Weight = tensor.New(len(idx), s, s)
		}
	}
	*tags, *tagsMask = tensor.New(len(idx), nl), tensor.New(len(idx), nl)
	for k, d := range idx {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		i := d.i
		var pix, m []uint8
		var weight []float32
		var err error
		if l.cfg.Masks != nil && l.cfg.Scale > 0 {
			pix, m, weight, err = l.window(i, d.win, epoch)
			if b.Weight != nil {
				copy(b.Weight.Data[k*s*s:(k+1)*s*s], weight)
			}
		} else {
			pix, err = l.pixels(i)
		}
		if err != nil {
			return nil, err
		}
		x := imageio.ToFloat(pix)
		if l.cfg.Masks != nil {
			if m == nil {
				if m, err = l.mask(i); err != nil {
					return nil, err
				}
			}
			if x, err = l.pixelTargets(b, k, d, epoch, x, m); err != nil {
				return nil, err
			}
		} else if l.cfg.Augment != nil {
			x = l.cfg.Augment.Apply(x, s, l.augmentRNG(epoch, i, 0))
		}
		l.cfg.Preprocess.Normalize(x)
		copy(b.X.Data[k*per:(k+1)*per], x)
		it := l.ds.Items[i]
		l.ds.TargetsInto(it, (*tags).Data[k*nl:(k+1)*nl], (*tagsMask).Data[k*nl:(k+1)*nl])
		b.Names[k], b.Index[k] = it.Name, i
	}
	return b, nil
}
