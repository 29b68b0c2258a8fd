package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"

	"github.com/spf13/cobra"

	"mlabel/atomicfile"
	"mlabel/compare"
	"mlabel/dataset"
	"mlabel/masks"
)

func init() { commands = append(commands, newCompareCmd) }

// compareFlags holds the flags of `mlabel compare`.
type compareFlags struct {
	data, test            dataFlags
	train                 trainFlags
	out                   string
	all, stacking, asJSON bool
	bootstrap, repeats    int
	// The route against route experiment.
	routes, masks, testMasks, segmentArch string
}

func newCompareCmd() *cobra.Command {
	f := &compareFlags{}
	c := &cobra.Command{
		Use:   "compare (--csv FILE --images DIR | --folders DIR) --out DIR",
		Short: "Compare one specialist per label with the joint model, and build the per-label champion",
		Long: `compare trains, on the same split and with the same configuration, one binary
specialist per label (sigmoid and BCE on that label only) and the joint
multi-label model. On the held-out test split it reports, for each label, both
models' AP, their F-beta at thresholds fitted on validation, and a paired
bootstrap interval of the AP difference. Each label's champion is the model
with the higher validation AP; the champions are composed into one bundle,
DIR/champion.mlb, that predict uses like any other. --stacking also learns a
dense layer over every model's logits on the validation split. Next to the
quality table it prints what each option costs: forward passes, FLOPs and
milliseconds per image, bundle size. DIR/compare.json holds the full result.

With --test-csv (or --test-folders) that set is the held-out split and the
main set is split into train and validation; otherwise the main set is split
into train, validation and test (--val, --test).

--routes classify,segment compares the two routes to the labels instead:
the classifier (the training flags as given) and the segmenter trained on
the masks of --masks (--segment-arch, the U-Net by default, with the
segmentation route's defaults for --batch, --lr and --dice unless given),
on the same split with the same epochs and seed. Per label it reports both
routes' test AP and F-beta (the segmenter's score is the label's area
fraction, its threshold an area threshold fitted on validation), a paired
bootstrap interval of AP(segment) − AP(classify), the segmenter's pixel
IoU and the champion route picked on validation AP; then each route's
cost. DIR/classify.mlb and DIR/segment.mlb are both written; a held-out
test set takes its masks from --test-masks (from --masks without it).`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error { return runCompare(c, f) },
	}
	fl := c.Flags()
	f.data.register(fl)
	f.train.register(fl)
	fl.StringVar(&f.test.csv, "test-csv", "", "tags CSV of a separate held-out test set (read with the main set's CSV options)")
	fl.StringVar(&f.test.images, "test-images", "", "folder of the test CSV's images")
	fl.StringVar(&f.test.folders, "test-folders", "", "folder-per-label held-out test set")
	fl.StringVar(&f.out, "out", "", "folder for the bundles and compare.json (required)")
	fl.BoolVar(&f.all, "all", false, "also write the joint, specialists (and stacking) bundles")
	fl.BoolVar(&f.stacking, "stacking", false, "also train a dense stacker over all models' logits")
	fl.BoolVar(&f.asJSON, "json", false, "print the result as one JSON object")
	fl.IntVar(&f.bootstrap, "bootstrap", 1000, "paired bootstrap resamples for the AP difference intervals")
	fl.IntVar(&f.repeats, "repeats", 5, "timed batch forwards per option (the median is reported)")
	fl.StringVar(&f.routes, "routes", "", "compare the routes instead: classify,segment (needs --masks)")
	fl.StringVar(&f.masks, "masks", "", "with --routes: folder of the main set's per-pixel masks")
	fl.StringVar(&f.testMasks, "test-masks", "", "with --routes and a held-out test set: folder of its masks (default: --masks)")
	fl.StringVar(&f.segmentArch, "segment-arch", "unet", "with --routes: the segmentation route's architecture (unet or unet-tconv; --backbone gives both routes the backbone)")
	return c
}

// loadCompareData reads the main set and, when given, the test set with the
// same vocabulary and CSV options.
func loadCompareData(f *compareFlags) (data, test *dataset.Dataset, err error) {
	if data, err = f.data.load(nil); err != nil {
		return nil, nil, err
	}
	if f.test.csv == "" && f.test.folders == "" {
		return data, nil, nil
	}
	td := f.data
	td.csv, td.images, td.folders = f.test.csv, f.test.images, f.test.folders
	if test, err = td.load(data.Labels); err != nil {
		return nil, nil, fmt.Errorf("test set: %w", err)
	}
	return data, test, nil
}

// checkCompareFlags reports misuse of the flags as a usage error.
func checkCompareFlags(f *compareFlags) error {
	switch {
	case f.test.csv != "" && f.test.folders != "":
		return usagef("give at most one of --test-csv and --test-folders")
	case f.out == "":
		return usagef("--out DIR is required")
	case f.bootstrap < 0 || f.repeats < 1:
		return usagef("--bootstrap must be at least 0 and --repeats at least 1")
	case f.routes == "" && (f.masks != "" || f.testMasks != ""):
		return usagef("--masks and --test-masks go with --routes classify,segment")
	case f.routes == "":
		return nil
	case f.routes != "classify,segment" && f.routes != "segment,classify":
		return usagef("--routes compares classify,segment, got %q", f.routes)
	case f.masks == "":
		return usagef("--routes classify,segment needs --masks DIR, the masks of the segmentation route")
	case f.stacking || f.all:
		return usagef("--stacking and --all are for the specialists; --routes writes both routes' bundles")
	case f.testMasks != "" && f.test.csv == "" && f.test.folders == "":
		return usagef("--test-masks goes with a held-out test set (--test-csv or --test-folders)")
	}
	return nil
}

