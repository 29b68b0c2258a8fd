package compare

import (
	"math"
	"math/rand/v2"
	"sort"

	"mlabel/decide"
	"mlabel/infer"
	"mlabel/metrics"
)

// diffInterval returns the paired bootstrap 90% interval of AP(a) − AP(b)
// for label j over the known test rows: each resample draws rows with
// replacement and scores both models on the same rows. Resamples without a
// positive are skipped; nil when none has one.
func diffInterval(a, b *infer.Set, j, draws int, seed uint64) *decide.Interval {
	t, sa := metrics.Column(a.Truth, a.Scores, a.Mask, j)
	_, sb := metrics.Column(b.Truth, b.Scores, b.Mask, j)
	n := len(t)
	if n == 0 || draws == 0 {
		return nil
	}
	rng := rand.New(rand.NewPCG(seed, uint64(j)+0xa9))
	rt, ra, rb := make([]float64, n), make([]float64, n), make([]float64, n)
	var diffs []float64
	for range draws {
		for k := range n {
			i := rng.IntN(n)
			rt[k], ra[k], rb[k] = t[i], sa[i], sb[i]
		}
		d := metrics.AveragePrecision(rt, ra) - metrics.AveragePrecision(rt, rb)
		if !math.IsNaN(d) {
			diffs = append(diffs, d)
		}
	}
	if len(diffs) == 0 {
		return nil
	}
	sort.Float64s(diffs)
	return &decide.Interval{Low: metrics.Quantile(diffs, 0.05), High: metrics.Quantile(diffs, 0.95)}
}

// picks returns, for each label, whether other beats base on validation
// AP; base keeps a tie and a label where either AP is undefined. It picks
// each label's champion: the specialist against the joint model, the
// segmentation route against the classifier's.
func picks(base, other *option, labels int) []bool {
	p := make([]bool, labels)
	for j := range p {
		p[j] = labelAP(other.val, j) > labelAP(base.val, j)
	}
	return p
}

// perLabel assembles each label's comparison.
func perLabel(o Options, labels []string, ops map[string]*option, chosen []bool) map[string]LabelResult {
	joint, specs, champ, stack := ops[Joint], ops[Specialists], ops[Champion], ops[Stacking]
	out := make(map[string]LabelResult, len(labels))
	for j, name := range labels {
		sa, ja := labelAP(specs.test, j), labelAP(joint.test, j)
		r := LabelResult{
			Positives:       specs.testSum.PerLabel[name].Support,
			SpecialistAP:    metrics.Optional(sa),
			JointAP:         metrics.Optional(ja),
			DiffAP:          metrics.Optional(sa - ja),
			DiffInterval:    diffInterval(specs.test, joint.test, j, o.Bootstrap, o.Train.Seed),
			SpecialistF:     specs.testF[j].F,
			JointF:          joint.testF[j].F,
			SpecialistValAP: metrics.Optional(labelAP(specs.val, j)),
			JointValAP:      metrics.Optional(labelAP(joint.val, j)),
			Champion:        pickName(chosen[j]),
			ChampionAP:      metrics.Optional(labelAP(champ.test, j)),
			ChampionF:       champ.testF[j].F,
		}
		if stack != nil {
			r.StackingAP = metrics.Optional(labelAP(stack.test, j))
			r.StackingF = &stack.testF[j].F
		}
		out[name] = r
	}
	return out
}

// quality returns an option's overall test quality.
func quality(op *option) Quality {
	return Quality{MAPMacro: op.testSum.MAPMacro, FSamples: op.fSamples, FMicro: op.fMicro}
}
