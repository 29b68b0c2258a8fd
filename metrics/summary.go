package metrics

import (
	"fmt"
	"math"
)

// LabelSummary holds one label's metrics over its known samples.
type LabelSummary struct {
	// Support is the number of known positives.
	Support int `json:"support"`
	// Known is the number of samples whose truth for the label is known.
	Known int `json:"known"`
	// Predicted is the number of known samples predicted positive.
	Predicted int `json:"predicted"`
	// AP is the average precision; null without a known positive.
	AP *float64 `json:"ap"`
	// ROCAUC is the ROC AUC; null without a known positive and negative.
	ROCAUC *float64 `json:"roc_auc"`
	// Precision, Recall, F1 and F2 score the thresholded decisions.
	Precision float64 `json:"precision"`
	Recall    float64 `json:"recall"`
	F1        float64 `json:"f1"`
	F2        float64 `json:"f2"`
	// Threshold is the label's decision threshold.
	Threshold float64 `json:"threshold"`
	// Confusion counts the label's known decisions.
	Confusion Counts `json:"confusion"`
}

// Summary is the full set of metrics for one truth and score matrix, with
// decisions made by thresholds. Undefined values are null in JSON.
type Summary struct {
	// Labels names the labels in score column order.
	Labels []string `json:"labels"`
	// Samples is the number of samples, known or not.
	Samples int `json:"n_samples"`
	// Set metrics of the thresholded decisions, named as in JSON: F-beta,
	// precision and recall with samples, micro, macro and weighted
	// averages, Hamming loss, subset accuracy and Jaccard index.
	F1Samples        float64 `json:"f1_samples"`
	F2Samples        float64 `json:"f2_samples"`
	PrecisionSamples float64 `json:"precision_samples"`
	RecallSamples    float64 `json:"recall_samples"`
	F1Micro          float64 `json:"f1_micro"`
	F2Micro          float64 `json:"f2_micro"`
	PrecisionMicro   float64 `json:"precision_micro"`
	RecallMicro      float64 `json:"recall_micro"`
	F1Macro          float64 `json:"f1_macro"`
	PrecisionMacro   float64 `json:"precision_macro"`
	RecallMacro      float64 `json:"recall_macro"`
	F1Weighted       float64 `json:"f1_weighted"`
	HammingLoss      float64 `json:"hamming_loss"`
	SubsetAccuracy   float64 `json:"subset_accuracy"`
	JaccardSamples   float64 `json:"jaccard_samples"`
	JaccardMicro     float64 `json:"jaccard_micro"`
	JaccardMacro     float64 `json:"jaccard_macro"`
	// MAPMacro and ROCAUCMacro average the labels where they are defined;
	// MAPMicro pools all known entries. Each is null when undefined.
	MAPMacro    *float64 `json:"map_macro"`
	MAPMicro    *float64 `json:"map_micro"`
	ROCAUCMacro *float64 `json:"roc_auc_macro"`
	// Ranking metrics of the scores, sample-wise.
	LRAP          float64 `json:"lrap"`
	RankingLoss   float64 `json:"ranking_loss"`
	CoverageError float64 `json:"coverage_error"`
	NDCG          float64 `json:"ndcg"`
	// PerLabel holds each label's metrics by name.
	PerLabel map[string]LabelSummary `json:"per_label"`
}

// Optional returns x, or nil when it is NaN: an undefined value as a JSON
// summary stores it.
func Optional(x float64) *float64 {
	if math.IsNaN(x) {
		return nil
	}
	return &x
}

// optionalMean averages the defined values, nil when there is none.
func optionalMean(xs []float64) *float64 {
	m, err := MeanDefined(xs)
	if err != nil {
		return nil
	}
	return &m
}

// Summarize computes every metric. thresholds may be nil (0.5), one global
// threshold or one per label; a score at or above the threshold is positive.
// mask may be nil. Zero divisions count as 0.
func Summarize(labels []string, truth, scores [][]float64, mask [][]bool, thresholds []float64) (*Summary, error) {
	sh, err := checkScores(truth, scores, mask)
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	if len(labels) != sh.l {
		return nil, fmt.Errorf("summarize: %d label names for %d labels", len(labels), sh.l)
	}
	if err := uniqueNames(labels, "summarize: label"); err != nil {
		return nil, err
	}
	pred, err := Binarize(scores, thresholds)
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	return SummarizeDecisions(labels, truth, scores, mask, pred, thresholds)
}

// SummarizeDecisions is Summarize with the decisions given, pred[i][j]
// for sample i and label j, made by a rule that is more than a threshold
// per label (a label structure, a calibration, top-k): the threshold-based
// metrics count pred, the ranking metrics scores, and thresholds is only
// recorded per label (nil: 0.5).
func SummarizeDecisions(labels []string, truth, scores [][]float64, mask [][]bool, pred [][]bool, thresholds []float64) (*Summary, error) {
	sh, err := checkScores(truth, scores, mask)
	if err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	if len(labels) != sh.l {
		return nil, fmt.Errorf("summarize: %d label names for %d labels", len(labels), sh.l)
	}
	if err := uniqueNames(labels, "summarize: label"); err != nil {
		return nil, err
	}
	if len(pred) != sh.n {
		return nil, fmt.Errorf("summarize: %d rows of decisions for %d samples", len(pred), sh.n)
	}
	for i, row := range pred {
		if len(row) != sh.l {
			return nil, fmt.Errorf("summarize: decision row %d has %d labels, want %d", i, len(row), sh.l)
		}
	}
	s := &Summary{Labels: labels, Samples: sh.n}
	if err := s.setDecisions(truth, pred, mask); err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	if err := s.setRanking(truth, scores, mask); err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	if err := s.setPerLabel(truth, scores, pred, mask, thresholds); err != nil {
		return nil, fmt.Errorf("summarize: %w", err)
	}
	return s, nil
}

