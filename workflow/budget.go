package workflow

import (
	"context"
	"fmt"
	"math"
	"os"
	"slices"
	"time"

	"mlabel/budget"
	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/train"
)

// Budget bounds a run's wall-clock time. Run measures the speed of the
// configuration on this machine, chooses the image size and epochs by
// package budget's policy, and stops the job early when it runs late:
// a run past its time stops at an epoch boundary keeping its best
// epoch, and a refit that would not end in time is skipped, or, when it
// runs late, dropped, keeping the validated model whose predictions the
// thresholds were fitted on.
type Budget struct {
	// Time is the budget, counted from Start, or from the start of Run
	// when Start is zero.
	Time  time.Duration
	Start time.Time
	// SizeGiven and EpochsGiven keep Train.Size and Train.Epochs: the
	// budget chooses the rest.
	SizeGiven, EpochsGiven bool
	// Sizes are the candidate sizes; budget.Sizes when nil.
	Sizes []int
}

// measureSteps is the number of training steps timed at each measured size.
const measureSteps = 3

// budgetState is what a budgeted run keeps of its plan.
type budgetState struct {
	deadline time.Time
	costs    budget.Model
	job      budget.Job
}

// startBudget copies o.Budget and starts its clock when not started.
func (o *Options) startBudget() {
	if o.Budget == nil {
		return
	}
	b := *o.Budget
	if b.Start.IsZero() {
		b.Start = time.Now()
	}
	o.Budget = &b
}

// planBudget measures the speed of o.Train at the smallest and largest
// candidate sizes on the training split, chooses the size and epochs the
// time left affords, says what it chose and why, and sets o.Train (its
// size, epochs, deadline and the record of the choice) and o.Preprocess's
// size.
func (o *Options) planBudget(ctx context.Context, ds *dataset.Dataset, parts [][]int) error {
	b := o.Budget
	if b == nil {
		return nil
	}
	if b.Time <= 0 {
		return fmt.Errorf("workflow: a time budget must be positive, got %s", b.Time)
	}
	trainSet := ds.Subset(parts[0])
	lim := budget.Limits{Sizes: b.Sizes, Native: nativeSide(trainSet, o.Preprocess.MaxPixels)}
	if b.SizeGiven {
		lim.Size = o.Train.Size
	}
	if b.EpochsGiven {
		lim.Epochs = o.Train.Epochs
	}
	sizes := budget.CandidateSizes(lim)
	if err := o.resolveView(ctx, trainSet, sizes[0]); err != nil {
		return err
	}
	job := budget.Job{Train: len(parts[0]), Val: len(parts[1]), Refit: refitted(o.Train)}
	if len(parts) > 2 {
		job.Test = len(parts[2])
	}
	// The smallest size is measured first. The largest is measured too
	// only where its cost can change the choice: when the epochs are
	// given, or when the smallest size holds the most epochs, so that a
	// larger one may be taken; otherwise the smallest size is the choice
	// whatever a larger one costs, and the time stays with the training.
	var points []budget.Point
	var (
		costs budget.Model
		plan  budget.Plan
		left  time.Duration
	)
	for i, s := range []int{sizes[0], sizes[len(sizes)-1]} {
		if i == 1 && !measureLargest(lim, sizes, plan) {
			break
		}
		pre := o.Preprocess
		pre.Size = s
		p, err := train.MeasureSpeed(ctx, o.Train, train.Data{Train: trainSet, Preprocess: pre}, measureSteps)
		if err != nil {
			return fmt.Errorf("workflow: measuring the speed at %d px: %w", s, err)
		}
		points = append(points, p)
		if costs, err = budget.Fit(points); err != nil {
			return fmt.Errorf("workflow: %w", err)
		}
		left = b.Time - time.Since(b.Start)
		if plan, err = budget.Choose(left, costs, job, lim); err != nil {
			return fmt.Errorf("workflow: time budget %s: %w", b.Time, err)
		}
	}
	if plan.NoRefit {
		job.Refit, o.Train.Refit = false, false
	}
	fmt.Fprintln(o.Log, budget.Summary(b.Time, left, costs, plan, job.Refit))
	o.Train.Size, o.Train.Epochs, o.Preprocess.Size = plan.Size, plan.Epochs, plan.Size
	o.Train.Budget = budget.NewRecord(b.Time, costs, plan)
	o.budget = &budgetState{deadline: b.Start.Add(b.Time), costs: costs, job: job}
	o.Train.Deadline = o.budget.deadline.Add(-o.budget.reserve(plan.Size))
	return nil
}

// measureLargest reports whether the largest of the candidate sizes must
// be measured after plan, made from the smallest size's costs alone: not
// when it is the smallest, nor when the plan took the smallest size for
// fewer than the most epochs, as every larger size costs more and so
// holds fewer; always when the epochs are given, where the largest size
// that holds them is the choice.
func measureLargest(lim budget.Limits, sizes []int, plan budget.Plan) bool {
	if len(sizes) < 2 || sizes[len(sizes)-1] == sizes[0] {
		return false
	}
	most := lim.MaxEpochs
	if most <= 0 {
		most = budget.MaxEpochs
	}
	return lim.Epochs > 0 || plan.Size != sizes[0] || plan.Epochs >= most
}

