// Command recalbench measures recalibration under prevalence shift. It
// trains a model on part of a labelled set (the validation split stores the
// reference), scores the held-out rest once, and resamples it into batches
// where one label holds 1× (no shift), 0.5×, 2× or 3× as often as on validation (and, for
// the first label, 0.6 of the time). On each batch it reports the
// prevalence estimation error of EM, BBSE and the mean calibrated score,
// and samples-F2 with the original thresholds, the recalibrated ones, and
// oracle thresholds fitted on the labelled batch itself. The recalibrated
// F2 is given without and with the guard (a label without evidence of shift,
// whose EM and BBSE estimates disagree, or whose scores moved as a more
// shifted label's shift predicts, keeps its threshold), with how many
// labels the guard kept, and with the old thresholds mapped by the
// estimated prior shift instead of re-fitted (shift's MapThreshold). The
// training part keeps a test split (-test-frac): a refitted model's
// reference is made from it. It prints a markdown table of the means over
// the resamples.
//
//	recalbench -count 3000 -size 32 -epochs 8              # synth tiles
//	recalbench -csv tags.csv -images images/ -size 64 -batch 200
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/metrics"
	"mlabel/predict"
	"mlabel/shift"
	"mlabel/synth"
	"mlabel/train"
	"mlabel/workflow"
)

type options struct {
	csv, images, dir, labels string
	count, size, epochs      int
	batch, reps, maxLabels   int
	trainFrac, valFrac       float64
	testFrac                 float64
	strength                 float64
	seed                     uint64
	bootstrap                int
	refit                    bool
}

func main() {
	var o options
	flag.StringVar(&o.csv, "csv", "", "tags CSV of a labelled set (default: generate synth tiles)")
	flag.StringVar(&o.images, "images", "", "folder of the CSV's images")
	flag.StringVar(&o.dir, "dir", "", "folder for generated tiles (default: a temporary one)")
	flag.StringVar(&o.labels, "labels", "", "labels to shift, comma-separated (default: up to -max-labels with a validation prevalence in [0.05, 0.33])")
	flag.IntVar(&o.count, "count", 3000, "synth tiles to generate")
	flag.IntVar(&o.size, "size", 32, "network input side")
	flag.IntVar(&o.epochs, "epochs", 8, "training epochs")
	flag.IntVar(&o.batch, "batch", 400, "images per shifted batch")
	flag.IntVar(&o.reps, "reps", 5, "resampled batches per setting")
	flag.IntVar(&o.maxLabels, "max-labels", 3, "labels to shift when -labels is not given")
	flag.Float64Var(&o.trainFrac, "train-frac", 0.5, "fraction of the set to train and validate on; the rest is resampled into batches")
	flag.Float64Var(&o.valFrac, "val-frac", 0.25, "fraction of the training part held out for validation")
	flag.Float64Var(&o.testFrac, "test-frac", 0.15, "fraction of the training part held out as its test split (a refitted model's reference is made from it)")
	flag.Float64Var(&o.strength, "prior-strength", shift.DefaultPriorStrength, "EM's prior strength, in images")
	flag.IntVar(&o.bootstrap, "bootstrap", 200, "bootstrap resamples for the intervals the guard tests")
	flag.BoolVar(&o.refit, "refit", false, "train once more on training and validation images after fitting the thresholds and the reference (training's default; the reference then describes the first model, not the bundle's)")
	flag.Uint64Var(&o.seed, "seed", 1, "seed of the data, split, training and resampling")
	flag.Parse()
	if err := bench(context.Background(), o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "recalbench:", err)
		os.Exit(1)
	}
}

// load reads the -csv set, or generates synth tiles into dir.
func load(o options, dir string) (*dataset.Dataset, string, error) {
	if o.csv != "" {
		ds, err := dataset.Load(dataset.Options{CSV: o.csv, Images: o.images})
		return ds, o.csv, err
	}
	csv, err := synth.Generate(synth.Options{Dir: dir, Count: o.count, Size: max(o.size, synth.MinSize), Seed: o.seed})
	if err != nil {
		return nil, "", err
	}
	ds, err := dataset.Load(dataset.Options{CSV: csv, Images: filepath.Join(dir, synth.ImagesDir), Labels: synth.Labels()})
	return ds, fmt.Sprintf("synth (%d tiles)", o.count), err
}

// result is one setting's means over its resamples.
type result struct {
	label            string
	prior, target    float64
	em, bbse, naive  float64 // mean absolute error on the shifted label
	emAll            float64 // mean absolute EM error over every label
	f2Old, f2, f2Orc float64
	f2Guard          float64 // samples-F2 with the guarded recalibration
	f2Map, f2MapG    float64 // samples-F2 with the thresholds mapped by the estimated shift, without and with the guard
	keptShifted      float64 // fraction of batches whose shifted label the guard kept
	kept             float64 // mean number of labels the guard kept
	n                int
}

