// Command transferbench compares transfer learning from an imported
// backbone with training from scratch on the same small demo data set and
// the same split, at the same epoch budget, and prints a markdown table of
// the test-split mAP, F2 and wall time of each run.
//
//	transferbench -backbone yolo.mlb -at leaky_12 -count 400 -epochs 12
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/synth"
	"mlabel/train"
	"mlabel/transfer"
	"mlabel/workflow"
)

// options are the command-line settings.
type options struct {
	dir, backbone, at, runs string
	count, tile, size       int
	tsize, epochs, views    int
	ftEpochs, workers       int
	headLR, lrMult          float64
	seed                    uint64
	verbose                 bool
}

// row is one run's outcome.
type row struct {
	Run       string  `json:"run"`
	MAP       float64 `json:"map_macro"`
	F2        float64 `json:"f2_samples"`
	BestEpoch int     `json:"best_epoch"`
	Epochs    int     `json:"epochs"`
	Seconds   float64 `json:"seconds"`
}

func main() {
	var o options
	flag.StringVar(&o.dir, "dir", "transferbench-data", "folder for the generated data set")
	flag.StringVar(&o.backbone, "backbone", "", "backbone bundle, from 'mlabel import darknet' or 'mlabel import onnx' (required for the transfer runs)")
	flag.StringVar(&o.at, "at", "", "node to cut the backbone at (default: its last feature map)")
	flag.StringVar(&o.runs, "runs", "scratch,frozen,unfreeze", "runs to make, comma-separated: scratch, frozen, unfreeze")
	flag.IntVar(&o.count, "count", 400, "images to generate")
	flag.IntVar(&o.tile, "tile", 64, "side of the generated images")
	flag.IntVar(&o.size, "size", 64, "input side for the scratch run")
	flag.IntVar(&o.tsize, "tsize", 128, "input side for the transfer runs")
	flag.IntVar(&o.epochs, "epochs", 12, "epoch budget of every run")
	flag.IntVar(&o.views, "views", 4, "augmented views cached per training image for the frozen backbone")
	flag.IntVar(&o.ftEpochs, "ft-epochs", 4, "of the unfreeze run's budget, the epochs that fine-tune the whole network")
	flag.IntVar(&o.workers, "workers", 0, "image decoding workers (0: one per core)")
	flag.Float64Var(&o.headLR, "head-lr", 1e-2, "peak learning rate of the frozen-backbone head")
	flag.Float64Var(&o.lrMult, "backbone-lr-mult", 0.1, "backbone learning-rate factor when fine-tuning")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the data, split, initialisation and augmentation")
	flag.BoolVar(&o.verbose, "v", false, "log progress")
	flag.Parse()
	if err := bench(o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "transferbench:", err)
		os.Exit(1)
	}
}

// bench generates the data and makes every run.
func bench(o options, w io.Writer) error {
	csv, err := synth.Generate(synth.Options{Dir: o.dir, Count: o.count, Size: o.tile, Seed: o.seed})
	if err != nil {
		return fmt.Errorf("generate data: %w", err)
	}
	ds, err := dataset.Load(dataset.Options{CSV: csv, Images: filepath.Join(o.dir, synth.ImagesDir), Labels: synth.Labels()})
	if err != nil {
		return fmt.Errorf("load data: %w", err)
	}
	var rows []row
	for _, name := range strings.Split(o.runs, ",") {
		wo, err := runOptions(o, name)
		if err != nil {
			return err
		}
		start := time.Now()
		out, err := workflow.Run(context.Background(), ds, wo)
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		r := row{Run: name, F2: out.Test.F2Samples, BestEpoch: out.Result.BestEpoch, Epochs: len(out.Result.History), Seconds: time.Since(start).Seconds()}
		if out.Test.MAPMacro != nil {
			r.MAP = *out.Test.MAPMacro
		}
		fmt.Fprintf(os.Stderr, "%s: test mAP %.3f, F2 %.3f, %.0f s\n", name, r.MAP, r.F2, r.Seconds)
		rows = append(rows, r)
	}
	fmt.Fprintln(w, "| run | test mAP (macro) | test F2 (samples) | best epoch / epochs | wall time |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %.3f | %.3f | %d / %d | %.0f s |\n", r.Run, r.MAP, r.F2, r.BestEpoch, r.Epochs, r.Seconds)
	}
	return json.NewEncoder(w).Encode(rows)
}

// runOptions returns the workflow options of a named run: 70/15/15 split,
// per-class thresholds fitted for F2 on validation, metrics on test.
func runOptions(o options, name string) (workflow.Options, error) {
	cfg := train.Defaults()
	cfg.Epochs, cfg.Seed, cfg.Workers = o.epochs, o.seed, o.workers
	cfg.Augment.Dihedral = true
	wo := workflow.Options{ValFrac: 0.15, TestFrac: 0.15, Decide: decide.DefaultOptions()}
	wo.Decide.Seed = o.seed
	if o.verbose {
		wo.Log = os.Stderr
		wo.Hooks = train.Hooks{Log: func(m string) { fmt.Fprintln(os.Stderr, m) }, EpochEnd: func(e bundle.Epoch, best bool) {
			fmt.Fprintf(os.Stderr, "epoch %d: train loss %.4f, val mAP %.3f, F2 %.3f, %.1fs\n", e.Epoch, e.TrainLoss, e.ValMAP, e.ValF2, e.Seconds)
		}}
	}
	if name == "scratch" {
		cfg.Size = o.size
		wo.Train, wo.Preprocess = cfg, imageio.DefaultPreprocess(o.size)
		return wo, nil
	}
	if name != "frozen" && name != "unfreeze" {
		return wo, fmt.Errorf("unknown run %q (scratch, frozen or unfreeze)", name)
	}
	if o.backbone == "" {
		return wo, fmt.Errorf("%s: -backbone is required", name)
	}
	pre, err := transfer.BackbonePreprocess(o.backbone, o.tsize)
	if err != nil {
		return wo, err
	}
	cfg.Size, cfg.Backbone, cfg.BackboneAt = o.tsize, o.backbone, o.at
	cfg.FreezeBackbone, cfg.FeatureViews, cfg.LR = true, o.views, o.headLR
	if name == "unfreeze" {
		cfg.Unfreeze, cfg.FineTuneEpochs, cfg.BackboneLRMult = true, o.ftEpochs, o.lrMult
		cfg.Epochs = o.epochs - o.ftEpochs
	}
	// The backbone's own input normalisation (for Darknet: values in [0, 1]).
	wo.Train, wo.Preprocess = cfg, pre
	return wo, nil
}
