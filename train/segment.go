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
// and returns the image-level scored set, whose score for a label is its
// area fraction (the fraction of the image's pixels above the label's
// pixel threshold) and whose truth is the images' tags, and the pixel IoU
// counts over labels labels at those thresholds. thresholds gives one
// pixel threshold per label; nil fits them on src's own known pixels
// (metrics.PixelHist.Fit: each label's threshold of highest IoU), as on
// validation, and the counts' Thresholds say which. With lossFn (a
// per-pixel loss) it also computes the mean loss.
func PredictMasks(ctx context.Context, m *nn.Model, src Source, lossFn loss.Loss, labels int, thresholds []float64) (*infer.Set, *metrics.IoU, error) {
	if thresholds != nil && len(thresholds) != labels {
		return nil, nil, fmt.Errorf("train: predict: %d pixel thresholds for %d labels", len(thresholds), labels)
	}
	out := &infer.Set{}
	iou := metrics.NewIoU(labels)
	hist := metrics.NewPixelHist(labels)
	// Fitting, each image's pixels are counted per label and bin, so that
	// its area fractions follow at whatever thresholds the fit settles.
	type pending struct {
		names          []string
		tags, tagsMask *tensor.Tensor
		bins           [][]int64 // [image*labels+label][bin]
		px             int
	}
	var later []pending
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
		if lossFn != nil {
			grad = tensor.Ensure(grad, logits.Shape...)
			v, err := lossFn.Compute(logits, b.Y, b.Mask, grad)
			if err != nil {
				return nil, nil, fmt.Errorf("train: predict loss: %w", err)
			}
			lossSum += v * float64(len(b.Names))
			n += len(b.Names)
		}
		if thresholds != nil {
			if err := iou.AddLogitsAt(logits, b.Y, b.Mask, thresholds); err != nil {
				return nil, nil, fmt.Errorf("train: predict: %w", err)
			}
			area, err := infer.AreaFractionsAt(logits, thresholds)
			if err != nil {
				return nil, nil, fmt.Errorf("train: predict: %w", err)
			}
			if err := out.AppendScores(b.Names, area, b.Tags, b.TagsMask); err != nil {
				return nil, nil, fmt.Errorf("train: predict: %w", err)
			}
			continue
		}
		if len(logits.Shape) != 4 || logits.Shape[3] != labels || !tensor.SameShape(logits.Shape, b.Y.Shape) {
			return nil, nil, fmt.Errorf("train: predict: logits %v for targets %v of %d labels", logits.Shape, b.Y.Shape, labels)
		}
		p := pending{names: b.Names, tags: b.Tags, tagsMask: b.TagsMask, px: logits.Shape[1] * logits.Shape[2]}
		p.bins = make([][]int64, len(b.Names)*labels)
		for i := range p.bins {
			p.bins[i] = make([]int64, metrics.PixelBins)
		}
		for i, v := range logits.Data {
			j, img := i%labels, i/(p.px*labels)
			bin := metrics.PixelBin(v)
			p.bins[img*labels+j][bin]++
			if b.Mask.Data[i] != 0 {
				hist.AddBin(j, bin, b.Y.Data[i] == 1)
			}
		}
		later = append(later, p)
	}
	if thresholds == nil {
		k := hist.Fit()
		iou = hist.At(k)
		for _, p := range later {
			area := make([][]float64, len(p.names))
			for i := range area {
				area[i] = make([]float64, labels)
				for j := range labels {
					var c int64
					for _, v := range p.bins[i*labels+j][k[j]:] {
						c += v
					}
					area[i][j] = float64(c) / float64(p.px)
				}
			}
			if err := out.AppendScores(p.names, area, p.tags, p.tagsMask); err != nil {
				return nil, nil, fmt.Errorf("train: predict: %w", err)
			}
		}
	} else {
		iou.Thresholds = thresholds
	}
	if n > 0 {
		out.Loss = lossSum / float64(n)
	}
	return out, iou, nil
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
