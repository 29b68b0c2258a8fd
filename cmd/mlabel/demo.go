package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"mlabel/dataset"
	"mlabel/predict"
	"mlabel/synth"
	"mlabel/workflow"
)

func init() { commands = append(commands, newDemoCmd) }

// demoOptions are the flags of the demo command.
type demoOptions struct {
	tf     trainFlags
	out    string
	count  int
	asJSON bool
	quiet  bool
}

func newDemoCmd() *cobra.Command {
	opts := &demoOptions{}
	c := &cobra.Command{
		Use:   "demo [--out DIR]",
		Short: "Run the whole job on generated aerial farm tiles: data, train, thresholds, eval, predict",
		Long: `Demo generates aerial-looking farm tiles with a fixed seed (no download):
fields of maize, wheat and rice, bare ground, forest, water, roads, buildings,
greenhouses and burned patches, under exactly one weather label (clear, haze,
partly_cloudy, cloudy). It writes them as JPEG files with a tags CSV, trains a
model, fits per-class thresholds on the validation split, evaluates on the test
split and predicts a few test images. With --json the last line is one JSON
object with f2_samples, map_macro and bundle.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error { return runDemo(c, opts) },
	}
	opts.tf.register(c.Flags())
	c.Flags().StringVar(&opts.out, "out", "mlabel-demo", "folder for the data, model and outputs")
	c.Flags().IntVar(&opts.count, "count", 1500, "number of tiles to generate")
	c.Flags().BoolVar(&opts.asJSON, "json", false, "print the results as one JSON object on the last line")
	c.Flags().BoolVar(&opts.quiet, "quiet", false, "no progress output")
	// Defaults sized so that the whole demo runs in a few minutes on 2 cores.
	c.Flags().Set("epochs", "8")
	c.Flags().Set("size", "64")
	c.Flags().Lookup("epochs").DefValue = "8"
	return c
}

// runDemo runs the demo command.
func runDemo(c *cobra.Command, opts *demoOptions) error {
	start := time.Now()
	o, err := opts.tf.options()
	if err != nil {
		return err
	}
	if opts.count < 100 {
		return usagef("--count must be at least 100, got %d", opts.count)
	}
	logw := c.ErrOrStderr()
	if opts.quiet {
		logw = io.Discard
	}
	ds, csvPath, err := generateDemoData(logw, opts)
	if err != nil {
		return err
	}
	o.Out = filepath.Join(opts.out, "model.mlb")
	o.Log, o.Hooks = logw, trainHooks(logw, opts.quiet, o.Train.Batch)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := workflow.Run(ctx, ds, o)
	if err != nil {
		return err
	}
	w := c.OutOrStdout()
	if !opts.asJSON {
		if err := printOutcome(w, res, o.Out, false, false); err != nil {
			return err
		}
	}
	// Predict a few images of the test split with the saved bundle,
	// as a user would.
	p, err := predict.Open(o.Out)
	if err != nil {
		return err
	}
	b := p.Bundle()
	sample := testSample(ds, res, 5)
	preds, fails, err := predictFiles(ctx, p, sample, predict.BatchOptions{Batch: 8}, false)
	if err != nil {
		return err
	}
	if err := reportSkipped(logw, fails, len(sample), false); err != nil {
		return err
	}
	if !opts.asJSON {
		fmt.Fprintln(w, "\npredictions on held-out test images (truth in", csvPath+"):")
		if err := writePredictions(w, preds, b.Labels, "table", ""); err != nil {
			return err
		}
		fmt.Fprintf(w, "\ndemo finished in %s\n", time.Since(start).Round(time.Second))
		return nil
	}
	return json.NewEncoder(w).Encode(demoJSON(res, o.Out, csvPath, preds, time.Since(start)))
}

// demoJSON is demo's JSON output: where it wrote the bundle and the data,
// the test figures, and the sample's predictions.
func demoJSON(res *workflow.Outcome, bundlePath, csvPath string, preds []predict.Prediction, took time.Duration) map[string]any {
	return map[string]any{
		"bundle":          bundlePath,
		"data":            csvPath,
		"f2_samples":      res.Test.F2Samples,
		"f1_micro":        res.Test.F1Micro,
		"f1_macro":        res.Test.F1Macro,
		"map_macro":       res.Test.MAPMacro,
		"hamming_loss":    res.Test.HammingLoss,
		"subset_accuracy": res.Test.SubsetAccuracy,
		"best_epoch":      res.Result.BestEpoch,
		"seconds":         took.Seconds(),
		"predictions":     preds,
	}
}

// generateDemoData generates the demo's synthetic tiles under --out and loads them,
// returning the data set and its tags CSV.
func generateDemoData(logw io.Writer, opts *demoOptions) (*dataset.Dataset, string, error) {
	if err := os.MkdirAll(opts.out, 0o755); err != nil {
		return nil, "", fmt.Errorf("demo: %w", err)
	}
	dataDir := filepath.Join(opts.out, "data")
	fmt.Fprintf(logw, "generating %d tiles of %d px in %s\n", opts.count, opts.tf.cfg.Size, dataDir)
	csvPath, err := synth.Generate(synth.Options{Dir: dataDir, Count: opts.count, Size: opts.tf.cfg.Size, Seed: opts.tf.cfg.Seed})
	if err != nil {
		return nil, "", err
	}
	ds, err := dataset.Load(dataset.Options{CSV: csvPath, Images: filepath.Join(dataDir, synth.ImagesDir), Labels: synth.Labels()})
	if err != nil {
		return nil, "", err
	}
	return ds, csvPath, nil
}

// testSample returns the paths of the first n images of the run's last
// split, the test split.
func testSample(ds *dataset.Dataset, res *workflow.Outcome, n int) []string {
	var sample []string
	test := res.Parts[len(res.Parts)-1]
	for _, i := range test[:min(n, len(test))] {
		sample = append(sample, ds.Items[i].Path)
	}
	return sample
}