// resolveView settles an automatic view before the plan, at size (the
// smallest candidate, as a run without a budget decides at its default
// 64 px), so that the time it takes is spent before the time left is
// counted rather than unplanned inside the run.
func (o *Options) resolveView(ctx context.Context, ds *dataset.Dataset, size int) error {
	pre := o.Preprocess
	pre.Size = size
	cfg, ev, err := train.ResolveView(ctx, o.Train, ds, pre)
	if err != nil {
		return err
	}
	o.Train = cfg
	if ev != nil {
		if o.Hooks.Log != nil {
			o.Hooks.Log(ev.String())
		} else {
			fmt.Fprintln(o.Log, ev.String())
		}
	}
	return nil
}

// reserve is the time kept after training for the work that follows:
// scoring validation once more and the test split, with a margin.
func (s *budgetState) reserve(size int) time.Duration {
	p := s.costs.At(size)
	secs := 1.5*(s.costs.FinishSeconds(s.job, size)+float64(s.job.Val)*p.Eval) + 1
	return time.Duration(secs * float64(time.Second))
}

// nativeSide is the shorter side of the smallest of the first images of
// ds, read from their headers; 0 when none can be read.
func nativeSide(ds *dataset.Dataset, maxPixels int64) int {
	side := 0
	for _, it := range ds.Items[:min(len(ds.Items), 16)] {
		data, err := os.ReadFile(it.Path)
		if err != nil {
			continue
		}
		info, err := imageio.InspectBytes(it.Name, data, maxPixels)
		if err != nil {
			continue
		}
		if s := min(info.Width, info.Height); side == 0 || s < side {
			side = s
		}
	}
	return side
}

// refitInTime reports whether a budgeted run has the time for the refit
// that cfg asks for (cfg.StopAfter epochs), and for how many epochs: the
// refit's modelled time, scaled by how much slower than modelled the first
// run went, must end before the run's deadline. A refit continuing from
// the validated model that does not fit whole is shortened to the epochs
// that do, as a whole shorter schedule, when they are at least a third
// of its own (minRefitShare); otherwise, and for a refit from scratch,
// which a short schedule leaves half trained, it is skipped. Either cut
// is said and recorded.
func (o *Options) refitInTime(res *train.Result, cfg train.Config) (int, bool) {
	epochs := cfg.StopAfter
	s := o.budget
	if s == nil {
		return epochs, true
	}
	if res.OutOfTime {
		o.budgetStop(res, fmt.Sprintf("the run stopped after epoch %d of %d to keep to the budget; the refit is skipped, the validated model kept", len(res.History), res.Config.Epochs))
		return 0, false
	}
	size := res.Config.Size
	p := s.costs.At(size)
	ran := float64(len(res.History))
	modelled := float64(s.job.Train+s.job.Val)*p.Decode + ran*(float64(s.job.Train)*p.Step+float64(s.job.Val)*p.Eval)
	observed := 0.0
	for _, e := range res.History {
		observed += e.Seconds
	}
	slower := 1.0
	if modelled > 0 {
		slower = max(1, observed/modelled)
	}
	// The refit gets the same share of the time left as the plan.
	left := time.Until(res.Config.Deadline)
	usable := time.Duration(budget.Headroom * float64(left))
	need := time.Duration(slower * s.costs.RefitSeconds(s.job, size, epochs) * float64(time.Second))
	if need <= usable {
		return epochs, true
	}
	if cfg.RefitFrom == train.RefitFromValidated {
		fixed := s.costs.RefitSeconds(s.job, size, 0)
		perEpoch := s.costs.RefitSeconds(s.job, size, 1) - fixed
		fit := 0
		if perEpoch > 0 {
			fit = int(math.Floor((usable.Seconds()/slower - fixed) / perEpoch))
		}
		if fit >= max(1, int(math.Ceil(minRefitShare*float64(epochs)))) {
			short := time.Duration(slower * s.costs.RefitSeconds(s.job, size, fit) * float64(time.Second))
			o.budgetNote(res, fmt.Sprintf("the refit would take about %s, more than the %s it may use of the %s left; it is shortened to %d of %d epochs (about %s), continuing from the validated model",
				budget.Round(need), budget.Round(max(usable, 0)), budget.Round(max(left, 0)), fit, epochs, budget.Round(short)))
			return fit, true
		}
	}
	o.budgetStop(res, fmt.Sprintf("the refit would take about %s, more than the %s it may use of the %s left; it is skipped, the validated model kept",
		budget.Round(need), budget.Round(max(usable, 0)), budget.Round(max(left, 0))))
	return 0, false
}

// keepLateRefit reports whether a refit that a budget stopped before its
// last epoch is still the better model: one continuing from the validated
// model whose last epoch ran at under a tenth of the peak learning rate,
// at the end of its schedule's anneal. A refit from scratch, or one
// stopped at a high rate, is dropped for the validated model.
func keepLateRefit(cfg train.Config, history []bundle.Epoch) bool {
	n := len(history)
	return cfg.RefitFrom == train.RefitFromValidated && n > 0 && history[n-1].LR <= cfg.LR/10
}

// minRefitShare is the least share of its epochs a refit continuing from
// the validated model may be shortened to under a time budget.
const minRefitShare = 1.0 / 3

// budgetStop logs what a budgeted run cut short and records it in the
// run's configuration, which goes into the bundle. Every cut keeps the
// validated model: the configuration records it as not refitted.
func (o *Options) budgetStop(res *train.Result, msg string) {
	res.Config.Refit = false
	o.budgetNote(res, msg)
}

// budgetNote logs what a budgeted run changed to keep to its time and
// records it in the run's configuration.
func (o *Options) budgetNote(res *train.Result, msg string) {
	fmt.Fprintln(o.Log, "time budget: "+msg)
	if r := res.Config.Budget; r != nil {
		r.Stopped = append(slices.Clip(r.Stopped), msg)
	}
}
