package report

import (
	"fmt"
	"html/template"
	"io"
	"math"

	"mlabel/metrics"
)

// labelView is one label's row and plots in the page.
type labelView struct {
	Name      string
	S         metrics.LabelSummary
	Interval  string
	Shrunk    bool
	Confusion [2][2]int
	PR        template.URL
	Calib     template.URL
}

// page is the data the template renders.
type page struct {
	Title    string
	Samples  int
	Rule     string
	Notes    []string
	Warnings []string
	Metrics  [][2]string
	Labels   []labelView
	Pooled   template.URL
	Training []template.URL
}

// Write renders the report for in as one self-contained HTML document.
func Write(w io.Writer, in Input) error {
	p, err := in.prepare()
	if err != nil {
		return err
	}
	pg := page{Title: in.Title, Samples: p.summary.Samples, Rule: "threshold 0.5", Notes: p.notes,
		Warnings: in.warnings(p), Metrics: p.summary.Rows()}
	if in.Rules != nil {
		pg.Rule = fmt.Sprintf("%s rule", in.Rules.Kind)
	}
	if pg.Labels, err = in.labelViews(p); err != nil {
		return err
	}
	var allT, allS []float64
	for j := range in.Labels {
		t, s := metrics.Column(in.Truth, p.scores, in.Mask, j)
		allT, allS = append(allT, t...), append(allS, s...)
	}
	if pg.Pooled, err = reliabilityPlot("all labels: reliability", allT, allS); err != nil {
		return err
	}
	if pg.Training, err = trainingPlots(in.Training); err != nil {
		return err
	}
	if err := pageTemplate.Execute(w, pg); err != nil {
		return fmt.Errorf("report: writing HTML: %w", err)
	}
	return nil
}

// labelViews builds each label's table row and plots.
func (in *Input) labelViews(p *prepared) ([]labelView, error) {
	out := make([]labelView, len(in.Labels))
	for j, name := range in.Labels {
		s := p.summary.PerLabel[name]
		v := labelView{Name: name, S: s, Interval: "-", Shrunk: in.shrunk(j), Confusion: s.Confusion.Matrix()}
		if iv, ok := in.interval(j); ok {
			v.Interval = fmt.Sprintf("[%.3f, %.3f]", iv.Low, iv.High)
		}
		t, sc := metrics.Column(in.Truth, p.scores, in.Mask, j)
		var err error
		if v.PR, err = prCurve(name, t, sc, s.Threshold); err != nil {
			return nil, err
		}
		if v.Calib, err = reliabilityPlot(name+": reliability", t, sc); err != nil {
			return nil, err
		}
		out[j] = v
	}
	return out, nil
}

// trainingPlots draws the loss and validation metric curves.
func trainingPlots(epochs []Epoch) ([]template.URL, error) {
	if len(epochs) == 0 {
		return nil, nil
	}
	pick := func(f func(Epoch) float64) func(Epoch) *float64 {
		return func(e Epoch) *float64 {
			v := f(e)
			if math.IsNaN(v) {
				return nil
			}
			return &v
		}
	}
	loss, err := trainingPlot("loss", "log loss", true, epochs, []trainingSeries{
		{"train", blue, pick(func(e Epoch) float64 { return e.TrainLoss })},
		{"validation", orange, pick(func(e Epoch) float64 { return e.ValLoss })},
	})
	if err != nil {
		return nil, err
	}
	quality, err := trainingPlot("validation metrics", "score", false, epochs, []trainingSeries{
		{"mAP", green, pick(func(e Epoch) float64 { return e.ValMAP })},
		{"samples F2", red, pick(func(e Epoch) float64 { return e.ValF2 })},
	})
	if err != nil {
		return nil, err
	}
	var out []template.URL
	for _, u := range []template.URL{loss, quality} {
		if u != "" {
			out = append(out, u)
		}
	}
	return out, nil
}
