package transfer

import (
	"context"
	"fmt"
	"iter"
	"math/rand/v2"

	"mlabel/loader"
)

// Source serves cached features as batches for a head built by HeadSpec,
// the same way a loader serves images, so that one training loop consumes
// either.
type Source struct {
	f     *Features
	batch int
	rng   *rand.Rand
}

// TrainSource returns a source for training a head on f: every epoch draws
// a fresh random order of the images and, for each image, one of its cached
// views at random, in batches of batch images (all of them when there are
// no more than batch), dropping a final short batch. The draws come from
// one stream seeded by seed, epoch after epoch.
func (f *Features) TrainSource(batch int, seed uint64) *Source {
	return &Source{f: f, batch: batch, rng: rand.New(rand.NewPCG(seed, 0x68656164))}
}

// EvalSource returns a source for scoring a head on f: the images in order,
// their first view, in batches of batch images, the last one short.
func (f *Features) EvalSource(batch int) *Source {
	return &Source{f: f, batch: batch}
}

// Len returns the number of batches in an epoch.
func (s *Source) Len() int {
	n := s.f.Len()
	if s.rng != nil {
		return max(1, n/max(s.batch, 1))
	}
	return (n + s.batch - 1) / max(s.batch, 1)
}

// Batches returns an epoch's batches. Their tensors are reused from one
// batch to the next.
func (s *Source) Batches(ctx context.Context, epoch int) iter.Seq2[*loader.Batch, error] {
	return func(yield func(*loader.Batch, error) bool) {
		if s.batch < 1 || s.f.Len() == 0 {
			yield(nil, fmt.Errorf("transfer: %d cached images in batches of %d", s.f.Len(), s.batch))
			return
		}
		n, size := s.f.Len(), s.batch
		order := make([]int, n)
		for i := range order {
			order[i] = i
		}
		if s.rng != nil {
			order = s.rng.Perm(n)
			size = min(size, n)
		}
		b := &loader.Batch{}
		var views []int
		for k := range s.Len() {
			if err := ctx.Err(); err != nil {
				yield(nil, err)
				return
			}
			idx := order[k*size : min((k+1)*size, n)]
			views = append(views[:0], make([]int, len(idx))...)
			if s.rng != nil {
				for j := range views {
					views[j] = s.rng.IntN(len(s.f.Views))
				}
			}
			var err error
			if b.X, b.Y, b.Mask, err = s.f.Batch(idx, views, b.X, b.Y, b.Mask); err != nil {
				yield(nil, err)
				return
			}
			b.Index = idx
			b.Names = b.Names[:0]
			for _, i := range idx {
				b.Names = append(b.Names, s.f.Names[i])
			}
			if !yield(b, nil) {
				return
			}
		}
	}
}
