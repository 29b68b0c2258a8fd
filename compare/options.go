package compare

import (
	"fmt"
	"slices"

	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/train"
)

// Option names, as used in Result.Cost and Result.Quality.
const (
	Joint       = "joint"
	Specialists = "specialists"
	Champion    = "champion"
	Stacking    = "stacking"
)

// Options configures Run.
type Options struct {
	// Data is the labelled set. Without Test it is split into train,
	// validation and test by ValFrac and TestFrac; with Test it is split
	// into train and validation by ValFrac and Test is the held-out split.
	Data *dataset.Dataset
	// Test, when set, is the held-out split; it must share Data's
	// vocabulary.
	Test *dataset.Dataset
	// ValFrac and TestFrac are the validation and test shares of Data;
	// 0.2 each when 0. TestFrac is unused with Test.
	ValFrac, TestFrac float64
	// Train is the configuration of every model: same architecture,
	// epochs, optimizer and seed for the joint model and each specialist.
	// Train.Seed also seeds the split and the bootstrap.
	Train train.Config
	// Preprocess turns images into inputs; DefaultPreprocess(Train.Size)
	// when its Size is 0.
	Preprocess imageio.Preprocess
	// Decide sets the F-beta (Beta) that the per-label thresholds maximise
	// and the reported F scores use, MinPositives and ZeroDivision (see
	// decide.Options); decide.DefaultOptions (F2) when Beta is 0. Each
	// label's threshold is its own F-beta optimum on validation.
	Decide decide.Options
	// Bootstrap is the number of paired resamples of the test split for
	// the interval of each label's AP difference; 1000 when 0.
	Bootstrap int
	// Stacking also trains and costs the stacking option.
	Stacking bool
	// StackFolds is the number of validation folds whose out-of-fold
	// stacked scores fit the stacking thresholds; 5 when 0.
	StackFolds int
	// Repeats is the number of timed batch forwards per option; the median
	// is reported. 5 when 0.
	Repeats int
	// TimingBatch is the batch size of the timed forwards; 32 when 0.
	TimingBatch int
	// Log, when set, receives one-line progress messages.
	Log func(msg string)
}

// withDefaults fills the zero fields of o and checks it.
func (o Options) withDefaults() (Options, error) {
	if o.Data == nil || len(o.Data.Items) == 0 {
		return o, fmt.Errorf("compare: empty dataset")
	}
	if len(o.Data.Labels) == 0 {
		return o, fmt.Errorf("compare: the dataset has no labels")
	}
	if o.Test != nil && !slices.Equal(o.Test.Labels, o.Data.Labels) {
		return o, fmt.Errorf("compare: the test set's labels %v differ from the training set's %v", o.Test.Labels, o.Data.Labels)
	}
	if err := o.Train.Validate(); err != nil {
		return o, fmt.Errorf("compare: %w", err)
	}
	if o.ValFrac == 0 {
		o.ValFrac = 0.2
	}
	if o.TestFrac == 0 {
		o.TestFrac = 0.2
	}
	if o.ValFrac < 0 || o.TestFrac < 0 || o.ValFrac+o.TestFrac >= 1 {
		return o, fmt.Errorf("compare: validation and test fractions %g and %g must be positive and sum to less than 1", o.ValFrac, o.TestFrac)
	}
	if o.Decide.Beta == 0 {
		o.Decide = decide.DefaultOptions()
	}
	if o.Decide.Beta < 0 || o.Decide.MinPositives < 0 {
		return o, fmt.Errorf("compare: invalid beta %g or minimum positives %d", o.Decide.Beta, o.Decide.MinPositives)
	}
	if o.Preprocess.Size == 0 {
		o.Preprocess = imageio.DefaultPreprocess(o.Train.Size)
	}
	defaults := []*int{&o.Bootstrap, &o.StackFolds, &o.Repeats, &o.TimingBatch}
	for i, d := range []int{1000, 5, 5, 32} {
		if *defaults[i] == 0 {
			*defaults[i] = d
		}
	}
	if o.Bootstrap < 0 || o.StackFolds < 2 || o.Repeats < 0 || o.TimingBatch < 0 {
		return o, fmt.Errorf("compare: invalid options (bootstrap %d, stack folds %d, repeats %d, timing batch %d)", o.Bootstrap, o.StackFolds, o.Repeats, o.TimingBatch)
	}
	return o, nil
}

// decideOptions returns the per-class threshold options: each label's own
// F-beta optimum on validation, without the threshold bootstrap.
func (o Options) decideOptions() decide.Options {
	d := o.Decide
	d.Objective = decide.LabelF
	d.Bootstrap = 0
	d.Seed = o.Train.Seed
	return d
}

func (o Options) log(format string, args ...any) {
	if o.Log != nil {
		o.Log(fmt.Sprintf(format, args...))
	}
}
