package workflow

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mlabel/augment"
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
