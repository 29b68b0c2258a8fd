package report

import "fmt"

// edge is how close to 0 or 1 a threshold must be to be warned about.
const edge = 0.01

// warnings lists the problems a reader should know about.
func (in *Input) warnings(p *prepared) []string {
	out := append([]string(nil), in.Warnings...)
	for j, name := range in.Labels {
		l := p.summary.PerLabel[name]
		if l.Support < in.MinPositives {
			out = append(out, fmt.Sprintf("Label %q has only %d known positives (fewer than %d): its metrics and threshold are unreliable.", name, l.Support, in.MinPositives))
		}
		if l.Predicted == 0 {
			out = append(out, fmt.Sprintf("Label %q is never predicted on this split.", name))
		}
		if t := l.Threshold; t <= edge || t >= 1-edge {
			out = append(out, fmt.Sprintf("Label %q has a threshold at the edge (%.4f).", name, t))
		}
		if in.shrunk(j) {
			out = append(out, fmt.Sprintf("Label %q had too few held-out positives; its threshold was shrunk toward the global one.", name))
		}
	}
	return out
}
