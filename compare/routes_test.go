package compare

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/infer"
	"mlabel/masks"
	"mlabel/synth"
	"mlabel/train"
)

var (
	routesOnce sync.Once
	routesRes  *RoutesResult
	routesErr  error
)

// routesRun compares the routes once, trained on 100 synthetic tiles and
// tested on 40 of another seed, shared by the tests.
func routesRun(t *testing.T) *RoutesResult {
	t.Helper()
	routesOnce.Do(func() {
		ds, set, err := synthSet(100, 5, true)
		if err != nil {
			routesErr = err
			return
		}
		test, testSet, err := synthSet(40, 6, true)
		if err != nil {
			routesErr = err
			return
		}
		if test, err = dataset.Load(dataset.Options{CSV: test.Source, Images: filepath.Dir(test.Items[0].Path), Labels: ds.Labels}); err != nil {
			routesErr = err
			return
		}
		cfg := train.Defaults()
		cfg.Size, cfg.Width, cfg.Epochs, cfg.Batch, cfg.Workers = 32, 4, 2, 16, 2
		seg := cfg
		seg.Arch, seg.Batch, seg.LR, seg.Dice = "unet", 8, 0.01, 1
		routesRes, routesErr = RunRoutes(context.Background(), RoutesOptions{
			Options: Options{Data: ds, Test: test, Train: cfg, Bootstrap: 100, Repeats: 1, TimingBatch: 8},
			Segment: seg, Masks: set, TestMasks: testSet,
		})
	})
	if routesErr != nil {
		t.Fatal(routesErr)
	}
	return routesRes
}

func TestRunRoutesPicksChampionsOnValidation(t *testing.T) {
	r := routesRun(t)
	if len(r.Labels) != len(synth.Labels()) {
		t.Fatalf("labels %v, want the synthetic vocabulary %v", r.Labels, synth.Labels())
	}
	for _, l := range synth.Labels() {
		if !slices.Contains(r.Labels, l) {
			t.Fatalf("labels %v lack %q", r.Labels, l)
		}
	}
	if r.Split.Test != 40 || r.Split.Train+r.Split.Validation != 100 {
		t.Errorf("split %+v: want the 100 tiles split in two and the 40 of the other seed as test", r.Split)
	}
	bySegment := 0
	for _, name := range r.Labels {
		l := r.PerLabel[name]
		seg := l.SegmentValAP != nil && (l.ClassifyValAP == nil || *l.SegmentValAP > *l.ClassifyValAP)
		if l.Champion != routeName(seg) {
			t.Errorf("%s: champion %q, validation APs %s and %s", name, l.Champion, f3(l.ClassifyValAP), f3(l.SegmentValAP))
		}
		want, wantF := l.ClassifyAP, l.ClassifyF
		if seg {
			want, wantF, bySegment = l.SegmentAP, l.SegmentF, bySegment+1
		}
		if f3(l.ChampionAP) != f3(want) || l.ChampionF != wantF {
			t.Errorf("%s: champion test AP %s and F %g, its route's %s and %g", name, f3(l.ChampionAP), l.ChampionF, f3(want), wantF)
		}
		if l.SegmentAP != nil && l.ClassifyAP != nil && (l.DiffAP == nil || *l.DiffAP != *l.SegmentAP-*l.ClassifyAP) {
			t.Errorf("%s: AP difference %s, want %s − %s", name, f3(l.DiffAP), f3(l.SegmentAP), f3(l.ClassifyAP))
		}
		if iv := l.DiffInterval; iv != nil && (iv.Low > iv.High || iv.Low < -1 || iv.High > 1) {
			t.Errorf("%s: interval %+v", name, *iv)
		}
		if l.IoU != nil && (*l.IoU < 0 || *l.IoU > 1) {
			t.Errorf("%s: IoU %g", name, *l.IoU)
		}
	}
	if r.MIoU == nil || *r.MIoU < 0 || *r.MIoU > 1 {
		t.Errorf("mIoU %s", f3(r.MIoU))
	}
	// The champion runs the routes some label picks, and costs their sum.
	c, s, ch := r.Cost[Classify], r.Cost[Segment], r.Cost[RouteChampion]
	for name, x := range map[string]Cost{Classify: c, Segment: s} {
		if x.ForwardPasses != 1 || x.FLOPs <= 0 || x.MsPerImage <= 0 || x.BundleBytes <= 0 {
			t.Errorf("%s cost %+v", name, x)
		}
	}
	var want Cost
	if bySegment < len(r.Labels) {
		want = c
	}
	if bySegment > 0 {
		want.ForwardPasses += s.ForwardPasses
		want.FLOPs += s.FLOPs
		want.MsPerImage += s.MsPerImage
		want.BundleBytes += s.BundleBytes
	}
	if ch != want {
		t.Errorf("champion cost %+v with %d of %d labels by the segmenter, want %+v", ch, bySegment, len(r.Labels), want)
	}
	for _, name := range RouteNames {
		q := r.Quality[name]
		if q.MAPMacro == nil || *q.MAPMacro < 0 || *q.MAPMacro > 1 || q.FSamples < 0 || q.FSamples > 1 {
			t.Errorf("%s quality %+v", name, q)
		}
	}
}

