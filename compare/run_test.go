package compare

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/loader"
	"mlabel/nn"
	"mlabel/train"
)

// testLabels is the reduced vocabulary the end-to-end test trains on.
var testLabels = []string{"clear", "cloudy", "water"}

var (
	runOnce sync.Once
	runRes  *Result
	runData *dataset.Dataset
	runErr  error
)

// keep returns ds with its vocabulary reduced to names.
func keep(ds *dataset.Dataset, names []string) *dataset.Dataset {
	idx := ds.LabelIndex()
	out := &dataset.Dataset{Source: ds.Source, Labels: names}
	for _, it := range ds.Items {
		n := dataset.Item{Name: it.Name, Path: it.Path, Line: it.Line}
		for k, name := range names {
			if slices.Contains(it.Pos, idx[name]) {
				n.Pos = append(n.Pos, k)
			}
		}
		out.Items = append(out.Items, n)
	}
	return out
}

// smallRun runs one comparison on 200 synthetic 32-pixel tiles, shared by
// the tests.
func smallRun(t *testing.T) (*Result, *dataset.Dataset) {
	t.Helper()
	runOnce.Do(func() {
		ds, _, err := synthSet(200, 3, false)
		if err != nil {
			runErr = err
			return
		}
		for _, name := range testLabels {
			if !slices.Contains(ds.Labels, name) {
				runErr = fmt.Errorf("synth has no label %q (has %v)", name, ds.Labels)
				return
			}
		}
		runData = keep(ds, testLabels)
		cfg := train.Defaults()
		cfg.Size, cfg.Width, cfg.Epochs, cfg.Batch, cfg.Workers = 32, 8, 2, 16, 2
		runRes, runErr = Run(context.Background(), Options{Data: runData, Train: cfg, Stacking: true, Bootstrap: 200, Repeats: 2})
	})
	if runErr != nil {
		t.Fatal(runErr)
	}
	return runRes, runData
}

func TestRunPicksChampionsOnValidation(t *testing.T) {
	r, _ := smallRun(t)
	if !slices.Equal(r.Labels, testLabels) {
		t.Fatalf("labels %v, want %v", r.Labels, testLabels)
	}
	for _, name := range testLabels {
		l, ok := r.PerLabel[name]
		if !ok {
			t.Fatalf("no result for %q", name)
		}
		spec := l.SpecialistValAP != nil && (l.JointValAP == nil || *l.SpecialistValAP > *l.JointValAP)
		if want := pickName(spec); l.Champion != want {
			t.Errorf("%s: champion %q, validation APs say %q", name, l.Champion, want)
		}
		champAP := l.JointAP
		if spec {
			champAP = l.SpecialistAP
		}
		if f3(l.ChampionAP) != f3(champAP) {
			t.Errorf("%s: champion test AP %s, its model's is %s", name, f3(l.ChampionAP), f3(champAP))
		}
		if l.DiffInterval != nil && l.DiffInterval.Low > l.DiffInterval.High {
			t.Errorf("%s: interval %+v is reversed", name, *l.DiffInterval)
		}
	}
	if r.ChampionMaxDiff > 1e-6 {
		t.Errorf("composed champion differs from its branches by %g", r.ChampionMaxDiff)
	}
}

