package bundle

import "time"

// The header's sections are bundle's own types, so that the file format
// changes only when this package changes. The packages that own the
// concepts (imageio, decide, metrics, shift) convert their types to and
// from these; see their ToBundle and FromBundle functions.

// Preprocess is how images become network inputs.
type Preprocess struct {
	Size      int        `json:"size"`
	Mode      string     `json:"mode"`
	Mean      [3]float32 `json:"mean"`
	Std       [3]float32 `json:"std"`
	MaxPixels int64      `json:"max_pixels,omitempty"`
	// Bands are the 1-based band numbers the network sees, in order;
	// empty means RGB.
	Bands []int `json:"bands,omitempty"`
	// BandStats scale each selected band.
	BandStats []BandStat `json:"band_stats,omitempty"`
}

// BandStat scales one selected band: raw values Low..High map to 0..1,
// after which (v-Mean)/Std normalises.
type BandStat struct {
	Low  float32 `json:"low"`
	High float32 `json:"high"`
	Mean float32 `json:"mean"`
	Std  float32 `json:"std"`
}

// Rules is a fitted decision rule.
type Rules struct {
	Kind         string    `json:"kind"`
	Objective    string    `json:"objective,omitempty"`
	Beta         float64   `json:"beta,omitempty"`
	ZeroDivision float64   `json:"zero_division,omitempty"`
	Labels       int       `json:"n_labels"`
	Names        []string  `json:"labels,omitempty"`
	Global       float64   `json:"global_threshold"`
	PerClass     []float64 `json:"per_class_thresholds,omitempty"`
	// Intervals holds each per-class threshold's bootstrap 90% interval.
	Intervals []Interval `json:"intervals,omitempty"`
	// Shrunk flags labels whose threshold was shrunk toward Global.
	Shrunk []bool `json:"shrunk,omitempty"`
	// Positives counts each label's held-out positives at fitting time.
	Positives   []int        `json:"positives,omitempty"`
	K           int          `json:"k,omitempty"`
	Prevalence  []float64    `json:"prevalence,omitempty"`
	Calibration *Calibration `json:"calibration,omitempty"`
	Structure   *Structure   `json:"structure,omitempty"`
}

// Interval is a confidence interval.
type Interval struct {
	Low  float64 `json:"low"`
	High float64 `json:"high"`
}

// Calibration maps each label's score to σ(A[j]·logit(p) + B[j]).
type Calibration struct {
	Method string    `json:"method"`
	A      []float64 `json:"a"`
	B      []float64 `json:"b"`
}

// Structure is how labels go together: exclusive groups, groups of at
// most one label, exclusions and implications, by label name.
type Structure struct {
	Exclusive [][]string    `json:"exclusive,omitempty"`
	AtMostOne [][]string    `json:"at_most_one,omitempty"`
	Excludes  []Exclusion   `json:"excludes,omitempty"`
	Implies   []Implication `json:"implies,omitempty"`
}

// Exclusion says that label If rules out the labels Not.
type Exclusion struct {
	If  string   `json:"if"`
	Not []string `json:"not"`
}

// Implication says that label If entails label Then.
type Implication struct {
	If   string `json:"if"`
	Then string `json:"then"`
}

// Metrics is the summary of a model's metrics on held-out images. Values
// that are undefined are nil.
type Metrics struct {
	Labels           []string `json:"labels"`
	Samples          int      `json:"n_samples"`
	F1Samples        float64  `json:"f1_samples"`
	F2Samples        float64  `json:"f2_samples"`
	PrecisionSamples float64  `json:"precision_samples"`
	RecallSamples    float64  `json:"recall_samples"`
	F1Micro          float64  `json:"f1_micro"`
	F2Micro          float64  `json:"f2_micro"`
	PrecisionMicro   float64  `json:"precision_micro"`
	RecallMicro      float64  `json:"recall_micro"`
	F1Macro          float64  `json:"f1_macro"`
	PrecisionMacro   float64  `json:"precision_macro"`
	RecallMacro      float64  `json:"recall_macro"`
	F1Weighted       float64  `json:"f1_weighted"`
	HammingLoss      float64  `json:"hamming_loss"`
	SubsetAccuracy   float64  `json:"subset_accuracy"`
	JaccardSamples   float64  `json:"jaccard_samples"`
	JaccardMicro     float64  `json:"jaccard_micro"`
	JaccardMacro     float64  `json:"jaccard_macro"`
	MAPMacro         *float64 `json:"map_macro"`
	MAPMicro         *float64 `json:"map_micro"`
	ROCAUCMacro      *float64 `json:"roc_auc_macro"`
	LRAP             float64  `json:"lrap"`
	RankingLoss      float64  `json:"ranking_loss"`
	CoverageError    float64  `json:"coverage_error"`
	NDCG             float64  `json:"ndcg"`
	// PerLabel holds each label's metrics by name.
	PerLabel map[string]LabelMetrics `json:"per_label"`
}

