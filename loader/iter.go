package loader

import (
	"context"
	"iter"
	"sync"
)

// result is a built batch or the error that stopped it.
type result struct {
	batch *Batch
	err   error
}

// job asks a worker to build one batch into res.
type job struct {
	idx []draw
	res chan result
}

// Iter walks the batches of one epoch, in order. Use it as
//
//	it := l.Epoch(ctx, epoch)
//	defer it.Close()
//	for it.Next() { use(it.Batch()) }
//	if err := it.Err(); err != nil { ... }
type Iter struct {
	out    chan result
	cancel context.CancelFunc
	wg     sync.WaitGroup
	ctx    context.Context
	cur    *Batch
	err    error
	seen   int // batches delivered
	want   int // batches in the epoch
}

// Epoch starts preparing the batches of the given epoch (which seeds the
// shuffle and augmentation) and returns an iterator over them. Cancelling
// ctx stops the work; Close must be called when done.
func (l *Loader) Epoch(ctx context.Context, epoch int) *Iter {
	ctx, cancel := context.WithCancel(ctx)
	it := &Iter{out: make(chan result), cancel: cancel, ctx: ctx, want: l.Len()}
	jobs := make(chan job)
	pending := make(chan chan result, l.cfg.Prefetch)
	order := l.order(epoch)
	bs := l.cfg.BatchSize

	it.wg.Add(2 + l.cfg.Workers)
	go func() { // dispatcher: hands out batches in order
		defer it.wg.Done()
		defer close(jobs)
		defer close(pending)
		for b := 0; b < l.Len(); b++ {
			j := job{idx: order[b*bs : min((b+1)*bs, len(order))], res: make(chan result, 1)}
			select {
			case pending <- j.res:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- j:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range l.cfg.Workers {
		go func() {
			defer it.wg.Done()
			for j := range jobs {
				b, err := l.build(ctx, epoch, j.idx)
				j.res <- result{b, err}
			}
		}()
	}
	go func() { // emitter: delivers batches in order, stops at the first error
		defer it.wg.Done()
		defer close(it.out)
		for res := range pending {
			var r result
			select {
			case r = <-res:
			case <-ctx.Done():
				r = result{err: ctx.Err()}
			}
			select {
			case it.out <- r:
			case <-ctx.Done():
				return
			}
			if r.err != nil {
				cancel()
				return
			}
		}
	}()
	return it
}

// Next advances to the next batch and reports whether there is one. It
// returns false at the end of the epoch or on error; see Err.
func (it *Iter) Next() bool {
	if it.err != nil {
		return false
	}
	r, ok := <-it.out
	if !ok {
		if it.seen < it.want {
			it.err = context.Cause(it.ctx)
		}
		return false
	}
	if r.err != nil {
		it.err = r.err
		it.cur = nil
		return false
	}
	it.cur = r.batch
	it.seen++
	return true
}

// Batch returns the current batch.
func (it *Iter) Batch() *Batch { return it.cur }

// Err returns the error that ended the epoch early, naming the image, or
// nil.
func (it *Iter) Err() error { return it.err }

// Close stops the epoch's work and waits for its goroutines to finish.
func (it *Iter) Close() {
	it.cancel()
	for range it.out {
	}
	it.wg.Wait()
}

// Batches returns the batches of the given epoch, in order, as Epoch
// prepares them; iteration ends at the first error, which it yields with a
// nil batch. Stopping early releases the epoch's work. A batch is valid
// until the next one is drawn.
func (l *Loader) Batches(ctx context.Context, epoch int) iter.Seq2[*Batch, error] {
	return func(yield func(*Batch, error) bool) {
		it := l.Epoch(ctx, epoch)
		defer it.Close()
		for it.Next() {
			if !yield(it.Batch(), nil) {
				return
			}
		}
		if err := it.Err(); err != nil {
			yield(nil, err)
		}
	}
}
