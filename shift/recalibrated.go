package shift

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"

	"mlabel/decide"
)

// Inherit sets o's threshold fit to the old rule's: its beta, objective
// and zero division, with beta 2 and samples F where the rule names none,
// as training fits them.
func (o *Options) Inherit(old *decide.Rules) {
	o.Decide.Beta, o.Decide.Objective, o.Decide.ZeroDivision = old.Beta, old.Objective, old.ZeroDivision
	if o.Decide.Beta == 0 {
		o.Decide.Beta = 2
	}
	if o.Decide.Objective == "" {
		o.Decide.Objective = decide.SamplesF
	}
}

// NewBatch describes a batch of images recalibrated on: where they came
// from (sources, joined), how many were scored and skipped, and the
// SHA-256 of the scored images' content hashes, sorted and one per line.
func NewBatch(sources []string, hashes []string, skipped int) Batch {
	return Batch{Source: strings.Join(sources, ", "), Images: len(hashes), Skipped: skipped, SHA256: digest(hashes)}
}

// digest is the SHA-256 of the sorted content hashes, one per line: it
// names a batch whatever its file names and order.
func digest(hashes []string) string {
	s := slices.Sorted(slices.Values(hashes))
	sum := sha256.Sum256([]byte(strings.Join(s, "\n")))
	return hex.EncodeToString(sum[:])
}

// Warning is what a drift report warns of for a label with estimate e and
// drift d, or "" for nothing: a label whose threshold was kept because the
// model does not separate it or validation does not prove it does, because
// EM and BBSE disagree, or because
// another label's shift explains its scores; otherwise scores that moved
// without the prevalence moving (a covariate shift, which recalibration
// does not correct).
func Warning(e Estimate, d Drift) string {
	switch {
	case e.Reason == KeptUnlearned:
		return "the model does not separate this label on validation: its prevalence was not estimated and its threshold is kept"
	case e.Reason == KeptWeak:
		return "validation does not prove that the model separates this label: its estimate cannot tell a shift from a change in how its images look; the threshold is kept"
	case e.Reason == KeptDisagree:
		return fmt.Sprintf("EM (%.3f) and BBSE (%.3f) disagree beyond their errors: the calibration may not hold on this batch; the threshold is kept", e.Estimated, e.BBSE)
	case e.Reason == KeptExplained:
		return "its scores moved as the shift of a label that moved more predicts (labels that go together, or that the model confuses): not a shift of its own; the threshold is kept"
	case d.Covariate():
		return fmt.Sprintf("the scores moved (KS %.3f > %.3f) but the prevalence estimate did not: the images look different (a covariate shift), which recalibration does not correct", d.KS, d.Critical)
	}
	return ""
}
