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
// the run's ETA and the running loss; it turns into a validation line once
// an epoch's steps are done. Elsewhere (a pipe, a log file) it writes one
// plain line per epoch, with no carriage returns.
type progress struct {
	w     io.Writer
	tty   bool
	batch int
	now   func() time.Time

	stage                int // training stages seen: a refit starts a second
	start                time.Time
	first                int // epoch the stage (re)started at
	epoch, epochs, steps int
	step                 int
	sum                  float64
	epochStart           time.Time
	trainTime            time.Duration // time in steps, without validation
	images               int
	drawn                time.Time
	open                 bool // a progress line is on screen
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
	return p.hooks()
}

// hooks returns the training hooks of p.
func (p *progress) hooks() train.Hooks {
	return train.Hooks{
		EpochStart: p.epochStarted,
		Step:       p.stepped,
		EpochEnd:   p.epochEnded,
		Log: func(msg string) {
			p.clear()
			fmt.Fprintln(p.w, msg)
		},
	}
}

func (p *progress) epochStarted(epoch, epochs, steps int) {
	now := p.now()
	if p.stage == 0 || epoch <= p.epoch {
		// A new stage: the run, or the refit that restarts at epoch 1.
		p.stage++
		p.start, p.first, p.trainTime, p.images = now, epoch, 0, 0
	}
	p.epoch, p.epochs, p.steps, p.step, p.sum = epoch, epochs, steps, 0, 0
	p.epochStart = now
}

func (p *progress) stepped(step int, loss float64) {
	p.step, p.sum = step, p.sum+loss
	p.images += p.batch
	now := p.now()
	if step >= p.steps {
		p.trainTime += now.Sub(p.epochStart)
	}
	if !p.tty {
		return
	}
	if step >= p.steps {
		p.draw(fmt.Sprintf("%s %d/%d  validating…  loss %.4f  elapsed %s", p.name(), p.epoch, p.epochs, p.sum/float64(step), clock(now.Sub(p.start))))
		return
	}
	if now.Sub(p.drawn) < redraw {
		return
	}
	p.drawn = now
	p.draw(p.line(now))
}

// line is the progress line at now, in the middle of an epoch.
func (p *progress) line(now time.Time) string {
	const width = 24
	frac := float64(p.step) / float64(max(p.steps, 1))
	filled := int(frac * width)
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	return fmt.Sprintf("%s %d/%d [%s] %3.0f%%  %s  elapsed %s  ETA %s  loss %.4f",
		p.name(), p.epoch, p.epochs, bar, 100*frac, p.rate(now), clock(now.Sub(p.start)), p.eta(now), p.sum/float64(max(p.step, 1)))
}

// name is what the stage's epochs are called.
func (p *progress) name() string {
	if p.stage > 1 {
		return "refit"
	}
	return "epoch"
}

// rate is the training speed in images per second.
func (p *progress) rate(now time.Time) string {
	t := p.trainTime
	if p.step < p.steps {
		t += now.Sub(p.epochStart)
	}
	if t <= 0 || p.images == 0 {
		return "- img/s"
	}
	return fmt.Sprintf("%.0f img/s", float64(p.images)/t.Seconds())
}

// eta estimates the time left in the stage from its pace so far,
// validation included; early stopping can end the run sooner.
func (p *progress) eta(now time.Time) string {
	done := float64(p.epoch-p.first) + float64(p.step)/float64(max(p.steps, 1))
	total := float64(p.epochs - p.first + 1)
	if done <= 0 {
		return "-"
	}
	el := now.Sub(p.start)
	return clock(time.Duration(float64(el) * (total - done) / done))
}

func (p *progress) epochEnded(e bundle.Epoch, best bool) {
	now := p.now()
	p.clear()
	tail := fmt.Sprintf("lr %.2e  %s  elapsed %s  ETA %s", e.LR, p.rate(now), clock(now.Sub(p.start)), p.eta(now))
	if e.Unvalidated {
		fmt.Fprintf(p.w, "refit %2d/%d  train loss %.4f  %s\n", e.Epoch, p.epochs, e.TrainLoss, tail)
		return
	}
	mark := ""
	if best {
		mark = "  *best"
	}
	fmt.Fprintf(p.w, "epoch %2d/%d  train loss %.4f  val loss %.4f  val mAP %.4f  val F2 %.4f  %s%s\n",
		e.Epoch, p.epochs, e.TrainLoss, e.ValLoss, e.ValMAP, e.ValF2, tail, mark)
}

// draw replaces the progress line with s.
func (p *progress) draw(s string) {
	fmt.Fprintf(p.w, "\r\x1b[K%s", s)
	p.open = true
}

// clear removes the progress line, so that a plain line can follow.
func (p *progress) clear() {
	if p.open {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.open = false
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