func runCompare(c *cobra.Command, f *compareFlags) error {
	if err := checkCompareFlags(f); err != nil {
		return err
	}
	if f.routes != "" {
		return runCompareRoutes(c, f)
	}
	wo, err := f.train.options()
	if err != nil {
		return err
	}
	data, test, err := loadCompareData(f)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	errOut := c.ErrOrStderr()
	res, err := compare.Run(ctx, compare.Options{
		Data: data, Test: test, Train: wo.Train, Preprocess: wo.Preprocess, ValFrac: wo.ValFrac, TestFrac: wo.TestFrac, Decide: wo.Decide,
		Stacking: f.stacking, Bootstrap: f.bootstrap, Repeats: f.repeats,
		Log: func(msg string) { fmt.Fprintln(errOut, "compare:", msg) },
	})
	if err != nil {
		return err
	}
	paths, err := saveCompare(f, res)
	if err != nil {
		return err
	}
	if f.asJSON {
		return json.NewEncoder(c.OutOrStdout()).Encode(compareJSON{res, paths})
	}
	if err := res.WriteTable(c.OutOrStdout()); err != nil {
		return err
	}
	fmt.Fprintf(c.OutOrStdout(), "champion bundle: %s\n", paths[compare.Champion])
	return nil
}

// compareJSON is the --json output and the content of compare.json: the
// result with the paths of the bundles written.
type compareJSON struct {
	*compare.Result
	Bundles map[string]string `json:"bundles"`
}

// saveCompare writes the champion bundle (every bundle with --all) and
// compare.json into --out, and returns the bundles' paths by option.
func saveCompare(f *compareFlags, res *compare.Result) (map[string]string, error) {
	if err := os.MkdirAll(f.out, 0o755); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	paths := map[string]string{}
	for name, b := range res.Bundles {
		if name != compare.Champion && !f.all {
			continue
		}
		p := filepath.Join(f.out, name+".mlb")
		if err := b.Save(p); err != nil {
			return nil, fmt.Errorf("compare: save %s bundle: %w", name, err)
		}
		paths[name] = p
	}
	data, err := json.MarshalIndent(compareJSON{res, paths}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("compare: encode result: %w", err)
	}
	if err := os.WriteFile(filepath.Join(f.out, "compare.json"), append(data, '\n'), 0o644); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	return paths, nil
}

// runCompareRoutes runs compare --routes classify,segment.
func runCompareRoutes(c *cobra.Command, f *compareFlags) error {
	sf := f.train // the segmentation route's flags: the same, with its defaults
	sf.segmentDefaults()
	if sf.cfg.Backbone == "" {
		sf.cfg.Arch = f.segmentArch
	}
	so, err := sf.options()
	if err != nil {
		return err
	}
	wo, err := f.train.options()
	if err != nil {
		return err
	}
	set, err := masks.Open(f.masks)
	if err != nil {
		return err
	}
	var testSet *masks.Set
	if f.testMasks != "" {
		if testSet, err = masks.Open(f.testMasks); err != nil {
			return err
		}
	}
	data, test, err := loadCompareData(f)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	errOut := c.ErrOrStderr()
	res, err := compare.RunRoutes(ctx, compare.RoutesOptions{
		Options: compare.Options{
			Data: data, Test: test, Train: wo.Train, Preprocess: wo.Preprocess, ValFrac: wo.ValFrac, TestFrac: wo.TestFrac, Decide: wo.Decide,
			Bootstrap: f.bootstrap, Repeats: f.repeats,
			Log: func(msg string) { fmt.Fprintln(errOut, "compare:", msg) },
		},
		Segment: so.Train, Masks: set, TestMasks: testSet,
	})
	if err != nil {
		return err
	}
	paths, err := saveCompareRoutes(f.out, res)
	if err != nil {
		return err
	}
	if f.asJSON {
		return json.NewEncoder(c.OutOrStdout()).Encode(routesJSON{res, paths})
	}
	if err := res.WriteTable(c.OutOrStdout()); err != nil {
		return err
	}
	fmt.Fprintf(c.OutOrStdout(), "bundles: %s, %s\n", paths[compare.Classify], paths[compare.Segment])
	return nil
}

// routesJSON is the --json output and compare.json of --routes: the
// result with the paths of the bundles written.
type routesJSON struct {
	*compare.RoutesResult
	Bundles map[string]string `json:"bundles"`
}

// saveCompareRoutes writes both routes' bundles and compare.json into
// dir, and returns the bundles' paths by route.
func saveCompareRoutes(dir string, res *compare.RoutesResult) (map[string]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	paths := map[string]string{}
	for name, b := range res.Bundles {
		p := filepath.Join(dir, name+".mlb")
		if err := b.Save(p); err != nil {
			return nil, fmt.Errorf("compare: save %s bundle: %w", name, err)
		}
		paths[name] = p
	}
	data, err := json.MarshalIndent(routesJSON{res, paths}, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("compare: encode result: %w", err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, "compare.json"), append(data, '\n')); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	return paths, nil
}
