package train

import (
	"context"
	"slices"
	"strings"
	"testing"

	"mlabel/dataset"
	"mlabel/imageio"
)

// TestFrozenOutOfFold checks that each fold is scored by a head that never
// saw its tags: changing every tag of fold 0 leaves fold 0's scores as they
// were, and changes another fold's.
func TestFrozenOutOfFold(t *testing.T) {
	skipUnderRace(t)
	tr, va := synthData(t)
	pre := imageio.DefaultPreprocess(32)
	backbone := pretrainedBackbone(t, Data{Train: tr, Val: va, Preprocess: pre})
	folds, err := dataset.Folds(tr, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	cfg := quickConfig()
	cfg.Backbone, cfg.FreezeBackbone, cfg.FeatureViews, cfg.Arch = backbone, true, 2, "backbone"
	var logs []string
	hooks := Hooks{Log: func(m string) { logs = append(logs, m) }}
	a, err := FrozenOutOfFold(context.Background(), cfg, tr, pre, folds, hooks)
	if err != nil {
		t.Fatal(err)
	}
	for k, f := range folds {
		if len(a[k]) != len(f) {
			t.Fatalf("fold %d: %d rows for %d images", k, len(a[k]), len(f))
		}
		for _, row := range a[k] {
			if len(row) != len(tr.Labels) || slices.ContainsFunc(row, func(p float64) bool { return !(p >= 0 && p <= 1) }) {
				t.Fatalf("fold %d: bad row %v", k, row)
			}
		}
	}
	if n := len(slices.DeleteFunc(slices.Clone(logs), func(m string) bool { return !strings.HasPrefix(m, "cached") })); n != 1 {
		t.Errorf("features cached %d times, want once: %q", n, logs)
	}
	relabelled := tr.Subset(seq(len(tr.Items)))
	for _, i := range folds[0] {
		it := relabelled.Items[i]
		var pos []int
		for l := range tr.Labels {
			if !slices.Contains(it.Pos, l) {
				pos = append(pos, l)
			}
		}
		relabelled.Items[i].Pos = pos
	}
	b, err := FrozenOutOfFold(context.Background(), cfg, relabelled, pre, folds, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	for r := range a[0] {
		if !slices.Equal(a[0][r], b[0][r]) {
			t.Fatalf("fold 0 row %d changed with fold 0's own tags: %v -> %v", r, a[0][r], b[0][r])
		}
	}
	same := true
	for r := range a[1] {
		same = same && slices.Equal(a[1][r], b[1][r])
	}
	if same {
		t.Errorf("fold 1's scores did not change when its training tags did")
	}
	cfg.FreezeBackbone = false
	if _, err := FrozenOutOfFold(context.Background(), cfg, tr, pre, folds, Hooks{}); err == nil {
		t.Errorf("a backbone that is not frozen was accepted")
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
