// Package budget chooses the image size and number of epochs of a training
// run from a wall-clock budget and the speed measured on this machine.
//
// The cost model: the per-image time of a training step, of an evaluation
// forward pass and of decoding an image is measured at the smallest and
// the largest candidate size and fitted as a + b·size² (a fixed part, and
// a part growing with the pixels) through both, which gives the sizes
// between; one measured size scales as size². A job's time at a size s and E epochs is
//
//	first run:  (train+val)·decode(s) + E·(train·step(s) + val·eval(s)) + val·eval(s)
//	refit:      (train+val)·decode(s) + E·(train+val)·step(s)       (when refitted)
//	finish:     test·(decode(s) + eval(s))
//
// since the loaders decode each image once and keep its pixels, each epoch
// ends with a validation pass, the best epoch's model scores validation
// once more, and the refit trains on training and validation images
// together through the whole schedule with loaders of its own.
//
// The policy: epochs first, then resolution. Small features (roads, small
// clearings) vanish at low resolution, but on small sets a larger image
// trained for fewer epochs scored worse than the defaults' 64 px, so the
// time goes to the schedule first and a larger size (up to the images'
// native side) is taken only where the whole schedule still fits. Among the candidate sizes (Sizes, at most
// the native side), Choose takes the largest at which at least MinEpochs
// (the full schedule) fit in Headroom of the time left, or, when none
// does, the smallest size with as many epochs as fit down to FloorEpochs,
// so that the schedule is never a sketch, and gives it as many epochs as fit, up to MaxEpochs, beyond which a
// longer run buys little. A size or epoch count the user fixed is kept and
// the other is chosen; a fixed pair that does not fit is refused.
package budget

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// The policy's defaults.
const (
	// MinEpochs is the epochs a size must hold before Choose takes it over
	// a smaller one: as many as MaxEpochs, so that time goes to the
	// schedule and the refit first, at the defaults' size, and to a larger
	// image only once the schedule is full. On Planet's chips every larger
	// image for fewer epochs scored below 64 px for 15 (160 px for 9
	// epochs, 128 px for 10: mAP about 0.40 against 0.55; BENCHMARKS.md).
	MinEpochs = MaxEpochs
	// FloorEpochs is the fewest epochs Choose plans at the smallest size
	// when even there MinEpochs do not fit: a one-cycle schedule shorter
	// than that hardly anneals.
	FloorEpochs = 8
	// MaxEpochs is the most epochs Choose plans.
	MaxEpochs = 30
	// Headroom is the fraction of the time left that a plan fills, the
	// rest absorbing the error of the estimate.
	Headroom = 0.95
)

// Sizes are the candidate image sides, ascending.
var Sizes = []int{64, 96, 128, 160}

// Point is a configuration's measured cost per image at one size, in
// seconds.
type Point struct {
	Size int `json:"size"`
	// Step is a training step's time per image: forward and backward
	// passes, update, and the augmentation of cached pixels.
	Step float64 `json:"step_seconds"`
	// Eval is an evaluation forward pass's time per image.
	Eval float64 `json:"eval_seconds"`
	// Decode is the time to read, decode and resize an image, which a
	// loader does once per image.
	Decode float64 `json:"decode_seconds"`
}

// Model gives the cost per image at any size, fitted on measured points
// as a + b·size² for each of step, evaluation and decoding.
type Model struct {
	// Points are the measurements the model was fitted on, by size.
	Points []Point
	a, b   Point // the constant and the size² coefficients
	floor  Point // the least of the measured costs
}

