package workflow

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mlabel/augment"
	"mlabel/budget"
	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/predict"
	"mlabel/train"
)

// A budgeted run that goes late, as on a machine that got slower after
// the speed was measured, stops early and still writes a valid model: a
// late first run stops at an epoch boundary and skips the refit; a late
// refit is dropped, the validated model kept.
func TestBudgetStopsLateRunsWithAValidModel(t *testing.T) {
	dir := t.TempDir()
	ds := synthSet(t, dir, 150, 5)
	slow := func(refitOnly bool) train.Hooks {
		return train.Hooks{EpochEnd: func(e bundle.Epoch, _ bool) {
			if !refitOnly || e.Unvalidated {
				time.Sleep(400 * time.Millisecond)
			}
		}}
	}
	tests := []struct {
		name      string
		budget    time.Duration
		refitOnly bool
		wantNote  string
	}{
		{"late run", 6 * time.Second, false, "the run stopped after epoch"},
		{"late refit", 8 * time.Second, true, "refit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "-")+".mlb")
			var log strings.Builder
			base := quickConfig()
			base.View = augment.Overhead // no time spent deciding it
			o := Options{Train: base, Preprocess: imageio.DefaultPreprocess(32), ValFrac: 0.2, TestFrac: 0.2,
				Decide: decide.DefaultOptions(), Out: out, Log: &log, Hooks: slow(tc.refitOnly), Budget: &Budget{Time: tc.budget}}
			start := time.Now()
			res, err := Run(context.Background(), ds, o)
			took := time.Since(start)
			if err != nil {
				t.Fatalf("%v\n%s", err, log.String())
			}
			if took > tc.budget*11/10 {
				t.Errorf("took %s, over the budget of %s and 10%%\n%s", took, tc.budget, log.String())
			}
			b, err := bundle.Load(out)
			if err != nil {
				t.Fatal(err)
			}
			var cfg train.Config
			if err := json.Unmarshal(b.Config, &cfg); err != nil {
				t.Fatal(err)
			}
			r := cfg.Budget
			if r == nil || r.Budget != tc.budget.String() || r.Size != 32 || r.Epochs != cfg.Epochs || len(r.Measured) != 1 {
				t.Fatalf("bundle records the budget as %+v (config size %d, epochs %d)", r, cfg.Size, cfg.Epochs)
			}
			if len(r.Stopped) != 1 || !strings.Contains(r.Stopped[0], tc.wantNote) || !strings.Contains(log.String(), r.Stopped[0]) {
				t.Errorf("recorded stops %q, want one saying %q, as logged:\n%s", r.Stopped, tc.wantNote, log.String())
			}
			// The model kept is the validated one: not refitted, so its
			// recalibration reference is the validation split.
			if cfg.Refit || b.Reference == nil || b.Reference.Split != "validation" {
				t.Errorf("config refit %v, reference %+v: want the validated model", cfg.Refit, b.Reference)
			}
			if !tc.refitOnly && !res.Result.OutOfTime {
				t.Error("the late run was not stopped")
			}
			p, err := predict.New(b)
			if err != nil {
				t.Fatal(err)
			}
			s, err := p.ScoreSet(context.Background(), ds.Subset(res.Parts[2]), predict.BatchOptions{Batch: 16})
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Failures) > 0 || s.Set.Len() != len(res.Parts[2]) {
				t.Errorf("the bundle's model scored %d of %d test images (failures %v)", s.Set.Len(), len(res.Parts[2]), s.Failures)
			}
			t.Logf("took %s:\n%s", took, log.String())
		})
	}
}

