package train

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/synth"
)

var (
	synthOnce sync.Once
	synthDS   *dataset.Dataset
	synthErr  error
)

// synthData returns a small demo dataset shared by the tests of this package.
func synthData(t *testing.T) (train, val *dataset.Dataset) {
	t.Helper()
	synthOnce.Do(func() {
		dir, err := mkdirTemp()
		if err != nil {
			synthErr = err
			return
		}
		csv, err := synth.Generate(synth.Options{Dir: dir, Count: 240, Size: 32, Seed: 7})
		if err != nil {
			synthErr = err
			return
		}
		synthDS, synthErr = dataset.Load(dataset.Options{CSV: csv, Images: filepath.Join(dir, synth.ImagesDir), Labels: synth.Labels()})
	})
	if synthErr != nil {
		t.Fatal(synthErr)
	}
	idx := make([]int, len(synthDS.Items))
	for i := range idx {
		idx[i] = i
	}
	return synthDS.Subset(idx[:180]), synthDS.Subset(idx[180:])
}

func quickConfig() Config {
	cfg := Defaults()
	cfg.Size = 32
	cfg.Width = 8
	cfg.Batch = 30
	cfg.Epochs = 3
	cfg.Workers = 2
	return cfg
}

func TestRunLearnsAndKeepsBest(t *testing.T) {
	tr, va := synthData(t)
	cfg := quickConfig()
	var steps int
	var valSteps [][2]int
	hooks := Hooks{
		Step:    func(int, float64) { steps++ },
		ValStep: func(b, n int) { valSteps = append(valSteps, [2]int{b, n}) },
	}
	res, err := Run(context.Background(), cfg, Data{Train: tr, Val: va, Preprocess: imageio.DefaultPreprocess(cfg.Size)}, "", false, hooks)
	if err != nil {
		t.Fatal(err)
	}
	// Each epoch's validation pass reports its start and its batches in
	// order.
	valBatches := (len(va.Items) + cfg.Batch - 1) / cfg.Batch
	if len(valSteps) != cfg.Epochs*(valBatches+1) {
		t.Fatalf("validation reported %v, want the start and %d batches in each of %d epochs", valSteps, valBatches, cfg.Epochs)
	}
	for i, vs := range valSteps {
		if want := [2]int{i % (valBatches + 1), valBatches}; vs != want {
			t.Errorf("validation report %d is %v, want %v", i, vs, want)
		}
	}
	if len(res.History) != cfg.Epochs {
		t.Fatalf("history has %d epochs, want %d", len(res.History), cfg.Epochs)
	}
	if want := cfg.Epochs * (len(tr.Items) / cfg.Batch); steps != want {
		t.Fatalf("%d steps, want %d", steps, want)
	}
	first, last := res.History[0], res.History[len(res.History)-1]
	if !(last.TrainLoss < first.TrainLoss) {
		t.Errorf("training loss did not fall: %v -> %v", first.TrainLoss, last.TrainLoss)
	}
	best := res.History[res.BestEpoch-1]
	for _, e := range res.History {
		if e.ValMAP > best.ValMAP {
			t.Errorf("epoch %d has val mAP %v above the kept epoch %d's %v", e.Epoch, e.ValMAP, res.BestEpoch, best.ValMAP)
		}
	}
	mAP, _, err := quick(res.Val)
	if err != nil {
		t.Fatal(err)
	}
	if mAP != best.ValMAP {
		t.Errorf("returned model scores val mAP %v, the best epoch recorded %v", mAP, best.ValMAP)
	}
	// Constant scores reach the labels' mean prevalence: even a 3-epoch run
	// of a tiny network must be well above it.
	base := constantMAP(t, res.Val)
	t.Logf("val mAP %.3f, constant scores' %.3f", mAP, base)
	if mAP < base+mapMargin {
		t.Errorf("val mAP %v after %d epochs, want at least %.3f: constant scores' %.3f and %.2f more", mAP, cfg.Epochs, base+mapMargin, base, mapMargin)
	}
}

// An interrupted run resumed from its checkpoint ends with the same weights
// as an uninterrupted one.
// A run interrupted and resumed ends with the weights of an uninterrupted
// one, with and without a weight average.
func TestResumeMatchesUninterrupted(t *testing.T) {
	skipUnderRace(t)
	for _, ema := range []float64{0, 0.9} {
		t.Run(fmt.Sprintf("ema %g", ema), func(t *testing.T) { resumeMatchesUninterrupted(t, ema) })
	}
}

