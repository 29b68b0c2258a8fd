package predict

import (
	"context"
	"fmt"
	"image"
	"math"
	"runtime"

	"mlabel/augment"
	"mlabel/bundle"
	"mlabel/infer"
	"mlabel/nn"
	"mlabel/tensor"
)

// scoreBatch runs the workspace w on a batch of preprocessed images: each
// label's probability for a classifier, its area fraction (the fraction
// of the image's pixels above the label's pixel threshold) for a
// segmenter, whose maps are averaged over the test-time transforms
// (segmentLogits).
func (p *Predictor) scoreBatch(w *nn.Model, x *tensor.Tensor) ([][]float64, error) {
	if p.b.Kind == bundle.KindSegmenter {
		logits, err := p.segmentLogits(w, x)
		if err != nil {
			return nil, err
		}
		a, err := infer.AreaFractionsAt(logits, p.th)
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		return a, nil
	}
	logits, err := w.Forward(x, false)
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	s, err := infer.Probabilities(logits)
	if err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	return s, nil
}

// segmentLogits runs the segmenter's workspace w on x and returns its
// per-pixel logits, a tensor of its own. With test-time augmentation
// they are the logits of the mean probability over the transforms, each
// transform's map turned back before the mean.
func (p *Predictor) segmentLogits(w *nn.Model, x *tensor.Tensor) (*tensor.Tensor, error) {
	if len(p.tta) <= 1 {
		logits, err := w.Forward(x, false)
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		return logits.Clone(), nil
	}
	if len(x.Shape) != 4 || x.Shape[1] != x.Shape[2] {
		return nil, fmt.Errorf("predict: test-time augmentation needs square inputs, got %v", x.Shape)
	}
	var sum, back *tensor.Tensor
	tx := tensor.New(x.Shape...)
	for _, k := range p.tta {
		transform(tx, x, k)
		logits, err := w.Forward(tx, false)
		if err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
		back = tensor.Ensure(back, logits.Shape...)
		transform(back, logits, augment.InverseDihedral(k))
		if sum == nil {
			sum = tensor.New(logits.Shape...)
		}
		for i, v := range back.Data {
			sum.Data[i] += float32(1 / (1 + math.Exp(-float64(v))))
		}
	}
	const eps = 1e-7
	inv := 1 / float64(len(p.tta))
	for i, v := range sum.Data {
		q := min(max(float64(v)*inv, eps), 1-eps)
		sum.Data[i] = float32(math.Log(q / (1 - q)))
	}
	return sum, nil
}

// Segmented is a segmenter's output for one image: its decisions on the
// area fractions (Prediction.Scores), its areas, its mask and the part of
// the image the mask covers.
type Segmented struct {
	Prediction
	// Areas is each label's fraction of the Seen pixels. For a whole
	// image it equals the label's score; from tiles the score is the
	// largest tile's fraction and Areas the stitched whole image's (see
	// SegmentTiled).
	Areas map[string]float64
	// Class is the mask over Seen, W×H row by row: 0 where no label
	// shows, 1 + the label of highest probability where any does (see
	// infer.ClassMap). For a whole image it is at the network's
	// resolution; from tiles it is the stitched mask (see SegmentTiled).
	Class []uint8
	// W and H are the width and height of Class.
	W, H int
	// Seen is the rectangle of the image the network saw (all of it, or
	// its centre square for a centre-crop preprocessing; all of it from
	// tiles), in the decoded, upright image's pixels.
	Seen image.Rectangle
	// Bounds is the decoded, upright image's rectangle.
	Bounds image.Rectangle
}

