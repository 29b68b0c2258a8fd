package metrics

import (
	"math"

	"mlabel/bundle"
)

// Segmentation is a segmentation network's pixel figures on held-out
// images and the pixel threshold they were counted at.
type Segmentation struct {
	PixelThreshold float64
	Labels         []string
	// IoU is each label's pixel IoU, NaN where undefined; MIoU their mean
	// over the defined ones (NaN when none is).
	IoU  []float64
	MIoU float64
	// PixelThresholds, when set, are the labels' own pixel thresholds (see
	// PixelHist.Fit), in place of PixelThreshold.
	PixelThresholds []float64
	// Scale is the image pixels per network pixel the segmenter works at
	// (see bundle.Segment.Scale); 0 for whole images resized.
	Scale int
}

// NewSegmentation returns the figures of u's counts over labels at
// threshold.
func NewSegmentation(u *IoU, labels []string, threshold float64) *Segmentation {
	return &Segmentation{PixelThreshold: threshold, Labels: labels, IoU: u.PerLabel(), MIoU: u.Mean()}
}

// ToBundle returns s as a bundle stores it (undefined values as nil); nil
// for nil.
func (s *Segmentation) ToBundle() *bundle.Segment {
	if s == nil {
		return nil
	}
	out := &bundle.Segment{PixelThreshold: s.PixelThreshold, Labels: s.Labels, MIoU: Optional(s.MIoU), PixelThresholds: s.PixelThresholds, Scale: s.Scale}
	if s.IoU != nil {
		out.IoU = make([]*float64, len(s.IoU))
		for j, v := range s.IoU {
			out.IoU[j] = Optional(v)
		}
	}
	return out
}

// SegmentationFromBundle returns the figures a bundle stores; nil for nil.
func SegmentationFromBundle(b *bundle.Segment) *Segmentation {
	if b == nil {
		return nil
	}
	s := &Segmentation{PixelThreshold: b.PixelThreshold, Labels: b.Labels, MIoU: valueOrNaN(b.MIoU), PixelThresholds: b.PixelThresholds, Scale: b.Scale}
	if b.IoU != nil {
		s.IoU = make([]float64, len(b.IoU))
		for j, v := range b.IoU {
			s.IoU[j] = valueOrNaN(v)
		}
	}
	return s
}

// valueOrNaN is Optional's inverse: NaN for nil.
func valueOrNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}
