package report

import (
	"fmt"
	"strings"
)

// edge is how close to 0 or 1 a threshold must be to be warned about.
const edge = 0.01

// warnings lists the problems a reader should know about: the caller's,
// then one line per kind of problem naming every label it concerns.
func (in *Input) warnings(p *prepared) []string {
	out := append([]string(nil), in.Warnings...)
	var few, never, atEdge, shrunk []string
	for j, name := range in.Labels {
		l := p.summary.PerLabel[name]
		q := fmt.Sprintf("%q", name)
		if l.Support < in.MinPositives {
			few = append(few, fmt.Sprintf("%s (%d)", q, l.Support))
		}
		if l.Predicted == 0 {
			never = append(never, q)
		}
		if t := l.Threshold; t <= edge || t >= 1-edge {
			atEdge = append(atEdge, fmt.Sprintf("%s (%.4f)", q, t))
		}
		if in.shrunk(j) {
			shrunk = append(shrunk, q)
		}
	}
	add := func(names []string, one, many string) {
		switch len(names) {
		case 0:
		case 1:
			out = append(out, fmt.Sprintf(one, names[0]))
		default:
			out = append(out, fmt.Sprintf(many, len(names), strings.Join(names, ", ")))
		}
	}
	add(few, fmt.Sprintf("Label %%s has fewer than %d known positives: its metrics and threshold are unreliable.", in.MinPositives),
		fmt.Sprintf("%%d labels have fewer than %d known positives (count in brackets), so their metrics and thresholds are unreliable: %%s.", in.MinPositives))
	add(never, "Label %s is never predicted on this split.", "%d labels are never predicted on this split: %s.")
	add(atEdge, "Label %s has a threshold at the edge of [0, 1].", "%d labels have a threshold at the edge of [0, 1]: %s.")
	add(shrunk, "Label %s had too few held-out positives; its threshold was shrunk toward the global one.",
		"%d labels had too few held-out positives; their thresholds were shrunk toward the global one: %s.")
	return out
}
