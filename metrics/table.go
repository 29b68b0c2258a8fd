package metrics

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// FormatOptional formats an optional value with four decimals, "-" when
// undefined.
func FormatOptional(x *float64) string {
	if x == nil {
		return "-"
	}
	return fmt.Sprintf("%.4f", *x)
}

// Rows returns the summary's headline metrics as (name, value) pairs in a
// fixed order, undefined values as "-".
func (s *Summary) Rows() [][2]string {
	f := func(x float64) string { return fmt.Sprintf("%.4f", x) }
	return [][2]string{
		{"f1_samples", f(s.F1Samples)}, {"f2_samples", f(s.F2Samples)},
		{"precision_samples", f(s.PrecisionSamples)}, {"recall_samples", f(s.RecallSamples)},
		{"f1_micro", f(s.F1Micro)}, {"f2_micro", f(s.F2Micro)},
		{"precision_micro", f(s.PrecisionMicro)}, {"recall_micro", f(s.RecallMicro)},
		{"f1_macro", f(s.F1Macro)}, {"f1_weighted", f(s.F1Weighted)},
		{"hamming_loss", f(s.HammingLoss)}, {"subset_accuracy", f(s.SubsetAccuracy)},
		{"jaccard_samples", f(s.JaccardSamples)}, {"jaccard_micro", f(s.JaccardMicro)},
		{"jaccard_macro", f(s.JaccardMacro)},
		{"map_macro", FormatOptional(s.MAPMacro)}, {"map_micro", FormatOptional(s.MAPMicro)},
		{"roc_auc_macro", FormatOptional(s.ROCAUCMacro)},
		{"lrap", f(s.LRAP)}, {"ranking_loss", f(s.RankingLoss)},
		{"coverage_error", f(s.CoverageError)}, {"ndcg", f(s.NDCG)},
	}
}

// WriteTable prints the summary as two aligned text tables: the headline
// metrics, then one line per label.
func (s *Summary) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "metric\tvalue\t\n")
	for _, r := range s.Rows() {
		fmt.Fprintf(tw, "%s\t%s\t\n", r[0], r[1])
	}
	fmt.Fprintf(tw, "\t\t\n")
	fmt.Fprintf(tw, "label\tsupport\tknown\tpredicted\tthreshold\tAP\tROC AUC\tprecision\trecall\tF1\tF2\t\n")
	for _, name := range s.Labels {
		l := s.PerLabel[name]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.4f\t%s\t%s\t%.4f\t%.4f\t%.4f\t%.4f\t\n",
			name, l.Support, l.Known, l.Predicted, l.Threshold, FormatOptional(l.AP), FormatOptional(l.ROCAUC),
			l.Precision, l.Recall, l.F1, l.F2)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("metrics: writing table: %w", err)
	}
	return nil
}
