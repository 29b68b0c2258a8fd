package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"syscall"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"mlabel/atomicfile"
	"mlabel/audit"
	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/train"
)

func init() { commands = append(commands, newAuditCmd) }

// auditOptions are the flags of the audit command.
type auditOptions struct {
	df               dataFlags
	tf               trainFlags
	folds, top, show int
	repeats          int
	asJSON, quiet    bool
	tta, discover    bool
	htmlOut, apply   string
}

// auditLong is the audit command's help.
const auditLong = `Audit trains K models (--folds, by iterative stratification), each on all
folds but one, so that every image is scored by a model that did not see it
(with test-time augmentation for the view; --repeats averages several
cross-validations). Each fold model trains for --epochs, 20 by default,
twice a training run's: an undertrained model's mistakes on correct tags
are flagged as readily as wrong tags. It then applies confident learning to these out-of-fold
probabilities: for each label, an absent tag is suspect ("missing") when the
image's probability reaches the mean probability of the images that carry
the label, and a present tag ("spurious") when it is at or below the mean
probability of the images that lack it. The suspect pairs of all labels are
ranked together by the label's calibrated probability of the other tag
(Platt scaling of the label's tags on its out-of-fold probabilities), so
that a confident score weighs little on a label the model separates poorly;
that probability is the score printed. With a label structure (--exclusive,
--at-most-one, --excludes, --implies), tags that break one of its rules are
certain errors and are listed first: for each broken rule the tags that must
change (a group's tags but the likeliest, or its likeliest label when it has
none; whichever of an implication's two tags the model doubts more), named
with the rule, scored by their chance of being the wrong one. With no structure
declared, the audit finds the rules the given tags nearly obey (exactly one
of a group, at most one, an exclusion, an implication) and prints them with
the images that break each. It judges the tags only by the proven ones:
rules chance could not explain, broken on no image or on so few
(significantly fewer than a tenth of those chance would break them on)
that they are wrong tags; the fold models train without them. The others
are tendencies, which real, rare combinations break (mountains at sunset):
they are printed, and listed on the --html page, but never flag a tag, and
--apply marks no tag for breaking one. --discover false audits with no
structure. Each label's
estimated noise rate is listed too. --html writes a page with a thumbnail of each image; --apply
writes a corrected CSV in which suspect tags are marked unknown (?tag),
which training ignores, rather than flipped. By default --apply marks, for
each label, only its expected number of errors: the sum of the chances that
its suspect tags are wrong, each score's odds times the prior odds of the
set's pooled noise rate, rounded, taking the most suspicious first; with
--top N it marks the N most suspicious tags instead. With --backbone and
--freeze-backbone the backbone's features are computed once for all folds
and repeats.`

// auditEpochs is how many epochs each fold model trains for by default:
// twice a training run's. An out-of-fold probability is only as good as
// the model that did not see the image, and every mistake of an
// undertrained model on a correct tag is flagged as readily as a wrong
// tag: on the synthetic check (800 tiles, 40 flipped tags,
// bench/auditseeds.sh) fold models of 10 epochs met precision@40 ≥ 0.5
// and recall@80 ≥ 0.6 on 5 of 6 seeds, of 20 epochs on all 6.
const auditEpochs = 20