func TestRunCosts(t *testing.T) {
	r, _ := smallRun(t)
	nl := len(testLabels)
	nSpec := 0
	for _, l := range r.PerLabel {
		if l.Champion == "specialist" {
			nSpec++
		}
	}
	champPasses := nSpec
	if nSpec < nl {
		champPasses++
	}
	tests := []struct {
		option string
		passes int
	}{
		{Joint, 1},
		{Specialists, nl},
		{Champion, champPasses},
		{Stacking, nl + 1},
	}
	for _, tc := range tests {
		t.Run(tc.option, func(t *testing.T) {
			c, ok := r.Cost[tc.option]
			if !ok {
				t.Fatalf("no cost for %s", tc.option)
			}
			if c.ForwardPasses != tc.passes {
				t.Errorf("forward passes %d, want %d", c.ForwardPasses, tc.passes)
			}
			if c.FLOPs <= 0 || c.MsPerImage <= 0 || c.BundleBytes <= 0 {
				t.Errorf("cost %+v has a non-positive entry", c)
			}
			q := r.Quality[tc.option]
			if q.FSamples < 0 || q.FSamples > 1 || q.MAPMacro == nil || *q.MAPMacro < 0 || *q.MAPMacro > 1 {
				t.Errorf("quality %+v out of range", q)
			}
		})
	}
	j, s, st := r.Cost[Joint], r.Cost[Specialists], r.Cost[Stacking]
	if !(j.FLOPs < s.FLOPs && s.FLOPs < st.FLOPs) {
		t.Errorf("FLOPs not ordered joint < specialists < stacking: %d, %d, %d", j.FLOPs, s.FLOPs, st.FLOPs)
	}
	if c := r.Cost[Champion].FLOPs; c > st.FLOPs {
		t.Errorf("champion FLOPs %d exceed stacking's %d", c, st.FLOPs)
	}
	if !(j.BundleBytes < s.BundleBytes && s.BundleBytes < st.BundleBytes) {
		t.Errorf("bundle sizes not ordered: %d, %d, %d", j.BundleBytes, s.BundleBytes, st.BundleBytes)
	}
}

// scoresOf loads a saved bundle and predicts every image of ds with it.
func scoresOf(t *testing.T, b *bundle.Bundle, ds *dataset.Dataset) [][]float64 {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.mlb")
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	lb, err := bundle.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Load(lb.Spec, lb.Weights)
	if err != nil {
		t.Fatal(err)
	}
	if m.NumLabels() != len(lb.Labels) {
		t.Fatalf("bundle outputs %d logits for %d labels", m.NumLabels(), len(lb.Labels))
	}
	if err := lb.Rules.Check(len(lb.Labels)); err != nil {
		t.Fatal(err)
	}
	l, err := loader.New(ds, loader.Config{Preprocess: lb.Preprocess, BatchSize: 16, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	out, err := train.Predict(context.Background(), m, l, nil)
	if err != nil {
		t.Fatal(err)
	}
	return out.Scores
}

func TestChampionBundleEqualsItsBranches(t *testing.T) {
	r, ds := smallRun(t)
	ds = ds.Subset([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19})
	champ := scoresOf(t, r.Bundles[Champion], ds)
	joint := scoresOf(t, r.Bundles[Joint], ds)
	specs := scoresOf(t, r.Bundles[Specialists], ds)
	for j, name := range r.Labels {
		src := joint
		if r.PerLabel[name].Champion == "specialist" {
			src = specs
		}
		for i := range champ {
			if champ[i][j] != src[i][j] {
				t.Fatalf("image %d label %s: champion score %v, its model's %v", i, name, champ[i][j], src[i][j])
			}
		}
	}
}

func TestResultJSON(t *testing.T) {
	r, _ := smallRun(t)
	var tbl strings.Builder
	if err := r.WriteTable(&tbl); err != nil {
		t.Fatal(err)
	}
	for _, want := range append([]string{"champion", "forward passes"}, OptionNames...) {
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
		PerLabel map[string]map[string]any `json:"per_label"`
		Cost     map[string]map[string]any `json:"cost"`
		Quality  map[string]map[string]any `json:"quality"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	for _, name := range testLabels {
		for _, key := range []string{"specialist_ap", "joint_ap", "champion", "diff_interval", "specialist_f", "joint_f"} {
			if _, ok := v.PerLabel[name][key]; !ok {
				t.Errorf("per_label.%s lacks %s", name, key)
			}
		}
	}
	for _, opt := range OptionNames {
		for _, key := range []string{"forward_passes", "ms_per_image", "bundle_bytes", "flops"} {
			if _, ok := v.Cost[opt][key]; !ok {
				t.Errorf("cost.%s lacks %s", opt, key)
			}
		}
		if _, ok := v.Quality[opt]["f_samples"]; !ok {
			t.Errorf("quality.%s lacks f_samples", opt)
		}
	}
}
