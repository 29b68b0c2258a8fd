package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mlabel/bundle"
	"mlabel/train"
)

// runProgress drives the hooks through a run of 2 epochs of 4 steps, one
// second a step and two of validation in two batches, then a refit of one
// epoch that the plan announces (of a 2-epoch schedule, stopped after 1),
// on a terminal of width columns when tty.
func runProgress(tty bool, width int) string {
	var buf bytes.Buffer
	t0 := time.Unix(0, 0)
	now := t0
	p := &progress{w: &buf, tty: tty, width: width, batch: 10, now: func() time.Time { return now }}
	h := p.hooks()
	h.Plan([]train.Stage{{Epochs: 2, Images: 40, Validated: true}, {Epochs: 1, Images: 40}})
	for e := 1; e <= 2; e++ {
		h.EpochStart(e, 2, 4)
		for s := 1; s <= 4; s++ {
			now = now.Add(time.Second)
			h.Step(s, 0.5)
		}
		h.ValStep(0, 2)
		for b := 1; b <= 2; b++ {
			now = now.Add(time.Second)
			h.ValStep(b, 2)
		}
		h.EpochEnd(bundle.Epoch{Epoch: e, TrainLoss: 0.5, ValLoss: 0.6, ValMAP: 0.7, ValF2: 0.8, LR: 1e-3}, e == 1)
	}
	h.Log("refitting on training and validation images")
	h.EpochStart(1, 2, 4)
	for s := 1; s <= 4; s++ {
		now = now.Add(time.Second)
		h.Step(s, 0.4)
	}
	h.EpochEnd(bundle.Epoch{Epoch: 1, TrainLoss: 0.4, LR: 1e-3, Unvalidated: true}, false)
	return buf.String()
}