// LabelMetrics is one label's metrics.
type LabelMetrics struct {
	Support   int       `json:"support"`
	Known     int       `json:"known"`
	Predicted int       `json:"predicted"`
	AP        *float64  `json:"ap"`
	ROCAUC    *float64  `json:"roc_auc"`
	Precision float64   `json:"precision"`
	Recall    float64   `json:"recall"`
	F1        float64   `json:"f1"`
	F2        float64   `json:"f2"`
	Threshold float64   `json:"threshold"`
	Confusion Confusion `json:"confusion"`
}

// Confusion counts one label's known decisions.
type Confusion struct {
	TP int `json:"tp"`
	FP int `json:"fp"`
	FN int `json:"fn"`
	TN int `json:"tn"`
}

// Reference describes a model's validation predictions, for recalibrating
// its thresholds to a new batch of images.
type Reference struct {
	Images int `json:"images"`
	// Split names the held-out images it was made from: "validation",
	// "test" (a refitted model, which trained on the validation images),
	// or empty (validation, before the name was recorded).
	Split       string       `json:"split,omitempty"`
	Calibration *Calibration `json:"calibration"`
	Prevalence  []float64    `json:"prevalence"`
	Positive    []float64    `json:"positive_rate"`
	Thresholds  []float64    `json:"thresholds"`
	TPR         []float64    `json:"tpr"`
	FPR         []float64    `json:"fpr"`
	// Scores holds each label's validation score quantiles.
	Scores [][]float64 `json:"score_quantiles"`
	// MeanIfPositive[j][k] and MeanIfNegative[j][k]: label k's mean
	// calibrated score where label j is positive, and negative.
	MeanIfPositive [][]float64 `json:"mean_if_positive,omitempty"`
	MeanIfNegative [][]float64 `json:"mean_if_negative,omitempty"`
}

// Recalibration records one recalibration of the thresholds to a batch.
type Recalibration struct {
	Created time.Time `json:"created"`
	Batch   Batch     `json:"batch"`
	// Labels names the columns of the slices below.
	Labels    []string  `json:"labels"`
	Train     []float64 `json:"train_prevalence"`
	Estimated []float64 `json:"estimated_prevalence"`
	Low       []float64 `json:"interval_low,omitempty"`
	High      []float64 `json:"interval_high,omitempty"`
	Old       []float64 `json:"old_thresholds"`
	New       []float64 `json:"new_thresholds"`
	// Kept gives, for each label whose threshold was kept, the reason,
	// and "" for the others; empty when none was kept.
	Kept []string `json:"kept,omitempty"`
}

// Batch names the images a recalibration was fitted on.
type Batch struct {
	Source  string `json:"source"`
	Images  int    `json:"images"`
	Skipped int    `json:"skipped,omitempty"`
	SHA256  string `json:"sha256,omitempty"`
}

// Tiles are the decision rules fitted for images scored tile by tile
// (hypotheses-CNN-pooling): the grid of Grid×Grid tiles overlapping by
// Overlap of a tile's side that they were fitted for, and the rules fitted
// on the validation images' max-pooled tile scores. The section is
// optional: a bundle without it (any bundle written before it) decides
// tiled scores with Rules, and a reader that predates it ignores it.
type Tiles struct {
	Grid    int     `json:"grid"`
	Overlap float64 `json:"overlap"`
	Rules   *Rules  `json:"rules"`
	// Images counts the validation images the rules were fitted on.
	Images int `json:"images,omitempty"`
}

// Segment describes a segmentation network's decisions and pixel figures:
// a pixel shows a label when its probability exceeds PixelThreshold, a
// label's area fraction is the fraction of an image's pixels that show it,
// and the bundle's rules apply their thresholds to the area fractions.
type Segment struct {
	PixelThreshold float64 `json:"pixel_threshold"`
	// Labels names the columns of IoU.
	Labels []string `json:"labels"`
	// IoU holds each label's pixel IoU on the held-out images the metrics
	// come from; nil where no known pixel shows or predicts the label.
	IoU []*float64 `json:"iou"`
	// MIoU is the mean of the defined IoUs; nil when none is.
	MIoU *float64 `json:"miou"`
	// PixelThresholds, when set, holds one pixel threshold per label,
	// fitted on the validation images' pixels, in place of PixelThreshold.
	PixelThresholds []float64 `json:"pixel_thresholds,omitempty"`
	// Scale, when at least 1, is the fixed scale the segmenter works at:
	// it sees Size×Size windows of the image reduced by Scale (each
	// network pixel the mean of a Scale×Scale block of image pixels), in
	// training and in use, and a whole image is segmented from such
	// windows. 0 means the whole image resized to Size×Size.
	Scale int `json:"scale,omitempty"`
}

// Thresholds returns the pixel threshold of each of n labels:
// PixelThresholds, or PixelThreshold for every label.
func (s *Segment) Thresholds(n int) []float64 {
	if len(s.PixelThresholds) == n {
		return s.PixelThresholds
	}
	out := make([]float64, n)
	for j := range out {
		out[j] = s.PixelThreshold
	}
	return out
}
