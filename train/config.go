// Package train fits a multi-label model: it runs the epochs, validates after
// each one, keeps the best epoch, stops early, and writes a checkpoint each
// epoch from which an interrupted run resumes.
package train

import (
	"fmt"
	"slices"
	"time"

	"mlabel/arch"
	"mlabel/augment"
	"mlabel/budget"
	"mlabel/loss"
)

// Config is a training run's configuration. It is stored in the model bundle.
type Config struct {
	Arch        string       `json:"arch"`
	Width       int          `json:"width,omitempty"`
	Size        int          `json:"size"`
	Epochs      int          `json:"epochs"`
	Batch       int          `json:"batch"`
	Optimizer   string       `json:"optimizer"` // "adamw" or "sgd"
	LR          float64      `json:"lr"`
	WeightDecay float64      `json:"weight_decay"`
	Momentum    float64      `json:"momentum,omitempty"` // sgd
	Schedule    string       `json:"schedule"`           // "onecycle", "cosine" or "constant"
	Warmup      float64      `json:"warmup"`             // cosine: fraction of steps of linear warm-up
	Loss        string       `json:"loss"`               // "bce", "focal" or "asl"
	LossOptions loss.Options `json:"loss_options"`
	ClipNorm    float64      `json:"clip_norm,omitempty"`
	// LabelSmoothing, when positive, trains each label's binary loss
	// toward y·(1−ε) + ε/2 instead of y (see loss.Smoothed).
	LabelSmoothing float64 `json:"label_smoothing,omitempty"`
	Patience       int     `json:"patience,omitempty"` // epochs without a better validation mAP before stopping; 0 never stops early
	// StopAfter, when positive, ends the run after this many epochs of the
	// Epochs-long schedule. A run without a validation set needs it; it
	// keeps its last epoch.
	StopAfter int `json:"stop_after,omitempty"`
	// Refit asks the workflow to train the final model once more on the
	// training and validation images together, with the same schedule,
	// once the validation split has fitted the thresholds: for the whole
	// schedule when it decays and ran to its end, otherwise for the best
	// epoch's number of epochs (see workflow.RefitEpochs).
	Refit bool `json:"refit,omitempty"`
	// RefitToBest makes the refit stop at the best epoch's number of
	// epochs whatever the schedule.
	RefitToBest bool `json:"refit_to_best,omitempty"`
	// RefitFrom is where the refit starts: RefitFromValidated continues
	// from the validated model, RefitFromScratch (or empty, as in bundles
	// made before the choice existed) from a fresh initialisation.
	RefitFrom string `json:"refit_from,omitempty"`
	// EMA, when positive, is the decay of an exponential moving average of
	// the weights, updated after every step; validation and the result use
	// the averaged weights. The head trained over a frozen backbone keeps
	// no average.
	EMA float64 `json:"ema,omitempty"`
	// Deadline, when not zero, ends the run at the first epoch boundary
	// after which another epoch, as long as the last one, would end past
	// it (not recorded: it describes one invocation). The run keeps its
	// best epoch, or without validation its last, and Result.OutOfTime
	// says it stopped.
	Deadline time.Time `json:"-"`
	// Budget records how a time budget chose this configuration's size
	// and epochs (see package budget); nil when none did.
	Budget *budget.Record `json:"budget,omitempty"`
	// ResumeChanged lets a resumed run continue from a checkpoint made
	// with other settings (not recorded: it describes one invocation).
	ResumeChanged bool             `json:"-"`
	Seed          uint64           `json:"seed"`
	Augment       augment.Pipeline `json:"augment"`
	// View is the nature of the images: overhead (the 8 dihedral
	// transforms), ground (horizontal flips) or auto (decided from the
	// training images before the first epoch). It sets Augment's geometric
	// transforms; empty leaves Augment as it is.
	View    augment.View `json:"view,omitempty"`
	Workers int          `json:"workers,omitempty"`
	// Backbone, when set, is the path of a bundle whose network is cut at
	// BackboneAt (or at its last feature map) and given a new head.
	Backbone   string `json:"backbone,omitempty"`
	BackboneAt string `json:"backbone_at,omitempty"`
	// FreezeBackbone trains only the new head.
	FreezeBackbone bool `json:"freeze_backbone,omitempty"`
	// BackboneLRMult scales the backbone's learning rate when it is trained.
	BackboneLRMult float64 `json:"backbone_lr_mult,omitempty"`
	// Unfreeze, with FreezeBackbone, fine-tunes the whole network for
	// FineTuneEpochs (Epochs when 0) after the head has trained on cached
	// features, with the backbone's learning rate scaled by BackboneLRMult.
	Unfreeze       bool `json:"unfreeze,omitempty"`
	FineTuneEpochs int  `json:"fine_tune_epochs,omitempty"`
	// FeatureViews is the number of augmented views of each training image
	// whose frozen-backbone features are cached (4 when 0).
	FeatureViews int `json:"feature_views,omitempty"`
	// Exclusive lists groups of labels of which exactly one holds per
	// image, AtMostOne groups of which one or none holds. The network then
	// ends in a softmax over each group (nn's group_softmax), trained with
	// cross-entropy beside the loss of the other labels.
	Exclusive [][]string `json:"exclusive,omitempty"`
	AtMostOne [][]string `json:"at_most_one,omitempty"`
	// Channels is the number of input channels of a named architecture
	// (3 when 0). Run sets it from the preprocessing's band selection.
	Channels int `json:"channels,omitempty"`
	// Segment selects the segmentation route: the network gives one logit
	// per pixel and label (Arch is one of arch.SegmentNames(), or a backbone
	// with a light decoder), trained on Data.Masks per pixel, and an
	// image's score for a label is its area fraction (see
	// PixelThreshold).
	Segment bool `json:"segment,omitempty"`
	// Dice, on the segmentation route, adds that many times the soft Dice
	// loss to the per-pixel loss; 0 adds none.
	Dice float64 `json:"dice,omitempty"`
}

