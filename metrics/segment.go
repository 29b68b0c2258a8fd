package metrics

import (
	"encoding/json"
	"math"
)

// Segmentation is a segmentation network's pixel figures on held-out
// images and the pixel threshold they were counted at. A model file stores
// it as is; its JSON writes undefined values as null.
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
	// Scale, when at least 1, is the fixed scale the segmenter works at:
	// it sees Size×Size windows of the image reduced by Scale (each
	// network pixel the mean of a Scale×Scale block of image pixels), in
	// training and in use, and a whole image is segmented from such
	// windows. 0 means the whole image resized to Size×Size.
	Scale int
}

// Thresholds returns the pixel threshold of each of n labels:
// PixelThresholds, or PixelThreshold for every label.
func (s *Segmentation) Thresholds(n int) []float64 {
	if len(s.PixelThresholds) == n {
		return s.PixelThresholds
	}
	out := make([]float64, n)
	for j := range out {
		out[j] = s.PixelThreshold
	}
	return out
}

// NewSegmentation returns the figures of u's counts over labels at
// threshold.
func NewSegmentation(u *IoU, labels []string, threshold float64) *Segmentation {
	return &Segmentation{PixelThreshold: threshold, Labels: labels, IoU: u.PerLabel(), MIoU: u.Mean()}
}

// segmentationJSON is Segmentation's encoding: undefined values are null,
// which JSON can hold and NaN it cannot.
type segmentationJSON struct {
	PixelThreshold float64 `json:"pixel_threshold"`
	// Labels names the columns of IoU.
	Labels          []string   `json:"labels"`
	IoU             []*float64 `json:"iou"`
	MIoU            *float64   `json:"miou"`
	PixelThresholds []float64  `json:"pixel_thresholds,omitempty"`
	Scale           int        `json:"scale,omitempty"`
}

// MarshalJSON encodes s with undefined values as null.
func (s Segmentation) MarshalJSON() ([]byte, error) {
	out := segmentationJSON{PixelThreshold: s.PixelThreshold, Labels: s.Labels, MIoU: Optional(s.MIoU),
		PixelThresholds: s.PixelThresholds, Scale: s.Scale}
	if s.IoU != nil {
		out.IoU = make([]*float64, len(s.IoU))
		for j, v := range s.IoU {
			out.IoU[j] = Optional(v)
		}
	}
	return json.Marshal(out)
}

// UnmarshalJSON decodes what MarshalJSON encodes, null as NaN.
func (s *Segmentation) UnmarshalJSON(data []byte) error {
	var in segmentationJSON
	if err := json.Unmarshal(data, &in); err != nil {
		return err
	}
	*s = Segmentation{PixelThreshold: in.PixelThreshold, Labels: in.Labels, MIoU: valueOrNaN(in.MIoU),
		PixelThresholds: in.PixelThresholds, Scale: in.Scale}
	if in.IoU != nil {
		s.IoU = make([]float64, len(in.IoU))
		for j, v := range in.IoU {
			s.IoU[j] = valueOrNaN(v)
		}
	}
	return nil
}

// valueOrNaN is Optional's inverse: NaN for nil.
func valueOrNaN(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}
