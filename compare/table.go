package compare

import (
	"fmt"
	"io"
	"text/tabwriter"

	"mlabel/decide"
)

// OptionNames lists the options in the order tables print them.
var OptionNames = []string{Joint, Specialists, Champion, Stacking}

// WriteTable prints the per-label comparison and, next to it, each
// option's test quality and cost.
func (r *Result) WriteTable(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	_, stacked := r.Quality[Stacking]
	fb := fmt.Sprintf("F%g", r.Beta)
	head := fmt.Sprintf("label\ttest pos\tspec AP\tjoint AP\tdiff [90%% CI]\tspec %[1]s\tjoint %[1]s\tchampion\tchamp %[1]s\t", fb)
	if stacked {
		head += fmt.Sprintf("stack AP\tstack %s\t", fb)
	}
	fmt.Fprintln(tw, head)
	for _, name := range r.Labels {
		l := r.PerLabel[name]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s %s\t%.3f\t%.3f\t%s\t%.3f\t", name, l.Positives, f3(l.SpecialistAP), f3(l.JointAP),
			signed(l.DiffAP), interval(l.DiffInterval), l.SpecialistF, l.JointF, l.Champion, l.ChampionF)
		if stacked {
			fmt.Fprintf(tw, "%s\t%s\t", f3(l.StackingAP), f3(l.StackingF))
		}
		fmt.Fprintln(tw)
	}
	fmt.Fprintln(tw)
	writeCosts(tw, "option", fb, OptionNames, r.Cost, r.Quality)
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("compare: write table: %w", err)
	}
	_, err := fmt.Fprintf(w, "\n%d train, %d validation, %d test images. Champions picked by validation AP; thresholds fitted on validation; intervals from %d paired test resamples. Composed champion vs. separate models: max |Δscore| = %.2g.\n",
		r.Split.Train, r.Split.Validation, r.Split.Test, r.Bootstrap, r.ChampionMaxDiff)
	if err != nil {
		return fmt.Errorf("compare: write table: %w", err)
	}
	return nil
}

// writeCosts prints the cost table: a header, then one row per name that
// has a cost (in names' order) with its cost and its test quality. first
// heads the names' column and fb names the F-beta.
func writeCosts(w io.Writer, first, fb string, names []string, cost map[string]Cost, quality map[string]Quality) {
	fmt.Fprintf(w, "%s\tforward passes\tMFLOPs/image\tms/image\tbundle KiB\ttest mAP\ttest %[2]s samples\ttest %[2]s micro\t\n", first, fb)
	for _, name := range names {
		c, ok := cost[name]
		if !ok {
			continue
		}
		q := quality[name]
		fmt.Fprintf(w, "%s\t%d\t%.1f\t%.3f\t%.1f\t%s\t%.3f\t%.3f\t\n", name, c.ForwardPasses, float64(c.FLOPs)/1e6, c.MsPerImage,
			float64(c.BundleBytes)/1024, f3(q.MAPMacro), q.FSamples, q.FMicro)
	}
}

// f3 formats an optional value with three decimals, "-" when undefined.
func f3(x *float64) string {
	if x == nil {
		return "-"
	}
	return fmt.Sprintf("%.3f", *x)
}

// signed formats an optional difference with its sign.
func signed(x *float64) string {
	if x == nil {
		return "-"
	}
	return fmt.Sprintf("%+.3f", *x)
}

// interval formats an AP difference interval, "[-]" when undefined.
func interval(iv *decide.Interval) string {
	if iv == nil {
		return "[-]"
	}
	return fmt.Sprintf("[%+.3f, %+.3f]", iv.Low, iv.High)
}