// setDecisions fills the metrics of thresholded predictions.
func (s *Summary) setDecisions(truth [][]float64, pred [][]bool, mask [][]bool) error {
	f2 := Options{Beta: 2}
	prfs := []struct {
		avg  Average
		o    Options
		p, r *float64
		f    *float64
	}{
		{Samples, F1, &s.PrecisionSamples, &s.RecallSamples, &s.F1Samples},
		{Samples, f2, nil, nil, &s.F2Samples},
		{Micro, F1, &s.PrecisionMicro, &s.RecallMicro, &s.F1Micro},
		{Micro, f2, nil, nil, &s.F2Micro},
		{Macro, F1, &s.PrecisionMacro, &s.RecallMacro, &s.F1Macro},
		{Weighted, F1, nil, nil, &s.F1Weighted},
	}
	for _, e := range prfs {
		v, err := ScorePRF(truth, pred, mask, e.avg, e.o)
		if err != nil {
			return fmt.Errorf("%v F%v: %w", e.avg, e.o.Beta, err)
		}
		*e.f = v.F
		if e.p != nil {
			*e.p, *e.r = v.Precision, v.Recall
		}
	}
	for _, e := range []struct {
		avg Average
		dst *float64
	}{{Samples, &s.JaccardSamples}, {Micro, &s.JaccardMicro}, {Macro, &s.JaccardMacro}} {
		v, err := Jaccard(truth, pred, mask, e.avg, 0)
		if err != nil {
			return fmt.Errorf("jaccard %v: %w", e.avg, err)
		}
		*e.dst = v
	}
	var err error
	if s.HammingLoss, err = HammingLoss(truth, pred, mask); err != nil {
		return fmt.Errorf("hamming loss: %w", err)
	}
	if s.SubsetAccuracy, err = SubsetAccuracy(truth, pred, mask); err != nil {
		return fmt.Errorf("subset accuracy: %w", err)
	}
	return nil
}

// setRanking fills the metrics of the scores themselves.
func (s *Summary) setRanking(truth, scores [][]float64, mask [][]bool) error {
	for _, e := range []struct {
		name string
		fn   func(truth, scores [][]float64, mask [][]bool) (float64, error)
		dst  *float64
	}{
		{"LRAP", LRAP, &s.LRAP},
		{"ranking loss", RankingLoss, &s.RankingLoss},
		{"coverage error", CoverageError, &s.CoverageError},
		{"NDCG", NDCG, &s.NDCG},
	} {
		v, err := e.fn(truth, scores, mask)
		if err != nil {
			return fmt.Errorf("%s: %w", e.name, err)
		}
		*e.dst = v
	}
	micro, err := MeanAPMicro(truth, scores, mask)
	if err != nil {
		return fmt.Errorf("micro mAP: %w", err)
	}
	s.MAPMicro = Optional(micro)
	return nil
}

// setPerLabel fills per-label metrics and their macro averages.
func (s *Summary) setPerLabel(truth, scores [][]float64, pred [][]bool, mask [][]bool, thresholds []float64) error {
	ap, err := PerLabelAP(truth, scores, mask)
	if err != nil {
		return fmt.Errorf("AP: %w", err)
	}
	auc, err := PerLabelROCAUC(truth, scores, mask)
	if err != nil {
		return fmt.Errorf("ROC AUC: %w", err)
	}
	s.MAPMacro, s.ROCAUCMacro = optionalMean(ap), optionalMean(auc)
	f1, err := PerLabelPRF(truth, pred, mask, F1)
	if err != nil {
		return fmt.Errorf("per-label F1: %w", err)
	}
	f2, err := PerLabelPRF(truth, pred, mask, Options{Beta: 2})
	if err != nil {
		return fmt.Errorf("per-label F2: %w", err)
	}
	cm, err := Confusion(truth, pred, mask)
	if err != nil {
		return fmt.Errorf("confusion: %w", err)
	}
	s.PerLabel = make(map[string]LabelSummary, len(s.Labels))
	for j, name := range s.Labels {
		c := cm[j]
		s.PerLabel[name] = LabelSummary{
			Support: c.TP + c.FN, Known: c.total(), Predicted: c.TP + c.FP,
			AP: Optional(ap[j]), ROCAUC: Optional(auc[j]),
			Precision: f1[j].Precision, Recall: f1[j].Recall, F1: f1[j].F, F2: f2[j].F,
			Threshold: ThresholdFor(thresholds, j), Confusion: c,
		}
	}
	return nil
}
