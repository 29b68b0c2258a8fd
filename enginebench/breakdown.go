package enginebench

import (
	"fmt"
	"sort"
	"time"

	"mlabel/nn"
)

// OpTime is the time one kind of layer took per step.
type OpTime struct {
	Op   string  `json:"op"`   // op, with the kernel and "dw" for depthwise convolutions
	Pass string  `json:"pass"` // "forward" or "backward" of training, or "infer"
	Ms   float64 `json:"ms"`   // milliseconds per step, all such layers together
}

type opKey struct {
	op, pass string
}

// breakdown accumulates layer times by kind and pass.
type breakdown map[opKey]time.Duration

// timer records forward passes as forward, or as infer when infer is set.
func (b breakdown) timer(infer bool) nn.LayerTimer {
	return func(n nn.Node, backward bool, d time.Duration) {
		pass := "forward"
		switch {
		case backward:
			pass = "backward"
		case infer:
			pass = "infer"
		}
		b[opKey{opLabel(n), pass}] += d
	}
}

// opLabel names a layer's kind for the breakdown.
func opLabel(n nn.Node) string {
	s := string(n.Op)
	if n.Op == nn.OpConv2D {
		s += fmt.Sprintf("_%dx%d", n.Attrs.Kernel[0], n.Attrs.Kernel[1])
		if n.Attrs.Groups > 1 {
			s += "_dw"
		}
	}
	if n.Attrs.Act != "" {
		s += "+" + string(n.Attrs.Act)
	}
	return s
}

// perStep returns the times per step, longest first.
func (b breakdown) perStep(steps int) []OpTime {
	var out []OpTime
	for k, d := range b {
		out = append(out, OpTime{Op: k.op, Pass: k.pass, Ms: d.Seconds() * 1e3 / float64(max(steps, 1))})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ms > out[j].Ms })
	return out
}
