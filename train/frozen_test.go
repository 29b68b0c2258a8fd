package train

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/imageio"
	"mlabel/nn"
	"mlabel/tensor"
)

// pretrainedBackbone trains a tiny network briefly on the demo data and
// saves it as a backbone bundle.
func pretrainedBackbone(t *testing.T, data Data) string {
	t.Helper()
	cfg := quickConfig()
	cfg.Epochs, cfg.EMA = 2, 0 // a fixture: the backbone this test has always had
	res, err := Run(context.Background(), cfg, data, "", false, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "backbone.mlb")
	b := &bundle.Bundle{Header: bundle.Header{Kind: bundle.KindBackbone, Arch: "small", Spec: res.Spec, Preprocess: data.Preprocess}, Weights: res.Model.Weights()}
	if err := b.Save(path); err != nil {
		t.Fatal(err)
	}
	return path
}

// maxDiff returns the largest absolute difference between two tensors'
// values.
func maxDiff(a, b *tensor.Tensor) float64 {
	var d float64
	for i := range a.Data {
		d = max(d, float64(a.Data[i]-b.Data[i]), float64(b.Data[i]-a.Data[i]))
	}
	return d
}

func TestFrozenBackbone(t *testing.T) {
	tr, va := synthData(t)
	data := Data{Train: tr, Val: va, Preprocess: imageio.DefaultPreprocess(32)}
	backbone := pretrainedBackbone(t, data)
	src, err := bundle.Load(backbone)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		unfreeze  bool
		ftEpochs  int
		epochs    int // history length
		backboneΔ bool
	}{
		{"frozen", false, 0, 6, false},
		{"unfreeze", true, 3, 9, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := quickConfig()
			cfg.Backbone, cfg.FreezeBackbone, cfg.Unfreeze, cfg.FineTuneEpochs = backbone, true, tc.unfreeze, tc.ftEpochs
			cfg.Epochs, cfg.FeatureViews, cfg.LR, cfg.EMA = 6, 2, 1e-2, 0
			var logs []string
			var ended []int
			hooks := Hooks{Log: func(m string) { logs = append(logs, m) }, EpochEnd: func(e bundle.Epoch, _ bool) { ended = append(ended, e.Epoch) }}
			res, err := Run(context.Background(), cfg, data, "", false, hooks)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(logs, func(m string) bool { return strings.Contains(m, "2 views") }) {
				t.Errorf("log %q does not report the feature cache", logs)
			}
			if len(res.History) != tc.epochs {
				t.Fatalf("history has %d epochs, want %d", len(res.History), tc.epochs)
			}
			for i, e := range res.History {
				if e.Epoch != i+1 || ended[i] != i+1 {
					t.Errorf("epoch %d is numbered %d in the history and %d by the hook", i+1, e.Epoch, ended[i])
				}
			}
			w := res.Model.Weights()
			changed := false
			for name, v := range src.Weights {
				got, ok := w[name]
				if !ok {
					continue // the pretrained network's own classifier, cut off
				}
				if maxDiff(v, got) > 0 {
					changed = true
				}
			}
			if changed != tc.backboneΔ {
				t.Errorf("backbone weights changed: %v, want %v", changed, tc.backboneΔ)
			}
			// The scores the run reports for its model are those the whole
			// network gives on the images, not an artefact of the cache.
			checkVal(t, res, data, cfg)
			best := res.History[res.BestEpoch-1]
			mAP, _, _ := quick(res.Val)
			base := constantMAP(t, res.Val)
			t.Logf("val mAP %.3f, constant scores' %.3f", mAP, base)
			if mAP != best.ValMAP || mAP < base+mapMargin {
				t.Errorf("val mAP %v, best epoch %d recorded %v; want them equal and at least %.3f: constant scores' %.3f and %.2f more", mAP, res.BestEpoch, best.ValMAP, base+mapMargin, base, mapMargin)
			}
		})
	}
}

// checkVal compares a result's validation scores with a forward pass of its
// model over the validation images.
func checkVal(t *testing.T, res *Result, data Data, cfg Config) {
	t.Helper()
	r := &run{cfg: cfg, data: data}
	if err := r.setup(); err != nil {
		t.Fatal(err)
	}
	got, err := Predict(context.Background(), res.Model, r.valL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range got.Scores {
		for j := range got.Scores[i] {
			if d := got.Scores[i][j] - res.Val.Scores[i][j]; d > 1e-4 || d < -1e-4 {
				t.Fatalf("image %s label %d: network scores %v, run reported %v", got.Names[i], j, got.Scores[i][j], res.Val.Scores[i][j])
			}
		}
	}
}

func TestFrozenBackboneErrors(t *testing.T) {
	skipUnderRace(t)
	tr, va := synthData(t)
	data := Data{Train: tr, Val: va, Preprocess: imageio.DefaultPreprocess(32)}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"missing backbone", func(c *Config) { c.Backbone = filepath.Join(t.TempDir(), "none.mlb") }, "none.mlb"},
		{"unknown cut", func(c *Config) { c.BackboneAt = "nowhere" }, "nowhere"},
	}
	backbone := filepath.Join(t.TempDir(), "random.mlb")
	spec := Defaults()
	spec.Size, spec.Width = 32, 8
	s, _, _, err := BuildSpec(spec, []string{"a", "b", "c"})
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(s, rand.New(rand.NewPCG(1, 2)))
	if err == nil {
		b := &bundle.Bundle{Header: bundle.Header{Kind: bundle.KindBackbone, Spec: s}, Weights: m.Weights()}
		err = b.Save(backbone)
	}
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg := quickConfig()
			cfg.Backbone, cfg.FreezeBackbone = backbone, true
			tc.edit(&cfg)
			if _, err := Run(context.Background(), cfg, data, "", false, Hooks{}); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v; want one naming %q", err, tc.want)
			}
		})
	}
}

