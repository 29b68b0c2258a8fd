// Command gen writes v2.mlb and v2.header.json, a classifier bundle of
// format version 2 with every header section a classifier has filled (the
// tiled rules among them), and v2-segmenter.mlb and
// v2-segmenter.header.json, a segmenter bundle of format version 2 with
// its pixel figures (an undefined IoU among them), each with its header as
// the writing code encoded it. Run it from the module root, only when
// adding a fixture (the files it wrote are the golden record of version 2):
//
//	go run ./bundle/testdata/v2
package main

import (
	"encoding/json"
	"log"
	"math"
	"math/rand/v2"
	"os"
	"time"

	"mlabel/arch"
	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/shift"
)

func main() {
	if bundle.FormatVersion != 2 {
		log.Fatalf("this program writes format version 2; the bundle package writes %d", bundle.FormatVersion)
	}
	write(classifier(), "bundle/testdata/v2/v2")
	write(segmenter(), "bundle/testdata/v2/v2-segmenter")
}

// classifier returns a small classifier with every section filled.
func classifier() *bundle.Bundle {
	labels := []string{"clear", "haze", "water"}
	spec, err := arch.Build("small", 16, 3, len(labels), arch.Options{Width: 2})
	check(err)
	m, err := nn.Build(spec, rand.New(rand.NewPCG(3, 4)))
	check(err)

	var val infer.Set
	val.Names = []string{}
	for i := 0; i < 40; i++ {
		s, y := make([]float64, 3), make([]float64, 3)
		for j := range s {
			y[j] = float64((i + j) % 2)
			s[j] = 0.2 + 0.5*y[j] + 0.01*float64(i%7)
		}
		val.Scores, val.Truth = append(val.Scores, s), append(val.Truth, y)
	}
	thr := []float64{0.4, 0.5, 0.6}
	ref, err := shift.NewReference(val, thr)
	check(err)
	sum, err := metrics.Summarize(labels, val.Truth, val.Scores, nil, thr)
	check(err)
	cal, err := decide.FitCalibration(val, decide.Platt)
	check(err)

	pre := imageio.DefaultPreprocess(16)
	pre.MaxPixels = 1 << 20
	return &bundle.Bundle{
		Header: bundle.Header{
			Created: time.Date(2026, 2, 3, 4, 5, 6, 0, time.UTC),
			Kind:    bundle.KindClassifier, Arch: "small", Spec: spec, Labels: labels,
			Preprocess: pre, View: "overhead",
			Rules: &decide.Rules{
				Kind: decide.PerClass, Objective: decide.SamplesF, Beta: 2, ZeroDivision: 1, Labels: 3, Names: labels,
				Global: 0.45, PerClass: thr, Intervals: []decide.Interval{{Low: 0.3, High: 0.5}, {Low: 0.4, High: 0.6}, {Low: 0.5, High: 0.7}},
				Shrunk: []bool{false, true, false}, Positives: []int{20, 3, 20}, Calibration: cal,
				Structure: &decide.Structure{AtMostOne: [][]string{{"clear", "haze"}}, Implies: []decide.Implication{{If: "water", Then: "clear"}},
					Excludes: []decide.Exclusion{{If: "haze", Not: []string{"water"}}}},
			},
			Metrics: sum,
			Config:  json.RawMessage(`{"arch":"small","epochs":2}`),
			History: []bundle.Epoch{{Epoch: 1, TrainLoss: 0.7, ValLoss: 0.6, ValMAP: 0.5, ValF2: 0.4, LR: 0.01, Seconds: 1.5}, {Epoch: 2, TrainLoss: 0.5, LR: 0.001, Seconds: 1.25, Unvalidated: true}},
			Split: &bundle.Split{Train: []bundle.SplitImage{{Name: "a.jpg", SHA256: "00ff"}}, Val: []bundle.SplitImage{{Name: "b.jpg"}},
				Test: []bundle.SplitImage{{Name: "c.jpg", SHA256: "ab12"}}},
			Reference: ref,
			Recalibrations: []shift.Record{{
				Created: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), Batch: shift.Batch{Source: "new", Images: 120, Skipped: 2, SHA256: "ab"},
				Labels: labels, Train: []float64{0.5, 0.5, 0.5}, Estimated: []float64{0.6, 0.5, 0.1},
				Low: []float64{0.55, 0.45, 0.05}, High: []float64{0.65, 0.55, 0.15},
				Old: thr, New: []float64{0.35, 0.5, 0.65}, Kept: []string{"", shift.KeptUnlearned, ""},
			}},
			Tiles: &decide.Tiled{Grid: 3, Overlap: 0.25, Images: 40,
				Rules: &decide.Rules{Kind: decide.PerClass, Labels: 3, Names: labels, Global: 0.5, PerClass: []float64{0.55, 0.6, 0.7}}},
			Extra: json.RawMessage(`{"note":"extra"}`),
		},
		Weights: m.Weights(),
	}
}

// segmenter returns a one-convolution segmenter of two labels with its
// pixel figures, one of them undefined.
func segmenter() *bundle.Bundle {
	labels := []string{"field", "road"}
	spec := &nn.Spec{Nodes: []nn.Node{
		{Name: "input", Op: nn.OpInput, Attrs: nn.Attrs{Shape: []int{8, 8, 3}}},
		{Name: "conv", Op: nn.OpConv2D, Inputs: []string{"input"}, Attrs: nn.Attrs{Filters: len(labels), Kernel: [2]int{1, 1}, Bias: true}},
	}, Outputs: []string{"conv"}}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(5, 6)))
	check(err)
	return &bundle.Bundle{
		Header: bundle.Header{
			Created: time.Date(2026, 2, 3, 4, 5, 7, 0, time.UTC),
			Kind:    bundle.KindSegmenter, Arch: "unet", Spec: spec, Labels: labels,
			Preprocess: imageio.DefaultPreprocess(8), View: "overhead",
			Rules:   &decide.Rules{Kind: decide.PerClass, Labels: 2, Names: labels, Global: 0.5, PerClass: []float64{0.1, 0.02}},
			Segment: &metrics.Segmentation{PixelThreshold: 0.5, Labels: labels, IoU: []float64{0.75, math.NaN()}, MIoU: 0.75},
			History: []bundle.Epoch{{Epoch: 1, TrainLoss: 0.4, ValLoss: 0.5, ValMIoU: 0.75, LR: 0.01, Seconds: 2}},
		},
		Weights: m.Weights(),
	}
}

// write saves b to base+".mlb" and its header, indented, to
// base+".header.json".
func write(b *bundle.Bundle, base string) {
	check(b.Save(base + ".mlb"))
	h := b.Header
	h.FormatVersion = bundle.FormatVersion
	hdr, err := json.MarshalIndent(&h, "", "  ")
	check(err)
	check(os.WriteFile(base+".header.json", append(hdr, '\n'), 0o644))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
