// Command suggestbench simulates labelling with mlabel's suggestions. It
// starts with a fraction of a pool labelled, trains a model on it (the main
// job: split, train, fit thresholds), and then, round after round, lets each
// strategy (and random choice) pick the next images to label from the rest
// of the pool, reveals their tags, retrains and scores the model on a
// held-out set. It prints a markdown table of held-out mAP per labelling
// budget, averaged over the seeds, and draws the curves into one PNG.
//
//	suggestbench -data synth,mosaic -pool 800 -test 400 -k 40 -rounds 4 -seeds 1,2 -png suggest.png
package main

import (
	"context"
	"flag"
	"fmt"
	"image/color"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"

	"mlabel/atomicfile"
	"mlabel/audit"
	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/metrics"
	"mlabel/mosaic"
	"mlabel/predict"
	"mlabel/synth"
	"mlabel/train"
	"mlabel/workflow"
)

// random is the baseline: images drawn uniformly from the unlabelled rest.
const random = "random"

// settings are the simulation's flags.
type settings struct {
	dir          string
	pool, test   int
	start        float64
	k, rounds    int
	tile, epochs int
	seeds        []uint64
	cfg          train.Config
	strategies   []string
	mosaicGrid   int
}

// curve is one strategy's held-out mAP per round ([seed][round]).
type curve struct {
	strategy string
	mAP      [][]float64
}

// result is one data set's simulation.
type result struct {
	data    string
	budgets []int
	curves  []curve
	seconds float64
}

func main() {
	s := settings{cfg: train.Defaults()}
	var data, seeds, pngPath string
	flag.StringVar(&data, "data", "synth,mosaic", "data sets to simulate: synth (tiles) and mosaic (Fashion-MNIST mosaics)")
	flag.StringVar(&s.dir, "dir", "suggestbench-data", "folder for the generated images")
	flag.IntVar(&s.pool, "pool", 800, "images in the pool")
	flag.IntVar(&s.test, "test", 400, "held-out images the models are scored on")
	flag.Float64Var(&s.start, "start", 0.1, "fraction of the pool labelled at the start")
	flag.IntVar(&s.k, "k", 40, "images labelled per round")
	flag.IntVar(&s.rounds, "rounds", 4, "rounds of labelling")
	flag.IntVar(&s.tile, "tile", 32, "network input side")
	flag.IntVar(&s.epochs, "epochs", 12, "epochs per training")
	flag.IntVar(&s.mosaicGrid, "grid", 2, "cells per side of the mosaics")
	flag.StringVar(&seeds, "seeds", "1,2", "seeds of the data, the start set and the training")
	flag.StringVar(&pngPath, "png", "suggest.png", "where to draw the curves")
	flag.Parse()
	for _, f := range strings.Split(seeds, ",") {
		v, err := strconv.ParseUint(strings.TrimSpace(f), 10, 64)
		if err != nil {
			fmt.Fprintln(os.Stderr, "suggestbench: -seeds:", err)
			os.Exit(2)
		}
		s.seeds = append(s.seeds, v)
	}
	s.strategies = []string{random}
	for _, st := range audit.Strategies {
		s.strategies = append(s.strategies, string(st))
	}
	var results []result
	for _, d := range strings.Split(data, ",") {
		r, err := simulate(s, d)
		if err != nil {
			fmt.Fprintln(os.Stderr, "suggestbench:", err)
			os.Exit(1)
		}
		printResult(os.Stdout, r)
		results = append(results, r)
	}
	if err := drawCurves(pngPath, results); err != nil {
		fmt.Fprintln(os.Stderr, "suggestbench:", err)
		os.Exit(1)
	}
	fmt.Printf("plot: %s\n", pngPath)
}

// load returns the pool and the held-out set of data set d for a seed.
func load(s settings, d string, seed uint64) (pool, test *dataset.Dataset, err error) {
	dir := filepath.Join(s.dir, fmt.Sprintf("%s-%d", d, seed))
	switch d {
	case "synth":
		p, err := synth.Generate(synth.Options{Dir: dir, Count: s.pool + s.test, Size: s.tile, Seed: seed})
		if err != nil {
			return nil, nil, err
		}
		all, err := dataset.Load(dataset.Options{CSV: p, Images: filepath.Join(dir, synth.ImagesDir), Labels: synth.Labels()})
		if err != nil {
			return nil, nil, err
		}
		idx := make([]int, len(all.Items))
		for i := range idx {
			idx[i] = i
		}
		return all.Subset(idx[:s.pool]), all.Subset(idx[s.pool:]), nil
	case "mosaic":
		labels, err := mosaic.Labels(mosaic.Fashion)
		if err != nil {
			return nil, nil, err
		}
		var sets [2]*dataset.Dataset
		for k, sp := range []struct {
			split string
			count int
		}{{mosaic.Train, s.pool}, {mosaic.Test, s.test}} {
			res, err := mosaic.Build(mosaic.Options{Source: mosaic.Fashion, Split: sp.split, Dir: filepath.Join(dir, sp.split), Count: sp.count, Grid: s.mosaicGrid, Seed: seed})
			if err != nil {
				return nil, nil, err
			}
			if sets[k], err = dataset.Load(dataset.Options{CSV: res.CSVPath, Images: res.ImagesDir, Labels: labels}); err != nil {
				return nil, nil, err
			}
		}
		return sets[0], sets[1], nil
	}
	return nil, nil, fmt.Errorf("unknown data set %q: want synth or mosaic", d)
}

