package optim

import "math"

// Schedule gives the learning rate of each step of a run of total steps.
// Steps count from 0; steps outside [0, total) are clamped to that range.
type Schedule interface {
	LR(step, total int) float64
}

// Constant is a schedule that keeps the same learning rate.
type Constant float64

// LR implements Schedule.
func (c Constant) LR(step, total int) float64 { return float64(c) }

// OneCycle is PyTorch's OneCycleLR with cosine annealing in two phases: the
// rate rises from MaxLR/DivFactor to MaxLR over the first PctStart of the
// steps, then falls to MaxLR/(DivFactor·FinalDivFactor). Momentum (Adam's
// β1) cycles the other way, from MaxMomentum down to BaseMomentum at the
// peak rate and back, as with PyTorch's cycle_momentum; it is not cycled
// when both are zero.
type OneCycle struct {
	MaxLR          float64 // peak learning rate
	PctStart       float64 // fraction of the steps spent rising; default 0.3
	DivFactor      float64 // initial rate = MaxLR/DivFactor; default 25
	FinalDivFactor float64 // final rate = initial/FinalDivFactor; default 1e4
	BaseMomentum   float64 // momentum at the peak rate; default 0.85
	MaxMomentum    float64 // momentum at the first and last steps; default 0.95
}

// MomentumSchedule is a schedule that also sets the optimizer's momentum
// at each step; 0 means leave it as configured.
type MomentumSchedule interface {
	Momentum(step, total int) float64
}

// MomentumSetter is an optimizer whose momentum (SGD's momentum, Adam's
// β1) a MomentumSchedule can change between steps.
type MomentumSetter interface {
	SetMomentum(m float64)
}

// NewOneCycle returns a one-cycle schedule peaking at maxLR with PyTorch's
// defaults: PctStart 0.3, DivFactor 25, FinalDivFactor 1e4.
func NewOneCycle(maxLR float64) *OneCycle {
	return &OneCycle{MaxLR: maxLR, PctStart: 0.3, DivFactor: 25, FinalDivFactor: 1e4, BaseMomentum: 0.85, MaxMomentum: 0.95}
}

// Momentum implements MomentumSchedule.
func (s *OneCycle) Momentum(step, total int) float64 {
	if s.BaseMomentum == 0 && s.MaxMomentum == 0 {
		return 0
	}
	step = clampStep(step, total)
	riseEnd := s.PctStart*float64(total) - 1
	x := float64(step)
	if x <= riseEnd {
		return cosAnneal(s.MaxMomentum, s.BaseMomentum, fraction(x, 0, riseEnd))
	}
	return cosAnneal(s.BaseMomentum, s.MaxMomentum, fraction(x, riseEnd, float64(total-1)))
}

// LR implements Schedule.
func (s *OneCycle) LR(step, total int) float64 {
	step = clampStep(step, total)
	initial := s.MaxLR / s.DivFactor
	final := initial / s.FinalDivFactor
	// PyTorch's phase boundaries: the rise ends at step PctStart·total-1,
	// the fall at step total-1.
	riseEnd := s.PctStart*float64(total) - 1
	x := float64(step)
	if x <= riseEnd {
		return cosAnneal(initial, s.MaxLR, fraction(x, 0, riseEnd))
	}
	return cosAnneal(s.MaxLR, final, fraction(x, riseEnd, float64(total-1)))
}

// WarmupCosine rises linearly from StartFactor·BaseLR to BaseLR over Warmup
// steps, then follows a cosine from BaseLR down to MinLR at the last step,
// as PyTorch's LinearLR followed by CosineAnnealingLR with T_max equal to
// the remaining steps.
type WarmupCosine struct {
	BaseLR      float64 // peak learning rate, reached at step Warmup
	MinLR       float64 // learning rate at the end
	Warmup      int     // number of warm-up steps
	StartFactor float64 // the first step's rate is StartFactor·BaseLR
}

// NewWarmupCosine returns a cosine schedule with warmup linear warm-up
// steps starting at 1% of baseLR and decaying to 0.
func NewWarmupCosine(baseLR float64, warmup int) *WarmupCosine {
	return &WarmupCosine{BaseLR: baseLR, Warmup: warmup, StartFactor: 0.01}
}

// LR implements Schedule.
func (s *WarmupCosine) LR(step, total int) float64 {
	step = clampStep(step, total)
	if step < s.Warmup {
		f := s.StartFactor + (1-s.StartFactor)*float64(step)/float64(s.Warmup)
		return s.BaseLR * f
	}
	span := total - s.Warmup
	if span <= 0 {
		return s.BaseLR
	}
	return cosAnneal(s.BaseLR, s.MinLR, float64(step-s.Warmup)/float64(span))
}

// cosAnneal goes from start (pct 0) to end (pct 1) along half a cosine.
func cosAnneal(start, end, pct float64) float64 {
	return end + (start-end)/2*(math.Cos(math.Pi*pct)+1)
}

// fraction returns where x lies between lo and hi, or 1 for an empty range.
func fraction(x, lo, hi float64) float64 {
	if hi <= lo {
		return 1
	}
	return (x - lo) / (hi - lo)
}

func clampStep(step, total int) int {
	if step >= total {
		step = total - 1
	}
	return max(step, 0)
}
