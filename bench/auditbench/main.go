// Command auditbench measures how well mlabel's audit finds label errors
// injected on purpose. It generates synthetic tiles, flips one frequent tag
// (added or removed) on a number of images, computes out-of-fold
// probabilities with K models, and prints a markdown table of precision and
// recall within the top k flagged pairs, for confident learning and for the
// |tag − probability| baseline, on the same probabilities.
//
//	auditbench -count 800 -tile 32 -epochs 6 -flips 40
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"mlabel/audit"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/synth"
	"mlabel/train"
)

func main() {
	cfg := train.Defaults()
	var (
		tta                                  bool
		dir, dump                            string
		csvPath, images                      string
		count, tile, epochs, flips, folds, w int
		frequent                             float64
		seed                                 uint64
	)
	flag.StringVar(&dir, "dir", "auditbench-data", "folder for the generated tiles")
	flag.StringVar(&csvPath, "csv", "", "audit this tags CSV instead of generated tiles")
	flag.StringVar(&images, "images", "", "images folder of -csv")
	flag.IntVar(&count, "count", 800, "tiles to generate")
	flag.IntVar(&tile, "tile", 32, "side of the tiles and of the network input")
	flag.IntVar(&epochs, "epochs", 6, "epochs per fold")
	flag.IntVar(&flips, "flips", 40, "images given one wrong tag")
	flag.IntVar(&folds, "folds", 5, "folds")
	flag.IntVar(&w, "workers", 0, "decoding workers (0: one per core)")
	flag.Float64Var(&frequent, "frequent", 0.1, "a label is frequent, and may be flipped, when at least this fraction of images carry it")
	flag.Uint64Var(&seed, "seed", 1, "seed of the tiles, the flips and the training")
	flag.StringVar(&dump, "dump", "", "also write the out-of-fold set and the flips to this JSON file")
	flag.BoolVar(&tta, "tta", false, "score the held-out images with test-time augmentation")
	flag.IntVar(&cfg.Batch, "batch", cfg.Batch, "batch size")
	flag.Float64Var(&cfg.LR, "lr", cfg.LR, "peak learning rate")
	flag.IntVar(&cfg.Width, "width", cfg.Width, "width of the small network (0: its default)")
	flag.Parse()
	if err := run(cfg, tta, dump, dir, csvPath, images, count, tile, epochs, flips, folds, w, frequent, seed); err != nil {
		fmt.Fprintln(os.Stderr, "auditbench:", err)
		os.Exit(1)
	}
}

func run(cfg train.Config, tta bool, dump, dir, csvPath, images string, count, tile, epochs, nflips, folds, workers int, frequent float64, seed uint64) error {
	var o dataset.Options
	if csvPath == "" {
		p, err := synth.Generate(synth.Options{Dir: dir, Count: count, Size: tile, Seed: seed})
		if err != nil {
			return err
		}
		o = dataset.Options{CSV: p, Images: filepath.Join(dir, synth.ImagesDir), Labels: synth.Labels()}
	} else {
		o = dataset.Options{CSV: csvPath, Images: images}
	}
	clean, err := dataset.Load(o)
	if err != nil {
		return err
	}
	labels := audit.Frequent(clean, frequent)
	noisy, flips, err := audit.Inject(clean, nflips, labels, seed)
	if err != nil {
		return err
	}
	cfg.Size, cfg.Epochs, cfg.Seed, cfg.Workers = tile, epochs, seed, workers
	start := time.Now()
	set, err := audit.OutOfFold(context.Background(), noisy, audit.Options{Train: cfg, Preprocess: imageio.DefaultPreprocess(tile), Folds: folds, Log: os.Stderr, TTA: tta})
	if err != nil {
		return err
	}
	secs := time.Since(start).Seconds()
	if dump != "" {
		b, err := json.Marshal(map[string]any{"set": set, "flips": flips})
		if err != nil {
			return err
		}
		if err := os.WriteFile(dump, b, 0o644); err != nil {
			return err
		}
	}
	found, err := audit.Find(*set)
	if err != nil {
		return err
	}
	base, err := audit.Baseline(*set)
	if err != nil {
		return err
	}
	names := make([]string, len(labels))
	for k, l := range labels {
		names[k] = clean.Labels[l]
	}
	fmt.Printf("%d images, %d labels, %d flips among %v, %d folds × %d epochs at %d px: %.0f s\n\n",
		len(clean.Items), len(clean.Labels), len(flips), names, folds, epochs, tile, secs)
	fmt.Printf("confident learning flagged %d pairs\n\n", len(found.Issues))
	fmt.Println("| ranking | P@20 | P@40 | R@40 | R@80 | R@160 |")
	fmt.Println("|---|---|---|---|---|---|")
	for _, r := range []struct {
		name   string
		issues []audit.Issue
	}{{"confident learning", found.Issues}, {"baseline abs(tag - p)", base}} {
		p20, _ := audit.PrecisionRecall(r.issues, flips, 20)
		p40, r40 := audit.PrecisionRecall(r.issues, flips, 40)
		_, r80 := audit.PrecisionRecall(r.issues, flips, 80)
		_, r160 := audit.PrecisionRecall(r.issues, flips, 160)
		fmt.Printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n", r.name, p20, p40, r40, r80, r160)
	}
	return nil
}
