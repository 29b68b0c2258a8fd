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
	return PredictMasks(ctx, r.model, src, r.lossFn, len(r.data.Train.Labels))
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
// area fraction (the fraction of the image's pixels above PixelThreshold)
// and whose truth is the images' tags, and the pixel IoU counts over
// labels labels. With lossFn (a per-pixel loss) it also computes the mean
// loss.
func PredictMasks(ctx context.Context, m *nn.Model, src Source, lossFn loss.Loss, labels int) (*infer.Set, *metrics.IoU, error) {
	out := &infer.Set{}
	iou := metrics.NewIoU(labels)
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
		if err := iou.AddLogits(logits, b.Y, b.Mask, PixelThreshold); err != nil {
			return nil, nil, fmt.Errorf("train: predict: %w", err)
		}
		area, err := infer.AreaFractions(logits, PixelThreshold)
		if err != nil {
			return nil, nil, fmt.Errorf("train: predict: %w", err)
		}
		if err := out.AppendScores(b.Names, area, b.Tags, b.TagsMask); err != nil {
			return nil, nil, fmt.Errorf("train: predict: %w", err)
		}
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
