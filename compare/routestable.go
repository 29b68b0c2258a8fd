package compare

import (
	"fmt"
	"io"
	"text/tabwriter"
)

// WriteTable prints the per-label comparison of the routes and, next to
// it, each route's test quality and cost.
func (r *RoutesResult) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fb := fmt.Sprintf("F%g", r.Beta)
	fmt.Fprintf(tw, "label\ttest pos\tclassify AP\tsegment AP\tdiff [90%% CI]\tclassify %[1]s\tsegment %[1]s\tsegment IoU\tchampion\tchamp %[1]s\t\n", fb)
	for _, name := range r.Labels {
		l := r.PerLabel[name]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s %s\t%.3f\t%.3f\t%s\t%s\t%.3f\t\n", name, l.Positives, f3(l.ClassifyAP), f3(l.SegmentAP),
			signed(l.DiffAP), interval(l.DiffInterval), l.ClassifyF, l.SegmentF, f3(l.IoU), l.Champion, l.ChampionF)
	}
	fmt.Fprintln(tw)
	writeCosts(tw, "route", fb, RouteNames, r.Cost, r.Quality)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("compare: write table: %w", err)
	}
	_, err := fmt.Fprintf(w, "\n%d train, %d validation, %d test images; segmenter test mIoU %s. The segmenter's score is a label's area fraction. Champions picked by validation AP; thresholds fitted on validation; intervals of AP(segment) − AP(classify) from %d paired test resamples. A champion that takes labels from both routes runs both bundles.\n",
		r.Split.Train, r.Split.Validation, r.Split.Test, f3(r.MIoU), r.Bootstrap)
	if err != nil {
		return fmt.Errorf("compare: write table: %w", err)
	}
	return nil
}
