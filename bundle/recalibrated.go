package bundle

import (
	"slices"
	"time"

	"mlabel/decide"
	"mlabel/shift"
)

// Recalibrated returns a copy of b with the recalibration res of its old
// rule applied: res's rules, named after b's labels and with the old
// rule's label structure, the validation reference ref, and the record of
// the batch, made at now, after b's recalibrations. The copy's creation
// time is cleared so that saving it stamps it. res.Rules gains the names
// and structure too.
func (b *Bundle) Recalibrated(old *decide.Rules, ref *shift.Reference, res *shift.Result, batch shift.Batch, now time.Time) *Bundle {
	res.Rules.Names, res.Rules.Structure = b.Labels, old.Structure
	nb := *b
	nb.Created = time.Time{}
	nb.Rules, nb.Reference = res.Rules, ref
	nb.Recalibrations = append(slices.Clip(b.Recalibrations), shift.NewRecord(res, b.Labels, old.Thresholds(), batch, now))
	return &nb
}