// A refit continuing from the validated model that does not fit whole in
// the time left is shortened to the epochs that do, down to a third of
// its own; shorter than that, or from scratch, it is skipped. Each cut is
// logged and recorded, and only a skip marks the run as not refitted.
func TestBudgetShortensOrSkipsTheRefit(t *testing.T) {
	// 100 training and 20 validation images; a refit costs 0.12 s of
	// decoding and 1.2 s an epoch, the first run went as modelled, and
	// the refit may take 95% of the time left (budget.Headroom).
	costs, err := budget.Fit([]budget.Point{{Size: 32, Step: 0.01, Eval: 0.001, Decode: 0.001}})
	if err != nil {
		t.Fatal(err)
	}
	job := budget.Job{Train: 100, Val: 20, Refit: true}
	tests := []struct {
		name      string
		left      time.Duration
		from      string
		outOfTime bool
		want      int
		ok        bool
		note      string
	}{
		{"whole", 20 * time.Second, train.RefitFromValidated, false, 9, true, ""},
		{"shortened", 5500 * time.Millisecond, train.RefitFromValidated, false, 4, true, "shortened to 4 of 9 epochs"},
		{"under a third", 3 * time.Second, train.RefitFromValidated, false, 0, false, "skipped"},
		{"from scratch", 5 * time.Second, train.RefitFromScratch, false, 0, false, "skipped"},
		{"late first run", 20 * time.Second, train.RefitFromValidated, true, 0, false, "the run stopped after epoch 3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var log strings.Builder
			o := &Options{Log: &log, budget: &budgetState{costs: costs, job: job}}
			cfg := quickConfig()
			cfg.Refit, cfg.RefitFrom, cfg.StopAfter, cfg.Epochs = true, tc.from, 9, 9
			cfg.Deadline = time.Now().Add(tc.left)
			cfg.Budget = &budget.Record{}
			res := &train.Result{Config: cfg, OutOfTime: tc.outOfTime}
			for e := range 3 {
				res.History = append(res.History, bundle.Epoch{Epoch: e + 1, Seconds: 1.02})
			}
			got, ok := o.refitInTime(res, cfg)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("refit for %d epochs, %v; want %d, %v\n%s", got, ok, tc.want, tc.ok, log.String())
			}
			if res.Config.Refit != tc.ok {
				t.Errorf("the configuration records refit %v, want %v", res.Config.Refit, tc.ok)
			}
			stopped := res.Config.Budget.Stopped
			if tc.note == "" {
				if len(stopped) != 0 || log.Len() != 0 {
					t.Errorf("a refit in time recorded %q and logged %q", stopped, log.String())
				}
				return
			}
			if len(stopped) != 1 || !strings.Contains(stopped[0], tc.note) || !strings.Contains(log.String(), stopped[0]) {
				t.Errorf("recorded %q, logged %q; want one note saying %q", stopped, log.String(), tc.note)
			}
		})
	}
}

func TestMeasureLargest(t *testing.T) {
	sizes := []int{64, 96, 128, 160}
	tests := []struct {
		name  string
		lim   budget.Limits
		sizes []int
		plan  budget.Plan
		want  bool
	}{
		{"one size", budget.Limits{}, []int{64}, budget.Plan{Size: 64, Epochs: 30}, false},
		{"the smallest for fewer than the most epochs", budget.Limits{}, sizes, budget.Plan{Size: 64, Epochs: 14}, false},
		{"the smallest holds the most epochs", budget.Limits{}, sizes, budget.Plan{Size: 64, Epochs: 30}, true},
		{"a larger size already", budget.Limits{}, sizes, budget.Plan{Size: 128, Epochs: 30}, true},
		{"the most epochs given as a limit", budget.Limits{MaxEpochs: 12}, sizes, budget.Plan{Size: 64, Epochs: 12}, true},
		{"epochs given", budget.Limits{Epochs: 10}, sizes, budget.Plan{Size: 64, Epochs: 10}, true},
	}
	for _, tc := range tests {
		if got := measureLargest(tc.lim, tc.sizes, tc.plan); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// A refit the budget stopped late is kept only when it continued from the
// validated model and had annealed: its last epoch's learning rate under a
// tenth of the peak.
func TestKeepLateRefit(t *testing.T) {
	cfg := quickConfig()
	cfg.LR = 0.01
	epochs := func(lrs ...float64) []bundle.Epoch {
		var h []bundle.Epoch
		for i, lr := range lrs {
			h = append(h, bundle.Epoch{Epoch: i + 1, LR: lr})
		}
		return h
	}
	tests := []struct {
		name    string
		from    string
		history []bundle.Epoch
		want    bool
	}{
		{"annealed", train.RefitFromValidated, epochs(0.005, 0.01, 0.004, 0.0009), true},
		{"at a tenth", train.RefitFromValidated, epochs(0.005, 0.001), true},
		{"mid-schedule", train.RefitFromValidated, epochs(0.005, 0.01, 0.004), false},
		{"from scratch", train.RefitFromScratch, epochs(0.005, 0.01, 0.004, 0.0009), false},
		{"no epoch", train.RefitFromValidated, nil, false},
	}
	for _, tc := range tests {
		cfg.RefitFrom = tc.from
		if got := keepLateRefit(cfg, tc.history); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}
