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
	Labels []string   `json:"labels"`
	IoU    []*float64 `json:"iou"`
	MIoU   *float64   `json:"miou"`
}

// MarshalJSON encodes s with undefined values as null.
func (s Segmentation) MarshalJSON() ([]byte, error) {
	out := segmentationJSON{PixelThreshold: s.PixelThreshold, Labels: s.Labels, MIoU: Optional(s.MIoU)}
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
	*s = Segmentation{PixelThreshold: in.PixelThreshold, Labels: in.Labels, MIoU: valueOrNaN(in.MIoU)}
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
