package compare

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/infer"
	"mlabel/masks"
	"mlabel/metrics"
	"mlabel/train"
	"mlabel/workflow"
)

// Route names, as used in RoutesResult.Quality and Cost. RouteChampion
// serves each label with the route validation picked for it.
const (
	Classify      = "classify"
	Segment       = "segment"
	RouteChampion = "champion"
)

// RouteNames lists the routes in the order tables print them.
var RouteNames = []string{Classify, Segment, RouteChampion}

// RoutesOptions configures RunRoutes: the route against route experiment.
type RoutesOptions struct {
	// Options holds the data, split, preprocessing, decisions, bootstrap
	// and timing settings as for Run; its Train configures the classifier
	// route. Stacking does not apply.
	Options
	// Segment configures the segmentation route (its Segment flag is
	// set by RunRoutes): same epochs and seed as Train, with a
	// segmentation architecture and its own defaults.
	Segment train.Config
	// Masks holds the masks of Data's images; TestMasks those of Test's
	// (Masks when nil).
	Masks, TestMasks *masks.Set
}

// RoutesResult is the outcome of RunRoutes. Undefined values (an AP
// without a positive, an IoU without a pixel) are nil.
type RoutesResult struct {
	// Labels is the vocabulary: the tags' labels, then those only the
	// masks show.
	Labels []string `json:"labels"`
	// Beta is the F-beta weight of the thresholds and F scores.
	Beta  float64    `json:"beta"`
	Split SplitSizes `json:"split"`
	// PerLabel holds each label's comparison by name.
	PerLabel map[string]RouteLabel `json:"per_label"`
	// Quality scores each route and the champion on the test split,
	// thresholds fitted on validation.
	Quality map[string]Quality `json:"quality"`
	// MIoU is the segmenter's mean pixel IoU on the test split.
	MIoU *float64 `json:"miou_macro"`
	// Cost is each route's price at prediction time; the champion's is
	// the sum of the routes it runs.
	Cost map[string]Cost `json:"cost"`
	// Bootstrap is the number of paired test resamples behind each
	// interval.
	Bootstrap int `json:"bootstrap"`
	// Bundles holds the classifier's and the segmenter's bundles by route.
	Bundles map[string]*bundle.Bundle `json:"-"`
}

// RouteLabel compares one label's classifier and segmenter on the test
// split: the classifier's score is its probability, the segmenter's the
// label's area fraction; F-beta at each route's threshold fitted on
// validation.
type RouteLabel struct {
	// Positives counts the label's known positives in the test split.
	Positives  int      `json:"test_positives"`
	ClassifyAP *float64 `json:"classify_ap"`
	SegmentAP  *float64 `json:"segment_ap"`
	// DiffAP is SegmentAP − ClassifyAP; DiffInterval its paired bootstrap
	// 90% interval (5th and 95th percentiles).
	DiffAP       *float64         `json:"diff_ap"`
	DiffInterval *decide.Interval `json:"diff_interval"`
	ClassifyF    float64          `json:"classify_f"`
	SegmentF     float64          `json:"segment_f"`
	// IoU is the segmenter's pixel IoU of the label on the test split.
	IoU *float64 `json:"segment_iou"`
	// ClassifyValAP and SegmentValAP decide the champion.
	ClassifyValAP *float64 `json:"classify_val_ap"`
	SegmentValAP  *float64 `json:"segment_val_ap"`
	// Champion is "classify" or "segment": the route with the higher
	// validation AP (the classifier on a tie or when undefined).
	Champion string `json:"champion"`
	// ChampionAP and ChampionF score the champion's route on test, at
	// its route's threshold.
	ChampionAP *float64 `json:"champion_ap"`
	ChampionF  float64  `json:"champion_f"`
}

