package metrics

import "mlabel/bundle"

// ToBundle returns s as a bundle stores it; nil for nil.
func (s *Summary) ToBundle() *bundle.Metrics {
	if s == nil {
		return nil
	}
	out := &bundle.Metrics{
		Labels: s.Labels, Samples: s.Samples,
		F1Samples: s.F1Samples, F2Samples: s.F2Samples, PrecisionSamples: s.PrecisionSamples, RecallSamples: s.RecallSamples,
		F1Micro: s.F1Micro, F2Micro: s.F2Micro, PrecisionMicro: s.PrecisionMicro, RecallMicro: s.RecallMicro,
		F1Macro: s.F1Macro, PrecisionMacro: s.PrecisionMacro, RecallMacro: s.RecallMacro, F1Weighted: s.F1Weighted,
		HammingLoss: s.HammingLoss, SubsetAccuracy: s.SubsetAccuracy,
		JaccardSamples: s.JaccardSamples, JaccardMicro: s.JaccardMicro, JaccardMacro: s.JaccardMacro,
		MAPMacro: s.MAPMacro, MAPMicro: s.MAPMicro, ROCAUCMacro: s.ROCAUCMacro,
		LRAP: s.LRAP, RankingLoss: s.RankingLoss, CoverageError: s.CoverageError, NDCG: s.NDCG,
	}
	if s.PerLabel != nil {
		out.PerLabel = make(map[string]bundle.LabelMetrics, len(s.PerLabel))
		for name, l := range s.PerLabel {
			out.PerLabel[name] = bundle.LabelMetrics{
				Support: l.Support, Known: l.Known, Predicted: l.Predicted, AP: l.AP, ROCAUC: l.ROCAUC,
				Precision: l.Precision, Recall: l.Recall, F1: l.F1, F2: l.F2, Threshold: l.Threshold,
				Confusion: bundle.Confusion(l.Confusion),
			}
		}
	}
	return out
}

// SummaryFromBundle returns the metrics a bundle stores; nil for nil.
func SummaryFromBundle(b *bundle.Metrics) *Summary {
	if b == nil {
		return nil
	}
	s := &Summary{
		Labels: b.Labels, Samples: b.Samples,
		F1Samples: b.F1Samples, F2Samples: b.F2Samples, PrecisionSamples: b.PrecisionSamples, RecallSamples: b.RecallSamples,
		F1Micro: b.F1Micro, F2Micro: b.F2Micro, PrecisionMicro: b.PrecisionMicro, RecallMicro: b.RecallMicro,
		F1Macro: b.F1Macro, PrecisionMacro: b.PrecisionMacro, RecallMacro: b.RecallMacro, F1Weighted: b.F1Weighted,
		HammingLoss: b.HammingLoss, SubsetAccuracy: b.SubsetAccuracy,
		JaccardSamples: b.JaccardSamples, JaccardMicro: b.JaccardMicro, JaccardMacro: b.JaccardMacro,
		MAPMacro: b.MAPMacro, MAPMicro: b.MAPMicro, ROCAUCMacro: b.ROCAUCMacro,
		LRAP: b.LRAP, RankingLoss: b.RankingLoss, CoverageError: b.CoverageError, NDCG: b.NDCG,
	}
	if b.PerLabel != nil {
		s.PerLabel = make(map[string]LabelSummary, len(b.PerLabel))
		for name, l := range b.PerLabel {
			s.PerLabel[name] = LabelSummary{
				Support: l.Support, Known: l.Known, Predicted: l.Predicted, AP: l.AP, ROCAUC: l.ROCAUC,
				Precision: l.Precision, Recall: l.Recall, F1: l.F1, F2: l.F2, Threshold: l.Threshold,
				Confusion: Counts(l.Confusion),
			}
		}
	}
	return s
}
