package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"mlabel/arch"
	"mlabel/atomicfile"
	"mlabel/augment"
	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/masks"
	"mlabel/train"
	"mlabel/transfer"
	"mlabel/workflow"
)

func init() { commands = append(commands, newTrainCmd) }

// trainFlags are the training options shared by train and demo.
type trainFlags struct {
	cfg               train.Config
	valFrac, testFrac float64
	beta              float64
	minPos            int
	minPrec           float64
	resize            string
	maxPixels         int64
	bands             []int
	view              string
	crop, jitter      float64
	structure         structureFlags
	structureMode     string
	fs                *pflag.FlagSet
}

func (t *trainFlags) register(fs *pflag.FlagSet) {
	t.cfg = train.Defaults()
	t.fs = fs
	c := &t.cfg
	fs.StringVar(&c.Arch, "arch", c.Arch, "architecture: "+arch.NameList(arch.Names())+" (with --masks: "+arch.NameList(arch.SegmentNames())+")")
	fs.IntVar(&c.Width, "width", 0, "base width of the architecture (0: its default)")
	fs.IntVar(&c.Size, "size", c.Size, "image side in pixels")
	fs.IntVar(&c.Epochs, "epochs", c.Epochs, "training epochs")
	fs.IntVar(&c.Batch, "batch", c.Batch, "batch size")
	fs.StringVar(&c.Optimizer, "optimizer", c.Optimizer, "optimizer: adamw or sgd")
	fs.Float64Var(&c.LR, "lr", c.LR, "peak learning rate")
	fs.Float64Var(&c.WeightDecay, "weight-decay", c.WeightDecay, "weight decay (not applied to biases and batch-norm parameters)")
	fs.StringVar(&c.Schedule, "schedule", c.Schedule, "learning-rate schedule: onecycle, cosine or constant")
	fs.StringVar(&c.Loss, "loss", c.Loss, "loss: bce, focal or asl")
	fs.Float64Var(&c.LabelSmoothing, "label-smoothing", c.LabelSmoothing, "train each label toward y·(1−ε) + ε/2 instead of 0 or 1 (0: none)")
	fs.IntVar(&c.Patience, "patience", c.Patience, "stop after this many epochs without a better validation mAP (0: never)")
	fs.Uint64Var(&c.Seed, "seed", c.Seed, "random seed for the split, initialisation and augmentation")
	fs.IntVar(&c.Workers, "workers", 0, "image decoding workers (0: one per core)")
	boolFlag(fs, &c.Augment.Dihedral, "dihedral", c.Augment.Dihedral, "the explicit form of --view: true is --view overhead (8 flips and 90° rotations), false is --view ground; unset, --view decides (--dihedral false works as well as --dihedral=false)")
	fs.Lookup("dihedral").DefValue = "" // no default of its own: --view's
	fs.Float64Var(&c.EMA, "ema", c.EMA, "decay of an exponential moving average of the weights, used for validation and the result (0: none)")
	fs.Float64Var(&t.crop, "crop", 0, "random resized crops keeping this fraction of the image area or more (0: none; 0.6 is a mild crop for longer runs)")
	fs.Float64Var(&t.jitter, "jitter", 0, "random brightness and contrast within ±this fraction (0: none)")
	fs.StringVar(&t.view, "view", string(augment.Auto), "the images' nature: overhead (satellite or drone tiles: 8 flips and rotations), ground (photos with an up: horizontal flips) or auto (decided from the training images)")
	fs.StringVar(&c.Backbone, "backbone", "", "pretrained backbone bundle (from mlabel import) to cut and give a new head")
	fs.StringVar(&c.BackboneAt, "backbone-at", "", "node to cut the backbone at (default: its last feature map)")
	fs.BoolVar(&c.FreezeBackbone, "freeze-backbone", false, "train only the new head, on backbone features cached once per image and augmented view")
	fs.IntVar(&c.FeatureViews, "feature-views", 0, "augmented views cached per image with --freeze-backbone (0: 4)")
	fs.BoolVar(&c.Unfreeze, "unfreeze", false, "after the frozen stage, fine-tune the whole network (backbone learning rate × --backbone-lr-mult)")
	fs.IntVar(&c.FineTuneEpochs, "fine-tune-epochs", 0, "epochs of the --unfreeze stage (0: --epochs)")
	fs.Float64Var(&c.BackboneLRMult, "backbone-lr-mult", c.BackboneLRMult, "backbone learning rate as a fraction of --lr when it is trained")
	boolFlag(fs, &c.Refit, "refit", c.Refit, "once validation has fitted the thresholds, train the final model again on training and validation images together, through the whole schedule (to the best epoch with a constant schedule or when --patience stopped the run; about twice the training time; --refit false turns it off)")
	fs.BoolVar(&c.RefitToBest, "refit-to-best", false, "refit only for the best epoch's number of epochs, stopping mid-schedule")
	fs.StringVar(&c.RefitFrom, "refit-from", c.RefitFrom, "where the refit starts: validated (continue from the validated model, so that the final model trains through both schedules) or scratch (a fresh initialisation)")
	fs.Float64Var(&t.valFrac, "val", 0.15, "fraction held out for validation and threshold fitting")
	fs.Float64Var(&t.testFrac, "test", 0.15, "fraction held out for the final evaluation")
	fs.Float64Var(&t.beta, "beta", 2, "F-beta the per-class thresholds maximise (2 is Planet's F2)")
	fs.Float64Var(&t.minPrec, "min-precision", decide.DefaultMinPrecision, "least validation precision a per-class threshold keeps, so that no label floods the output (0: none)")
	fs.IntVar(&t.minPos, "min-positives", 5, "labels with fewer validation positives get thresholds shrunk toward the global one")
	fs.Int64Var(&t.maxPixels, "max-pixels", 0, "refuse images whose header declares more pixels than this (0: 64 megapixels)")
	fs.StringVar(&t.resize, "resize", "crop", "how images are fitted to the size: crop (shorter side, then centre crop) or squash")
	t.structure.register(fs)
	fs.StringVar(&t.structureMode, "structure", "auto", "with no structure declared: auto uses the exclusive groups the training tags prove (every image has exactly one of them, such as Planet's weather), none uses none")
	fs.IntSliceVar(&t.bands, "bands", nil, "1-based band numbers the network sees, in order, e.g. 3,2,1 or 1,2,3,4 (default: RGB); per-band statistics come from the training split")
}