// PixelThreshold is the probability above which a pixel shows a label on
// the segmentation route; a label's area fraction is the fraction of an
// image's pixels above it.
const PixelThreshold = 0.5

// Defaults returns the configuration `mlabel train` starts from.
func Defaults() Config {
	return Config{
		Arch:           "small",
		Size:           64,
		Epochs:         10,
		Batch:          32,
		Optimizer:      "adamw",
		LR:             3e-3,
		WeightDecay:    1e-2,
		Momentum:       0.9,
		Schedule:       "onecycle",
		Warmup:         0.1,
		Loss:           "bce",
		LossOptions:    loss.DefaultOptions(),
		ClipNorm:       5,
		Patience:       0,
		Seed:           1,
		Augment:        augment.Default(),
		View:           augment.Auto,
		Refit:          true,
		RefitFrom:      RefitFromValidated,
		EMA:            0.99,
		BackboneLRMult: 0.1,
	}
}

// Validate reports the first invalid setting.
func (c Config) Validate() error {
	switch {
	case c.Segment && len(c.Exclusive)+len(c.AtMostOne) > 0:
		return fmt.Errorf("train: label groups (exclusive, at most one) are for the classifier route, not segmentation")
	case c.Backbone == "" && !c.Segment && !slices.Contains(arch.Names(), c.Arch):
		return fmt.Errorf("train: unknown architecture %q (have %s)", c.Arch, arch.NameList(arch.Names()))
	case c.Backbone == "" && c.Segment && !slices.Contains(arch.SegmentNames(), c.Arch):
		return fmt.Errorf("train: unknown segmentation architecture %q (have %s, or a backbone)", c.Arch, arch.NameList(arch.SegmentNames()))
	case c.Segment && c.FreezeBackbone:
		return fmt.Errorf("train: the segmentation route fine-tunes its backbone: drop the frozen backbone")
	case c.RefitFrom != "" && c.RefitFrom != RefitFromValidated && c.RefitFrom != RefitFromScratch:
		return fmt.Errorf("train: the refit starts from %s or %s, not %q", RefitFromValidated, RefitFromScratch, c.RefitFrom)
	case c.Dice < 0 || c.Dice > 0 && !c.Segment:
		return fmt.Errorf("train: a Dice weight of %g needs the segmentation route and must not be negative", c.Dice)
	case c.LabelSmoothing < 0 || c.LabelSmoothing >= 1:
		return fmt.Errorf("train: label smoothing must be in [0, 1), got %g", c.LabelSmoothing)
	case c.Size < 16:
		return fmt.Errorf("train: image size %d is too small (at least 16)", c.Size)
	case c.Epochs < 1:
		return fmt.Errorf("train: epochs must be at least 1, got %d", c.Epochs)
	case c.Batch < 1:
		return fmt.Errorf("train: batch must be at least 1, got %d", c.Batch)
	case c.LR <= 0:
		return fmt.Errorf("train: learning rate must be positive, got %g", c.LR)
	case c.Optimizer != "adamw" && c.Optimizer != "sgd":
		return fmt.Errorf("train: unknown optimizer %q (adamw or sgd)", c.Optimizer)
	case c.Schedule != "onecycle" && c.Schedule != "cosine" && c.Schedule != "constant":
		return fmt.Errorf("train: unknown schedule %q (onecycle, cosine or constant)", c.Schedule)
	case !slices.Contains(loss.Names(), c.Loss):
		return fmt.Errorf("train: unknown loss %q (have %v)", c.Loss, loss.Names())
	case c.View != "" && c.View != augment.Overhead && c.View != augment.Ground && c.View != augment.Auto:
		return fmt.Errorf("train: unknown view %q (overhead, ground or auto)", c.View)
	}
	return nil
}
