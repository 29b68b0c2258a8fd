package main

import (
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"

	"mlabel/atomicfile"
	"mlabel/decide"
	"mlabel/infer"
	"mlabel/metrics"
)

func init() { commands = append(commands, newDecideCmd) }

// decideOptions are the flags of the decide command.
type decideOptions struct {
	truth, scores         string
	evalTruth, evalScores string
	rule, out, calibrate  string
	beta                  float64
	minPos                int
	minPrec               float64
	seed                  uint64
	cf                    csvFlags
	structure             structureFlags
}

func newDecideCmd() *cobra.Command {
	opts := &decideOptions{}
	c := &cobra.Command{
		Use:   "decide --truth fit.csv --scores fit_scores.csv [--eval-truth ... --eval-scores ...] [--out rules.json]",
		Short: "Fit decision rules on held-out scores and compare them on a separate split",
		Long: `Decide fits decision rules (a global threshold, per-class thresholds that
maximise F-beta, top-k, the prevalence cut, the expected-F maximiser) on a
held-out scores file, and prints a table comparing them, with 0.5, on a
separate split: samples F-beta, macro F1 and subset accuracy. The separate split
is --eval-truth/--eval-scores, or else half of the given rows, chosen at
random, on which nothing was fitted. --out saves the chosen rule (fitted on
all the given rows) for mlabel metrics --thresholds. Both truth files are read
as mlabel metrics reads them, with the same --header, --image-column and --sep.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error { return runDecide(c, opts) },
	}
	c.Flags().StringVar(&opts.truth, "truth", "", "held-out truth CSV: image,tags")
	c.Flags().StringVar(&opts.scores, "scores", "", "held-out scores CSV: image,<label>...")
	c.Flags().StringVar(&opts.evalTruth, "eval-truth", "", "truth CSV of a separate split to compare the rules on")
	c.Flags().StringVar(&opts.evalScores, "eval-scores", "", "scores CSV of that separate split")
	opts.cf.register(c.Flags())
	c.Flags().StringVar(&opts.rule, "rule", "per_class", "rule saved with --out: fixed, global, per_class, top_k, pcut or expected_f")
	c.Flags().StringVar(&opts.calibrate, "calibrate", "", "calibrate scores first: platt or temperature")
	c.Flags().StringVar(&opts.out, "out", "", "write the fitted rule as JSON")
	opts.structure.register(c.Flags())
	c.Flags().Float64Var(&opts.beta, "beta", 2, "F-beta to maximise")
	c.Flags().IntVar(&opts.minPos, "min-positives", 5, "labels with fewer positives are shrunk toward the global threshold")
	c.Flags().Float64Var(&opts.minPrec, "min-precision", decide.DefaultMinPrecision, "least precision a per-class threshold keeps on the fitting data (0: none)")
	c.Flags().Uint64Var(&opts.seed, "seed", 1, "seed for the bootstrap and the split")
	return c
}

// runDecide runs the decide command.
func runDecide(c *cobra.Command, opts *decideOptions) error {
	if opts.truth == "" || opts.scores == "" {
		return usagef("--truth and --scores are required")
	}
	if (opts.evalTruth == "") != (opts.evalScores == "") {
		return usagef("give both --eval-truth and --eval-scores, or neither")
	}
	kind, err := decide.ParseKind(opts.rule)
	if err != nil {
		return usageError{Err: err}
	}
	o := decide.DefaultOptions()
	o.Beta, o.MinPositives, o.MinPrecision, o.Seed = opts.beta, opts.minPos, opts.minPrec, opts.seed
	to, err := opts.cf.truth(opts.truth)
	if err != nil {
		return err
	}
	d, err := metrics.LoadFiles(to, opts.scores)
	if err != nil {
		return err
	}
	structure, err := opts.structure.parse(d.Labels)
	if err != nil {
		return err
	}
	all := *d
	w := c.OutOrStdout()
	fit, eval, err := decideSplits(w, opts, all)
	if err != nil {
		return err
	}
	cmp, err := decide.Compare(fit, eval, o)
	if err != nil {
		return err
	}
	if err := cmp.WriteTable(w); err != nil {
		return err
	}
	if opts.out == "" {
		return nil
	}
	r, err := decide.FitCalibrated(all, kind, o, decide.Method(opts.calibrate))
	if err != nil {
		return err
	}
	r.Names, r.Structure = d.Labels, structure
	if err := atomicfile.Write(opts.out, func(w io.Writer) error { return r.WriteJSON(w) }); err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote the %s rule fitted on all %d rows to %s\n", kind, d.Len(), opts.out)
	return nil
}

// decideSplits returns the rows to fit the rules on and those to compare
// them on: all of them and --eval-truth's with --eval-scores' when given,
// or else two halves of all.
func decideSplits(w io.Writer, opts *decideOptions, all infer.Set) (fit, eval infer.Set, err error) {
	if opts.evalTruth == "" {
		if fit, eval, err = decide.Halves(all, opts.seed); err != nil {
			return infer.Set{}, infer.Set{}, err
		}
		fmt.Fprintf(w, "no evaluation split given: fitting on %d rows, comparing on the other %d\n", fit.Len(), eval.Len())
		return fit, eval, nil
	}
	eo, err := opts.cf.truth(opts.evalTruth)
	if err != nil {
		return infer.Set{}, infer.Set{}, err
	}
	e, err := metrics.LoadFiles(eo, opts.evalScores)
	if err != nil {
		return infer.Set{}, infer.Set{}, err
	}
	if !slices.Equal(e.Labels, all.Labels) {
		return infer.Set{}, infer.Set{}, fmt.Errorf("the evaluation scores have labels %v, the fitting scores %v", e.Labels, all.Labels)
	}
	return all, *e, nil
}
