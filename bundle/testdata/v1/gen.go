// Command gen wrote v1.mlb and v1.header.json, a bundle of format version 1
// with every header section filled, and that header as the version-1 code
// encoded it. It was run once, in the commit that added it, with the
// bundle package of format version 1, whose header held imageio, decide,
// metrics and shift types, from the module root:
//
//	go run ./bundle/testdata/v1
//
// It is kept as the record of how the fixture was made. Do not run it
// again: the bundle package now writes format version 2, and it would
// replace the version-1 fixture with a version-2 bundle.
package main

import (
	"encoding/json"
	"log"
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
	labels := []string{"clear", "haze", "water"}
	spec, err := arch.Build("small", 16, 3, len(labels), arch.Options{Width: 2})
	check(err)
	m, err := nn.Build(spec, rand.New(rand.NewPCG(1, 2)))
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
	b := &bundle.Bundle{
		Header: bundle.Header{
			Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
			Kind:    bundle.KindClassifier, Arch: "small", Spec: spec, Labels: labels,
			Preprocess: pre, View: "overhead",
			Rules: &decide.Rules{
				Kind: decide.PerClass, Objective: "f_beta", Beta: 2, ZeroDivision: 1, Labels: 3, Names: labels,
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
				Old: thr, New: []float64{0.35, 0.5, 0.65},
			}},
			Extra: json.RawMessage(`{"note":"extra"}`),
		},
		Weights: m.Weights(),
	}
	check(b.Save("bundle/testdata/v1/v1.mlb"))
	h := b.Header
	h.FormatVersion = bundle.FormatVersion
	hdr, err := json.MarshalIndent(&h, "", "  ")
	check(err)
	check(os.WriteFile("bundle/testdata/v1/v1.header.json", append(hdr, '\n'), 0o644))
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
