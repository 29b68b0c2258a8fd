package bundle

import (
	"strings"
	"testing"
	"time"

	"mlabel/decide"
	"mlabel/shift"
)

// A recalibrated copy holds the new rule, named and structured as the old
// one, the reference and a record of the batch after the earlier ones,
// and leaves the old bundle as it was.
func TestRecalibrated(t *testing.T) {
	labels := []string{"a", "b", "c"}
	old := &decide.Rules{Kind: decide.PerClass, Labels: 3, Global: 0.5, PerClass: []float64{0.3, 0.5, 0.7},
		Structure: &decide.Structure{AtMostOne: [][]string{{"a", "b"}}}}
	res := &shift.Result{
		Rules: &decide.Rules{Kind: decide.PerClass, Labels: 3, Global: 0.5, PerClass: []float64{0.2, 0.5, 0.8}},
		Estimates: []shift.Estimate{{Train: 0.5, Estimated: 0.6}, {Train: 0.3, Estimated: 0.3, Kept: true, Reason: shift.KeptUnlearned},
			{Train: 0.2, Estimated: 0.1}},
	}
	ref := &shift.Reference{Images: 40}
	earlier := shift.Record{Batch: shift.Batch{Source: "earlier"}}
	b := &Bundle{Header: Header{Labels: labels, Created: time.Now(), Rules: old, Recalibrations: []shift.Record{earlier}}}
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	nb := b.Recalibrated(old, ref, res, shift.Batch{Source: "new", Images: 400}, now)
	if !nb.Created.IsZero() {
		t.Errorf("created %v, want zero", nb.Created)
	}
	if got := nb.Rules; strings.Join(got.Names, ",") != "a,b,c" || got.Structure.Empty() || got.PerClass[0] != 0.2 {
		t.Errorf("rules %+v named %v with structure %+v", got, got.Names, got.Structure)
	}
	if nb.Reference != ref {
		t.Errorf("reference %+v", nb.Reference)
	}
	if len(nb.Recalibrations) != 2 || nb.Recalibrations[0].Batch.Source != "earlier" {
		t.Fatalf("recalibrations %+v", nb.Recalibrations)
	}
	rec := nb.Recalibrations[1]
	if rec.Batch.Source != "new" || !rec.Created.Equal(now) || len(rec.Old) != 3 || rec.Old[0] != 0.3 || rec.New[2] != 0.8 ||
		rec.Estimated[0] != 0.6 || len(rec.Kept) != 3 || rec.Kept[1] != shift.KeptUnlearned {
		t.Errorf("record %+v", rec)
	}
	if len(b.Recalibrations) != 1 || b.Created.IsZero() || b.Rules != old {
		t.Error("the old bundle changed")
	}
}
