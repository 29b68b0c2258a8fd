package predict

import (
	"fmt"

	"mlabel/tensor"
)

// scoreArrays runs the network on preprocessed images (normalised HWC
// arrays at the bundle's size) and returns each one's sigmoid scores and,
// after KeepFeatures, its pooled feature vector (nil otherwise); with
// test-time augmentation both are means over the transforms.
func (p *Predictor) scoreArrays(xs [][]float32) ([][]float64, [][]float32, error) {
	if len(xs) == 0 {
		return nil, nil, nil
	}
	pre := p.pre
	ch := pre.Channels()
	per := pre.Size * pre.Size * ch
	x := tensor.New(len(xs), pre.Size, pre.Size, ch)
	for i, xi := range xs {
		if len(xi) != per {
			return nil, nil, fmt.Errorf("predict: image %d has %d values, the network takes %d", i, len(xi), per)
		}
		copy(x.Data[i*per:(i+1)*per], xi)
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	w, err := p.pool.Get()
	if err != nil {
		return nil, nil, fmt.Errorf("predict: %w", err)
	}
	defer p.pool.Put(w)
	tta := p.tta
	if len(tta) == 0 || p.Segmenter() { // a segmenter averages its maps (segmentLogits)
		tta = []int{-1} // the image as it is
	}
	var scores [][]float64
	var feats [][]float32
	var tx *tensor.Tensor // the transformed batch
	for _, k := range tta {
		in := x
		if k >= 0 {
			tx = tensor.Ensure(tx, x.Shape...)
			transform(tx, x, k)
			in = tx
		}
		s, err := p.scoreBatch(w, in)
		if err != nil {
			return nil, nil, err
		}
		if feats, err = addFeatures(w, p.feat, feats, len(xs)); err != nil {
			return nil, nil, err
		}
		if scores == nil {
			scores = s
			continue
		}
		for i := range s {
			for j := range s[i] {
				scores[i][j] += s[i][j]
			}
		}
	}
	if len(tta) > 1 {
		inv := 1 / float64(len(tta))
		for i := range scores {
			for j := range scores[i] {
				scores[i][j] *= inv
			}
		}
		for _, f := range feats {
			for j := range f {
				f[j] *= float32(inv)
			}
		}
	}
	return scores, feats, nil
}