func TestProgressPlain(t *testing.T) {
	out := runProgress(false, 0)
	if strings.ContainsAny(out, "\r\x1b") {
		t.Errorf("plain output has carriage returns or escapes: %q", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("%d lines, want one per epoch and the notice:\n%s", len(lines), out)
	}
	for _, want := range []string{
		// Epoch 1 took 6 s of 12: 6 s left, and the refit's 40 images
		// at the 0.1 s an image of the steps so far: 4 s; 40 images in
		// 6 s of wall time.
		"epoch  1/2  train loss 0.5000  val loss 0.6000  val mAP 0.7000  val F2 0.8000  lr 1.00e-03  7 img/s  elapsed 0:06  ETA 0:10  *best",
		// The first pass is done; the refit is still ahead.
		"epoch  2/2", "elapsed 0:12  ETA 0:04",
		// The refit trains the plan's one epoch, not the schedule's 2;
		// the time elapsed is the whole job's.
		"refit  1/1  train loss 0.4000  lr 1.00e-03  10 img/s  elapsed 0:16  ETA 0:00",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

func TestProgressTerminal(t *testing.T) {
	out := runProgress(true, 0)
	for _, want := range []string{
		"\r\x1b[Jepoch 1/2 [", "img/s  elapsed 0:01  ETA", "loss 0.5000",
		// The validation line appears below the finished bar, and the
		// cursor climbs back over it to redraw both.
		"\r\x1b[Jepoch 1/2 [========================] 100%  10 img/s  elapsed 0:04  ETA 0:08  loss 0.5000\n  validating [                ] 0/2 batches  0:00",
		"\r\x1b[1A\x1b[Jepoch 1/2 [========================] 100%  8 img/s  elapsed 0:05  ETA 0:09  loss 0.5000\n  validating [========        ] 1/2 batches  0:01",
		"\n  validating [================] 2/2 batches  0:02\r\x1b[1A\x1b[Jepoch  1/2  train loss",
		"\r\x1b[Jrefit 1/1 [",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("terminal output lacks %q:\n%q", want, out)
		}
	}
	// The refit has no validation line; nothing is left on screen at the
	// end.
	refit := out[strings.Index(out, "refitting"):]
	if strings.Contains(refit, "validating") {
		t.Errorf("the unvalidated refit shows a validation line:\n%q", refit)
	}
	if !strings.HasSuffix(out, "\n") {
		t.Errorf("the output does not end on a finished line:\n%q", out)
	}
	// Every finished line is written on cleared progress lines: after the
	// last erase, only an epoch's line or a notice.
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	for i, l := range lines {
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "  validating") {
			continue // the progress line above a validation line
		}
		rest := l
		if i := strings.LastIndex(l, "\x1b[J"); i >= 0 {
			rest = l[i+3:]
		}
		if !strings.HasPrefix(rest, "epoch  ") && !strings.HasPrefix(rest, "refit  ") && !strings.HasPrefix(rest, "refitting") {
			t.Errorf("line %q", l)
		}
	}
}

// On a narrow terminal each progress line is cut so that none wraps.
func TestProgressTerminalWidth(t *testing.T) {
	out := runProgress(true, 40)
	for _, l := range strings.Split(out, "\n") {
		if i := strings.LastIndex(l, "\x1b[J"); i >= 0 {
			l = l[i+3:]
		}
		if strings.HasPrefix(l, "epoch  ") || strings.HasPrefix(l, "refit  ") || strings.HasPrefix(l, "refitting") {
			continue // finished lines are not progress lines
		}
		if n := len([]rune(l)); n >= 40 {
			t.Errorf("progress line of %d columns on a 40-column terminal: %q", n, l)
		}
	}
	if !strings.Contains(out, "\n  validating [") {
		t.Errorf("no validation line on a narrow terminal:\n%q", out)
	}
}

// A head trained on cached features runs its epochs in microseconds: the
// rate is not measured over so little time, rather than shown in millions.
func TestProgressCachedFeatures(t *testing.T) {
	var buf bytes.Buffer
	now := time.Unix(0, 0)
	p := &progress{w: &buf, batch: 64, now: func() time.Time { return now }}
	h := p.hooks()
	for e := 1; e <= 3; e++ {
		h.EpochStart(e, 3, 100)
		for s := 1; s <= 100; s++ {
			now = now.Add(time.Microsecond)
			h.Step(s, 0.5)
		}
		h.EpochEnd(bundle.Epoch{Epoch: e, LR: 1e-3}, false)
	}
	out := buf.String()
	if strings.Count(out, "- img/s") != 3 {
		t.Errorf("a rate over microseconds:\n%s", out)
	}
	// Over a whole second, 64,000 images a second read as such.
	h.EpochStart(1, 1, 1000)
	for s := 1; s <= 1000; s++ {
		now = now.Add(time.Millisecond)
		h.Step(s, 0.5)
	}
	buf.Reset()
	h.EpochEnd(bundle.Epoch{Epoch: 1, LR: 1e-3}, false)
	if !strings.Contains(buf.String(), "  64k img/s  ") {
		t.Errorf("rate over a second: %s", buf.String())
	}
}

func TestClock(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{{0, "0:00"}, {59 * time.Second, "0:59"}, {61 * time.Second, "1:01"}, {3723 * time.Second, "1:02:03"}}
	for _, tc := range tests {
		if got := clock(tc.d); got != tc.want {
			t.Errorf("clock(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// train prints nothing with --quiet, refuses to overwrite its --out, and
// otherwise ends with a short summary naming the next commands.
func TestTrainOutput(t *testing.T) {
	csvPath, images := demoData(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "m.mlb")
	args := append([]string{"train", "--csv", csvPath, "--images", images, "--out", model}, quickTrainArgs...)
	code, stdout, stderr := runCLI(t, args...)
	if code != 0 || stdout != "" || stderr != "" {
		t.Fatalf("--quiet: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, _, stderr = runCLI(t, args...)
	if code != 2 || !strings.Contains(stderr, "--force") {
		t.Errorf("over an existing model: exit %d, stderr %q", code, stderr)
	}
	loud := append(args[:len(args)-1:len(args)-1], "--force")
	code, stdout, stderr = runCLI(t, loud...)
	if code != 0 {
		t.Fatalf("--force: exit %d: %s", code, stderr)
	}
	if strings.Contains(stderr, "\r") || !strings.Contains(stderr, "epoch  1/2") {
		t.Errorf("progress on a pipe: %q", stderr)
	}
	for _, want := range []string{"f2_samples", "subset_accuracy", "next:", "mlabel report --model " + model, "mlabel serve --model " + model} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "hamming_loss") {
		t.Errorf("the short summary has the full table:\n%s", stdout)
	}
	code, stdout, _ = runCLI(t, append(loud, "--verbose")...)
	if code != 0 || !strings.Contains(stdout, "hamming_loss") {
		t.Errorf("--verbose: exit %d, no full table:\n%s", code, stdout)
	}
	if _, err := os.Stat(model); err != nil {
		t.Fatal(err)
	}
	// inspect takes --model or the argument, and names the configuration
	// as the flags do.
	code, byFlag, stderr := runCLI(t, "inspect", "--model", model)
	if code != 0 {
		t.Fatalf("inspect --model: exit %d: %s", code, stderr)
	}
	for _, want := range []string{"weight-decay", "loss-options.", "fitted for samples F2", "view: "} {
		if !strings.Contains(byFlag, want) {
			t.Errorf("inspect lacks %q:\n%s", want, byFlag)
		}
	}
	if strings.Contains(byFlag, "PosWeight") || strings.Contains(byFlag, "GammaNeg") {
		t.Errorf("inspect prints Go field names:\n%s", byFlag)
	}
	if code, byArg, _ := runCLI(t, "inspect", model); code != 0 || byArg != byFlag {
		t.Errorf("inspect MODEL: exit %d, output differs from --model", code)
	}
	if code, _, _ := runCLI(t, "inspect", "--model", model, model); code != 2 {
		t.Errorf("inspect with both forms: exit %d, want 2", code)
	}
}
