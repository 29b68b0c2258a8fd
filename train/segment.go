package train

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"

	"mlabel/arch"
	"mlabel/infer"
	"mlabel/loader"
	"mlabel/loss"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/tensor"
)

// predict scores src with the run's model: the image-level set and, on
// the segmentation route, the pixel counts.
func (r *run) predict(ctx context.Context, src Source) (*infer.Set, *metrics.IoU, error) {
	if !r.cfg.Segment {
		val, err := Predict(ctx, r.model, src, r.lossFn)
		return val, nil, err
	}
	return PredictMasks(ctx, r.model, src, r.lossFn, len(r.data.Train.Labels), nil)
}

// priorBias sets the bias of a new segmentation network's logits to each
// label's pixel prevalence on the training masks, logit(π) with π kept
// within [1e-3, 1-1e-3], so that training starts from the prior instead
// of spending its first steps learning it: with one logit per pixel,
// most pixels negative for most labels, a zero bias starts far off.
func (r *run) priorBias(l *loader.Loader) error {
	var bias *nn.Param
	for _, name := range []string{"logits.bias", "seg.logits.bias"} {
		if p := r.model.Param(name); p != nil {
			bias = p
		}
	}
	if bias == nil {
		return nil
	}
	prev, err := l.PixelPrevalence()
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	if len(prev) != bias.Value.Len() {
		return fmt.Errorf("train: %d labels for %d logits", len(prev), bias.Value.Len())
	}
	for j, p := range prev {
		p = min(max(p, 1e-3), 1-1e-3)
		bias.Value.Data[j] = float32(math.Log(p / (1 - p)))
	}
	return nil
}

// criterion names the validation figure that chooses the best epoch.
func (r *run) criterion() string {
	if r.cfg.Segment {
		return "mIoU"
	}
	return "mAP"
}