// RunRoutes trains the classifier route (Train) and the segmentation
// route (Segment, on the masks) on the same split of the same images,
// fits each route's per-label thresholds on validation (on probabilities
// and on area fractions), and compares them label by label on the test
// split, with a paired bootstrap interval of the AP difference, a
// champion per label picked on validation AP, and each route's cost.
func RunRoutes(ctx context.Context, o RoutesOptions) (*RoutesResult, error) {
	if o.Stacking {
		return nil, fmt.Errorf("compare: stacking does not apply to the routes")
	}
	if o.Masks == nil {
		return nil, fmt.Errorf("compare: the segmentation route needs masks")
	}
	if o.TestMasks == nil {
		o.TestMasks = o.Masks
	}
	var err error
	if o.Options, err = o.Options.withDefaults(); err != nil {
		return nil, err
	}
	o.Segment.Segment = true
	if err := o.Segment.Validate(); err != nil {
		return nil, fmt.Errorf("compare: segmentation route: %w", err)
	}
	if o.Segment.Size != o.Train.Size {
		return nil, fmt.Errorf("compare: the routes see images at %d and %d pixels; they must see the same", o.Train.Size, o.Segment.Size)
	}
	if o.Data, err = workflow.PrepareMasks(o.Data, o.Masks, o.Preprocess.MaxPixels); err != nil {
		return nil, fmt.Errorf("compare: %w", err)
	}
	if o.Test != nil {
		if o.Test, err = workflow.PrepareMasks(o.Test, o.TestMasks, o.Preprocess.MaxPixels); err != nil {
			return nil, fmt.Errorf("compare: test set: %w", err)
		}
		if !slices.Equal(o.Test.Labels, o.Data.Labels) {
			return nil, fmt.Errorf("compare: the test set's labels with its masks' %v differ from the training set's %v", o.Test.Labels, o.Data.Labels)
		}
	}
	tr, va, te, err := splits(o.Options)
	if err != nil {
		return nil, err
	}
	testMasks := o.TestMasks
	if o.Test == nil {
		testMasks = o.Masks
	}
	labels := o.Data.Labels
	o.log("split: %d train, %d validation, %d test images; %d labels", len(tr.Items), len(va.Items), len(te.Items), len(labels))
	cls, seg, iou, err := trainRoutes(ctx, o, tr, va, te, testMasks)
	if err != nil {
		return nil, err
	}
	for _, op := range []*option{cls, seg} {
		if err := op.score(o.Options, labels); err != nil {
			return nil, err
		}
	}
	chosen := picks(cls, seg, len(labels))
	champ := &option{name: RouteChampion, val: mixColumns(cls.val, seg.val, chosen), test: mixColumns(cls.test, seg.test, chosen),
		rules: mixRules(cls.rules, seg.rules, chosen)}
	if err := champ.evaluate(o.Options, labels); err != nil {
		return nil, err
	}
	segFigures := metrics.NewSegmentation(iou, labels, train.PixelThreshold)
	segFigures.PixelThresholds = iou.Thresholds
	res := &RoutesResult{
		Labels:    labels,
		Beta:      o.Decide.Beta,
		Split:     SplitSizes{Train: len(tr.Items), Validation: len(va.Items), Test: len(te.Items)},
		PerLabel:  routeLabels(o.Options, labels, cls, seg, champ, chosen, segFigures),
		Quality:   map[string]Quality{Classify: quality(cls), Segment: quality(seg), RouteChampion: quality(champ)},
		MIoU:      metrics.Optional(segFigures.MIoU),
		Cost:      map[string]Cost{},
		Bootstrap: o.Bootstrap,
		Bundles:   map[string]*bundle.Bundle{},
	}
	es, err := newEvalSets(o.Options, va, te)
	if err != nil {
		return nil, err
	}
	x, err := timingBatch(ctx, o.Options, es)
	if err != nil {
		return nil, err
	}
	for _, r := range []struct {
		op  *option
		cfg train.Config
	}{{cls, o.Train}, {seg, o.Segment}} {
		b, err := routeBundle(r.op, r.cfg, labels, o)
		if err != nil {
			return nil, err
		}
		if r.op == seg {
			workflow.SegmenterBundle(b, segFigures)
		}
		c, err := cost(r.op, b, x, o.Preprocess.Size, o.Repeats)
		if err != nil {
			return nil, err
		}
		res.Bundles[r.op.name], res.Cost[r.op.name] = b, c
	}
	res.Cost[RouteChampion] = championCost(res.Cost, chosen)
	return res, nil
}

// trainRoutes trains both routes on tr and va and predicts the
// validation and test splits with each: the classifier's probabilities,
// the segmenter's area fractions and its pixel counts on test.
func trainRoutes(ctx context.Context, o RoutesOptions, tr, va, te *dataset.Dataset, testMasks *masks.Set) (cls, seg *option, iou *metrics.IoU, err error) {
	o.log("training the classifier route (%s)", o.Train.Arch)
	cr, err := train.Run(ctx, o.Train, train.Data{Train: tr, Val: va, Preprocess: o.Preprocess}, "", false, train.Hooks{})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("compare: classifier route: %w", err)
	}
	cls = &option{name: Classify, spec: cr.Spec, weights: cr.Model.Weights(), passes: 1, model: cr.Model, val: cr.Val,
		extra: map[string]any{"route": Classify}}
	if cls.test, err = workflow.Predict(ctx, cr.Model, te, o.Preprocess, o.Train.Batch); err != nil {
		return nil, nil, nil, fmt.Errorf("compare: classifier route on test: %w", err)
	}
	o.log("training the segmentation route (%s)", o.Segment.Arch)
	sr, err := train.Run(ctx, o.Segment, train.Data{Train: tr, Val: va, Preprocess: o.Preprocess, Masks: o.Masks}, "", false, train.Hooks{})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("compare: segmentation route: %w", err)
	}
	seg = &option{name: Segment, spec: sr.Spec, weights: sr.Model.Weights(), passes: 1, model: sr.Model, val: sr.Val,
		extra: map[string]any{"route": Segment}}
	if seg.test, iou, err = workflow.PredictMasks(ctx, sr.Model, te, o.Preprocess, testMasks, o.Segment.Batch, 0, sr.ValIoU.Thresholds); err != nil {
		return nil, nil, nil, fmt.Errorf("compare: segmentation route on test: %w", err)
	}
	return cls, seg, iou, nil
}

