package report

import (
	"fmt"

	"mlabel/decide"
	"mlabel/infer"
	"mlabel/metrics"
)

// Epoch is one epoch of training history. NaN marks a value not recorded.
type Epoch struct {
	// Epoch numbers the epoch; the losses and validation mAP and samples
	// F2 are its recorded values.
	Epoch     int
	TrainLoss float64
	ValLoss   float64
	ValMAP    float64
	ValF2     float64
}

// Input is everything a report shows: the evaluation split as a scored set
// (Labels naming the score columns, Mask nil when all is known), scored by
// the model and decided by Rules.
type Input struct {
	// Title heads the report; "mlabel report" when empty.
	Title string
	// Set is the evaluation split.
	infer.Set
	// Rules decides the scores (after its calibration, if any, and with
	// its label structure, if any); nil means a 0.5 threshold. Rules
	// without fixed thresholds (top-k, PCut) are reported at 0.5 with a
	// warning.
	Rules *decide.Rules
	// Training is the per-epoch history; its section is left out when empty.
	Training []Epoch
	// MinPositives is the support below which a label is warned about
	// (default 5).
	MinPositives int
	// Warnings are the caller's caveats about the figures (images the
	// model was trained on, images left out), listed before the report's
	// own.
	Warnings []string
	// Paths holds the image file of each row of Set, for the gallery's
	// thumbnails; nil (or an empty path) shows a row's name only.
	Paths []string
	// GalleryPerLabel is how many false positives and false negatives the
	// gallery shows per label (default 4).
	GalleryPerLabel int
	// BestEpoch is the epoch whose weights the model kept, marked on the
	// training curves; 0 marks the epoch of highest validation mAP.
	BestEpoch int
	// About describes the model and the data in the summary card.
	About About
}

// About is the summary card's description of the model and the data; empty
// fields are left out.
type About struct {
	// Model names the model (its file) and Arch its architecture.
	Model, Arch string
	// Data names the evaluated set.
	Data string
	// View is the nature of the training images, "overhead" or "ground".
	View string
	// Splits are the sizes of the training run's splits, in order.
	Splits []SplitSize
}

// SplitSize is the number of images of one split.
type SplitSize struct {
	Name   string
	Images int
}

// prepared holds the derived values the report is built from.
type prepared struct {
	scores     [][]float64
	thresholds []float64
	summary    *metrics.Summary
	notes      []string
}

// prepare validates the input and computes the summary.
func (in *Input) prepare() (*prepared, error) {
	if err := metrics.Validate(in.Truth, in.Scores, in.Mask); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	if len(in.Labels) != len(in.Scores[0]) {
		return nil, fmt.Errorf("report: %d label names for %d score columns", len(in.Labels), len(in.Scores[0]))
	}
	if in.Paths != nil && len(in.Paths) != len(in.Scores) {
		return nil, fmt.Errorf("report: %d image paths for %d rows", len(in.Paths), len(in.Scores))
	}
	if in.MinPositives == 0 {
		in.MinPositives = 5
	}
	if in.Title == "" {
		in.Title = "mlabel report"
	}
	p := &prepared{scores: in.Scores}
	if r := in.Rules; r != nil {
		if err := r.Check(len(in.Labels)); err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		if r.Calibration != nil {
			p.scores = r.Calibration.Apply(in.Scores)
			p.notes = append(p.notes, fmt.Sprintf("Scores are calibrated (%s scaling) before thresholds apply; curves and reliability diagrams show calibrated scores.", r.Calibration.Method))
		}
		p.thresholds = r.Thresholds()
		if p.thresholds == nil {
			p.notes = append(p.notes, fmt.Sprintf("The %s rule has no fixed thresholds; decisions below use 0.5.", r.Kind))
		}
	}
	var s *metrics.Summary
	var err error
	if r := in.Rules; r != nil && p.thresholds != nil {
		// The rule's own decisions: its thresholds on the calibrated
		// scores, then its label structure, as predict decides.
		s, err = metrics.SummarizeDecisions(in.Labels, in.Truth, p.scores, in.Mask, r.Apply(in.Scores), p.thresholds)
		if !r.Structure.Empty() {
			p.notes = append(p.notes, fmt.Sprintf("Decisions obey the label structure (%s) after the thresholds; the threshold-based metrics count those decisions.", r.Structure))
		}
	} else {
		s, err = metrics.Summarize(in.Labels, in.Truth, p.scores, in.Mask, p.thresholds)
	}
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	p.summary = s
	return p, nil
}

// interval returns label j's threshold interval, if the rule has one.
func (in *Input) interval(j int) (decide.Interval, bool) {
	if in.Rules == nil || j >= len(in.Rules.Intervals) {
		return decide.Interval{}, false
	}
	return in.Rules.Intervals[j], true
}

// shrunk reports whether label j's threshold was shrunk.
func (in *Input) shrunk(j int) bool {
	return in.Rules != nil && j < len(in.Rules.Shrunk) && in.Rules.Shrunk[j]
}