// Fit fits a model on one or two measured points: with one, every cost
// scales with size²; with two, each cost is the line through them in
// size², so that the model gives each measured size its measurement and
// interpolates between them. Costs are never modelled below the least
// measured.
func Fit(points []Point) (Model, error) {
	switch {
	case len(points) == 0 || len(points) > 2:
		return Model{}, fmt.Errorf("budget: need one or two measured sizes, have %d", len(points))
	case len(points) == 2 && points[0].Size == points[1].Size:
		return Model{}, fmt.Errorf("budget: the two measured sizes are both %d", points[0].Size)
	}
	for _, p := range points {
		if p.Size <= 0 || !(p.Step > 0) || !(p.Eval >= 0) || !(p.Decode >= 0) {
			return Model{}, fmt.Errorf("budget: invalid measurement %+v", p)
		}
	}
	m := Model{Points: append([]Point(nil), points...)}
	lo, hi := points[0], points[len(points)-1]
	fit := func(ylo, yhi float64) (a, b, floor float64) {
		if lo.Size == hi.Size {
			return 0, ylo / sq(lo.Size), 0
		}
		b = (yhi - ylo) / (sq(hi.Size) - sq(lo.Size))
		return ylo - b*sq(lo.Size), b, min(ylo, yhi)
	}
	m.a.Step, m.b.Step, m.floor.Step = fit(lo.Step, hi.Step)
	m.a.Eval, m.b.Eval, m.floor.Eval = fit(lo.Eval, hi.Eval)
	m.a.Decode, m.b.Decode, m.floor.Decode = fit(lo.Decode, hi.Decode)
	return m, nil
}

func sq(s int) float64 { return float64(s) * float64(s) }

// At returns the modelled costs per image at size.
func (m Model) At(size int) Point {
	s2 := sq(size)
	at := func(a, b, floor float64) float64 { return max(a+b*s2, floor) }
	return Point{Size: size, Step: at(m.a.Step, m.b.Step, m.floor.Step), Eval: at(m.a.Eval, m.b.Eval, m.floor.Eval),
		Decode: at(m.a.Decode, m.b.Decode, m.floor.Decode)}
}

// Job is the work a run does besides its epochs' count: the images of
// each split and whether the final model is refitted on training and
// validation images together.
type Job struct {
	Train, Val, Test int
	Refit            bool
}

// Seconds is the modelled time of job j at size and epochs (see the
// package comment).
func (m Model) Seconds(j Job, size, epochs int) float64 {
	fixed, perEpoch := m.parts(j, size)
	return fixed + float64(epochs)*perEpoch
}

// RefitSeconds is the modelled time of the refit alone.
func (m Model) RefitSeconds(j Job, size, epochs int) float64 {
	p := m.At(size)
	both := float64(j.Train + j.Val)
	return both*p.Decode + float64(epochs)*both*p.Step
}

// FinishSeconds is the modelled time of the work after training: scoring
// the test split.
func (m Model) FinishSeconds(j Job, size int) float64 {
	p := m.At(size)
	return float64(j.Test) * (p.Decode + p.Eval)
}

// parts splits the modelled time of j at size into the part independent
// of the epochs and the time of one epoch.
func (m Model) parts(j Job, size int) (fixed, perEpoch float64) {
	p := m.At(size)
	tr, va := float64(j.Train), float64(j.Val)
	fixed = (tr+va)*p.Decode + va*p.Eval + m.FinishSeconds(j, size)
	perEpoch = tr*p.Step + va*p.Eval
	if j.Refit {
		fixed += (tr + va) * p.Decode
		perEpoch += (tr + va) * p.Step
	}
	return fixed, perEpoch
}

// Limits constrain a choice.
type Limits struct {
	// Sizes are the candidate sides, ascending; the package's Sizes when
	// nil.
	Sizes []int
	// Native is the images' side: no candidate is larger, and when every
	// candidate is, Native is the only one. 0: no bound.
	Native int
	// Size and Epochs, when positive, are fixed by the user: the choice
	// keeps them.
	Size, Epochs int
	// MinEpochs and MaxEpochs bound the epochs planned; the package's
	// constants when 0.
	MinEpochs, MaxEpochs int
}

// Candidate is a size with the most epochs that fit the budget at it
// (within the limits; 0 when not even the fewest do) and the modelled
// time of the job at those epochs, or at the fewest when none fit.
type Candidate struct {
	Size    int     `json:"size"`
	Epochs  int     `json:"epochs"`
	Seconds float64 `json:"seconds"`
}