// Segment runs a segmenter on every image file of files, a batch at a
// time (o.Batch and o.Workers as for ScoreFiles; no test-time
// augmentation): the decisions on each image's area fractions and its
// mask. With o.Tiles, each image is read as an imageio.Source (within the
// limits of o.Source) and segmented from its tiles, one image at a time
// (see SegmentTiled), so that an image of any size is segmented in
// bounded memory. An image that cannot be read or decoded is recorded in
// the failures and the others go on.
func (p *Predictor) Segment(ctx context.Context, files []string, o BatchOptions) ([]Segmented, []Failure, error) {
	if p.b.Kind != bundle.KindSegmenter {
		return nil, nil, fmt.Errorf("predict: a %s bundle has no masks", p.b.Kind)
	}
	if p.byTiles(o) {
		return p.segmentTiledFiles(ctx, files, o)
	}
	if o.Batch <= 0 {
		o.Batch = 32
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	var out []Segmented
	var failures []Failure
	s := p.pre.Size
	ch := p.pre.Channels()
	per := s * s * ch
	for start := 0; start < len(files); start += o.Batch {
		chunk := files[start:min(start+o.Batch, len(files))]
		res, err := p.decodeFiles(ctx, chunk, BatchOptions{Workers: o.Workers})
		if err != nil {
			return nil, nil, err
		}
		var ok []int
		for k, r := range res {
			if r.err != nil {
				failures = append(failures, Failure{Index: start + k, Image: chunk[k], Err: r.err})
			} else {
				ok = append(ok, k)
			}
		}
		if len(ok) == 0 {
			continue
		}
		x := tensor.New(len(ok), s, s, ch)
		names := make([]string, len(ok))
		for n, k := range ok {
			copy(x.Data[n*per:(n+1)*per], res[k].x)
			names[n] = chunk[k]
		}
		logits, area, err := p.segmentBatch(x)
		if err != nil {
			return nil, nil, err
		}
		preds := decideWith(p.rules, p.b.Labels, names, area)
		for n, k := range ok {
			class, err := infer.ClassMapAt(logits, n, p.th)
			if err != nil {
				return nil, nil, fmt.Errorf("predict: %w", err)
			}
			b := res[k].bounds
			out = append(out, Segmented{Prediction: preds[n], Areas: preds[n].Scores, Class: class, W: s, H: s, Seen: p.pre.SeenRect(b), Bounds: b})
		}
	}
	return out, failures, nil
}

// segmentTiledFiles segments every image file of files from its tiles
// (or windows at a fixed scale), one image at a time.
func (p *Predictor) segmentTiledFiles(ctx context.Context, files []string, o BatchOptions) ([]Segmented, []Failure, error) {
	if _, _, scaled := p.Windows(); !scaled {
		if err := o.grid().Check(); err != nil {
			return nil, nil, fmt.Errorf("predict: %w", err)
		}
	}
	var out []Segmented
	var failures []Failure
	for i, path := range files {
		if err := ctx.Err(); err != nil {
			return nil, nil, fmt.Errorf("predict: %w", err)
		}
		s, bad, err := p.segmentFile(path, o)
		switch {
		case err != nil:
			return nil, nil, err
		case bad != nil:
			failures = append(failures, Failure{Index: i, Image: path, Err: bad})
		default:
			out = append(out, s)
		}
	}
	return out, failures, nil
}

// segmentFile opens one image file as a Source and segments it from its
// tiles. bad says why the file cannot be read or cut; the error is for a
// failing network.
func (p *Predictor) segmentFile(path string, o BatchOptions) (s Segmented, bad, err error) {
	src, _, bad := openTiled(path, o, len(p.pre.Bands) > 0)
	if bad != nil {
		return Segmented{}, bad, nil
	}
	defer src.Close()
	st, bad := p.stitch(src, o.grid())
	if bad != nil {
		return Segmented{}, bad, nil
	}
	return p.segmented(path, st), nil, nil
}

// segmentBatch runs the network once on x (over the test-time
// transforms, see segmentLogits) and returns the logits (a copy, the
// workspace going back to the pool) and the area fractions.
func (p *Predictor) segmentBatch(x *tensor.Tensor) (*tensor.Tensor, [][]float64, error) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	w, err := p.pool.Get()
	if err != nil {
		return nil, nil, fmt.Errorf("predict: %w", err)
	}
	defer p.pool.Put(w)
	logits, err := p.segmentLogits(w, x)
	if err != nil {
		return nil, nil, err
	}
	a, err := infer.AreaFractionsAt(logits, p.th)
	if err != nil {
		return nil, nil, fmt.Errorf("predict: %w", err)
	}
	return logits, a, nil
}

// SeenPixels is the number of pixels of the image a segmenter's area
// fractions are fractions of: those of its Seen rectangle.
func (s Segmented) SeenPixels() int { return s.Seen.Dx() * s.Seen.Dy() }

// Segmenter reports whether the predictor's bundle is a segmenter, whose
// scores are area fractions and which gives masks.
func (p *Predictor) Segmenter() bool { return p.b.Kind == bundle.KindSegmenter }

// Masks returns a segmenter's mask of each preprocessed input
// (Preprocess.Input), Size×Size row by row as Segmented.Class.
func (p *Predictor) Masks(xs [][]float32) ([][]uint8, error) {
	if p.b.Kind != bundle.KindSegmenter {
		return nil, fmt.Errorf("predict: a %s bundle has no masks", p.b.Kind)
	}
	s, ch := p.pre.Size, p.pre.Channels()
	per := s * s * ch
	x := tensor.New(len(xs), s, s, ch)
	for i, xi := range xs {
		if len(xi) != per {
			return nil, fmt.Errorf("predict: image %d has %d values, the network takes %d", i, len(xi), per)
		}
		copy(x.Data[i*per:(i+1)*per], xi)
	}
	logits, _, err := p.segmentBatch(x)
	if err != nil {
		return nil, err
	}
	out := make([][]uint8, len(xs))
	for i := range xs {
		if out[i], err = infer.ClassMapAt(logits, i, p.th); err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
	}
	return out, nil
}