// simulate runs every strategy on data set d for every seed.
func simulate(s settings, d string) (result, error) {
	begin := time.Now()
	r := result{data: d}
	for _, st := range s.strategies {
		r.curves = append(r.curves, curve{strategy: st})
	}
	for _, seed := range s.seeds {
		pool, test, err := load(s, d, seed)
		if err != nil {
			return r, err
		}
		rng := rand.New(rand.NewPCG(seed, 0x5e1ec7))
		perm := rng.Perm(len(pool.Items))
		start := perm[:int(s.start*float64(len(pool.Items)))]
		r.budgets = []int{len(start)}
		for range s.rounds {
			r.budgets = append(r.budgets, r.budgets[len(r.budgets)-1]+s.k)
		}
		m0, map0, err := round(s, pool, test, start, seed)
		if err != nil {
			return r, err
		}
		fmt.Fprintf(os.Stderr, "%s seed %d: %d labelled, mAP %.4f\n", d, seed, len(start), map0)
		for c, st := range s.strategies {
			labelled, m, maps := slices.Clone(start), m0, []float64{map0}
			pick := rand.New(rand.NewPCG(seed, uint64(c)))
			for range s.rounds {
				next, err := choose(m, pool, labelled, s.k, st, pick)
				if err != nil {
					return r, fmt.Errorf("%s seed %d %s: %w", d, seed, st, err)
				}
				labelled = append(labelled, next...)
				var mAP float64
				if m, mAP, err = round(s, pool, test, labelled, seed); err != nil {
					return r, fmt.Errorf("%s seed %d %s: %w", d, seed, st, err)
				}
				maps = append(maps, mAP)
			}
			fmt.Fprintf(os.Stderr, "%s seed %d %-11s %v\n", d, seed, st, fmtRow(maps))
			r.curves[c].mAP = append(r.curves[c].mAP, maps)
		}
	}
	r.seconds = time.Since(begin).Seconds()
	return r, nil
}

// model is a trained model and its predictor.
type model struct {
	out *workflow.Outcome
	p   *predict.Predictor
}

// round trains on the labelled images of the pool as `mlabel train` does
// (a validation split for the thresholds, no refit) and returns the model
// and its held-out mAP.
func round(s settings, pool, test *dataset.Dataset, labelled []int, seed uint64) (*model, float64, error) {
	ctx := context.Background()
	cfg := s.cfg
	cfg.Size, cfg.Epochs, cfg.Seed, cfg.Refit = s.tile, s.epochs, seed, false
	out, err := workflow.Run(ctx, pool.Subset(labelled), workflow.Options{
		Train: cfg, Preprocess: imageio.DefaultPreprocess(s.tile), ValFrac: 0.2, Decide: decide.DefaultOptions(), Log: io.Discard,
	})
	if err != nil {
		return nil, 0, err
	}
	p, err := predict.New(out.Bundle)
	if err != nil {
		return nil, 0, err
	}
	if err := p.KeepFeatures(); err != nil {
		return nil, 0, err
	}
	set, err := p.ScoreSet(ctx, test, predict.BatchOptions{Batch: cfg.Batch})
	if err != nil {
		return nil, 0, err
	}
	ap, err := metrics.PerLabelAP(set.Truth, set.Scores, set.Mask)
	if err != nil {
		return nil, 0, err
	}
	mAP, err := metrics.MeanDefined(ap)
	if err != nil {
		return nil, 0, err
	}
	return &model{out: out, p: p}, mAP, nil
}

// choose returns k images of the pool not yet labelled, picked by strategy
// st with model m, or at random.
func choose(m *model, pool *dataset.Dataset, labelled []int, k int, st string, rng *rand.Rand) ([]int, error) {
	var rest []int
	for i := range pool.Items {
		if !slices.Contains(labelled, i) {
			rest = append(rest, i)
		}
	}
	if st == random {
		rng.Shuffle(len(rest), func(a, b int) { rest[a], rest[b] = rest[b], rest[a] })
		return rest[:min(k, len(rest))], nil
	}
	files := make([]string, len(rest))
	for k, i := range rest {
		files[k] = pool.Items[i].Path
	}
	sc, err := m.p.ScoreFiles(context.Background(), files, predict.BatchOptions{})
	if err != nil {
		return nil, err
	}
	if len(sc.Failures) > 0 {
		return nil, sc.Failures[0]
	}
	names := make([]string, len(sc.Index))
	for k, i := range sc.Index {
		names[k] = files[i]
	}
	b := m.out.Bundle
	sug, err := audit.Suggest(audit.Pool{Names: names, Scores: sc.Scores, Features: sc.Features}, b.Labels, audit.Thresholds(b), k, audit.Strategy(st))
	if err != nil {
		return nil, err
	}
	out := make([]int, len(sug))
	for k, g := range sug {
		out[k] = rest[sc.Index[g.Index]]
	}
	return out, nil
}