// Plan is a choice: the size and epochs, the job's expected time, the
// candidates it was chosen from and why.
type Plan struct {
	Size, Epochs int
	Expected     time.Duration
	Candidates   []Candidate
	Reason       string
	// NoRefit tells that the job asked for a refit that no candidate
	// could hold, and that the plan is for the job without it.
	NoRefit bool
}

// Choose returns the plan for job j in the time left, on model m, within
// limits l, by the package's policy. A job with a refit that no candidate
// can hold is planned without it (Plan.NoRefit): a validated model in
// time is worth more than a refused run. It is an error when no candidate
// fits even so, naming the time the cheapest would need with the refit.
func Choose(left time.Duration, m Model, j Job, l Limits) (Plan, error) {
	p, err := choose(left, m, j, l)
	if err == nil || !j.Refit {
		return p, err
	}
	alone := j
	alone.Refit = false
	q, qerr := choose(left, m, alone, l)
	if qerr != nil {
		return p, err
	}
	q.NoRefit = true
	q.Reason += ", without the refit, which no size holds"
	return q, nil
}

// choose is Choose for job j as it is.
func choose(left time.Duration, m Model, j Job, l Limits) (Plan, error) {
	if l.MinEpochs <= 0 {
		l.MinEpochs = MinEpochs
	}
	if l.MaxEpochs <= 0 {
		l.MaxEpochs = MaxEpochs
	}
	minE, maxE := l.MinEpochs, l.MaxEpochs
	if l.Epochs > 0 {
		minE, maxE = l.Epochs, l.Epochs
	}
	target := Headroom * left.Seconds()
	var plan Plan
	best := -1
	for _, s := range CandidateSizes(l) {
		fixed, perEpoch := m.parts(j, s)
		e := min(maxE, int(math.Floor((target-fixed)/perEpoch)))
		c := Candidate{Size: s, Epochs: e}
		if e < minE {
			c.Epochs = 0
			e = minE
		}
		c.Seconds = m.Seconds(j, s, e)
		plan.Candidates = append(plan.Candidates, c)
		if c.Epochs > 0 {
			best = len(plan.Candidates) - 1
		}
	}
	if best < 0 && l.Epochs == 0 && minE > FloorEpochs {
		// Not even the smallest size keeps the schedule: it gets the
		// epochs that fit, down to FloorEpochs.
		fixed, perEpoch := m.parts(j, plan.Candidates[0].Size)
		if e := min(maxE, int(math.Floor((target-fixed)/perEpoch))); e >= FloorEpochs {
			c := &plan.Candidates[0]
			c.Epochs, c.Seconds = e, m.Seconds(j, c.Size, e)
			best = 0
		} else {
			minE = FloorEpochs
		}
	}
	if best < 0 {
		c := plan.Candidates[0]
		return plan, fmt.Errorf("budget: the cheapest plan, %d px for %d epochs, needs about %s, more than the %s left",
			c.Size, minE, Round(seconds(c.Seconds/Headroom)), Round(max(left, 0)))
	}
	c := plan.Candidates[best]
	plan.Size, plan.Epochs, plan.Expected = c.Size, c.Epochs, seconds(c.Seconds)
	plan.Reason = reason(c, l, plan.Candidates)
	return plan, nil
}

