package decide

// ProvenAlpha is the chance below which ProvenExclusive takes a group's
// unbroken record for structure: the probability that labels independent
// at their observed rates would give exactly one of the group on every
// image.
const ProvenAlpha = 1e-3

// ProvenExclusive returns the exclusive groups that labelled data prove
// (truth [image][label], 1 a known positive, 0 a known negative, anything
// else unknown), with each group's record: groups of two or more labels,
// each seen at least 5 times, of which every image carries exactly one,
// and whose unbroken record labels independent at their observed rates
// would give with a chance below ProvenAlpha. Planet's weather (clear,
// partly cloudy, haze, cloudy: one per chip) is such a group; labels that
// merely tend to go apart, broken by a single image, are not. It returns
// nil when no group is proven.
func ProvenExclusive(labels []string, truth [][]float64) (*Structure, []Found) {
	_, found := DiscoverWith(labels, truth, Tolerance{MinCount: 5})
	rate := rates(labels, truth)
	var s *Structure
	var proven []Found
	for _, f := range found {
		if len(f.Rule.Exclusive) != 1 || len(f.Rule.Exclusive[0]) < 2 || !isProven(f, breakChance(f.Rule, rate), false) {
			continue
		}
		if s == nil {
			s = &Structure{}
		}
		s.Exclusive = append(s.Exclusive, f.Rule.Exclusive[0])
		proven = append(proven, f)
	}
	return s, proven
}
