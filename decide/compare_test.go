package decide

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestCompare(t *testing.T) {
	fit, eval := randomSplit(11, 80, 4, true), randomSplit(12, 60, 4, false)
	c, err := Compare(fit, eval, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	names := []string{"0.5", "global", "per-class", "top-k", "pcut", "expected-F"}
	if len(c.Rows) != len(names) {
		t.Fatalf("rows %v", c.Rows)
	}
	for k, r := range c.Rows {
		if r.Rule != names[k] || r.Rules == nil {
			t.Errorf("row %d = %+v, want rule %s", k, r, names[k])
		}
		for _, v := range []float64{r.SamplesF, r.MacroF1, r.SubsetAccuracy} {
			if v < 0 || v > 1 {
				t.Errorf("%s: value %v out of range", r.Rule, v)
			}
		}
		// The row scores the rule on eval, not on fit.
		want, err := score(eval, r.Rules, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		if want.SamplesF != r.SamplesF {
			t.Errorf("%s: samples F %v, rescored %v", r.Rule, r.SamplesF, want.SamplesF)
		}
	}
	var buf bytes.Buffer
	if err := c.WriteTable(&buf); err != nil {
		t.Fatal(err)
	}
	for _, want := range append(names, "samples F2", "macro F1", "subset accuracy") {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, buf.String())
		}
	}
}

func TestCompareRefusesSameSplit(t *testing.T) {
	s := randomSplit(1, 10, 3, false)
	if _, err := Compare(s, s, DefaultOptions()); !errors.Is(err, ErrSameSplit) {
		t.Errorf("err = %v, want ErrSameSplit", err)
	}
	if _, err := Compare(s, randomSplit(2, 10, 2, false), DefaultOptions()); err == nil {
		t.Error("label count mismatch: want an error")
	}
}

func TestKFoldAndCrossDecide(t *testing.T) {
	folds, err := KFold(10, 3, 5)
	if err != nil {
		t.Fatal(err)
	}
	size := map[int]int{}
	for _, f := range folds {
		size[f]++
	}
	if len(size) != 3 || size[0] < 3 || size[0] > 4 || size[1] < 3 || size[2] < 3 {
		t.Errorf("fold sizes %v", size)
	}
	if _, err := KFold(3, 5, 1); err == nil {
		t.Error("more folds than samples: want an error")
	}
	s := randomSplit(4, 10, 3, false)
	got, err := crossDecide(s, folds, Global, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	// Each fold's decisions come from a rule fitted on the other folds.
	for f := 0; f < 3; f++ {
		var rest, in []int
		for i, g := range folds {
			if g == f {
				in = append(in, i)
			} else {
				rest = append(rest, i)
			}
		}
		r, err := fitGlobal(s.Rows(rest), DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range in {
			for j, v := range s.Scores[i] {
				if got[i][j] != (v >= r.Global) {
					t.Errorf("fold %d row %d label %d: decision %v", f, i, j, got[i][j])
				}
			}
		}
	}
	if _, err := crossDecide(s, folds[:5], Global, DefaultOptions()); err == nil {
		t.Error("short folds: want an error")
	}
}
