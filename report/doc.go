// Package report writes a model's evaluation as one self-contained HTML
// file: the metrics table, a per-label table with thresholds and their
// intervals, a confusion matrix per label, precision-recall curves,
// reliability diagrams, training curves and warnings. Plots are drawn with
// gonum.org/v1/plot and embedded as base64 PNG data URIs, so the file needs
// nothing else to display.
package report
