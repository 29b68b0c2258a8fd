// Command auditbench measures how well mlabel's audit finds label errors
// injected on purpose. It generates synthetic tiles, flips one frequent tag
// (added or removed) on a number of images, computes out-of-fold
// probabilities with K models, and prints a markdown table of precision and
// recall within the top k flagged pairs, for mlabel's confident learning,
// for cleanlab's published multi-label method reproduced as a reference,
// and for the |tag − probability| baseline, on the same probabilities, and
// mlabel's ranking with the label structure declared, with none, and with
// the structure discovered in the noisy tags. It then trains
// -runs models each on the noisy tags, on the tags corrected as `mlabel audit
// --apply` corrects them (each label's expected errors marked unknown), on
// every flagged tag marked unknown, and on the clean tags, and prints the
// mean and spread of their mAP on held-out images with clean tags over
// -runs models each.
//
//	auditbench -count 800 -holdout 400 -tile 32 -epochs 6 -flips 40
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"time"

	"gonum.org/v1/gonum/stat"

	"mlabel/audit"
	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/metrics"
	"mlabel/synth"
	"mlabel/train"
	"mlabel/workflow"
)

func main() {
	cfg := train.Defaults()
	var (
		tta, retrain, synthRules             bool
		exclusive, implies                   []string
		repeats, runs                        int
		dir, dump                            string
		csvPath, images                      string
		count, tile, epochs, flips, folds, w int
		holdout                              int
		frequent                             float64
		seed                                 uint64
	)
	flag.StringVar(&dir, "dir", "auditbench-data", "folder for the generated tiles")
	flag.StringVar(&csvPath, "csv", "", "audit this tags CSV instead of generated tiles")
	flag.StringVar(&images, "images", "", "images folder of -csv")
	flag.IntVar(&count, "count", 800, "tiles to generate and audit")
	flag.IntVar(&holdout, "holdout", 400, "clean images held out to score the retrained models on: generated in addition to -count, or drawn from -csv")
	flag.IntVar(&tile, "tile", 32, "side of the tiles and of the network input")
	flag.IntVar(&epochs, "epochs", 6, "epochs per fold")
	flag.IntVar(&flips, "flips", 40, "images given one wrong tag")
	flag.IntVar(&folds, "folds", 5, "folds")
	flag.IntVar(&w, "workers", 0, "decoding workers (0: one per core)")
	flag.Float64Var(&frequent, "frequent", 0.1, "a label is frequent, and may be flipped, when at least this fraction of images carry it")
	flag.Uint64Var(&seed, "seed", 1, "seed of the tiles, the flips and the training")
	flag.StringVar(&dump, "dump", "", "also write the out-of-fold set and the flips to this JSON file")
	flag.BoolVar(&tta, "tta", true, "score the held-out images with test-time augmentation, as mlabel audit does by default")
	flag.IntVar(&repeats, "repeats", 1, "repeats of the K-fold cross-validation, averaged")
	flag.BoolVar(&retrain, "retrain", true, "also train on the noisy, corrected and clean tags and report held-out mAP")
	flag.IntVar(&runs, "runs", 3, "models trained on each set of tags, from other seeds, for the mean and spread of the held-out mAP")
	flag.BoolVar(&synthRules, "synth-structure", true, "declare the label structure the generated tiles obey (one weather label, cloudy alone, the co-occurrence rules), as mlabel audit's --exclusive, --excludes and --implies")
	flag.Func("exclusive", "labels of which exactly one holds per image, comma-separated, declared as mlabel audit --exclusive does; repeatable", func(v string) error { exclusive = append(exclusive, v); return nil })
	flag.Func("implies", "A=>B, declared as mlabel audit --implies does; repeatable", func(v string) error { implies = append(implies, v); return nil })
	flag.IntVar(&cfg.Batch, "batch", cfg.Batch, "batch size")
	flag.Float64Var(&cfg.LR, "lr", cfg.LR, "peak learning rate")
	flag.IntVar(&cfg.Width, "width", cfg.Width, "width of the small network (0: its default)")
	flag.Parse()
	st, err := decide.ParseStructure(exclusive, nil, implies, nil, nil)
	if err == nil && csvPath == "" && synthRules {
		st = synthStructure()
	}
	if err == nil {
		err = run(cfg, st, tta, retrain, repeats, runs, dump, dir, csvPath, images, count, holdout, tile, epochs, flips, folds, w, frequent, seed)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "auditbench:", err)
		os.Exit(1)
	}
}

