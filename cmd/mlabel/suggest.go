package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"mlabel/atomicfile"
	"mlabel/audit"
	"mlabel/dataset"
	"mlabel/predict"
)

func init() { commands = append(commands, newSuggestCmd) }

// suggestOptions are the flags of the suggest command.
type suggestOptions struct {
	model, strategy, template string
	images                    []string
	labelled                  string
	cf                        csvFlags
	count, batch              int
	asJSON, skipBad           bool
}

func newSuggestCmd() *cobra.Command {
	opts := &suggestOptions{}
	c := &cobra.Command{
		Use:   "suggest --model MODEL.mlb --images POOL [--count K] [--strategy uncertainty|mmc|lci|diverse]",
		Short: "Choose which unlabelled images to label next",
		Long: `Suggest scores a pool of unlabelled images (folders or files) with a model and
ranks them by how much labelling each would teach it:

  uncertainty  scores close to the model's own thresholds, averaged over labels
  mmc          margins that disagree with the labels the expected label count decides
  lci          the expected change of the label count from the thresholds' decision
  diverse      k-center greedy over the network's pooled features, weighted by
               uncertainty, so that near-duplicates are not all chosen

With --labelled CSV, the images of that tags CSV (matched by name) are left
out of the pool, and its labels must be the model's. --template writes a
tags CSV of the suggested images to fill in, with the model's current guesses
as ?tag hints.`,
		Args: wrapArgs(cobra.ArbitraryArgs),
		RunE: func(c *cobra.Command, args []string) error { return runSuggest(c, args, opts) },
	}
	c.Flags().StringVar(&opts.model, "model", "", "model bundle")
	c.Flags().StringSliceVar(&opts.images, "images", nil, "the pool: folders or files of unlabelled images (repeatable; paths may also be given as arguments)")
	c.Flags().StringVar(&opts.labelled, "labelled", "", "tags CSV of the images already labelled: they are left out of the pool")
	c.Flags().IntVar(&opts.count, "count", 20, "images to suggest")
	c.Flags().StringVar(&opts.strategy, "strategy", string(audit.Uncertainty), "ranking: uncertainty, mmc, lci or diverse")
	c.Flags().StringVar(&opts.template, "template", "", "write a tags CSV of the suggested images with the model's guesses as ?tag hints")
	c.Flags().IntVar(&opts.batch, "batch", 32, "images per forward pass")
	c.Flags().BoolVar(&opts.asJSON, "json", false, `print [{"image", "score", "why"}...] as JSON, the most useful image first`)
	c.Flags().BoolVar(&opts.skipBad, "skip-bad", false, "exit 0 even when some images could not be read (they are still named on stderr)")
	opts.cf.register(c.Flags())
	return c
}

// runSuggest runs the suggest command.
func runSuggest(c *cobra.Command, args []string, opts *suggestOptions) error {
	if opts.model == "" {
		return usagef("--model MODEL.mlb is required")
	}
	if !slices.Contains(audit.Strategies, audit.Strategy(opts.strategy)) {
		return usagef("--strategy must be one of %v, got %q", audit.Strategies, opts.strategy)
	}
	if opts.count < 1 {
		return usagef("--count must be at least 1, got %d", opts.count)
	}
	p, files, err := suggestPool(args, opts)
	if err != nil {
		return err
	}
	b := p.Bundle()
	if opts.strategy == string(audit.Diverse) {
		if err := p.KeepFeatures(); err != nil {
			return err
		}
	}
	s, err := p.ScoreFiles(context.Background(), files, predict.BatchOptions{Batch: opts.batch})
	if err != nil {
		return err
	}
	names := make([]string, len(s.Index))
	for k, i := range s.Index {
		names[k] = files[i]
	}
	if err := reportSkipped(c.ErrOrStderr(), s.Failures, len(files), opts.skipBad); err != nil && len(names) == 0 {
		return err
	}
	thr := audit.Thresholds(b)
	sug, err := audit.Suggest(audit.Pool{Names: names, Scores: s.Scores, Features: s.Features}, b.Labels, thr, opts.count, audit.Strategy(opts.strategy))
	if err != nil {
		return err
	}
	if opts.template != "" {
		if err := writeTemplate(opts.template, b.Labels, opts.cf.tagSep, sug, s.Scores, thr); err != nil {
			return err
		}
		fmt.Fprintf(c.ErrOrStderr(), "wrote %s: %d images to label, the model's guesses as ?tag\n", opts.template, len(sug))
	}
	if err := printSuggestions(c.OutOrStdout(), sug, opts.asJSON); err != nil {
		return err
	}
	if len(s.Failures) > 0 && !opts.skipBad {
		return fmt.Errorf("skipped %d of %d images that could not be read", len(s.Failures), len(files))
	}
	return nil
}