func bench(ctx context.Context, o options, w io.Writer) error {
	dir := o.dir
	if dir == "" && o.csv == "" {
		d, err := os.MkdirTemp("", "recalbench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		dir = d
	}
	ds, name, err := load(o, dir)
	if err != nil {
		return err
	}
	parts, err := dataset.Split(ds, []float64{o.trainFrac, 1 - o.trainFrac}, o.seed)
	if err != nil {
		return err
	}
	cfg := train.Defaults()
	cfg.Size, cfg.Epochs, cfg.Seed, cfg.Refit = o.size, o.epochs, o.seed, o.refit
	wo := workflow.Options{Train: cfg, Preprocess: imageio.DefaultPreprocess(o.size), ValFrac: o.valFrac, TestFrac: o.testFrac, Decide: decide.DefaultOptions()}
	fmt.Fprintf(os.Stderr, "training on %d images of %s\n", len(parts[0]), name)
	out, err := workflow.Run(ctx, ds.Subset(parts[0]), wo)
	if err != nil {
		return err
	}
	b := out.Bundle
	p, err := predict.New(b)
	if err != nil {
		return err
	}
	pool, err := p.ScoreSet(ctx, ds.Subset(parts[1]), predict.BatchOptions{})
	if err != nil {
		return err
	}
	rules := predict.Rules(b)
	if err := structureAB(w, ds.Subset(parts[0]), b.Labels, rules, pool.Set); err != nil {
		return err
	}
	ref := b.Reference
	if ref == nil {
		return fmt.Errorf("the trained bundle has no validation reference")
	}
	if err := ref.Check(len(b.Labels)); err != nil {
		return err
	}
	chosen, err := pick(o, b.Labels, ref, pool.Set)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "pool of %d images; shifting %v\n", pool.Len(), chosen)
	var rows []result
	for k, j := range chosen {
		targets := []float64{ref.Prevalence[j], 0.5 * ref.Prevalence[j], 2 * ref.Prevalence[j], 3 * ref.Prevalence[j]}
		if k == 0 {
			targets = append(targets, 0.6)
		}
		for _, t := range targets {
			r, err := setting(o, pool.Set, ref, rules, j, t)
			if err != nil {
				return err
			}
			r.label = b.Labels[j]
			rows = append(rows, r)
		}
	}
	fmt.Fprintf(w, "%s: %d held-out images resampled into batches of %d, %d resamples each; validation %d images\n\n", name, pool.Len(), o.batch, o.reps, ref.Images)
	fmt.Fprintf(w, "%d labels; \"kept\" counts the labels the guard kept, and how often it kept the shifted one\n\n", len(b.Labels))
	fmt.Fprintln(w, "| label | validation prevalence | batch prevalence | EM error | BBSE error | mean-score error | EM error, all labels | F2 original | F2 re-fitted (expected F), no guard | F2 re-fitted, guard | F2 mapped, no guard | F2 mapped, guard (default) | labels kept | shifted label kept | F2 oracle |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.1f | %.0f%% | %.3f |\n",
			r.label, r.prior, r.target, r.em, r.bbse, r.naive, r.emAll, r.f2Old, r.f2, r.f2Guard, r.f2Map, r.f2MapG, r.kept, 100*r.keptShifted, r.f2Orc)
	}
	return nil
}

// pick returns the labels to shift.
func pick(o options, labels []string, ref *shift.Reference, pool infer.Set) ([]int, error) {
	if o.labels != "" {
		var out []int
		for _, l := range strings.Split(o.labels, ",") {
			j := slices.Index(labels, strings.TrimSpace(l))
			if j < 0 {
				return nil, fmt.Errorf("unknown label %q", l)
			}
			out = append(out, j)
		}
		return out, nil
	}
	pos := pool.Positives()
	var out []int
	for j := range labels {
		if p := ref.Prevalence[j]; p >= 0.05 && p <= 0.33 && pos[j] >= 15 {
			out = append(out, j)
		}
	}
	// The most common first: they have the most pool positives to draw.
	sort.SliceStable(out, func(a, b int) bool { return ref.Prevalence[out[a]] > ref.Prevalence[out[b]] })
	if len(out) > o.maxLabels {
		out = out[:o.maxLabels]
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no label has a validation prevalence in [0.05, 0.33] and 15 held-out positives")
	}
	return out, nil
}

