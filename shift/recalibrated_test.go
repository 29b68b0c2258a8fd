package shift

import (
	"strings"
	"testing"

	"mlabel/decide"
)

func TestInherit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		old     decide.Rules
		beta    float64
		obj     decide.Objective
		zeroDiv float64
	}{
		{"the rule's own", decide.Rules{Beta: 1, Objective: decide.MicroF, ZeroDivision: 1}, 1, decide.MicroF, 1},
		{"defaults where the rule names none", decide.Rules{}, 2, decide.SamplesF, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := DefaultOptions()
			o.Inherit(&tc.old)
			if o.Decide.Beta != tc.beta || o.Decide.Objective != tc.obj || o.Decide.ZeroDivision != tc.zeroDiv {
				t.Errorf("got beta %v, objective %q, zero division %v; want %v, %q, %v",
					o.Decide.Beta, o.Decide.Objective, o.Decide.ZeroDivision, tc.beta, tc.obj, tc.zeroDiv)
			}
		})
	}
}

func TestNewBatch(t *testing.T) {
	a := NewBatch([]string{"a/", "b.jpg"}, []string{"h2", "h1"}, 1)
	b := NewBatch([]string{"c/"}, []string{"h1", "h2"}, 0)
	if a.Source != "a/, b.jpg" || a.Images != 2 || a.Skipped != 1 {
		t.Errorf("batch %+v", a)
	}
	if a.SHA256 != b.SHA256 || len(a.SHA256) != 64 {
		t.Errorf("digests %q and %q of the same hashes in another order differ", a.SHA256, b.SHA256)
	}
	if c := NewBatch(nil, []string{"h1", "h3"}, 0); c.SHA256 == a.SHA256 {
		t.Error("different hashes give the same digest")
	}
}

func TestWarning(t *testing.T) {
	moved := Drift{KS: 0.3, Critical: 0.1, ScoresMoved: true}
	for _, tc := range []struct {
		name string
		e    Estimate
		d    Drift
		want string // a part of the warning; "" for none
	}{
		{"nothing moved", Estimate{Train: 0.3, Estimated: 0.3}, Drift{KS: 0.05, Critical: 0.1}, ""},
		{"a label shift", Estimate{Train: 0.3, Estimated: 0.6}, Drift{KS: 0.3, Critical: 0.1, ScoresMoved: true, PrevalenceMoved: true}, ""},
		{"unlearned", Estimate{Kept: true, Reason: KeptUnlearned}, moved, "does not separate this label"},
		{"weak", Estimate{Kept: true, Reason: KeptWeak}, moved, "does not prove that the model separates"},
		{"disagree", Estimate{Estimated: 0.4, BBSE: 0.2, Kept: true, Reason: KeptDisagree}, moved, "EM (0.400) and BBSE (0.200) disagree"},
		{"explained", Estimate{Kept: true, Reason: KeptExplained}, moved, "a label that moved more"},
		{"no shift kept, scores moved", Estimate{Kept: true, Reason: KeptNoShift}, moved, "KS 0.300 > 0.100"},
		{"covariate", Estimate{Train: 0.3, Estimated: 0.3}, moved, "covariate shift"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Warning(tc.e, tc.d)
			if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
				t.Errorf("Warning = %q, want one with %q", got, tc.want)
			}
		})
	}
}