func resumeMatchesUninterrupted(t *testing.T, ema float64) {
	tr, va := synthData(t)
	cfg := quickConfig()
	cfg.Epochs, cfg.EMA = 2, ema
	data := Data{Train: tr, Val: va, Preprocess: imageio.DefaultPreprocess(cfg.Size)}
	full, err := Run(context.Background(), cfg, data, "", false, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	ckpt := filepath.Join(t.TempDir(), "m.ckpt")
	ctx, cancel := context.WithCancel(context.Background())
	_, err = Run(ctx, cfg, data, ckpt, false, Hooks{EpochEnd: func(e bundle.Epoch, _ bool) {
		if e.Epoch == 1 {
			cancel() // interrupt during epoch 2
		}
	}})
	if err == nil {
		t.Fatal("cancelled run reported success")
	}
	var logged []string
	res, err := Run(context.Background(), cfg, data, ckpt, true, Hooks{Log: func(m string) { logged = append(logged, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.ResumedFrom != 1 || len(logged) == 0 {
		t.Fatalf("resumed from %d (log %q), want 1", res.ResumedFrom, logged)
	}
	if len(res.History) != 2 {
		t.Fatalf("history has %d epochs after resume, want 2", len(res.History))
	}
	a, b := full.Model.Weights(), res.Model.Weights()
	for k, v := range a {
		for i := range v.Data {
			if d := v.Data[i] - b[k].Data[i]; d > 1e-4 || d < -1e-4 {
				t.Fatalf("%s[%d]: resumed %v, uninterrupted %v", k, i, b[k].Data[i], v.Data[i])
			}
		}
	}
	// A different configuration refuses the checkpoint.
	cfg.Size = 48
	data.Preprocess = imageio.DefaultPreprocess(48)
	if _, err := Run(context.Background(), cfg, data, ckpt, true, Hooks{}); err == nil {
		t.Fatal("resumed a checkpoint made with another image size")
	}
}

func TestCosineWarmupFraction(t *testing.T) {
	cfg := Defaults()
	cfg.Schedule, cfg.LR, cfg.Warmup = "cosine", 0.1, 0.2
	s := newSchedule(cfg)
	const total = 100
	peak := 0.0
	peakAt := 0
	for i := 0; i < total; i++ {
		if lr := s.LR(i, total); lr > peak {
			peak, peakAt = lr, i
		}
	}
	if peakAt != 20 || peak > 0.1+1e-12 || peak < 0.1-1e-9 {
		t.Errorf("peak %v at step %d, want 0.1 at step 20 (20%% of 100 steps)", peak, peakAt)
	}
	if first := s.LR(0, total); first >= peak/2 {
		t.Errorf("first step at %v: no warm-up", first)
	}
}

// A resumed run refuses a checkpoint made with other settings, naming each
// difference, unless ResumeChanged says to go on with the new ones.
func TestResumeRefusesChangedSettings(t *testing.T) {
	skipUnderRace(t)
	tr, va := synthData(t)
	cfg := quickConfig()
	cfg.Epochs = 2
	data := Data{Train: tr, Val: va, Preprocess: imageio.DefaultPreprocess(cfg.Size)}
	ckpt := filepath.Join(t.TempDir(), "m.ckpt")
	ctx, cancel := context.WithCancel(context.Background())
	Run(ctx, cfg, data, ckpt, false, Hooks{EpochEnd: func(e bundle.Epoch, _ bool) { cancel() }})
	changed := cfg
	changed.LR, changed.WeightDecay, changed.Workers = 1e-2, 0.05, 1
	_, err := Run(context.Background(), changed, data, ckpt, true, Hooks{})
	if err == nil {
		t.Fatal("resumed a checkpoint made with another learning rate")
	}
	for _, want := range []string{"lr: 0.003 → 0.01", "weight_decay: 0.01 → 0.05", "--force"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not name %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "workers") {
		t.Errorf("error %q names the worker count, which does not matter", err)
	}
	changed.ResumeChanged = true
	var logged []string
	res, err := Run(context.Background(), changed, data, ckpt, true, Hooks{Log: func(m string) { logged = append(logged, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if res.ResumedFrom != 1 || !slices.ContainsFunc(logged, func(m string) bool { return strings.Contains(m, "changed settings: lr") }) {
		t.Errorf("resumed from %d, log %q", res.ResumedFrom, logged)
	}
}