// setting resamples o.reps batches where label j holds with prevalence
// target and averages the outcomes.
func setting(o options, pool infer.Set, ref *shift.Reference, rules *decide.Rules, j int, target float64) (result, error) {
	rng := rand.New(rand.NewPCG(o.seed, uint64(j)*1000+uint64(target*1000)))
	var posRows, negRows []int
	for i, row := range pool.Truth {
		if row[j] == 1 {
			posRows = append(posRows, i)
		} else {
			negRows = append(negRows, i)
		}
	}
	r := result{prior: ref.Prevalence[j]}
	k := int(math.Round(target * float64(o.batch)))
	r.target = float64(k) / float64(o.batch)
	for rep := 0; rep < o.reps; rep++ {
		rows := append(draw(rng, posRows, k), draw(rng, negRows, o.batch-k)...)
		batch := pool.Rows(rows)
		// Each method, without and with the guard.
		run := func(m shift.Method, guard bool) (*shift.Result, error) {
			opts := shift.DefaultOptions()
			opts.Bootstrap, opts.Seed, opts.PriorStrength, opts.Guard, opts.Method = o.bootstrap, o.seed+uint64(rep), o.strength, guard, m
			return shift.Recalibrate(ref, batch.Scores, rules.Thresholds(), opts)
		}
		res, err := run(shift.Expected, false)
		if err != nil {
			return r, err
		}
		guarded, err := run(shift.Expected, true)
		if err != nil {
			return r, err
		}
		mapped, err := run(shift.Mapped, false)
		if err != nil {
			return r, err
		}
		mappedG, err := run(shift.Mapped, true)
		if err != nil {
			return r, err
		}
		for l, e := range guarded.Estimates {
			if e.Kept && e.Reason != shift.KeptUnlearned {
				r.kept++
				if l == j {
					r.keptShifted++
				}
			}
		}
		truth := prevalences(batch)
		e := res.Estimates[j]
		r.em += math.Abs(e.Estimated - truth[j])
		r.bbse += math.Abs(e.BBSE - truth[j])
		r.naive += math.Abs(e.MeanScore - truth[j])
		for l, el := range res.Estimates {
			r.emAll += math.Abs(el.Estimated-truth[l]) / float64(len(truth))
		}
		oracle, err := decide.FitPerClass(batch, decide.Options{Beta: 2, Objective: decide.SamplesF, MinPositives: 5})
		if err != nil {
			return r, err
		}
		for _, x := range []struct {
			f     *float64
			rules *decide.Rules
		}{{&r.f2Old, rules}, {&r.f2, res.Rules}, {&r.f2Guard, guarded.Rules}, {&r.f2Map, mapped.Rules}, {&r.f2MapG, mappedG.Rules}, {&r.f2Orc, oracle}} {
			f, err := metrics.ScorePRF(batch.Truth, x.rules.Apply(batch.Scores), batch.Mask, metrics.Samples, metrics.Options{Beta: 2})
			if err != nil {
				return r, err
			}
			*x.f += f.F
		}
		r.n++
	}
	n := float64(r.n)
	for _, v := range []*float64{&r.em, &r.bbse, &r.naive, &r.emAll, &r.f2Old, &r.f2, &r.f2Guard, &r.f2Map, &r.f2MapG, &r.keptShifted, &r.kept, &r.f2Orc} {
		*v /= n
	}
	return r, nil
}

// draw takes n of rows: without replacement while they last, then with.
func draw(rng *rand.Rand, rows []int, n int) []int {
	perm := slices.Clone(rows)
	rng.Shuffle(len(perm), func(a, b int) { perm[a], perm[b] = perm[b], perm[a] })
	out := make([]int, 0, n)
	for len(out) < n && len(perm) > 0 {
		if len(out) < len(perm) {
			out = append(out, perm[len(out)])
		} else {
			out = append(out, perm[rng.IntN(len(perm))])
		}
	}
	return out
}

// prevalences returns each label's known positive rate.
func prevalences(s infer.Set) []float64 {
	out := make([]float64, s.NumLabels())
	pos := s.Positives()
	for j := range out {
		known := 0
		for i := range s.Truth {
			if s.Known(i, j) {
				known++
			}
		}
		if known > 0 {
			out[j] = float64(pos[j]) / float64(known)
		}
	}
	return out
}

// structureAB discovers the label structure of the training part, applies
// it on top of the per-class thresholds on the held-out set, and prints
// samples-F2 and the rate of decisions that break the structure, with and
// without it.
func structureAB(w io.Writer, train *dataset.Dataset, labels []string, rules *decide.Rules, held infer.Set) error {
	truth := make([][]float64, len(train.Items))
	for i, it := range train.Items {
		y, _ := train.Targets(it)
		truth[i] = make([]float64, len(y))
		for j, v := range y {
			truth[i][j] = float64(v)
		}
	}
	st := decide.Discover(labels, truth, 5)
	fmt.Fprintf(w, "label structure found in the %d training images: %s\n\n", len(truth), st)
	fmt.Fprintln(w, "| decisions | samples F2 | images breaking the structure |")
	fmt.Fprintln(w, "|---|---|---|")
	with := *rules
	with.Names, with.Structure = labels, st
	for _, x := range []struct {
		name string
		r    *decide.Rules
	}{{"independent thresholds", rules}, {"thresholds + structure", &with}} {
		d := x.r.Apply(held.Scores)
		f, err := metrics.ScorePRF(held.Truth, d, held.Mask, metrics.Samples, metrics.Options{Beta: 2})
		if err != nil {
			return err
		}
		v, err := st.Violations(labels, d)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "| %s | %.3f | %.1f%% |\n", x.name, f.F, 100*float64(v)/float64(held.Len()))
	}
	fmt.Fprintln(w)
	return nil
}
