package dataset

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// listedMissing is how many missing images Print names before it counts
// the others.
const listedMissing = 5

// Print writes a human-readable report: label counts, the co-occurrence
// matrix, and every problem with its file and line, except that missing
// images after the first few are counted, not named (the JSON report
// names them all), before the line that summarises them.
func (r *Report) Print(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s: %d images, %d labels\n\n", quoteIfOdd(r.Source), r.Images, len(r.Labels))
	width := len("label")
	for _, l := range r.Labels {
		width = max(width, len(quoteIfOdd(l)))
	}
	fmt.Fprintf(bw, "%3s  %-*s %7s %7s %7s\n", "#", width, "label", "count", "share", "unknown")
	for i, l := range r.Labels {
		share := 0.0
		if r.Images > 0 {
			share = 100 * float64(r.Counts[i]) / float64(r.Images)
		}
		fmt.Fprintf(bw, "%3d  %-*s %7d %6.1f%% %7d\n", i, width, quoteIfOdd(l), r.Counts[i], share, r.Unknown[i])
	}
	if r.Cooccurrence == nil && len(r.Labels) > 1 {
		fmt.Fprintf(bw, "\nco-occurrence: not tallied for more than %d labels\n", MaxCooccurrenceLabels)
	}
	if r.Cooccurrence != nil && len(r.Labels) > 1 {
		fmt.Fprintf(bw, "\nco-occurrence (images positive for both the row and the column label):\n%3s ", "")
		for i := range r.Labels {
			fmt.Fprintf(bw, " %5d", i)
		}
		fmt.Fprintln(bw)
		for i, row := range r.Cooccurrence {
			fmt.Fprintf(bw, "%3d ", i)
			for _, v := range row {
				fmt.Fprintf(bw, " %5d", v)
			}
			fmt.Fprintln(bw)
		}
	}
	fmt.Fprintf(bw, "\n%d error(s), %d warning(s)\n", r.Errors, r.Warnings)
	missing := 0
	for _, p := range r.Problems {
		if p.Kind == KindMissing {
			if missing++; missing > listedMissing {
				continue
			}
		}
		if p.Kind == KindImagesFolder && missing > listedMissing {
			fmt.Fprintf(bw, "... and %d more images not found\n", missing-listedMissing)
		}
		fmt.Fprintln(bw, strings.TrimSpace(p.String()))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("dataset: writing report: %w", err)
	}
	return nil
}

// Print writes the split as a table: one row per label with its count in
// each subset and, in brackets, the share of its positives there. names
// titles the subsets (for example "train", "val", "test").
func (s SplitStats) Print(w io.Writer, names []string) error {
	bw := bufio.NewWriter(w)
	width := len("label")
	for _, l := range s.Labels {
		width = max(width, len(quoteIfOdd(l)))
	}
	title := func(j int) string {
		if j < len(names) {
			return names[j]
		}
		return fmt.Sprintf("subset %d", j)
	}
	fmt.Fprintf(bw, "%-*s", width, "label")
	for j := range s.Sizes {
		fmt.Fprintf(bw, " %16s", title(j))
	}
	fmt.Fprintf(bw, "\n%-*s", width, "(images)")
	for _, n := range s.Sizes {
		fmt.Fprintf(bw, " %16d", n)
	}
	fmt.Fprintln(bw)
	for l, name := range s.Labels {
		fmt.Fprintf(bw, "%-*s", width, quoteIfOdd(name))
		for j := range s.Sizes {
			fmt.Fprintf(bw, " %8d (%5.1f%%)", s.Counts[j][l], 100*s.Proportions[j][l])
		}
		fmt.Fprintln(bw)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("dataset: writing split table: %w", err)
	}
	return nil
}