func TestRunRoutesBundles(t *testing.T) {
	r := routesRun(t)
	tests := []struct {
		route string
		kind  bundle.Kind
		arch  string
	}{
		{Classify, bundle.KindClassifier, "small"},
		{Segment, bundle.KindSegmenter, "unet"},
	}
	for _, tc := range tests {
		b := r.Bundles[tc.route]
		if b == nil {
			t.Fatalf("no %s bundle", tc.route)
		}
		if b.Kind != tc.kind || b.Arch != tc.arch || !slices.Equal(b.Labels, r.Labels) || b.Rules == nil {
			t.Errorf("%s bundle: kind %s, arch %s, labels %v, rules %v", tc.route, b.Kind, b.Arch, b.Labels, b.Rules != nil)
		}
		if (b.Segment != nil) != (tc.kind == bundle.KindSegmenter) {
			t.Errorf("%s bundle: segment figures %+v", tc.route, b.Segment)
		}
	}
	if sg := r.Bundles[Segment].Segment; sg == nil || sg.PixelThreshold != train.PixelThreshold {
		t.Errorf("segmenter's figures %+v", sg)
	}
}

func TestRoutesTableAndJSON(t *testing.T) {
	r := routesRun(t)
	var tbl strings.Builder
	if err := r.WriteTable(&tbl); err != nil {
		t.Fatal(err)
	}
	for _, want := range append([]string{"classify AP", "segment AP", "segment IoU", "forward passes", "mIoU"}, RouteNames...) {
		if !strings.Contains(tbl.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, tbl.String())
		}
	}
	t.Log("\n" + tbl.String())
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		MIoU     *float64                  `json:"miou_macro"`
		PerLabel map[string]map[string]any `json:"per_label"`
		Cost     map[string]map[string]any `json:"cost"`
		Quality  map[string]map[string]any `json:"quality"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	for _, name := range r.Labels {
		for _, key := range []string{"classify_ap", "segment_ap", "diff_interval", "classify_f", "segment_f", "segment_iou", "champion"} {
			if _, ok := v.PerLabel[name][key]; !ok {
				t.Errorf("per_label.%s lacks %s", name, key)
			}
		}
	}
	for _, route := range RouteNames {
		if _, ok := v.Cost[route]["flops"]; !ok {
			t.Errorf("cost.%s lacks flops", route)
		}
		if _, ok := v.Quality[route]["map_macro"]; !ok {
			t.Errorf("quality.%s lacks map_macro", route)
		}
	}
	if v.MIoU == nil {
		t.Error("no miou_macro")
	}
}

func TestRunRoutesRejects(t *testing.T) {
	ds := &dataset.Dataset{Labels: []string{"a"}, Items: []dataset.Item{{Name: "x"}}}
	seg := train.Defaults()
	seg.Arch = "unet"
	bad := seg
	bad.Arch = "small"
	bigger := seg
	bigger.Size *= 2
	set := &masks.Set{}
	tests := []struct {
		name string
		o    RoutesOptions
		want string
	}{
		{"no masks", RoutesOptions{Options: Options{Data: ds, Train: train.Defaults()}, Segment: seg}, "needs masks"},
		{"stacking", RoutesOptions{Options: Options{Data: ds, Train: train.Defaults(), Stacking: true}, Segment: seg, Masks: set}, "stacking"},
		{"segmentation arch", RoutesOptions{Options: Options{Data: ds, Train: train.Defaults()}, Segment: bad, Masks: set}, "segmentation architecture"},
		{"empty data", RoutesOptions{Options: Options{Train: train.Defaults()}, Segment: seg, Masks: set}, "empty dataset"},
		{"sizes differ", RoutesOptions{Options: Options{Data: ds, Train: train.Defaults()}, Segment: bigger, Masks: set}, "same"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := RunRoutes(context.Background(), tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
}

func TestMixColumns(t *testing.T) {
	truth := [][]float64{{1, 0}, {0, 1}}
	a := &infer.Set{Truth: truth, Scores: [][]float64{{0.9, 0.1}, {0.2, 0.3}}}
	b := &infer.Set{Truth: truth, Scores: [][]float64{{0.4, 0.6}, {0.7, 0.8}}}
	tests := []struct {
		pick []bool
		want [][]float64
	}{
		{[]bool{false, false}, [][]float64{{0.9, 0.1}, {0.2, 0.3}}},
		{[]bool{true, false}, [][]float64{{0.4, 0.1}, {0.7, 0.3}}},
		{[]bool{false, true}, [][]float64{{0.9, 0.6}, {0.2, 0.8}}},
		{[]bool{true, true}, [][]float64{{0.4, 0.6}, {0.7, 0.8}}},
	}
	for _, tc := range tests {
		got := mixColumns(a, b, tc.pick)
		for i := range tc.want {
			if !slices.Equal(got.Scores[i], tc.want[i]) {
				t.Errorf("pick %v: row %d = %v, want %v", tc.pick, i, got.Scores[i], tc.want[i])
			}
		}
	}
	if a.Scores[0][0] != 0.9 || b.Scores[0][0] != 0.4 {
		t.Error("mixColumns changed its inputs")
	}
}

func TestMixRules(t *testing.T) {
	a := &decide.Rules{Kind: decide.PerClass, Labels: 3, Global: 0.4, PerClass: []float64{0.1, 0.2, 0.3}}
	b := &decide.Rules{Kind: decide.PerClass, Labels: 3, Global: 0.6, PerClass: []float64{0.7, 0.8, 0.9}}
	got := mixRules(a, b, []bool{false, true, true})
	if want := []float64{0.1, 0.8, 0.9}; !slices.Equal(got.Thresholds(), want) || got.Check(3) != nil {
		t.Errorf("thresholds %v (check %v), want %v", got.Thresholds(), got.Check(3), want)
	}
	if a.PerClass[1] != 0.2 {
		t.Error("mixRules changed its input")
	}
}
