package main

import (
	"fmt"
	"io"

	"github.com/schollz/progressbar/v3"

	"mlabel/bundle"
	"mlabel/train"
)

// trainHooks returns training hooks that draw a progress bar per epoch with
// its ETA and running loss on w, and print a line of validation figures after
// each epoch.
func trainHooks(w io.Writer, quiet bool) train.Hooks {
	if quiet {
		return train.Hooks{}
	}
	var bar *progressbar.ProgressBar
	var sum float64
	var epochs, cur int
	return train.Hooks{
		EpochStart: func(epoch, n, steps int) {
			epochs, cur, sum = n, epoch, 0
			bar = progressbar.NewOptions(steps,
				progressbar.OptionSetWriter(w),
				progressbar.OptionSetDescription(fmt.Sprintf("epoch %d/%d", epoch, n)),
				progressbar.OptionShowCount(),
				progressbar.OptionSetPredictTime(true),
				progressbar.OptionSetWidth(24),
				progressbar.OptionThrottle(100_000_000),
				progressbar.OptionClearOnFinish(),
			)
		},
		Step: func(step int, loss float64) {
			sum += loss
			bar.Describe(fmt.Sprintf("epoch %d/%d loss %.4f", cur, epochs, sum/float64(step)))
			bar.Add(1)
		},
		EpochEnd: func(e bundle.Epoch, best bool) {
			if bar != nil {
				bar.Finish()
			}
			if e.Unvalidated {
				fmt.Fprintf(w, "refit %2d/%d  train loss %.4f  lr %.2e  %.1fs\n", e.Epoch, epochs, e.TrainLoss, e.LR, e.Seconds)
				return
			}
			mark := ""
			if best {
				mark = "  *best"
			}
			fmt.Fprintf(w, "epoch %2d/%d  train loss %.4f  val loss %.4f  val mAP %.4f  val F2 %.4f  lr %.2e  %.1fs%s\n",
				e.Epoch, epochs, e.TrainLoss, e.ValLoss, e.ValMAP, e.ValF2, e.LR, e.Seconds, mark)
		},
		Log: func(msg string) { fmt.Fprintln(w, msg) },
	}
}