func newAuditCmd() *cobra.Command {
	a := &auditOptions{}
	c := &cobra.Command{
		Use:   "audit (--csv FILE --images DIR | --folders DIR) [--folds K] [training flags]",
		Short: "Find tags that are probably wrong, from out-of-fold predictions",
		Long:  auditLong,
		Args:  wrapArgs(cobra.NoArgs),
		RunE:  func(c *cobra.Command, args []string) error { return runAudit(c, a) },
	}
	a.df.register(c.Flags())
	a.tf.register(c.Flags())
	// The fold models keep their last epoch, with no validation to stop
	// them, and train twice a training run's epochs by default (see
	// auditEpochs).
	a.tf.cfg.Epochs = auditEpochs
	c.Flags().Lookup("epochs").DefValue = strconv.Itoa(auditEpochs)
	// Every image is scored out of fold: there is no validation or test
	// split, no threshold and no refit.
	for _, name := range []string{"val", "test", "beta", "min-positives", "refit", "refit-to-best", "refit-from", "patience"} {
		c.Flags().MarkHidden(name)
	}
	c.Flags().IntVar(&a.folds, "folds", audit.DefaultFolds, "models to train, each on all folds but one")
	c.Flags().IntVar(&a.top, "top", 0, "keep only the most suspicious tags, for the listing, --html and --apply (0: list every suspect tag, apply each label's expected errors)")
	c.Flags().IntVar(&a.show, "show", 200, "suspect tags shown with thumbnails in --html (0: all)")
	c.Flags().IntVar(&a.repeats, "repeats", 1, "run the cross-validation this many times on other folds and average each image's scores (each repeat trains --folds more models)")
	boolFlag(c.Flags(), &a.discover, "discover", true, "with no structure declared, find the rules the given tags nearly obey, list the tags that break the proven ones first and show the others, tendencies, without using them (--discover false: none)")
	boolFlag(c.Flags(), &a.tta, "tta", true, "score each held-out image as the mean over its test-time transforms for the view (8 for overhead images, 2 for ground photos; --tta false scores it once)")
	c.Flags().StringVar(&a.htmlOut, "html", "", "write an HTML page of the suspect tags with thumbnails")
	c.Flags().StringVar(&a.apply, "apply", "", "write a corrected tags CSV with the likely wrong tags marked unknown (?tag): each label's expected errors, or the --top tags")
	c.Flags().BoolVar(&a.asJSON, "json", false, `print {"issues": [...], "noise_rate": {...}} as JSON`)
	c.Flags().BoolVar(&a.quiet, "quiet", false, "no progress output")
	return c
}

