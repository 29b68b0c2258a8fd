// Command recalbench measures recalibration under prevalence shift. For
// each seed it trains a model with the workflow on part of a labelled set
// (the bundle stores the reference), scores the held-out rest once, and
// resamples it into batches where one label holds 1× (no shift), 0.5×, 2×
// or 3× its reference prevalence (and, for the first label, 0.6 of the
// time). On each batch it reports the prevalence estimation error of EM
// and BBSE on the shifted label and samples-F2 with the original
// thresholds, the recalibrated ones (guarded; the nearer of the two
// moves, the default, mapped by the estimated prior shift, and re-fitted
// by expected F-beta), and oracle
// thresholds fitted with the batch's labels: in-sample (an upper bound, as
// optimistic as any fit scored on its own images) and cross-fitted (each
// fifth of the batch's distinct images decided by thresholds fitted on the
// other four fifths: what thresholds fitted on labelled images of the
// shifted batch score on unseen ones). The gap recovered is (F2 recalibrated −
// F2 original) / (F2 cross-fitted oracle − F2 original). It prints a
// markdown table per seed and one of the means over the seeds.
//
//	recalbench -count 3000 -size 32 -epochs 8              # synth tiles
//	recalbench -csv tags.csv -images images/ -size 64 -batch 200 -seeds 1,2,3
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"mlabel/atomicfile"
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
	seeds                    []uint64
	bootstrap                int
	refit                    bool
	cache                    string
}

func main() {
	var o options
	var seeds string
	flag.StringVar(&o.csv, "csv", "", "tags CSV of a labelled set (default: generate synth tiles)")
	flag.StringVar(&o.images, "images", "", "folder of the CSV's images")
	flag.StringVar(&o.dir, "dir", "", "folder for generated tiles (default: a temporary one)")
	flag.StringVar(&o.labels, "labels", "", "labels to shift, comma-separated (default: up to -max-labels with a reference prevalence in [0.05, 0.33], chosen on the first seed)")
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
	flag.BoolVar(&o.refit, "refit", true, "train once more on training and validation images after fitting the thresholds (training's default)")
	flag.StringVar(&o.cache, "cache", "", "folder keeping each seed's trained reference, rule and scored pool, reused when present (for trying recalibration changes without training again)")
	flag.StringVar(&seeds, "seeds", "1", "seeds of the data, split, training and resampling, comma-separated: one model each")
	flag.Parse()
	for _, f := range strings.Split(seeds, ",") {
		v, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "recalbench: -seeds:", err)
			os.Exit(2)
		}
		o.seeds = append(o.seeds, v)
	}
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
	csv, err := synth.Generate(synth.Options{Dir: dir, Count: o.count, Size: max(o.size, synth.MinSize), Seed: o.seeds[0]})
	if err != nil {
		return nil, "", err
	}
	ds, err := dataset.Load(dataset.Options{CSV: csv, Images: filepath.Join(dir, synth.ImagesDir), Labels: synth.Labels()})
	return ds, fmt.Sprintf("synth (%d tiles)", o.count), err
}

// result is one setting's means over its resamples.
type result struct {
	label         string
	factor        string  // the shift: "1×", "0.5×", ..., or "0.6"
	prior, target float64 // reference and batch prevalence of the shifted label
	em, bbse      float64 // mean absolute error on the shifted label
	f2Old, f2Orc  float64 // original and in-sample oracle thresholds
	f2Cross       float64 // cross-fitted oracle thresholds
	f2Rec         float64 // guarded recalibration, the default method (nearer)
	f2Map, f2Exp  float64 // guarded recalibration, mapped and re-fitted
	moved         float64 // mean number of labels whose threshold moved
	keptShifted   float64 // fraction of batches whose shifted label the guard kept
	n             int
}

// recovered returns the fraction of the gap between the original and the
// cross-fitted oracle thresholds that f2 recovers, and false when there is
// no gap to speak of (under 0.005).
func recovered(f2, old, oracle float64) (float64, bool) {
	if oracle-old < 0.005 {
		return 0, false
	}
	return (f2 - old) / (oracle - old), true
}

