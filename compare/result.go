package compare

import (
	"mlabel/bundle"
	"mlabel/decide"
)

// Result is the outcome of a comparison. Undefined values (an AP without a
// positive) are nil.
type Result struct {
	// Labels is the vocabulary, in output order.
	Labels []string `json:"labels"`
	// Beta is the F-beta weight of the thresholds and F scores.
	Beta float64 `json:"beta"`
	// Split counts the images of each split.
	Split SplitSizes `json:"split"`
	// PerLabel holds each label's comparison by name.
	PerLabel map[string]LabelResult `json:"per_label"`
	// Quality scores each option on the test split, thresholds fitted on
	// validation.
	Quality map[string]Quality `json:"quality"`
	// Cost is each option's price at prediction time.
	Cost map[string]Cost `json:"cost"`
	// ChampionMaxDiff is the largest absolute difference, on the test
	// split, between the composed champion's scores and those of the
	// separate models it was composed from.
	ChampionMaxDiff float64 `json:"champion_max_abs_diff"`
	// Bootstrap is the number of paired test resamples behind each
	// interval.
	Bootstrap int `json:"bootstrap"`
	// Bundles holds each option as a bundle that predict uses.
	Bundles map[string]*bundle.Bundle `json:"-"`
}

// SplitSizes counts the images of the train, validation and test splits.
type SplitSizes struct {
	Train      int `json:"train"`
	Validation int `json:"validation"`
	Test       int `json:"test"`
}

// LabelResult compares one label's specialist and joint model. AP and
// F-beta are measured on the test split, F-beta at thresholds fitted on
// validation.
type LabelResult struct {
	// Positives counts the label's known positives in the test split.
	Positives int `json:"test_positives"`
	// SpecialistAP and JointAP are the test APs.
	SpecialistAP *float64 `json:"specialist_ap"`
	JointAP      *float64 `json:"joint_ap"`
	// DiffAP is SpecialistAP − JointAP; DiffInterval its paired bootstrap
	// 90% interval (5th and 95th percentiles).
	DiffAP       *float64         `json:"diff_ap"`
	DiffInterval *decide.Interval `json:"diff_interval"`
	// SpecialistF and JointF are the test F-beta at each model's
	// threshold.
	SpecialistF float64 `json:"specialist_f"`
	JointF      float64 `json:"joint_f"`
	// SpecialistValAP and JointValAP decide the champion.
	SpecialistValAP *float64 `json:"specialist_val_ap"`
	JointValAP      *float64 `json:"joint_val_ap"`
	// Champion is "specialist" or "joint": the model with the higher
	// validation AP (the joint model on a tie or when undefined).
	Champion string `json:"champion"`
	// ChampionAP and ChampionF score the composed champion on test.
	ChampionAP *float64 `json:"champion_ap"`
	ChampionF  float64  `json:"champion_f"`
	// StackingAP and StackingF score the stacking option, when run.
	StackingAP *float64 `json:"stacking_ap,omitempty"`
	StackingF  *float64 `json:"stacking_f,omitempty"`
}

// Quality is an option's overall test quality.
type Quality struct {
	// MAPMacro is the macro mean AP over labels with a test positive.
	MAPMacro *float64 `json:"map_macro"`
	// FSamples and FMicro are the samples and micro F-beta of the
	// thresholded decisions.
	FSamples float64 `json:"f_samples"`
	FMicro   float64 `json:"f_micro"`
}

// Cost is what an option costs per image at prediction time.
type Cost struct {
	// ForwardPasses is the number of networks one prediction runs.
	ForwardPasses int `json:"forward_passes"`
	// FLOPs counts the floating-point operations of one image (two per
	// multiply-add).
	FLOPs int64 `json:"flops"`
	// MsPerImage is the median over repeats of the time of one batch
	// forward of the model predict runs, divided by the batch size.
	MsPerImage float64 `json:"ms_per_image"`
	// BundleBytes is the size of the option's bundle file.
	BundleBytes int64 `json:"bundle_bytes"`
}
