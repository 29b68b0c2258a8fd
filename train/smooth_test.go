package train

import (
	"testing"

	"mlabel/loss"
)

func TestLabelSmoothingWrapsThePerLabelLoss(t *testing.T) {
	labels := []string{"clear", "haze", "water"}
	cases := []struct {
		name      string
		eps       float64
		exclusive [][]string
		want      float64 // 0: the loss is not smoothed
	}{
		{"none", 0, nil, 0},
		{"smoothed", 0.1, nil, 0.1},
		{"inside the label groups", 0.2, [][]string{{"clear", "haze"}}, 0.2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := quickConfig()
			cfg.LabelSmoothing, cfg.Exclusive = c.eps, c.exclusive
			l, err := newLoss(cfg, labels)
			if err != nil {
				t.Fatal(err)
			}
			if g, ok := l.(*loss.Grouped); ok {
				if c.exclusive == nil {
					t.Fatalf("grouped loss without groups")
				}
				l = g.Base
			} else if c.exclusive != nil {
				t.Fatalf("loss %T, want the groups' cross-entropy around the per-label loss", l)
			}
			s, ok := l.(*loss.Smoothed)
			switch {
			case c.want == 0 && ok:
				t.Errorf("smoothed by %g without label smoothing", s.Eps)
			case c.want != 0 && !ok:
				t.Errorf("loss %T, want targets smoothed by %g", l, c.want)
			case ok && s.Eps != c.want:
				t.Errorf("smoothed by %g, want %g", s.Eps, c.want)
			}
		})
	}
}

func TestValidateRefusesLabelSmoothingOutOfRange(t *testing.T) {
	for _, eps := range []float64{-0.1, 1, 2} {
		cfg := quickConfig()
		cfg.LabelSmoothing = eps
		if err := cfg.Validate(); err == nil {
			t.Errorf("label smoothing %g accepted", eps)
		}
	}
}