// segmentDefaults selects the segmentation route: the U-Net unless
// --arch or --backbone names another network, and its defaults for the
// flags not given (see segmentFlagDefaults).
func (t *trainFlags) segmentDefaults() {
	t.cfg.Segment = true
	if !t.changed("arch") {
		t.cfg.Arch = "unet"
	}
	if !t.changed("dice") {
		t.cfg.Dice = segmentDice
	}
	if !t.changed("lr") {
		t.cfg.LR = segmentLR
	}
	if !t.changed("batch") {
		t.cfg.Batch = segmentBatch
	}
}

// The segmentation route's defaults: one logit per pixel learns faster
// with more, smaller steps, and the Dice term keeps small features from
// vanishing under the background (see BENCHMARKS.md).
const (
	segmentDice  = 1
	segmentLR    = 1e-2
	segmentBatch = 8
)

func (t *trainFlags) changed(name string) bool { return t.fs != nil && t.fs.Changed(name) }

// options builds the workflow options from the flags.
func (t *trainFlags) options() (workflow.Options, error) {
	v, err := augment.ParseView(t.view)
	if err != nil {
		return workflow.Options{}, usageError{Err: err}
	}
	t.cfg.View = v
	if t.crop < 0 || t.crop > 1 {
		return workflow.Options{}, usagef("--crop must be in [0, 1], got %g", t.crop)
	}
	t.cfg.Augment = t.cfg.Augment.WithCrop(t.crop).WithJitter(t.jitter)
	if t.fs != nil && t.fs.Changed("dihedral") {
		if t.fs.Changed("view") {
			return workflow.Options{}, usagef("give --view or --dihedral, not both")
		}
		t.cfg.View = augment.Ground
		if t.cfg.Augment.Dihedral {
			t.cfg.View = augment.Overhead
		}
	}
	if err := t.cfg.Validate(); err != nil {
		return workflow.Options{}, usageError{Err: err}
	}
	pre, err := t.preprocess()
	if err != nil {
		return workflow.Options{}, err
	}
	structure, err := t.structure.parse(nil)
	if err != nil {
		return workflow.Options{}, usageError{Err: err}
	}
	if !(t.minPrec >= 0 && t.minPrec <= 1) {
		return workflow.Options{}, usagef("--min-precision must be in [0, 1], got %g", t.minPrec)
	}
	if t.structureMode != "auto" && t.structureMode != "none" {
		return workflow.Options{}, usagef("--structure must be auto or none, got %q", t.structureMode)
	}
	d := decide.DefaultOptions()
	d.Beta, d.MinPositives, d.MinPrecision, d.Seed = t.beta, t.minPos, t.minPrec, t.cfg.Seed
	return workflow.Options{Train: t.cfg, Preprocess: pre, ValFrac: t.valFrac, TestFrac: t.testFrac, Decide: d,
		Structure: structure, ProveStructure: t.structureMode == "auto"}, nil
}