func fmtRow(xs []float64) string {
	parts := make([]string, len(xs))
	for k, x := range xs {
		parts[k] = fmt.Sprintf("%.4f", x)
	}
	return strings.Join(parts, " ")
}

// mean returns the mean over seeds of a curve, per round.
func (c curve) mean() []float64 {
	out := make([]float64, len(c.mAP[0]))
	for _, row := range c.mAP {
		for r, v := range row {
			out[r] += v / float64(len(c.mAP))
		}
	}
	return out
}

// printResult prints the mean held-out mAP per budget, and each
// strategy's mean gain over random after the first round.
func printResult(w io.Writer, r result) {
	fmt.Fprintf(w, "## %s: held-out mAP by labelled images, mean of %d seeds (%.0f s)\n\n", r.data, len(r.curves[0].mAP), r.seconds)
	fmt.Fprint(w, "| strategy |")
	for _, b := range r.budgets {
		fmt.Fprintf(w, " %d |", b)
	}
	fmt.Fprintln(w, " mean gain over random | rounds above random |")
	fmt.Fprintln(w, "|---|"+strings.Repeat("---|", len(r.budgets)+2))
	rnd := r.curves[0]
	for _, c := range r.curves {
		m := c.mean()
		fmt.Fprintf(w, "| %s |", c.strategy)
		for _, v := range m {
			fmt.Fprintf(w, " %.4f |", v)
		}
		gain, above, n := 0.0, 0, 0
		for sd, row := range c.mAP {
			for k := 1; k < len(row); k++ {
				d := row[k] - rnd.mAP[sd][k]
				gain += d
				n++
				if d > 0 {
					above++
				}
			}
		}
		if c.strategy == random {
			fmt.Fprintln(w, " | |")
			continue
		}
		fmt.Fprintf(w, " %+.4f | %d of %d |\n", gain/float64(n), above, n)
	}
	fmt.Fprintln(w)
}

var palette = []color.Color{
	color.RGBA{A: 255},
	color.RGBA{R: 31, G: 119, B: 180, A: 255},
	color.RGBA{R: 255, G: 127, B: 14, A: 255},
	color.RGBA{R: 44, G: 160, B: 44, A: 255},
	color.RGBA{R: 214, G: 39, B: 40, A: 255},
	color.RGBA{R: 148, G: 103, B: 189, A: 255},
}

// drawCurves writes one PNG with a panel per data set: mean held-out mAP against
// the number of labelled images, a line per strategy, random dashed.
func drawCurves(path string, results []result) error {
	if len(results) == 0 {
		return nil
	}
	plots := make([][]*plot.Plot, 1)
	for _, r := range results {
		p := plot.New()
		p.Title.Text = fmt.Sprintf("%s: mean of %d seeds", r.data, len(r.curves[0].mAP))
		p.X.Label.Text = "labelled images"
		p.Y.Label.Text = "held-out mAP"
		p.Add(plotter.NewGrid())
		p.Legend.Top, p.Legend.Left = true, true
		for c, cv := range r.curves {
			xys := make(plotter.XYs, len(r.budgets))
			for k, v := range cv.mean() {
				xys[k] = plotter.XY{X: float64(r.budgets[k]), Y: v}
			}
			l, pts, err := plotter.NewLinePoints(xys)
			if err != nil {
				return err
			}
			l.Color, pts.Color = palette[c%len(palette)], palette[c%len(palette)]
			l.Width = vg.Points(1.5)
			if cv.strategy == random {
				l.Dashes = []vg.Length{vg.Points(5), vg.Points(3)}
			}
			p.Add(l, pts)
			p.Legend.Add(cv.strategy, l, pts)
		}
		plots[0] = append(plots[0], p)
	}
	img := vgimg.New(vg.Length(len(results))*5*vg.Inch, 4*vg.Inch)
	dc := draw.New(img)
	t := draw.Tiles{Rows: 1, Cols: len(results), PadX: vg.Millimeter * 4, PadTop: vg.Millimeter * 2, PadBottom: vg.Millimeter * 2, PadLeft: vg.Millimeter * 2, PadRight: vg.Millimeter * 4}
	canvases := plot.Align(plots, t, dc)
	for j := range plots[0] {
		plots[0][j].Draw(canvases[0][j])
	}
	return atomicfile.Write(path, func(w io.Writer) error {
		_, err := vgimg.PngCanvas{Canvas: img}.WriteTo(w)
		return err
	})
}