// CandidateSizes are the sizes Choose considers: the fixed one, or the
// candidates up to the native side (the native side alone when every
// candidate is larger).
func CandidateSizes(l Limits) []int {
	if l.Size > 0 {
		return []int{l.Size}
	}
	sizes := l.Sizes
	if sizes == nil {
		sizes = Sizes
	}
	var out []int
	for _, s := range sizes {
		if l.Native <= 0 || s <= l.Native {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		out = []int{l.Native}
	}
	return out
}

// reason says why c was chosen.
func reason(c Candidate, l Limits, all []Candidate) string {
	var why []string
	switch {
	case l.Size > 0:
		why = append(why, "the size given")
	case c.Size == all[len(all)-1].Size && l.Native > 0 && c.Size >= l.Native:
		why = append(why, fmt.Sprintf("the images' native %d px", l.Native))
	case c.Size == all[len(all)-1].Size:
		why = append(why, "the largest candidate size")
	case c.Epochs < max(l.MinEpochs, l.Epochs):
		why = append(why, fmt.Sprintf("the smallest size, since no size holds %d epochs", max(l.MinEpochs, l.Epochs)))
	default:
		why = append(why, fmt.Sprintf("the largest size with %d epochs or more", max(l.MinEpochs, l.Epochs)))
	}
	switch {
	case l.Epochs > 0:
		why = append(why, "the epochs given")
	case c.Epochs == l.MaxEpochs:
		why = append(why, fmt.Sprintf("%d epochs at most", l.MaxEpochs))
	default:
		why = append(why, "as many epochs as fit")
	}
	return strings.Join(why, ", ")
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// Round rounds d for printing: to the second, or to the tenth of a second
// under ten seconds.
func Round(d time.Duration) time.Duration {
	if d < 10*time.Second {
		return d.Round(100 * time.Millisecond)
	}
	return d.Round(time.Second)
}

// Summary says in two lines what was measured, the candidates, the choice
// and why, and the time expected, for a budget of total with left still
// to spend.
func Summary(total, left time.Duration, m Model, p Plan, refit bool) string {
	var b strings.Builder
	fmt.Fprintf(&b, "budget %s (%s left after reading the images and measuring): a training step takes", total, Round(left))
	for i, pt := range m.Points {
		if i > 0 {
			b.WriteString(" and")
		}
		fmt.Fprintf(&b, " %s per image at %d px", ms(pt.Step), pt.Size)
	}
	if len(m.Points) == 2 {
		lo, hi := m.Points[0], m.Points[1]
		if hi.Size < lo.Size {
			lo, hi = hi, lo
		}
		fmt.Fprintf(&b, " (size² from %d px predicts %s)", lo.Size, ms(lo.Step*sq(hi.Size)/sq(lo.Size)))
	}
	b.WriteString("\nbudget: candidates")
	for i, c := range p.Candidates {
		sep := ","
		if i == 0 {
			sep = ""
		}
		if c.Epochs == 0 {
			fmt.Fprintf(&b, "%s %d px × too few epochs", sep, c.Size)
		} else {
			fmt.Fprintf(&b, "%s %d px × %d epochs", sep, c.Size, c.Epochs)
		}
	}
	what := "decoding and validation"
	if refit {
		what = "decoding, validation and the refit"
	}
	fmt.Fprintf(&b, "; chose %d px, %d epochs (%s), expected %s with %s", p.Size, p.Epochs, p.Reason, Round(p.Expected), what)
	return b.String()
}

// ms formats seconds as milliseconds.
func ms(s float64) string { return fmt.Sprintf("%.3g ms", s*1000) }

// Record is what a model bundle keeps of a budgeted run: the budget, the
// measurements, the candidates, the choice's reason and expected time, and
// anything the run cut short to keep to the budget.
type Record struct {
	Budget     string      `json:"budget"`
	Seconds    float64     `json:"budget_seconds"`
	Measured   []Point     `json:"measured"`
	Candidates []Candidate `json:"candidates"`
	// Size and Epochs are the choice.
	Size   int    `json:"size"`
	Epochs int    `json:"epochs"`
	Reason string `json:"reason"`
	// Expected is the modelled time of the whole job, in seconds.
	Expected float64 `json:"expected_seconds"`
	// Stopped says what the run cut short to keep to the budget, if
	// anything.
	Stopped []string `json:"stopped,omitempty"`
}

// NewRecord records plan p, chosen on model m for a budget of total.
func NewRecord(total time.Duration, m Model, p Plan) *Record {
	return &Record{Budget: total.String(), Seconds: total.Seconds(), Measured: m.Points, Candidates: p.Candidates,
		Size: p.Size, Epochs: p.Epochs, Reason: p.Reason, Expected: p.Expected.Seconds()}
}