// preprocess returns how the flags turn images into the network's input:
// the resize mode, a pretrained backbone's normalisation (which also makes
// the arch "backbone") and the selected bands.
func (t *trainFlags) preprocess() (imageio.Preprocess, error) {
	if t.resize != "crop" && t.resize != "squash" {
		return imageio.Preprocess{}, usagef("--resize must be crop or squash, got %q", t.resize)
	}
	pre := imageio.DefaultPreprocess(t.cfg.Size)
	if t.cfg.Backbone != "" {
		// A pretrained network must see inputs normalised as in its
		// pretraining, and the bundle records the backbone, not an arch.
		p, err := transfer.BackbonePreprocess(t.cfg.Backbone, t.cfg.Size)
		if err != nil {
			return imageio.Preprocess{}, err
		}
		pre = p
		t.cfg.Arch = "backbone"
	}
	pre.Mode = t.resize
	pre.MaxPixels = t.maxPixels
	if len(t.bands) > 0 {
		if t.cfg.Backbone != "" {
			return imageio.Preprocess{}, usagef("--bands cannot be used with --backbone: a pretrained backbone takes RGB input")
		}
		for _, b := range t.bands {
			if b < 1 {
				return imageio.Preprocess{}, usagef("--bands are numbered from 1, got %d", b)
			}
		}
		pre.Bands = t.bands
	}
	return pre, nil
}

// trainOptions are the flags of the train command.
type trainOptions struct {
	df      dataFlags
	tf      trainFlags
	masks   string
	scale   int
	out     string
	resume  bool
	force   bool
	asJSON  bool
	quiet   bool
	verbose bool
	tiles   imageio.Grid
	budget  time.Duration
}