func TestFineTuneBookkeeping(t *testing.T) {
	hist := []bundle.Epoch{{Epoch: 1, ValMAP: 0.5}, {Epoch: 2, ValMAP: 0.7}}
	tests := []struct {
		name string
		res  *Result
		want float64
	}{
		{"best epoch", &Result{BestEpoch: 2, History: hist}, 0.7},
		{"first epoch", &Result{BestEpoch: 1, History: hist}, 0.5},
		{"no epoch", &Result{}, math.Inf(-1)},
	}
	for _, tc := range tests {
		if got := bestMAP(tc.res); got != tc.want {
			t.Errorf("%s: bestMAP = %v, want %v", tc.name, got, tc.want)
		}
	}
	var started, ended []int
	h := offsetHooks(Hooks{
		EpochStart: func(e, n, _ int) { started = append(started, e, n) },
		EpochEnd:   func(e bundle.Epoch, _ bool) { ended = append(ended, e.Epoch) },
	}, 6)
	h.EpochStart(1, 4, 10)
	h.EpochEnd(bundle.Epoch{Epoch: 1}, true)
	if !slices.Equal(started, []int{7, 10}) || !slices.Equal(ended, []int{7}) {
		t.Errorf("offset hooks saw epochs %v and %v; want [7 10] and [7]", started, ended)
	}
	if h := offsetHooks(Hooks{}, 3); h.EpochStart != nil || h.EpochEnd != nil {
		t.Error("offsetHooks made hooks out of nil ones")
	}
}

// TestFrozenLoadsBackboneOnce removes the backbone's file once the frozen
// stage is done: fine-tuning must train from the network already loaded.
func TestFrozenLoadsBackboneOnce(t *testing.T) {
	skipUnderRace(t)
	tr, va := synthData(t)
	data := Data{Train: tr, Val: va, Preprocess: imageio.DefaultPreprocess(32)}
	backbone := pretrainedBackbone(t, data)
	cfg := quickConfig()
	cfg.Backbone, cfg.FreezeBackbone, cfg.Unfreeze, cfg.FineTuneEpochs = backbone, true, true, 1
	cfg.Epochs, cfg.FeatureViews, cfg.EMA = 2, 1, 0
	var removeErr error
	hooks := Hooks{Log: func(m string) {
		if strings.HasPrefix(m, "fine-tuning") {
			removeErr = os.Remove(backbone)
		}
	}}
	res, err := Run(context.Background(), cfg, data, "", false, hooks)
	if removeErr != nil {
		t.Fatal(removeErr)
	}
	if err != nil {
		t.Fatalf("fine-tuning after the backbone's file is gone: %v", err)
	}
	if len(res.History) != 3 {
		t.Errorf("history has %d epochs, want 2 frozen and 1 fine-tuned", len(res.History))
	}
}

// TestFrozenWithoutValidation trains the head through the same loop as a
// whole network, so a frozen run without validation stops after StopAfter
// epochs and keeps its last one.
func TestFrozenWithoutValidation(t *testing.T) {
	tr, va := synthData(t)
	data := Data{Train: tr, Val: va, Preprocess: imageio.DefaultPreprocess(32)}
	backbone := pretrainedBackbone(t, data)
	cfg := quickConfig()
	cfg.Backbone, cfg.FreezeBackbone = backbone, true
	cfg.Epochs, cfg.StopAfter, cfg.FeatureViews = 5, 2, 1
	data.Val = nil
	res, err := Run(context.Background(), cfg, data, "", false, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	if res.BestEpoch != 2 || len(res.History) != 2 || !res.History[1].Unvalidated || res.Val != nil {
		t.Fatalf("best epoch %d of %d, history %+v, val %v; want the last of 2 unvalidated epochs and no validation", res.BestEpoch, cfg.Epochs, res.History, res.Val)
	}
	if res.Spec.Outputs[0] != "head" || len(res.Model.Weights()) <= 2 {
		t.Errorf("the result is not the whole network: outputs %v, %d tensors", res.Spec.Outputs, len(res.Model.Weights()))
	}
}