// formatRecovered prints recovered's answer.
func formatRecovered(f2, old, oracle float64) string {
	g, ok := recovered(f2, old, oracle)
	if !ok {
		return "no gap"
	}
	return fmt.Sprintf("%.0f%%", 100*g)
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
	var all [][]result
	for _, seed := range o.seeds {
		rows, err := benchSeed(ctx, o, ds, name, seed, w)
		if err != nil {
			return err
		}
		all = append(all, rows)
		if o.labels == "" { // the first seed's choice holds for the others
			var names []string
			for _, r := range rows {
				if !slices.Contains(names, r.label) {
					names = append(names, r.label)
				}
			}
			o.labels = strings.Join(names, ",")
		}
	}
	if len(all) > 1 {
		summary(w, name, o, all)
	}
	return nil
}

// benchSeed trains one model with seed and prints its table.
func benchSeed(ctx context.Context, o options, ds *dataset.Dataset, name string, seed uint64, w io.Writer) ([]result, error) {
	parts, err := dataset.Split(ds, []float64{o.trainFrac, 1 - o.trainFrac}, seed)
	if err != nil {
		return nil, err
	}
	m, err := model(ctx, o, ds, parts, name, seed)
	if err != nil {
		return nil, err
	}
	ref, rules, pool := m.Reference, m.Rules, m.Pool
	if ref == nil {
		return nil, fmt.Errorf("the trained bundle has no validation reference")
	}
	if err := ref.Check(len(m.Labels)); err != nil {
		return nil, err
	}
	chosen, err := pick(o, m.Labels, ref, pool)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "pool of %d images; shifting %v\n", pool.Len(), chosen)
	var rows []result
	for k, j := range chosen {
		factors := []float64{1, 0.5, 2, 3}
		if k == 0 {
			factors = append(factors, 0)
		}
		for _, f := range factors {
			t, label := f*ref.Prevalence[j], fmt.Sprintf("%g×", f)
			if f == 0 {
				t, label = 0.6, "0.6"
			}
			r, err := setting(o, seed, pool, ref, rules, j, t)
			if err != nil {
				return nil, err
			}
			r.label, r.factor = m.Labels[j], label
			rows = append(rows, r)
		}
	}
	fmt.Fprintf(w, "seed %d, %s: %d held-out images resampled into batches of %d, %d resamples each; reference from %d %s images, prevalences from %d labelled images; %d labels\n\n",
		seed, name, pool.Len(), o.batch, o.reps, ref.Images, ref.Split, ref.PriorImages, len(m.Labels))
	fmt.Fprintln(w, "| label | shift | reference prevalence | batch prevalence | EM error | BBSE error | labels moved | shifted label kept | F2 original | F2 recalibrated (nearer, default) | F2 mapped | F2 re-fitted (expected F) | F2 oracle, cross-fitted | F2 oracle, in-sample | gap recovered |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %.3f | %.3f | %.3f | %.3f | %.1f | %.0f%% | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %s |\n",
			r.label, r.factor, r.prior, r.target, r.em, r.bbse, r.moved, 100*r.keptShifted, r.f2Old, r.f2Rec, r.f2Map, r.f2Exp, r.f2Cross, r.f2Orc,
			formatRecovered(r.f2Rec, r.f2Old, r.f2Cross))
	}
	fmt.Fprintln(w)
	return rows, nil
}

// trained is what the bench needs of one seed's model: its labels,
// reference and rule, and its scores on the held-out pool.
type trained struct {
	Labels    []string         `json:"labels"`
	Reference *shift.Reference `json:"reference"`
	Rules     *decide.Rules    `json:"rules"`
	Pool      infer.Set        `json:"pool"`
}

