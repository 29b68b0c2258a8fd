package decide

import (
	"slices"
	"strings"
	"testing"

	"mlabel/infer"
)

func TestParseKind(t *testing.T) {
	for _, k := range []Kind{Fixed, Global, PerClass, TopK, PCut, ExpectedF} {
		if got, err := ParseKind(string(k)); err != nil || got != k {
			t.Errorf("ParseKind(%q) = %q, %v", k, got, err)
		}
	}
	if _, err := ParseKind("median"); err == nil || !strings.Contains(err.Error(), "median") {
		t.Errorf("ParseKind(median) error %v", err)
	}
}

// Halves splits the rows in two disjoint halves that cover the set, the
// same for the same seed.
func TestHalves(t *testing.T) {
	s := miscalibrated(3, 101, 2, 0)
	for i := range s.Scores {
		s.Names = append(s.Names, string(rune('A'+i%26))+strings.Repeat("x", i/26))
	}
	fit, eval, err := Halves(s, 7)
	if err != nil {
		t.Fatal(err)
	}
	if fit.Len()+eval.Len() != s.Len() || fit.Len() < 45 || eval.Len() < 45 {
		t.Fatalf("halves of %d and %d rows from %d", fit.Len(), eval.Len(), s.Len())
	}
	all := append(slices.Clone(fit.Names), eval.Names...)
	slices.Sort(all)
	want := slices.Clone(s.Names)
	slices.Sort(want)
	if !slices.Equal(all, want) {
		t.Fatal("the halves do not cover the set exactly once")
	}
	again, _, _ := Halves(s, 7)
	if !slices.Equal(again.Names, fit.Names) {
		t.Error("the same seed gave other halves")
	}
	if _, _, err := Halves(s.Rows(nil), 7); err == nil {
		t.Error("split an empty set")
	}
}

// FitCalibrated fits the rule on calibrated scores and carries the
// calibration; without a method it is Fit.
func TestFitCalibrated(t *testing.T) {
	s := miscalibrated(5, 400, 3, -1)
	o := DefaultOptions()
	raw, err := FitCalibrated(s, PerClass, o, "")
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := Fit(s, PerClass, o)
	if raw.Calibration != nil || !slices.Equal(raw.Thresholds(), plain.Thresholds()) {
		t.Errorf("no method: %v, Fit: %v", raw.Thresholds(), plain.Thresholds())
	}
	cal, err := FitCalibrated(s, PerClass, o, "platt")
	if err != nil {
		t.Fatal(err)
	}
	if cal.Calibration == nil {
		t.Fatal("the calibration is not stored in the rule")
	}
	// Decisions on the raw scores are those of the rule fitted on the
	// calibrated scores applied to calibrated scores.
	c, _ := FitCalibration(s, "platt")
	direct, _ := Fit(infer.Set{Scores: c.Apply(s.Scores), Truth: s.Truth, Mask: s.Mask}, PerClass, o)
	if !slices.Equal(cal.Thresholds(), direct.Thresholds()) {
		t.Errorf("thresholds %v, fitted on calibrated scores %v", cal.Thresholds(), direct.Thresholds())
	}
	if _, err := FitCalibrated(s, PerClass, o, "isotonic-ish"); err == nil {
		t.Error("accepted an unknown calibration method")
	}
}