// PredictMasks runs a segmentation network m in evaluation mode over
// every batch of src (batches with per-pixel targets, see loader.Config.Masks)
// and returns the image-level scored set, one row per image, whose score
// for a label is its area fraction (the fraction of the image's pixels
// above the label's pixel threshold) and whose truth is the images' tags,
// and the pixel IoU counts over labels labels at those thresholds. An
// image cut into windows (a fixed scale's grid, see loader.Batch.Weight)
// is pooled: its pixels are counted over all its windows, each once, and
// its area fractions are of all of them. thresholds gives one pixel
// threshold per label; nil fits them on src's own known pixels
// (metrics.PixelHist.Fit: each label's threshold of highest IoU), as on
// validation, and the counts' Thresholds say which. With lossFn (a
// per-pixel loss) it also computes the mean loss, over windows.
func PredictMasks(ctx context.Context, m *nn.Model, src Source, lossFn loss.Loss, labels int, thresholds []float64) (*infer.Set, *metrics.IoU, error) {
	if thresholds != nil && len(thresholds) != labels {
		return nil, nil, fmt.Errorf("train: predict: %d pixel thresholds for %d labels", len(thresholds), labels)
	}
	var t []float32
	if thresholds != nil {
		for _, th := range thresholds {
			if !(th > 0 && th < 1) {
				return nil, nil, fmt.Errorf("train: predict: pixel threshold %g is not within (0, 1)", th)
			}
		}
		t = infer.PixelLogits(thresholds)
	}
	iou := metrics.NewIoU(labels)
	hist := metrics.NewPixelHist(labels)
	// Each image's pixels are counted per label: above its threshold when
	// thresholds are given, per bin when fitting, so that its area
	// fractions follow at whatever thresholds the fit settles.
	var imgs []*imageCounts
	byIndex := map[int]*imageCounts{}
	var grad *tensor.Tensor
	var lossSum float64
	var n int
	for b, err := range src.Batches(ctx, 0) {
		if err != nil {
			return nil, nil, fmt.Errorf("train: predict: %w", err)
		}
		if b.Tags == nil {
			return nil, nil, fmt.Errorf("train: predict: the batches have no per-pixel targets")
		}
		logits, err := m.Forward(b.X, false)
		if err != nil {
			return nil, nil, fmt.Errorf("train: predict: %w", err)
		}
		if len(logits.Shape) != 4 || logits.Shape[3] != labels || !tensor.SameShape(logits.Shape, b.Y.Shape) || !tensor.SameShape(logits.Shape, b.Mask.Shape) {
			return nil, nil, fmt.Errorf("train: predict: logits %v for targets %v of %d labels", logits.Shape, b.Y.Shape, labels)
		}
		px := logits.Shape[1] * logits.Shape[2]
		if b.Weight != nil && len(b.Weight.Data) != len(b.Names)*px {
			return nil, nil, fmt.Errorf("train: predict: pixel weights %v for logits %v", b.Weight.Shape, logits.Shape)
		}
		if lossFn != nil {
			grad = tensor.Ensure(grad, logits.Shape...)
			v, err := lossFn.Compute(logits, b.Y, b.Mask, grad)
			if err != nil {
				return nil, nil, fmt.Errorf("train: predict loss: %w", err)
			}
			lossSum += v * float64(len(b.Names))
			n += len(b.Names)
		}
		for k, name := range b.Names {
			// Rows of one dataset index are one image's windows; a row
			// without an index is an image of its own.
			var c *imageCounts
			if b.Index != nil {
				c = byIndex[b.Index[k]]
			}
			if c == nil {
				c = newImageCounts(name, b.Tags.Data[k*labels:(k+1)*labels], b.TagsMask.Data[k*labels:(k+1)*labels], labels, thresholds == nil)
				if b.Index != nil {
					byIndex[b.Index[k]] = c
				}
				imgs = append(imgs, c)
			}
			for p := range px {
				w := int64(1)
				if b.Weight != nil {
					w = int64(b.Weight.Data[k*px+p])
				}
				if w == 0 {
					continue
				}
				c.px += w
				o := (k*px + p) * labels
				for j := range labels {
					v, known, pos := logits.Data[o+j], b.Mask.Data[o+j] != 0, b.Y.Data[o+j] == 1
					if t == nil {
						bin := metrics.PixelBin(v)
						c.bins[j][bin] += w
						if known {
							hist.AddBinN(j, bin, pos, w)
						}
						continue
					}
					pred := v > t[j]
					if pred {
						c.above[j] += w
					}
					if known {
						iou.AddN(j, pred, pos, w)
					}
				}
			}
		}
	}
	if thresholds == nil {
		k := hist.Fit()
		iou = hist.At(k)
		for _, c := range imgs {
			for j := range labels {
				for _, v := range c.bins[j][k[j]:] {
					c.above[j] += v
				}
			}
		}
	} else {
		iou.Thresholds = thresholds
	}
	out := &infer.Set{}
	names := make([]string, len(imgs))
	area := make([][]float64, len(imgs))
	tags, tagsMask := tensor.New(len(imgs), labels), tensor.New(len(imgs), labels)
	for i, c := range imgs {
		names[i] = c.name
		area[i] = make([]float64, labels)
		for j, a := range c.above {
			area[i][j] = float64(a) / float64(c.px)
		}
		copy(tags.Data[i*labels:], c.tags)
		copy(tagsMask.Data[i*labels:], c.tagsMask)
	}
	if len(imgs) > 0 {
		if err := out.AppendScores(names, area, tags, tagsMask); err != nil {
			return nil, nil, fmt.Errorf("train: predict: %w", err)
		}
	}
	if n > 0 {
		out.Loss = lossSum / float64(n)
	}
	return out, iou, nil
}

// imageCounts are one image's pixels over its windows: how many, and per
// label how many lie above the threshold (or, fitting, in each bin).
type imageCounts struct {
	name           string
	tags, tagsMask []float32
	px             int64
	above          []int64   // [label]
	bins           [][]int64 // [label][bin], when fitting
}

// newImageCounts returns empty counts for an image with its tags.
func newImageCounts(name string, tags, tagsMask []float32, labels int, fit bool) *imageCounts {
	c := &imageCounts{name: name, tags: append([]float32(nil), tags...), tagsMask: append([]float32(nil), tagsMask...), above: make([]int64, labels)}
	if fit {
		c.bins = make([][]int64, labels)
		for j := range c.bins {
			c.bins[j] = make([]int64, metrics.PixelBins)
		}
	}
	return c
}

// segmentHead cuts backbone at node at for size×size images and adds the
// light segmentation decoder, upsampling the feature map back to the
// image's size.
func segmentHead(backbone *nn.Spec, at string, size, numLabels int) (*nn.Spec, error) {
	cut, err := nn.Cut(backbone, at)
	if err != nil {
		return nil, err
	}
	if err := resizeInput(cut, size); err != nil {
		return nil, err
	}
	m, err := nn.Build(cut, rand.New(rand.NewPCG(0, 0)))
	if err != nil {
		return nil, err
	}
	sh, err := m.OutputShape(0, 1)
	if err != nil {
		return nil, err
	}
	if len(sh) != 4 || sh[1] != sh[2] || size%sh[1] != 0 {
		return nil, fmt.Errorf("the feature map at %s is %v for %d px images: the segmentation decoder needs a square map whose side divides the image's", at, sh, size)
	}
	return arch.SegmentHead(cut, at, numLabels, size/sh[1])
}