// synthStructure is the label structure every generated tile obeys.
func synthStructure() *decide.Structure {
	weather := synth.WeatherLabels()
	st := &decide.Structure{Exclusive: [][]string{weather}}
	var ground []string
	for _, l := range synth.Labels() {
		if !slices.Contains(weather, l) {
			ground = append(ground, l)
		}
	}
	st.Excludes = []decide.Exclusion{{If: "cloudy", Not: ground}}
	for _, r := range synth.Rules() {
		st.Implies = append(st.Implies, decide.Implication{If: r.If, Then: r.Then})
	}
	return st
}

// run audits the tags with the label structure st declared (nil for none).
func run(cfg train.Config, st *decide.Structure, tta, retrain bool, repeats, runs int, dump, dir, csvPath, images string, count, holdout, tile, epochs, nflips, folds, workers int, frequent float64, seed uint64) error {
	var o dataset.Options
	if csvPath == "" {
		p, err := synth.Generate(synth.Options{Dir: dir, Count: count + holdout, Size: tile, Seed: seed})
		if err != nil {
			return err
		}
		o = dataset.Options{CSV: p, Images: filepath.Join(dir, synth.ImagesDir), Labels: synth.Labels()}
	} else {
		o = dataset.Options{CSV: csvPath, Images: images}
	}
	all, err := dataset.Load(o)
	if err != nil {
		return err
	}
	if holdout < 1 || holdout >= len(all.Items) {
		return fmt.Errorf("-holdout %d of %d images", holdout, len(all.Items))
	}
	perm := rand.New(rand.NewPCG(seed, 0x401d)).Perm(len(all.Items))
	held, clean := all.Subset(perm[:holdout]), all.Subset(perm[holdout:])
	labels := audit.Frequent(clean, frequent)
	noisy, flips, err := audit.Inject(clean, nflips, labels, seed)
	if err != nil {
		return err
	}
	discovered := audit.Discover(noisy)
	fmt.Printf("label rules the noisy tags prove, as mlabel audit uses with no structure declared:\n\n")
	for _, f := range discovered.Rules {
		fmt.Printf("- %s\n", f)
	}
	fmt.Printf("\ntendencies, shown only:\n\n")
	for _, f := range discovered.Tendencies {
		fmt.Printf("- %s\n", f)
	}
	fmt.Println()
	// Every rule the noisy tags nearly obey, tendencies too, as the audit
	// judged the tags before tendencies were told from proven rules.
	nearly, _ := decide.DiscoverWith(noisy.Labels, noisy.TagMatrix(), decide.NoisyTolerance())
	cfg.Size, cfg.Epochs, cfg.Seed, cfg.Workers = tile, epochs, seed, workers
	if st != nil {
		if err := st.Check(clean.Labels); err != nil {
			return err
		}
		// The fold models train with the label groups, as mlabel audit's do.
		cfg.Exclusive, cfg.AtMostOne = st.Exclusive, st.AtMostOne
	}
	start := time.Now()
	set, err := audit.OutOfFold(context.Background(), noisy, audit.Options{Train: cfg, Preprocess: imageio.DefaultPreprocess(tile), Folds: folds, Repeats: repeats, Log: os.Stderr, TTA: tta})
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
	found, err := audit.Find(*set, st)
	if err != nil {
		return err
	}
	plain, err := audit.Find(*set, nil)
	if err != nil {
		return err
	}
	disc, err := audit.Find(*set, discovered.Structure)
	if err != nil {
		return err
	}
	tended, err := audit.Find(*set, nearly)
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
	if st != nil {
		broken := 0
		for _, is := range found.Issues {
			if is.Rule != "" {
				broken++
			}
		}
		fmt.Printf("label structure declared: %s; %d pairs break it\n\n", st, broken)
	}
	_, ceiling := audit.PrecisionRecall(found.Issues, flips, max(len(found.Issues), 1))
	fmt.Printf("confident learning flagged %d pairs, %.0f of the %d flips among them (the most a ranking of them can find)\n\n",
		len(found.Issues), ceiling*float64(len(flips)), len(flips))
	fmt.Println("| ranking | P@20 | P@40 | R@40 | R@80 | R@160 |")
	fmt.Println("|---|---|---|---|---|---|")
	type ranking struct {
		name   string
		issues []audit.Issue
	}
	rankings := []ranking{{"confident learning", found.Issues}}
	if st != nil {
		rankings = append(rankings, ranking{"confident learning, no structure declared", plain.Issues})
	}
	rankings = append(rankings, ranking{"confident learning, structure discovered (proven rules)", disc.Issues},
		ranking{"confident learning, every rule nearly obeyed, tendencies too", tended.Issues})
	rankings = append(rankings, ranking{"cleanlab's method (reference)", cleanlabRanking(*set)}, ranking{"baseline abs(tag - p)", base})
	for _, r := range rankings {
		p20, _ := audit.PrecisionRecall(r.issues, flips, 20)
		p40, r40 := audit.PrecisionRecall(r.issues, flips, 40)
		_, r80 := audit.PrecisionRecall(r.issues, flips, 80)
		_, r160 := audit.PrecisionRecall(r.issues, flips, 160)
		fmt.Printf("| %s | %.2f | %.2f | %.2f | %.2f | %.2f |\n", r.name, p20, p40, r40, r80, r160)
	}
	if !retrain {
		return nil
	}
	likely := found.Likely()
	fixed, err := audit.Apply(noisy, likely)
	if err != nil {
		return err
	}
	every, err := audit.Apply(noisy, found.Issues)
	if err != nil {
		return err
	}
	lp, _ := audit.PrecisionRecall(likely, flips, len(likely))
	fmt.Printf("\n--apply marks %d tags unknown (each label's expected errors; %.0f%% of them flips)\n\n", len(likely), 100*lp)
	if runs < 1 {
		return fmt.Errorf("-runs %d: at least one model per set of tags", runs)
	}
	fmt.Printf("| trained on | tags marked unknown | held-out mAP (%d images), mean ± sd of %d models |\n|---|---|---|\n", len(held.Items), runs)
	for _, r := range []struct {
		name    string
		ds      *dataset.Dataset
		unknown int
	}{{"noisy tags", noisy, 0}, {"corrected, --apply default", fixed, len(likely)}, {"every flagged tag unknown", every, len(found.Issues)}, {"clean tags", clean, 0}} {
		var m []float64
		for k := range runs {
			c := cfg
			c.Seed += uint64(k) * 1000
			mAP, err := heldOutMAP(c, r.ds, held, tile)
			if err != nil {
				return err
			}
			m = append(m, mAP)
		}
		mean, sd := stat.MeanStdDev(m, nil)
		if runs == 1 {
			sd = 0
		}
		fmt.Printf("| %s | %d | %.4f ± %.4f |\n", r.name, r.unknown, mean, sd)
	}
	return nil
}

// heldOutMAP trains one model on ds, for cfg.Epochs and keeping the last
// epoch as the audit's fold models do, and returns its mAP on held.
func heldOutMAP(cfg train.Config, ds, held *dataset.Dataset, tile int) (float64, error) {
	ctx := context.Background()
	cfg.StopAfter, cfg.Patience, cfg.Refit = cfg.Epochs, 0, false
	paths := make([]string, len(ds.Items))
	for i, it := range ds.Items {
		paths[i] = it.Path
	}
	pre, err := imageio.DefaultPreprocess(tile).WithBandStats(paths)
	if err != nil {
		return 0, err
	}
	res, err := train.Run(ctx, cfg, train.Data{Train: ds, Preprocess: pre}, "", false, train.Hooks{})
	if err != nil {
		return 0, err
	}
	set, err := workflow.Predict(ctx, res.Model, held, pre, cfg.Batch)
	if err != nil {
		return 0, err
	}
	ap, err := metrics.PerLabelAP(set.Truth, set.Scores, set.Mask)
	if err != nil {
		return 0, err
	}
	return metrics.MeanDefined(ap)
}
