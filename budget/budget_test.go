package budget

import (
	"math"
	"strings"
	"testing"
	"time"
)

// quadratic is a model whose training step takes 1 ms per image at 64 px,
// scaling as size², with free decoding and evaluation: on 1000 training
// images and no validation, an epoch takes 1 s at 64 px, 2.25 s at 96,
// 4 s at 128 and 6.25 s at 160.
func quadratic(t *testing.T) Model {
	t.Helper()
	m, err := Fit([]Point{{Size: 64, Step: 1e-3}})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestChoose(t *testing.T) {
	job := Job{Train: 1000}
	tests := []struct {
		name       string
		left       time.Duration
		job        Job
		limits     Limits
		size, ep   int
		wantErr    string
		candidates int
	}{
		// The plan fills 95% of the time left.
		{name: "ample: largest size, epochs to fill", left: 100 * time.Second, job: job, size: 160, ep: 15, candidates: 4},
		{name: "160 px gets too few epochs", left: 40 * time.Second, job: job, size: 128, ep: 9, candidates: 4},
		{name: "tighter", left: 20 * time.Second, job: job, size: 96, ep: 8, candidates: 4},
		{name: "smallest size only", left: 10 * time.Second, job: job, size: 64, ep: 9, candidates: 4},
		{name: "epochs capped", left: time.Hour, job: job, size: 160, ep: MaxEpochs, candidates: 4},
		{name: "too short", left: 5 * time.Second, job: job, wantErr: "64 px for 8 epochs, needs about 8.4s, more than the 5s left"},
		{name: "no larger than the images", left: 100 * time.Second, job: job, limits: Limits{Native: 100}, size: 96, ep: 30, candidates: 2},
		{name: "small images: their own size", left: 100 * time.Second, job: job, limits: Limits{Native: 32}, size: 32, ep: 30, candidates: 1},
		{name: "size given", left: 20 * time.Second, job: job, limits: Limits{Size: 64}, size: 64, ep: 19, candidates: 1},
		{name: "size given, too large", left: 20 * time.Second, job: job, limits: Limits{Size: 160}, wantErr: "160 px for 8 epochs"},
		{name: "epochs given", left: 100 * time.Second, job: job, limits: Limits{Epochs: 20}, size: 128, ep: 20, candidates: 4},
		{name: "epochs given beyond the cap", left: 1000 * time.Second, job: job, limits: Limits{Epochs: 40}, size: 160, ep: 40, candidates: 4},
		{name: "both given, fitting", left: 100 * time.Second, job: job, limits: Limits{Size: 96, Epochs: 20}, size: 96, ep: 20, candidates: 1},
		{name: "both given, contradicting the budget", left: 100 * time.Second, job: job, limits: Limits{Size: 160, Epochs: 20}, wantErr: "160 px for 20 epochs, needs about 2m12s"},
		// The refit trains every epoch again: twice the time.
		{name: "refit halves the epochs", left: 100 * time.Second, job: Job{Train: 1000, Refit: true}, size: 128, ep: 11, candidates: 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.limits
			if l.MinEpochs == 0 {
				l.MinEpochs = 8 // the arithmetic below; the default is TestChooseKeepsTheSchedule's
			}
			p, err := Choose(tc.left, quadratic(t), tc.job, l)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Choose: %+v, error %v; want an error with %q", p, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Size != tc.size || p.Epochs != tc.ep {
				t.Errorf("chose %d px × %d epochs, want %d × %d (candidates %+v)", p.Size, p.Epochs, tc.size, tc.ep, p.Candidates)
			}
			if len(p.Candidates) != tc.candidates {
				t.Errorf("%d candidates, want %d: %+v", len(p.Candidates), tc.candidates, p.Candidates)
			}
			if p.Expected > time.Duration(Headroom*float64(tc.left)) {
				t.Errorf("expected %s, over %g of %s", p.Expected, Headroom, tc.left)
			}
			if p.Reason == "" {
				t.Error("no reason given")
			}
		})
	}
}

func TestSecondsCountsEveryStage(t *testing.T) {
	m, err := Fit([]Point{{Size: 64, Step: 0.001, Eval: 0.0004, Decode: 0.002}})
	if err != nil {
		t.Fatal(err)
	}
	j := Job{Train: 500, Val: 100, Test: 150}
	// first run: 600 decodes, 10 × (500 steps + 100 evals), 100 evals;
	// finish: 150 × (decode + eval).
	first := 600*0.002 + 10*(500*0.001+100*0.0004) + 100*0.0004
	finish := 150 * (0.002 + 0.0004)
	if got, want := m.Seconds(j, 64, 10), first+finish; math.Abs(got-want) > 1e-9 {
		t.Errorf("without refit: %g s, want %g", got, want)
	}
	j.Refit = true
	refit := 600*0.002 + 10*600*0.001
	if got, want := m.Seconds(j, 64, 10), first+refit+finish; math.Abs(got-want) > 1e-9 {
		t.Errorf("with refit: %g s, want %g", got, want)
	}
	if got := m.RefitSeconds(j, 64, 10); math.Abs(got-refit) > 1e-9 {
		t.Errorf("refit alone: %g s, want %g", got, refit)
	}
	// At twice the side, each cost is four times as large.
	if got, want := m.Seconds(j, 128, 10), 4*(first+refit+finish); math.Abs(got-want) > 1e-9 {
		t.Errorf("at 128 px: %g s, want %g", got, want)
	}
}