// mixColumns returns the set whose column j is b's where pick[j] and a's
// otherwise; a and b score the same images.
func mixColumns(a, b *infer.Set, pick []bool) *infer.Set {
	out := &infer.Set{Labels: a.Labels, Names: a.Names, Truth: a.Truth, Mask: a.Mask, Scores: make([][]float64, len(a.Scores))}
	for i, row := range a.Scores {
		r := slices.Clone(row)
		for j, p := range pick {
			if p {
				r[j] = b.Scores[i][j]
			}
		}
		out.Scores[i] = r
	}
	return out
}

// mixRules returns the per-label thresholds of a where pick[j] is false
// and of b where it is true: each label decided as its route decides it.
func mixRules(a, b *decide.Rules, pick []bool) *decide.Rules {
	ta, tb := a.Thresholds(), b.Thresholds()
	out := &decide.Rules{Kind: decide.PerClass, Objective: a.Objective, Beta: a.Beta, Labels: a.Labels, Names: a.Names, Global: a.Global, PerClass: ta}
	for j, p := range pick {
		if p {
			out.PerClass[j] = tb[j]
		}
	}
	return out
}

// routeLabels assembles each label's comparison of the routes.
func routeLabels(o Options, labels []string, cls, seg, champ *option, chosen []bool, sg *metrics.Segmentation) map[string]RouteLabel {
	out := make(map[string]RouteLabel, len(labels))
	for j, name := range labels {
		ca, sa := labelAP(cls.test, j), labelAP(seg.test, j)
		r := RouteLabel{
			Positives:     cls.testSum.PerLabel[name].Support,
			ClassifyAP:    metrics.Optional(ca),
			SegmentAP:     metrics.Optional(sa),
			DiffAP:        metrics.Optional(sa - ca),
			DiffInterval:  diffInterval(seg.test, cls.test, j, o.Bootstrap, o.Train.Seed),
			ClassifyF:     cls.testF[j].F,
			SegmentF:      seg.testF[j].F,
			IoU:           metrics.Optional(sg.IoU[j]),
			ClassifyValAP: metrics.Optional(labelAP(cls.val, j)),
			SegmentValAP:  metrics.Optional(labelAP(seg.val, j)),
			Champion:      routeName(chosen[j]),
			ChampionAP:    metrics.Optional(labelAP(champ.test, j)),
			ChampionF:     champ.testF[j].F,
		}
		out[name] = r
	}
	return out
}

// routeName names a label's champion route.
func routeName(segment bool) string {
	if segment {
		return Segment
	}
	return Classify
}

// routeBundle packs a route's network as a classifier bundle with its
// validation thresholds and metrics and the route's configuration.
func routeBundle(op *option, cfg train.Config, labels []string, o RoutesOptions) (*bundle.Bundle, error) {
	c, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("compare: encode config: %w", err)
	}
	extra, err := json.Marshal(map[string]any{"compare": op.extra})
	if err != nil {
		return nil, fmt.Errorf("compare: encode route: %w", err)
	}
	b := workflow.ClassifierBundle(cfg.Arch, op.spec, labels, o.Preprocess, op.rules, op.valSum, c, op.weights)
	b.Extra = extra
	return b, nil
}

// championCost is the cost of serving each label with its champion: the
// sum of the routes some label picks.
func championCost(c map[string]Cost, chosen []bool) Cost {
	var out Cost
	for _, r := range []string{Classify, Segment} {
		if !slices.Contains(chosen, r == Segment) {
			continue
		}
		out.ForwardPasses += c[r].ForwardPasses
		out.FLOPs += c[r].FLOPs
		out.MsPerImage += c[r].MsPerImage
		out.BundleBytes += c[r].BundleBytes
	}
	return out
}