// runAudit runs the audit command.
func runAudit(c *cobra.Command, a *auditOptions) error {
	o, err := a.tf.options()
	if err != nil {
		return err
	}
	if a.folds < 2 {
		return usagef("--folds must be at least 2, got %d", a.folds)
	}
	if a.repeats < 1 {
		return usagef("--repeats must be at least 1, got %d", a.repeats)
	}
	if a.top < 0 || a.show < 0 {
		return usagef("--top and --show must not be negative")
	}
	ds, err := a.df.load(nil)
	if err != nil {
		return err
	}
	if !o.Structure.Empty() {
		// The fold models train with the label structure, as train's do.
		if err := o.Structure.Check(ds.Labels); err != nil {
			return usageError{Err: err}
		}
		o.Train.Exclusive, o.Train.AtMostOne = o.Structure.Exclusive, o.Structure.AtMostOne
	}
	logw := c.ErrOrStderr()
	if a.quiet {
		logw = io.Discard
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	set, err := audit.OutOfFold(ctx, ds, audit.Options{Train: o.Train, Preprocess: o.Preprocess, Folds: a.folds, Repeats: a.repeats, Log: logw, Hooks: auditHooks(logw, a.quiet), TTA: a.tta})
	if err != nil {
		return err
	}
	f, err := findIssues(logw, ds, set, o.Structure, a.discover)
	if err != nil {
		return err
	}
	fix := f.Likely()
	if a.top > 0 {
		f.Issues = f.Issues[:min(a.top, len(f.Issues))]
		fix = f.Issues
	}
	if err := writeAudit(logw, a, ds, f, fix, o.Preprocess); err != nil {
		return err
	}
	return printAudit(c.OutOrStdout(), f, a.asJSON)
}

// findIssues finds the suspect tags of ds's out-of-fold set, judged by the
// declared structure st, or with none declared and discover set by the
// rules the tags prove, printing those and the tendencies, which are shown
// only. The fold models trained without discovered rules.
func findIssues(logw io.Writer, ds *dataset.Dataset, set *infer.Set, st *decide.Structure, discover bool) (*audit.Findings, error) {
	var disc audit.Discovered
	if st.Empty() && discover {
		disc = audit.Discover(ds)
		st = disc.Structure
		printDiscovered(logw, disc)
	}
	f, err := audit.Find(*set, st)
	if err != nil {
		return nil, err
	}
	f.Discovered, f.Tendencies = disc.Rules, disc.Tendencies
	return f, nil
}

// writeAudit writes the --html page and the --apply CSV, with fix the
// tags to mark unknown.
func writeAudit(logw io.Writer, a *auditOptions, ds *dataset.Dataset, f *audit.Findings, fix []audit.Issue, pre imageio.Preprocess) error {
	if a.htmlOut != "" {
		write := func(w io.Writer) error {
			return audit.WritePage(w, ds, f, audit.PageOptions{Max: a.show, Pre: pre})
		}
		if err := atomicfile.Write(a.htmlOut, write); err != nil {
			return err
		}
		fmt.Fprintf(logw, "wrote %s\n", a.htmlOut)
	}
	if a.apply != "" {
		fixed, err := audit.Apply(ds, fix)
		if err != nil {
			return err
		}
		write := func(w io.Writer) error { return dataset.WriteCSV(w, fixed, filepath.Dir(a.apply)) }
		if err := atomicfile.Write(a.apply, write); err != nil {
			return err
		}
		fmt.Fprintf(logw, "wrote %s: %d of %d suspect tags marked unknown (?tag)\n", a.apply, len(fix), len(f.Issues))
	}
	return nil
}

// printDiscovered prints the rules found in the tags, with the images that
// break each: the proven ones, which judge the tags, and the tendencies,
// which are shown only.
func printDiscovered(w io.Writer, d audit.Discovered) {
	if len(d.Rules)+len(d.Tendencies) == 0 {
		fmt.Fprintln(w, "no label structure found in the tags")
		return
	}
	if len(d.Rules) > 0 {
		fmt.Fprintln(w, "label rules the tags prove (broken by far fewer images than chance would give), used to judge them (--discover false: none; declaring a structure replaces them):")
		printFound(w, d.Rules)
	}
	if len(d.Tendencies) > 0 {
		fmt.Fprintln(w, "tendencies in the tags, broken by real images: shown only, no tag is flagged or marked unknown for breaking one:")
		printTendencies(w, d.Tendencies)
	}
}

// auditHooks prints one line per epoch of each fold's model.
func auditHooks(w io.Writer, quiet bool) train.Hooks {
	if quiet {
		return train.Hooks{}
	}
	return train.Hooks{
		EpochEnd: func(e bundle.Epoch, _ bool) {
			fmt.Fprintf(w, "  epoch %2d  train loss %.4f  lr %.2e  %.1fs\n", e.Epoch, e.TrainLoss, e.LR, e.Seconds)
		},
		Log: func(msg string) { fmt.Fprintln(w, msg) },
	}
}

// printAudit prints the suspect tags and the noise rates.
func printAudit(w io.Writer, f *audit.Findings, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(f)
	}
	fmt.Fprintf(w, "%d suspect tags, most suspicious first:\n", len(f.Issues))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "image\tlabel\tkind\tprobability\tscore\tbroken rule")
	for _, is := range f.Issues {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%.3f\t%.3f\t%s\n", is.Image, is.Label, is.Kind, is.Prob, is.Score, is.Rule)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nestimated noise rate (share of each label's known tags that are wrong):")
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "label\ttagged\tpresent threshold\tabsent threshold\tmissing\tspurious\texpected errors\tnoise rate")
	for _, st := range f.Labels {
		fmt.Fprintf(tw, "%s\t%d\t%.3f\t%.3f\t%d\t%d\t%.1f\t%.1f%%\n", st.Label, st.Tagged, st.Present, st.Absent, st.Missing, st.Spurious, st.ExpectedErrors, 100*st.NoiseRate)
	}
	return tw.Flush()
}