func newTrainCmd() *cobra.Command {
	o := &trainOptions{}
	c := &cobra.Command{
		Use:   "train (--csv FILE --images DIR | --folders DIR) --out MODEL.mlb",
		Short: "Train a model, fit per-class thresholds on validation, evaluate on test",
		Long: `Train splits the data by iterative stratification into train, validation
and test; trains with one sigmoid per label and binary cross-entropy (or focal
or asymmetric loss); keeps the epoch with the best validation mAP; fits one
threshold per label on the validation predictions; evaluates on the test split;
and writes everything into one model bundle, which records the images of each
split with their content hashes. The test split is also written as a tags CSV
next to the bundle (MODEL.test.csv). Every image is decoded once before the
first epoch: bad files are all named, with their CSV lines, and nothing is
trained. A checkpoint (MODEL.mlb.ckpt) is written atomically after every
epoch; --resume continues an interrupted run.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error { return runTrain(c, o) },
	}
	o.df.register(c.Flags())
	o.tf.register(c.Flags())
	c.Flags().StringVar(&o.out, "out", "", "model bundle to write")
	c.Flags().StringVar(&o.masks, "masks", "", "folder of per-pixel masks: train the segmentation route (a label is present when its area passes a fitted threshold)")
	c.Flags().IntVar(&o.scale, "scale", 0, "with --masks, train and predict at a fixed scale: SIZE×SIZE windows of the images reduced by SCALE (image pixels per network pixel), each epoch random windows covering each image about once, and predict and eval --masks by such windows stitched; 0 chooses the median training image's shorter side over --size, or whole images resized when it is not above --size; -1 resizes whole images")
	c.Flags().Float64Var(&o.tf.cfg.Dice, "dice", 0, "with --masks, add this many times the soft Dice loss to the per-pixel loss (default 1)")
	c.Flags().DurationVar(&o.budget, "budget", 0, "train within this wall-clock time (e.g. 10m): measure the speed on this machine, then choose the largest image size (64 to 160 px, at most the images' own) affording 8 epochs or more, then as many epochs as fit (up to 30), counting decoding, validation and the refit; --size or --epochs given are kept; a run going late stops early at an epoch boundary (0: no budget)")
	c.Flags().BoolVar(&o.resume, "resume", false, "continue from the last complete checkpoint of --out")
	c.Flags().BoolVar(&o.force, "force", false, "overwrite an existing --out; with --resume, continue even though settings changed")
	c.Flags().BoolVar(&o.asJSON, "json", false, "print the results as JSON")
	c.Flags().BoolVar(&o.quiet, "quiet", false, "print nothing on success (errors still go to stderr; --json still prints its object)")
	c.Flags().BoolVar(&o.verbose, "verbose", false, "end with the full metrics table and the decision-rule comparison")
	c.Flags().IntVar(&o.tiles.N, "tiles", 0, "also fit thresholds for predict --tiles TILES: score the validation images as TILES×TILES tiles, max-pooled (with --masks, their area fractions), and store thresholds fitted on those scores (0: none)")
	c.Flags().Float64Var(&o.tiles.Overlap, "tile-overlap", 0.25, "with --tiles, the overlap of neighbouring tiles, as a fraction of a tile")
	return c
}

// runTrain runs the train command.
func runTrain(c *cobra.Command, t *trainOptions) error {
	start := time.Now()
	if t.out == "" {
		return usagef("--out MODEL.mlb is required")
	}
	if t.quiet && t.verbose {
		return usagef("give --quiet or --verbose, not both")
	}
	if t.masks != "" {
		t.tf.segmentDefaults()
	}
	o, err := t.tf.options()
	if err != nil {
		return err
	}
	if t.tiles.N != 0 {
		if err := t.tiles.Check(); err != nil {
			return usagef("--tiles and --tile-overlap: %s", strings.TrimPrefix(err.Error(), "imageio: "))
		}
		o.Tiles = t.tiles
	}
	if err := t.applyBudget(&o, start); err != nil {
		return err
	}
	if t.masks != "" {
		if o.Masks, err = masks.Open(t.masks); err != nil {
			return err
		}
		o.Scale = t.scale
	}
	ds, err := t.dataset()
	if err != nil {
		return err
	}
	if err := refuseOverwrite(t.out, t.force, t.resume); err != nil {
		return err
	}
	if err := atomicfile.CheckWritable(t.out); err != nil {
		return err
	}
	o.Out, o.Resume = t.out, t.resume
	o.Train.ResumeChanged = t.resume && t.force
	logw := c.ErrOrStderr()
	if t.quiet {
		logw = io.Discard
	}
	o.Log, o.Hooks = logw, trainHooks(logw, t.quiet, o.Train.Batch)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	res, err := workflow.Run(ctx, ds, o)
	if err != nil {
		return err
	}
	if t.quiet && !t.asJSON {
		return nil
	}
	return printOutcome(c.OutOrStdout(), res, t.out, t.asJSON, t.verbose)
}

// applyBudget gives the run --budget's time budget, counted from start,
// refusing the options it cannot plan for.
func (t *trainOptions) applyBudget(o *workflow.Options, start time.Time) error {
	switch {
	case t.budget == 0:
		return nil
	case t.budget < 0:
		return usagef("--budget must be positive, got %s", t.budget)
	case t.resume:
		return usagef("--budget cannot be used with --resume: the resumed run keeps its size and epochs")
	case t.masks != "":
		return usagef("--budget plans classifier runs, not the segmentation route (--masks)")
	case t.tf.cfg.FreezeBackbone:
		return usagef("--budget cannot plan --freeze-backbone runs")
	case t.tiles.N != 0:
		return usagef("--budget does not count the scoring --tiles adds: give one of them")
	}
	o.Budget = &workflow.Budget{Time: t.budget, Start: start, SizeGiven: t.tf.changed("size"), EpochsGiven: t.tf.changed("epochs")}
	return nil
}

// dataset reads the labelled set of the data flags or, on the
// segmentation route with --images and no tags CSV, the images of the
// folder, tagged from their masks.
func (t *trainOptions) dataset() (*dataset.Dataset, error) {
	if t.masks == "" || t.df.csv != "" || t.df.folders != "" || t.df.images == "" {
		return t.df.load(nil)
	}
	files, err := imageFiles([]string{t.df.images})
	if err != nil {
		return nil, err
	}
	ds := dataset.Unlabelled(files, nil)
	ds.Source = t.df.images
	return ds, nil
}

// refuseOverwrite refuses to train into an existing bundle unless asked to
// overwrite it or to resume its run.
func refuseOverwrite(out string, force, resume bool) error {
	if force || resume {
		return nil
	}
	if _, err := os.Stat(out); err == nil {
		return usagef("%s exists: give --force to overwrite it, --resume to continue its run, or another --out", out)
	}
	return nil
}

// headline are the test metrics the end summary shows.
var headline = []string{"f2_samples", "map_macro", "precision_samples", "recall_samples", "subset_accuracy"}

// printOutcome prints the end of a run: a short summary (the headline test
// metrics, where the bundle is, the next commands), or with verbose the full
// metrics table and the decision-rule comparison; or everything as JSON.
func printOutcome(w io.Writer, res *workflow.Outcome, path string, asJSON, verbose bool) error {
	if asJSON {
		return json.NewEncoder(w).Encode(map[string]any{
			"bundle":     path,
			"best_epoch": res.Result.BestEpoch,
			"metrics":    res.Test,
			"rules":      res.Bundle.Rules,
			"compare":    res.Compare,
			"test_csv":   res.TestCSV,
			"tiles":      res.Bundle.Tiles,
			"segment":    res.Bundle.Segment,
		})
	}
	rule := "0.5"
	if r := res.Bundle.Rules; r != nil {
		rule = string(r.Kind)
		if r.Beta > 0 {
			rule = fmt.Sprintf("%s, F%g", r.Kind, r.Beta)
		}
	}
	if len(res.Parts) > 2 {
		fmt.Fprintf(w, "best epoch %d; thresholds (%s) fitted on validation; %d test images:\n", res.Result.BestEpoch, rule, res.Test.Samples)
	} else {
		fmt.Fprintf(w, "best epoch %d; thresholds (%s) fitted on validation; no test split (--test 0), so these are the %d validation images the thresholds were fitted on, an optimistic figure:\n", res.Result.BestEpoch, rule, res.Test.Samples)
	}
	if verbose {
		if err := res.Test.WriteTable(w); err != nil {
			return err
		}
		if res.Compare != nil {
			fmt.Fprintln(w, "\ndecision rules (fitted on validation, scored on test):")
			if err := res.Compare.WriteTable(w); err != nil {
				return err
			}
		}
	} else {
		rows := map[string]string{}
		for _, r := range res.Test.Rows() {
			rows[r[0]] = r[1]
		}
		var parts []string
		for _, name := range headline {
			parts = append(parts, name+" "+rows[name])
		}
		fmt.Fprintf(w, "  %s\n", strings.Join(parts, "  "))
	}
	if tl := res.Bundle.Tiles; tl != nil {
		fmt.Fprintf(w, "tile thresholds for predict --tiles %d --tile-overlap %g fitted on %d validation images\n", tl.Grid, tl.Overlap, tl.Images)
	}
	if sg := res.Segmentation; sg != nil {
		fmt.Fprintf(w, "  pixels: miou_macro %.4f (IoU per label: mlabel inspect)\n", sg.MIoU)
	}
	fmt.Fprintf(w, "\nwrote %s\n", path)
	if res.TestCSV != "" {
		fmt.Fprintf(w, "wrote %s (the test split)\n", res.TestCSV)
	}
	printNext(w, res, path, verbose)
	return nil
}

// printNext prints the commands to run next on the bundle at path: the
// report on the test split (read with the tag separator it was written
// with), predict, serve and, unless verbose printed every metric, inspect.
func printNext(w io.Writer, res *workflow.Outcome, path string, verbose bool) {
	fmt.Fprintln(w, "\nnext:")
	m := shellQuote(path)
	if res.TestCSV != "" {
		sep := ""
		if res.TestTagSep != "" {
			sep = " --tag-sep " + shellQuote(res.TestTagSep)
		}
		fmt.Fprintf(w, "  %s report --model %s%s --out report.html  # on the test split: errors, curves, thresholds\n", self, m, sep)
	}
	fmt.Fprintf(w, "  %s predict --model %s IMAGES...\n", self, m)
	fmt.Fprintf(w, "  %s serve --model %s  # a web page to try images\n", self, m)
	if !verbose {
		fmt.Fprintf(w, "  %s inspect --model %s  # every metric, per label\n", self, m)
	}
}
