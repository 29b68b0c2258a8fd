package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"

	"mlabel/bundle"
	"mlabel/train"
)

// isTerminal reports whether w is a terminal, where progress is redrawn in
// place.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progress draws a training run on w. On a terminal one line, redrawn in
// place, shows the whole run: epoch, a bar, images per second, elapsed time,
// the elapsed time and the ETA of the whole job (a refit the plan announces
// included) and the running loss; once an epoch's steps are done a second line below it
// follows the validation pass. Elsewhere (a pipe, a log file) it writes one
// plain line per epoch, with no carriage returns.
type progress struct {
	w     io.Writer
	tty   bool
	width int // the terminal's columns, 0 when unknown
	batch int
	now   func() time.Time

	stage                int       // training stages seen: a refit starts a second
	jobStart, start      time.Time // of the whole job, of the stage
	first                int       // epoch the stage (re)started at
	epoch, epochs, steps int
	step                 int
	sum                  float64
	epochStart           time.Time
	images               int // images the stage has trained on
	plan                 []train.Stage
	// stepTime and stepImages are the time in training steps, without
	// validation, and the images they trained on, over the whole job: the
	// pace that prices the stages to come.
	stepTime   time.Duration
	stepImages int
	valStart   time.Time
	drawn      time.Time
	shown      int // progress lines on screen, the cursor at the end of the last
}

// redraw is the least time between two frames on a terminal.
const redraw = 100 * time.Millisecond

// trainHooks returns the training hooks that draw progress on w, or none
// when quiet; batch is the batch size, for images per second.
func trainHooks(w io.Writer, quiet bool, batch int) train.Hooks {
	if quiet {
		return train.Hooks{}
	}
	p := &progress{w: w, tty: isTerminal(w), batch: batch, now: time.Now}
	if f, ok := w.(*os.File); ok && p.tty {
		if cols, _, err := term.GetSize(int(f.Fd())); err == nil {
			p.width = cols
		}
	}
	return p.hooks()
}

// hooks returns the training hooks of p.
func (p *progress) hooks() train.Hooks {
	return train.Hooks{
		EpochStart: p.epochStarted,
		Step:       p.stepped,
		EpochEnd:   p.epochEnded,
		ValStep:    p.validated,
		Log: func(msg string) {
			p.clear()
			fmt.Fprintln(p.w, msg)
		},
		Plan: func(stages []train.Stage) { p.plan = stages },
	}
}

func (p *progress) epochStarted(epoch, epochs, steps int) {
	now := p.now()
	if p.stage == 0 || epoch <= p.epoch {
		// A new stage: the run, or the refit that restarts at epoch 1.
		p.stage++
		p.start, p.first, p.images = now, epoch, 0
		if p.stage == 1 {
			p.jobStart = now
		}
	}
	p.epoch, p.epochs, p.steps, p.step, p.sum = epoch, epochs, steps, 0, 0
	p.epochStart = now
}

func (p *progress) stepped(step int, loss float64) {
	p.step, p.sum = step, p.sum+loss
	p.images += p.batch
	now := p.now()
	if step >= p.steps {
		p.stepTime += now.Sub(p.epochStart)
		p.stepImages += step * p.batch
	}
	if !p.tty {
		return
	}
	if step < p.steps && now.Sub(p.drawn) < redraw {
		return
	}
	p.drawn = now
	p.draw(p.line(now))
}

// validated draws the validation line below the progress line as the
// validation pass starts (batch 0) and after batch of batches.
func (p *progress) validated(batch, batches int) {
	if !p.tty {
		return
	}
	now := p.now()
	if batch == 0 {
		p.valStart = now
	} else if batch < batches && now.Sub(p.drawn) < redraw {
		return
	}
	p.drawn = now
	frac := float64(batch) / float64(max(batches, 1))
	p.draw(p.line(now), fmt.Sprintf("  validating [%s] %d/%d batches  %s", bar(frac, 16), batch, batches, clock(now.Sub(p.valStart))))
}

// line is the progress line at now: the epoch's steps, the speed and the
// time of the run.
func (p *progress) line(now time.Time) string {
	frac := float64(p.step) / float64(max(p.steps, 1))
	return fmt.Sprintf("%s %d/%d [%s] %3.0f%%  %s  elapsed %s  ETA %s  loss %.4f",
		p.name(), p.epoch, p.total(), bar(frac, 24), 100*frac, p.rate(now), clock(now.Sub(p.jobStart)), p.eta(now), p.sum/float64(max(p.step, 1)))
}