// suggestPool opens the model and lists the pool's image files, less
// those of --labelled.
func suggestPool(args []string, opts *suggestOptions) (*predict.Predictor, []string, error) {
	pool := append(slices.Clone(opts.images), args...)
	if len(pool) == 0 {
		return nil, nil, usagef("give the pool of unlabelled images: --images DIR or paths")
	}
	p, err := predict.Open(opts.model)
	if err != nil {
		return nil, nil, err
	}
	files, err := imageFiles(pool)
	if err != nil {
		return nil, nil, err
	}
	if opts.labelled != "" {
		if files, err = withoutLabelled(files, opts.labelled, &opts.cf, p.Bundle().Labels); err != nil {
			return nil, nil, err
		}
	}
	return p, files, nil
}

// withoutLabelled removes from files the images of the tags CSV at path,
// matched by image name, after checking that its labels are the model's.
func withoutLabelled(files []string, path string, cf *csvFlags, labels []string) ([]string, error) {
	o, err := cf.truth(path)
	if err != nil {
		return nil, err
	}
	o.TagsOnly = true
	ds, err := dataset.Load(o)
	if err != nil {
		return nil, err
	}
	var unknown []string
	for _, l := range ds.Labels {
		if !slices.Contains(labels, l) {
			unknown = append(unknown, l)
		}
	}
	if len(unknown) > 0 {
		return nil, fmt.Errorf("the labelled set %s has labels the model does not know: %s (the model has %s)", ds.Source, strings.Join(unknown, ", "), strings.Join(labels, ", "))
	}
	seen := map[string]bool{}
	for _, it := range ds.Items {
		seen[dataset.ImageKey(it.Name)] = true
	}
	out := slices.DeleteFunc(files, func(f string) bool { return seen[dataset.ImageKey(f)] })
	if len(out) == 0 {
		return nil, fmt.Errorf("every image of the pool is in the labelled set %s: nothing is left to suggest", ds.Source)
	}
	return out, nil
}

// writeTemplate writes the suggested images as a tags CSV in which every
// label the model decides is a ?tag hint, the tags separated by tagSep.
func writeTemplate(path string, labels []string, tagSep string, sug []audit.Suggestion, scores [][]float64, thr []float64) error {
	ds := &dataset.Dataset{Labels: labels, TagSep: tagSep}
	for _, s := range sug {
		it := dataset.Item{Name: s.Image, Path: s.Image}
		for j, p := range scores[s.Index] {
			if p >= thr[j] {
				it.Unknown = append(it.Unknown, j)
			}
		}
		ds.Items = append(ds.Items, it)
	}
	return atomicfile.Write(path, func(w io.Writer) error { return dataset.WriteCSV(w, ds, filepath.Dir(path)) })
}

// printSuggestions prints the suggestions as a table or JSON.
func printSuggestions(w io.Writer, sug []audit.Suggestion, asJSON bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(sug)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "image\tscore\twhy")
	for _, s := range sug {
		fmt.Fprintf(tw, "%s\t%.3f\t%s\n", s.Image, s.Score, s.Why)
	}
	return tw.Flush()
}