// model trains seed's model on parts[0] and scores parts[1], or reads
// them from o.cache when a former run kept them there (and keeps them).
func model(ctx context.Context, o options, ds *dataset.Dataset, parts [][]int, name string, seed uint64) (*trained, error) {
	path := ""
	if o.cache != "" {
		path = filepath.Join(o.cache, fmt.Sprintf("seed-%d.json", seed))
		if data, err := os.ReadFile(path); err == nil {
			var m trained
			if err := json.Unmarshal(data, &m); err != nil {
				return nil, fmt.Errorf("%s: %w", path, err)
			}
			return &m, nil
		}
	}
	cfg := train.Defaults()
	cfg.Size, cfg.Epochs, cfg.Seed, cfg.Refit = o.size, o.epochs, seed, o.refit
	wo := workflow.Options{Train: cfg, Preprocess: imageio.DefaultPreprocess(o.size), ValFrac: o.valFrac, TestFrac: o.testFrac, Decide: decide.DefaultOptions()}
	fmt.Fprintf(os.Stderr, "seed %d: training on %d images of %s\n", seed, len(parts[0]), name)
	out, err := workflow.Run(ctx, ds.Subset(parts[0]), wo)
	if err != nil {
		return nil, err
	}
	b := out.Bundle
	p, err := predict.New(b)
	if err != nil {
		return nil, err
	}
	pool, err := p.ScoreSet(ctx, ds.Subset(parts[1]), predict.BatchOptions{})
	if err != nil {
		return nil, err
	}
	m := &trained{Labels: b.Labels, Reference: b.Reference, Rules: predict.Rules(b), Pool: pool.Set}
	if path != "" {
		data, err := json.Marshal(m)
		if err != nil {
			return nil, err
		}
		if err := atomicfile.WriteBytes(path, data); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// summary prints the means over the seeds of each setting, with the change
// recalibration makes at no shift and the gap it recovers under shift.
func summary(w io.Writer, name string, o options, all [][]result) {
	type key struct{ label, factor string }
	var order []key
	sums := map[key]*result{}
	for _, rows := range all {
		for _, r := range rows {
			k := key{r.label, r.factor}
			s, ok := sums[k]
			if !ok {
				s = &result{label: r.label, factor: r.factor}
				sums[k] = s
				order = append(order, k)
			}
			s.em, s.bbse, s.moved, s.keptShifted = s.em+r.em, s.bbse+r.bbse, s.moved+r.moved, s.keptShifted+r.keptShifted
			s.f2Old, s.f2Rec, s.f2Map, s.f2Exp, s.f2Cross, s.f2Orc = s.f2Old+r.f2Old, s.f2Rec+r.f2Rec, s.f2Map+r.f2Map, s.f2Exp+r.f2Exp, s.f2Cross+r.f2Cross, s.f2Orc+r.f2Orc
			s.n++
		}
	}
	fmt.Fprintf(w, "%s, means over %d seeds (%v)\n\n", name, len(all), o.seeds)
	fmt.Fprintln(w, "| label | shift | seeds | EM error | BBSE error | labels moved | shifted label kept | F2 original | F2 recalibrated (nearer, default) | change | F2 mapped | F2 re-fitted (expected F) | F2 oracle, cross-fitted | F2 oracle, in-sample | gap recovered |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
	for _, k := range order {
		s := sums[k]
		n := float64(s.n)
		for _, v := range []*float64{&s.em, &s.bbse, &s.moved, &s.keptShifted, &s.f2Old, &s.f2Rec, &s.f2Map, &s.f2Exp, &s.f2Cross, &s.f2Orc} {
			*v /= n
		}
		fmt.Fprintf(w, "| %s | %s | %d | %.3f | %.3f | %.1f | %.0f%% | %.3f | %.3f | %+.3f | %.3f | %.3f | %.3f | %.3f | %s |\n",
			s.label, s.factor, s.n, s.em, s.bbse, s.moved, 100*s.keptShifted, s.f2Old, s.f2Rec, s.f2Rec-s.f2Old, s.f2Map, s.f2Exp, s.f2Cross, s.f2Orc,
			formatRecovered(s.f2Rec, s.f2Old, s.f2Cross))
	}
	fmt.Fprintln(w)
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
		return nil, fmt.Errorf("no label has a reference prevalence in [0.05, 0.33] and 15 held-out positives")
	}
	return out, nil
}

// setting resamples o.reps batches where label j holds with prevalence
// target and averages the outcomes.
func setting(o options, seed uint64, pool infer.Set, ref *shift.Reference, rules *decide.Rules, j int, target float64) (result, error) {
	rng := rand.New(rand.NewPCG(seed, uint64(j)*1000+uint64(target*1000)))
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
	oracleOpts := decide.DefaultOptions()
	oracleOpts.Bootstrap = 0
	for rep := 0; rep < o.reps; rep++ {
		rows := append(draw(rng, posRows, k), draw(rng, negRows, o.batch-k)...)
		batch := pool.Rows(rows)
		run := func(m shift.Method) (*shift.Result, error) {
			opts := shift.DefaultOptions()
			opts.Bootstrap, opts.Seed, opts.PriorStrength, opts.Method = o.bootstrap, seed+uint64(rep), o.strength, m
			opts.Inherit(rules)
			res, err := shift.Recalibrate(ref, batch.Scores, rules.Thresholds(), opts)
			if err == nil {
				res.Rules.Names, res.Rules.Structure = rules.Names, rules.Structure
			}
			return res, err
		}
		def, err := run(shift.DefaultOptions().Method)
		if err != nil {
			return r, err
		}
		mapped, err := run(shift.Mapped)
		if err != nil {
			return r, err
		}
		refitted, err := run(shift.Expected)
		if err != nil {
			return r, err
		}
		for l, e := range def.Estimates {
			if !e.Kept {
				r.moved++
			} else if l == j {
				r.keptShifted++
			}
		}
		truth := prevalences(batch)
		e := def.Estimates[j]
		r.em += math.Abs(e.Estimated - truth[j])
		r.bbse += math.Abs(e.BBSE - truth[j])
		oracle, err := decide.FitPerClass(batch, oracleOpts)
		if err != nil {
			return r, err
		}
		oracle.Names, oracle.Structure = rules.Names, rules.Structure
		for _, x := range []struct {
			f     *float64
			rules *decide.Rules
		}{{&r.f2Old, rules}, {&r.f2Rec, def.Rules}, {&r.f2Map, mapped.Rules}, {&r.f2Exp, refitted.Rules}, {&r.f2Orc, oracle}} {
			f, err := metrics.ScorePRF(batch.Truth, x.rules.Apply(batch.Scores), batch.Mask, metrics.Samples, metrics.Options{Beta: 2})
			if err != nil {
				return r, err
			}
			*x.f += f.F
		}
		cross, err := crossFitted(batch, rows, rules, oracleOpts, rng)
		if err != nil {
			return r, err
		}
		r.f2Cross += cross
		r.n++
	}
	n := float64(r.n)
	for _, v := range []*float64{&r.em, &r.bbse, &r.f2Old, &r.f2Rec, &r.f2Map, &r.f2Exp, &r.f2Orc, &r.f2Cross, &r.moved, &r.keptShifted} {
		*v /= n
	}
	return r, nil
}

// crossFolds is the number of folds of the cross-fitted oracle.
const crossFolds = 5

// crossFitted returns the samples-F2 of oracle thresholds scored out of
// sample: the batch's distinct pool images (rows gives each batch row's)
// are dealt at random into crossFolds folds, and the rows of each fold are
// decided by thresholds fitted with o on the rows of the others.
func crossFitted(batch infer.Set, rows []int, rules *decide.Rules, o decide.Options, rng *rand.Rand) (float64, error) {
	fold := map[int]int{}
	for _, i := range rows {
		if _, ok := fold[i]; !ok {
			fold[i] = rng.IntN(crossFolds)
		}
	}
	decisions := make([][]bool, batch.Len())
	for k := range crossFolds {
		var fitRows, held []int
		for b, i := range rows {
			if fold[i] == k {
				held = append(held, b)
			} else {
				fitRows = append(fitRows, b)
			}
		}
		if len(held) == 0 {
			continue
		}
		fit, err := decide.FitPerClass(batch.Rows(fitRows), o)
		if err != nil {
			return 0, err
		}
		fit.Names, fit.Structure = rules.Names, rules.Structure
		d := fit.Apply(batch.Rows(held).Scores)
		for m, b := range held {
			decisions[b] = d[m]
		}
	}
	f, err := metrics.ScorePRF(batch.Truth, decisions, batch.Mask, metrics.Samples, metrics.Options{Beta: 2})
	if err != nil {
		return 0, err
	}
	return f.F, nil
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