// bar draws the fraction frac of a bar of width cells.
func bar(frac float64, width int) string {
	filled := min(max(int(frac*float64(width)), 0), width)
	return strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
}

// name is what the stage's epochs are called.
func (p *progress) name() string {
	if p.stage > 1 {
		return "refit"
	}
	return "epoch"
}

// total is the number of epochs of the stage: those the plan announces for
// a later stage (a refit stopped at the best epoch trains fewer than its
// schedule's), otherwise those the training loop reports.
func (p *progress) total() int {
	if p.stage > 1 && p.stage <= len(p.plan) && p.plan[p.stage-1].Epochs > 0 {
		return min(p.plan[p.stage-1].Epochs, p.epochs)
	}
	return p.epochs
}

// minRateTime is the least wall time a speed is measured over: over less,
// as when a head trains on cached features in milliseconds, a rate says
// nothing.
const minRateTime = time.Second

// rate is the training speed: the stage's images per second of wall time,
// validation included.
func (p *progress) rate(now time.Time) string {
	t := now.Sub(p.start)
	if t < minRateTime || p.images == 0 {
		return "- img/s"
	}
	r := float64(p.images) / t.Seconds()
	if r >= 10000 {
		return fmt.Sprintf("%.0fk img/s", r/1000)
	}
	return fmt.Sprintf("%.0f img/s", r)
}

// eta estimates the time left in the whole job: the stage's, from its pace
// so far, validation included, and the later stages' of the plan, at the
// pace of the training steps so far. Early stopping can end the run sooner.
func (p *progress) eta(now time.Time) string {
	done := float64(p.epoch-p.first) + float64(p.step)/float64(max(p.steps, 1))
	total := float64(p.total() - p.first + 1)
	if done <= 0 {
		return "-"
	}
	el := now.Sub(p.start)
	left := time.Duration(float64(el) * max(total-done, 0) / done)
	for i := p.stage; i < len(p.plan); i++ {
		if p.stepImages == 0 {
			return "-"
		}
		perImage := float64(p.stepTime) / float64(p.stepImages)
		left += time.Duration(perImage * float64(p.plan[i].Epochs*p.plan[i].Images))
	}
	return clock(left)
}

func (p *progress) epochEnded(e bundle.Epoch, best bool) {
	now := p.now()
	p.clear()
	tail := fmt.Sprintf("lr %.2e  %s  elapsed %s  ETA %s", e.LR, p.rate(now), clock(now.Sub(p.jobStart)), p.eta(now))
	if e.Unvalidated {
		fmt.Fprintf(p.w, "refit %2d/%d  train loss %.4f  %s\n", e.Epoch, p.total(), e.TrainLoss, tail)
		return
	}
	mark := ""
	if best {
		mark = "  *best"
	}
	fmt.Fprintf(p.w, "epoch %2d/%d  train loss %.4f  val loss %.4f  val mAP %.4f  val F2 %.4f%s  %s%s\n",
		e.Epoch, p.epochs, e.TrainLoss, e.ValLoss, e.ValMAP, e.ValF2, mIoUText(e), tail, mark)
}

// draw replaces the progress lines on screen with lines, each cut to the
// terminal's width so that none wraps and the cursor can climb back over
// them.
func (p *progress) draw(lines ...string) {
	var b strings.Builder
	b.WriteString(p.erase())
	for i, l := range lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(p.fit(l))
	}
	fmt.Fprint(p.w, b.String())
	p.shown = len(lines)
}

// erase returns the escapes that take the cursor to the start of the first
// progress line and clear the screen from there.
func (p *progress) erase() string {
	if p.shown > 1 {
		return fmt.Sprintf("\r\x1b[%dA\x1b[J", p.shown-1)
	}
	return "\r\x1b[J"
}

// fit cuts s to one column less than the terminal's width.
func (p *progress) fit(s string) string {
	if r := []rune(s); p.width > 1 && len(r) >= p.width {
		return string(r[:p.width-1])
	}
	return s
}

// clear removes the progress lines, so that a plain line can follow.
func (p *progress) clear() {
	if p.shown > 0 {
		fmt.Fprint(p.w, p.erase())
		p.shown = 0
	}
}

// clock formats d as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// mIoUText is "  val mIoU 0.1234" for an epoch of a segmentation run, ""
// otherwise.
func mIoUText(e bundle.Epoch) string {
	if e.ValMIoU == 0 {
		return ""
	}
	return fmt.Sprintf("  val mIoU %.4f", e.ValMIoU)
}