func TestFit(t *testing.T) {
	tests := []struct {
		name   string
		points []Point
		at     int
		want   float64 // step seconds at `at`
	}{
		{"one point: size²", []Point{{Size: 64, Step: 1}}, 128, 4},
		{"two points: a + b·size²", []Point{{Size: 64, Step: 1 + 64*64}, {Size: 128, Step: 1 + 128*128}}, 96, 1 + 96*96},
		{"order does not matter", []Point{{Size: 128, Step: 1 + 128*128}, {Size: 64, Step: 1 + 64*64}}, 160, 1 + 160*160},
		{"measured sizes keep their measurements", []Point{{Size: 64, Step: 1}, {Size: 128, Step: 8}}, 64, 1},
		{"faster than size²: the line in size²", []Point{{Size: 64, Step: 1}, {Size: 128, Step: 8}}, 96, 1 + 7*(96*96-64*64)/float64(128*128-64*64)},
		{"shrinking: never below the least measured", []Point{{Size: 64, Step: 3}, {Size: 128, Step: 2}}, 160, 2},
	}
	for _, tc := range tests {
		m, err := Fit(tc.points)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := m.At(tc.at).Step; math.Abs(got-tc.want) > 1e-9*tc.want {
			t.Errorf("%s: step at %d px %g, want %g", tc.name, tc.at, got, tc.want)
		}
	}
	for _, bad := range [][]Point{nil, {{Size: 64, Step: 1}, {Size: 64, Step: 2}}, {{Size: 64, Step: 0}}, {{Size: 64, Step: math.NaN()}}} {
		if _, err := Fit(bad); err == nil {
			t.Errorf("Fit(%v): no error", bad)
		}
	}
}

// By default a larger size is taken only where the whole schedule
// (MaxEpochs) still fits: 40 s buy 64 px for 30 epochs, not 96 px for 16;
// 100 s buy 96 px for 30 epochs.
func TestChooseKeepsTheSchedule(t *testing.T) {
	p, err := Choose(40*time.Second, quadratic(t), Job{Train: 1000}, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Size != 64 || p.Epochs != 30 {
		t.Errorf("chose %d px × %d epochs, want 64 × 30 (candidates %+v)", p.Size, p.Epochs, p.Candidates)
	}
	if p, err := Choose(100*time.Second, quadratic(t), Job{Train: 1000}, Limits{}); err != nil || p.Size != 96 || p.Epochs != 30 {
		t.Errorf("100 s: %d px × %d epochs, %v; want 96 × 30", p.Size, p.Epochs, err)
	}
	// 12 s hold 64 px for 11 epochs, short of the schedule but above the floor of 8;
	// 8 s hold 7, below it: refused.
	if p, err := Choose(12*time.Second, quadratic(t), Job{Train: 1000}, Limits{}); err != nil || p.Size != 64 || p.Epochs != 11 {
		t.Errorf("12 s: %d px × %d epochs, %v; want 64 × 11", p.Size, p.Epochs, err)
	}
	if _, err := Choose(8*time.Second, quadratic(t), Job{Train: 1000}, Limits{}); err == nil || !strings.Contains(err.Error(), "64 px for 8 epochs") {
		t.Errorf("8 s: %v, want a refusal naming 64 px for 8 epochs", err)
	}
}

func TestSummary(t *testing.T) {
	m, err := Fit([]Point{{Size: 64, Step: 1e-3}, {Size: 128, Step: 3.6e-3}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Choose(time.Minute, m, Job{Train: 1000, Refit: true}, Limits{MinEpochs: 8})
	if err != nil {
		t.Fatal(err)
	}
	s := Summary(time.Minute, time.Minute, m, p, true)
	for _, want := range []string{"1 ms per image at 64 px", "3.6 ms per image at 128 px", "size² from 64 px predicts 4 ms", "160 px × too few epochs", "chose 96 px", "the refit"} {
		if !strings.Contains(s, want) {
			t.Errorf("summary lacks %q:\n%s", want, s)
		}
	}
	if n := strings.Count(s, "\n"); n != 1 {
		t.Errorf("summary has %d lines, want 2:\n%s", n+1, s)
	}
}

// A refit that no size can hold is left out of the plan rather than the
// run refused; a job that cannot hold even its first run is refused.
func TestChooseWithoutTheRefit(t *testing.T) {
	m := quadratic(t)
	with := Job{Train: 1000, Refit: true}
	// 12 s hold 64 px for 11 epochs alone (TestChooseKeepsTheSchedule),
	// 5 with the refit: below the floor of 8.
	p, err := Choose(12*time.Second, m, with, Limits{})
	if err != nil || !p.NoRefit || p.Size != 64 || p.Epochs != 11 || !strings.Contains(p.Reason, "without the refit") {
		t.Errorf("12 s with a refit: %+v, %v; want 64 px × 11 epochs without the refit", p, err)
	}
	// 40 s hold it with the refit: planned with it.
	if p, err := Choose(40*time.Second, m, with, Limits{}); err != nil || p.NoRefit {
		t.Errorf("40 s with a refit: %+v, %v; want a plan with the refit", p, err)
	}
	// 8 s hold 7 epochs alone: refused, naming the need with the refit.
	if _, err := Choose(8*time.Second, m, with, Limits{}); err == nil || !strings.Contains(err.Error(), "64 px for 8 epochs") {
		t.Errorf("8 s: %v, want a refusal naming 64 px for 8 epochs", err)
	}
}
