package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/spf13/cobra"

	"mlabel/compare"
	"mlabel/dataset"
	"mlabel/train"
)

func init() { commands = append(commands, newCompareCmd) }

// compareFlags holds the flags of `mlabel compare`.
type compareFlags struct {
	csv, images, folders, labels    string
	testCSV, testImages, testFolder string
	out                             string
	all, stacking, asJSON           bool
	bootstrap, repeats              int
	cfg                             train.Config
}

func newCompareCmd() *cobra.Command {
	f := &compareFlags{cfg: train.Defaults()}
	c := &cobra.Command{
		Use:   "compare --csv FILE [--images DIR] | --folders DIR  --out DIR",
		Short: "Compare one specialist per label with the joint model, and build the per-label champion",
		Long: `compare trains, on the same split and with the same configuration, one binary
specialist per label (sigmoid and BCE on that label only) and the joint
multi-label model. On the held-out test split it reports, for each label, both
models' AP, their F2 at thresholds fitted on validation, and a paired bootstrap
interval of the AP difference. Each label's champion is the model with the
higher validation AP; the champions are composed into one bundle that predict
uses like any other. --stacking also learns a dense layer over every model's
logits on the validation split. Next to the quality table it prints what each
option costs: forward passes, FLOPs and milliseconds per image, bundle size.

With --test-csv (or --test-folders) the given set is the held-out split and
--csv is split into train and validation; otherwise --csv is split 60/20/20.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error { return runCompare(c, f) },
	}
	fl := c.Flags()
	fl.StringVar(&f.csv, "csv", "", "tags CSV (image,tags)")
	fl.StringVar(&f.images, "images", "", "folder of the CSV's images (default: the CSV's folder)")
	fl.StringVar(&f.folders, "folders", "", "root of a folder-per-label dataset")
	fl.StringVar(&f.labels, "labels", "", "fixed label vocabulary: a file with one label per line, or a comma-separated list")
	fl.StringVar(&f.testCSV, "test-csv", "", "tags CSV of a separate held-out test set")
	fl.StringVar(&f.testImages, "test-images", "", "folder of the test CSV's images")
	fl.StringVar(&f.testFolder, "test-folders", "", "folder-per-label held-out test set")
	fl.StringVar(&f.out, "out", "", "folder for the bundles and compare.json (required)")
	fl.BoolVar(&f.all, "all", false, "also write the joint, specialists (and stacking) bundles")
	fl.BoolVar(&f.stacking, "stacking", false, "also train a dense stacker over all models' logits")
	fl.BoolVar(&f.asJSON, "json", false, "print the result as one JSON object")
	fl.IntVar(&f.bootstrap, "bootstrap", 1000, "paired bootstrap resamples for the AP difference intervals")
	fl.IntVar(&f.repeats, "repeats", 5, "timed batch forwards per option (the median is reported)")
	fl.StringVar(&f.cfg.Arch, "arch", f.cfg.Arch, "architecture of every model")
	fl.IntVar(&f.cfg.Width, "width", 0, "base width of the architecture (0: its default)")
	fl.IntVar(&f.cfg.Size, "size", f.cfg.Size, "image side in pixels")
	fl.IntVar(&f.cfg.Epochs, "epochs", f.cfg.Epochs, "epochs per model")
	fl.IntVar(&f.cfg.Batch, "batch", f.cfg.Batch, "batch size")
	fl.Float64Var(&f.cfg.LR, "lr", f.cfg.LR, "peak learning rate")
	fl.Uint64Var(&f.cfg.Seed, "seed", f.cfg.Seed, "seed of the split, every model and the bootstrap")
	fl.IntVar(&f.cfg.Workers, "workers", 0, "image decoding goroutines (0: the number of CPUs)")
	return c
}

// loadCompareData reads the training set and, when given, the test set
// with the same vocabulary.
func loadCompareData(f *compareFlags) (data, test *dataset.Dataset, err error) {
	var labels []string
	if f.labels != "" {
		if labels, err = dataset.ParseLabels(f.labels); err != nil {
			return nil, nil, usagef("compare: --labels: %w", err)
		}
	}
	if data, err = dataset.Load(dataset.Options{CSV: f.csv, Images: f.images, Folders: f.folders, Labels: labels}); err != nil {
		return nil, nil, fmt.Errorf("compare: %w", err)
	}
	if f.testCSV == "" && f.testFolder == "" {
		return data, nil, nil
	}
	if test, err = dataset.Load(dataset.Options{CSV: f.testCSV, Images: f.testImages, Folders: f.testFolder, Labels: data.Labels}); err != nil {
		return nil, nil, fmt.Errorf("compare: test set: %w", err)
	}
	return data, test, nil
}

// checkCompareFlags reports misuse of the flags as a usage error.
func checkCompareFlags(f *compareFlags) error {
	switch {
	case (f.csv == "") == (f.folders == ""):
		return usagef("compare: give exactly one of --csv and --folders")
	case f.testCSV != "" && f.testFolder != "":
		return usagef("compare: give at most one of --test-csv and --test-folders")
	case f.out == "":
		return usagef("compare: --out is required")
	case f.bootstrap < 0 || f.repeats < 1:
		return usagef("compare: --bootstrap must be at least 0 and --repeats at least 1")
	}
	if err := f.cfg.Validate(); err != nil {
		return usagef("compare: %w", err)
	}
	return nil
}

func runCompare(c *cobra.Command, f *compareFlags) error {
	if err := checkCompareFlags(f); err != nil {
		return err
	}
	data, test, err := loadCompareData(f)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	errOut := c.ErrOrStderr()
	res, err := compare.Run(ctx, compare.Options{
		Data: data, Test: test, Train: f.cfg, Stacking: f.stacking, Bootstrap: f.bootstrap, Repeats: f.repeats,
		Log: func(msg string) { fmt.Fprintln(errOut, "compare:", msg) },
	})
	if err != nil {
		return err
	}
	paths, err := saveCompare(f, res)
	if err != nil {
		return err
	}
	if f.asJSON {
		return json.NewEncoder(c.OutOrStdout()).Encode(compareJSON{res, paths})
	}
	if err := res.WriteTable(c.OutOrStdout()); err != nil {
		return err
	}
	fmt.Fprintf(c.OutOrStdout(), "champion bundle: %s\n", paths[compare.Champion])
	return nil
}

// compareJSON is the --json output and the content of compare.json: the
// result with the paths of the bundles written.
type compareJSON struct {
	*compare.Result
	Bundles map[string]string `json:"bundles"`
}

// saveCompare writes the champion bundle (every bundle with --all) and
// compare.json into --out, and returns the bundles' paths by option.
func saveCompare(f *compareFlags, res *compare.Result) (map[string]string, error) {
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	paths := map[string]string{}
	for name, b := range res.Bundles {
		if name != compare.Champion && !f.all {
			continue
		}
		p := filepath.Join(f.out, name+".mlb")
		if err := b.Save(p); err != nil {
			return nil, fmt.Errorf("compare: save %s bundle: %w", name, err)
		}
		paths[name] = p
	}
	data, err := json.MarshalIndent(compareJSON{res, paths}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("compare: encode result: %w", err)
	}
	if err := os.WriteFile(filepath.Join(f.out, "compare.json"), append(data, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	return paths, nil
}
