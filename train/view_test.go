package train

import (
	"context"
	"testing"

	"mlabel/augment"
	"mlabel/imageio"
)

func TestResolveView(t *testing.T) {
	tr, _ := synthData(t)
	pre := imageio.DefaultPreprocess(32)
	for _, tc := range []struct {
		view            augment.View
		want            augment.View
		dihedral, hflip bool
		evidence        bool
	}{
		// The synthetic farm tiles are overhead imagery.
		{augment.Auto, augment.Overhead, true, false, true},
		{augment.Ground, augment.Ground, false, true, false},
		{augment.Overhead, augment.Overhead, true, false, false},
	} {
		cfg := quickConfig()
		cfg.View = tc.view
		got, ev, err := ResolveView(context.Background(), cfg, tr, pre)
		if err != nil {
			t.Fatal(err)
		}
		if got.View != tc.want || got.Augment.Dihedral != tc.dihedral || got.Augment.HFlip != tc.hflip {
			t.Errorf("%s: view %s dihedral %v hflip %v, want %s %v %v", tc.view, got.View, got.Augment.Dihedral, got.Augment.HFlip, tc.want, tc.dihedral, tc.hflip)
		}
		if (ev != nil) != tc.evidence || (ev != nil && ev.Images != min(len(tr.Items), viewSample)) {
			t.Errorf("%s: evidence %v", tc.view, ev)
		}
	}
	// An empty view leaves the pipeline alone.
	cfg := quickConfig()
	cfg.View, cfg.Augment.Dihedral = "", false
	if got, _, _ := ResolveView(context.Background(), cfg, tr, pre); got.Augment.Dihedral || got.View != "" {
		t.Errorf("empty view changed the config: %+v", got)
	}
}

func TestRunWithoutValidationKeepsLastEpoch(t *testing.T) {
	tr, _ := synthData(t)
	cfg := quickConfig()
	cfg.Epochs, cfg.StopAfter = 3, 2
	res, err := Run(context.Background(), cfg, Data{Train: tr, Preprocess: imageio.DefaultPreprocess(32)}, "", false, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.History) != 2 || res.BestEpoch != 2 || res.Val != nil {
		t.Fatalf("history %d epochs, best %d, val %v; want 2 unvalidated epochs", len(res.History), res.BestEpoch, res.Val)
	}
	for _, e := range res.History {
		if !e.Unvalidated {
			t.Errorf("epoch %d is not marked unvalidated", e.Epoch)
		}
	}
	// The schedule is the 3-epoch one, cut after 2: the last step's lr is
	// that of step 12 of 18 (180 images, batches of 30).
	if got, want := res.History[1].LR, newSchedule(cfg).LR(11, 18); got != want {
		t.Errorf("last lr %g, want %g of the 3-epoch schedule", got, want)
	}
	cfg.StopAfter = 0
	if _, err := Run(context.Background(), cfg, Data{Train: tr, Preprocess: imageio.DefaultPreprocess(32)}, "", false, Hooks{}); err == nil {
		t.Error("a run with neither validation nor StopAfter was accepted")
	}
	cfg.StopAfter = 4
	if _, err := Run(context.Background(), cfg, Data{Train: tr, Preprocess: imageio.DefaultPreprocess(32)}, "", false, Hooks{}); err == nil {
		t.Error("StopAfter beyond the epochs was accepted")
	}
}
