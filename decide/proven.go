package decide

import "math"

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
	rate := make(map[string]float64, len(labels))
	for j, l := range labels {
		pos, known := 0, 0
		for _, row := range truth {
			switch row[j] {
			case 1:
				pos++
				known++
			case 0:
				known++
			}
		}
		if known > 0 {
			rate[l] = float64(pos) / float64(known)
		}
	}
	var s *Structure
	var proven []Found
	for _, f := range found {
		if len(f.Rule.Exclusive) != 1 || f.Broken != 0 || len(f.Rule.Exclusive[0]) < 2 {
			continue
		}
		g := f.Rule.Exclusive[0]
		// p1: the chance that independent labels give exactly one of g.
		p1 := 0.0
		for _, a := range g {
			q := rate[a]
			for _, b := range g {
				if b != a {
					q *= 1 - rate[b]
				}
			}
			p1 += q
		}
		if math.Pow(p1, float64(f.Images)) >= ProvenAlpha {
			continue
		}
		if s == nil {
			s = &Structure{}
		}
		s.Exclusive = append(s.Exclusive, g)
		proven = append(proven, f)
	}
	return s, proven
}
