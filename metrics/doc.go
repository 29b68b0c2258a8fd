// Package metrics computes multi-label classification metrics on a truth
// matrix, a score or prediction matrix and an optional mask, with the same
// definitions as scikit-learn.
//
// All matrices are indexed [sample][label]. Truth entries are 0 or 1. A mask
// entry is true when the truth is known; a nil mask means every entry is
// known. Unknown entries count nowhere:
//
//   - per-label metrics (and macro and weighted averages, AP, ROC AUC, the
//     confusion matrices) use only that label's known samples; a label with
//     no known sample is left out of macro and weighted averages;
//   - micro averages and the Hamming loss pool the known entries;
//   - sample-wise metrics (samples averages, subset accuracy, the ranking
//     metrics) use each sample's known labels only, and a sample with no
//     known label is left out of the average.
//
// Without a mask every function equals its scikit-learn counterpart; with a
// mask it equals scikit-learn applied to the filtered columns, rows or pooled
// entries described above. Functions return an error on malformed input and
// never panic.
//
// LoadFiles reads a truth CSV and a scores file into an infer.Set. The truth
// is read by the dataset package, with the same rules as a training set, so
// that any tags file train reads is also a truth file here; Quantile is the
// one quantile the bootstrap intervals use.
package metrics
