// Command predictbench measures how fast a classifier predicts when many
// callers ask at once, as the HTTP server's requests do: each of G
// goroutines predicts batches of B preprocessed images on one shared
// predictor, and the table gives the images per second for each G.
//
//	predictbench -arch small -size 64 -batch 1 -images 512 -goroutines 1,2,4
package main

import (
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"mlabel/arch"
	"mlabel/bundle"
	"mlabel/imageio"
	"mlabel/nn"
	"mlabel/predict"
)

func main() {
	archName := flag.String("arch", "small", "architecture")
	size := flag.Int("size", 64, "image side")
	batch := flag.Int("batch", 1, "images per prediction call")
	images := flag.Int("images", 512, "images predicted per row")
	gs := flag.String("goroutines", "1,2,4", "concurrent callers, comma-separated")
	flag.Parse()

	spec, err := arch.Build(*archName, *size, 3, 10, arch.Options{})
	if err != nil {
		log.Fatal(err)
	}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		log.Fatal(err)
	}
	labels := make([]string, 10)
	for i := range labels {
		labels[i] = fmt.Sprint("l", i)
	}
	b := &bundle.Bundle{Header: bundle.Header{Kind: "classifier", Spec: spec, Labels: labels,
		Preprocess: imageio.DefaultPreprocess(*size)}, Weights: m.Weights()}
	p, err := predict.New(b)
	if err != nil {
		log.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	xs := make([][]float32, *batch)
	names := make([]string, *batch)
	for i := range xs {
		xs[i] = make([]float32, *size**size*3)
		for j := range xs[i] {
			xs[i][j] = float32(rng.NormFloat64())
		}
		names[i] = fmt.Sprint("img", i)
	}
	if _, err := p.Inputs(names, xs); err != nil { // warm up
		log.Fatal(err)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "arch\tsize\tbatch\tgoroutines\timg/s\t\n")
	for _, f := range strings.Split(*gs, ",") {
		g, err := strconv.Atoi(f)
		if err != nil || g < 1 {
			log.Fatalf("bad goroutine count %q", f)
		}
		run(p, names, xs, g, g) // warm up: one call per goroutine
		calls := max(g, *images / *batch)
		start := time.Now()
		run(p, names, xs, g, calls)
		rate := float64(calls**batch) / time.Since(start).Seconds()
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%.0f\t\n", *archName, *size, *batch, g, rate)
	}
	tw.Flush()
}

// run makes calls predictions of xs from g goroutines at once.
func run(p *predict.Predictor, names []string, xs [][]float32, g, calls int) {
	var wg sync.WaitGroup
	for k := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := k; c < calls; c += g {
				if _, err := p.Inputs(names, xs); err != nil {
					log.Fatal(err)
				}
			}
		}()
	}
	wg.Wait()
}
