package train

import (
	"context"
	"slices"
	"strings"
	"testing"

	"mlabel/imageio"
	"mlabel/tensor"
)

// The refit continues from the validated model by default: its first epoch
// starts where that model ended, so its training loss is below a fresh
// start's, which Refit from scratch reproduces exactly as Run does.
func TestRefitContinuesFromTheValidatedModel(t *testing.T) {
	tr, va := synthData(t)
	cfg := quickConfig()
	pre := imageio.DefaultPreprocess(cfg.Size)
	ctx := context.Background()
	first, err := Run(ctx, cfg, Data{Train: tr, Val: va, Preprocess: pre}, "", false, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	all := tr.Subset(nil)
	all.Items = append(append(all.Items, tr.Items...), va.Items...)
	refitCfg := first.Config
	refitCfg.StopAfter = 1
	if refitCfg.RefitFrom != RefitFromValidated {
		t.Fatalf("the default refit starts from %q, want %q", refitCfg.RefitFrom, RefitFromValidated)
	}
	before := cloneWeights(first.Model.Weights())
	warm, err := Refit(ctx, refitCfg, Data{Train: all, Preprocess: pre}, first, "", false, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	refitCfg.RefitFrom = RefitFromScratch
	cold, err := Refit(ctx, refitCfg, Data{Train: all, Preprocess: pre}, first, "", false, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	run, err := Run(ctx, refitCfg, Data{Train: all, Preprocess: pre}, "", false, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	w, c := warm.History[0].TrainLoss, cold.History[0].TrainLoss
	t.Logf("first refit epoch's training loss: from the validated model %.4f, from scratch %.4f; the first run's last %.4f",
		w, c, first.History[len(first.History)-1].TrainLoss)
	if !(w < 0.8*c) {
		t.Errorf("the refit from the validated model starts at loss %.4f, not clearly below a fresh start's %.4f", w, c)
	}
	// From scratch is Run: the same weights to the bit.
	rw := run.Model.Weights()
	for name, x := range cold.Model.Weights() {
		if !sameTensor(x, rw[name]) {
			t.Fatalf("refit from scratch and Run differ at %s", name)
		}
	}
	// The validated model itself is left as it was.
	for name, x := range first.Model.Weights() {
		if !sameTensor(x, before[name]) {
			t.Fatalf("the refit changed the validated model's %s", name)
		}
	}
}

func sameTensor(a, b *tensor.Tensor) bool {
	return a != nil && b != nil && slices.Equal(a.Shape, b.Shape) && slices.Equal(a.Data, b.Data)
}

func TestRefitRefusesAnUnknownStart(t *testing.T) {
	cfg := quickConfig()
	cfg.RefitFrom = "best"
	err := cfg.Validate()
	if err == nil || !strings.Contains(err.Error(), "validated or scratch") {
		t.Fatalf("RefitFrom %q: err %v, want the two choices named", cfg.RefitFrom, err)
	}
	tr, _ := synthData(t)
	cfg.RefitFrom = RefitFromValidated
	if _, err := Refit(context.Background(), cfg, Data{Train: tr, Preprocess: imageio.DefaultPreprocess(cfg.Size)}, nil, "", false, Hooks{}); err == nil {
		t.Fatal("a refit from the validated model with none given ran")
	}
}
