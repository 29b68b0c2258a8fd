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
	Name     string
	S        metrics.LabelSummary
	Interval string
	// IntervalNote says why the threshold lies outside its interval.
	IntervalNote string
	Shrunk       bool
	Confusion    [2][2]int
	PR           template.URL
	Calib        template.URL
}

// page is the data the template renders.
type page struct {
	Title    string
	Samples  int
	Rule     string
	About    About
	Beta     string // the F-beta sentence; empty when no F-beta rule
	Notes    []string
	Warnings []string
	Metrics  []metricRow
	Labels   []labelView
	Gallery  []galleryLabel
	Confused []confusedPair
	Pooled   template.URL
	Training []template.URL
}

// metricRow is one row of the metrics table: its value with the rule, the
// value at a 0.5 threshold when the rule has other thresholds, and what it
// means.
type metricRow struct {
	Name, Value, AtHalf, Definition string
}

// Write renders the report for in as one self-contained HTML document.
func Write(w io.Writer, in Input) error {
	p, err := in.prepare()
	if err != nil {
		return err
	}
	pg := page{Title: in.Title, Samples: p.summary.Samples, Rule: "threshold 0.5", Notes: p.notes,
		Warnings: in.warnings(p), About: in.About, Gallery: in.gallery(p),
		Confused: mostConfused(in.Labels, in.Truth, p.scores, in.Mask, p.thresholds, confusedPairs)}
	if in.Rules != nil {
		pg.Rule, pg.Beta = describeRule(string(in.Rules.Kind), string(in.Rules.Objective), in.Rules.Beta)
	}
	if pg.Metrics, err = in.metricRows(p); err != nil {
		return err
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
	if pg.Training, err = trainingPlots(in.Training, in.BestEpoch); err != nil {
		return err
	}
	if err := pageTemplate.Execute(w, pg); err != nil {
		return fmt.Errorf("report: writing HTML: %w", err)
	}
	return nil
}

// metricRows lists the summary's metrics with their definitions and, when
// the rule has thresholds other than 0.5, their values at 0.5.
func (in *Input) metricRows(p *prepared) ([]metricRow, error) {
	var half [][2]string
	if p.thresholds != nil {
		s, err := metrics.Summarize(in.Labels, in.Truth, p.scores, in.Mask, nil)
		if err != nil {
			return nil, fmt.Errorf("report: %w", err)
		}
		half = s.Rows()
	}
	rows := p.summary.Rows()
	out := make([]metricRow, len(rows))
	for k, r := range rows {
		out[k] = metricRow{Name: r[0], Value: r[1], Definition: definitions[r[0]]}
		if half != nil {
			out[k].AtHalf = half[k][1]
		}
	}
	return out, nil
}

// describeRule names a decision rule for the summary card and, for a rule
// fitted to an F-beta, returns a sentence on what its beta favours.
func describeRule(kind, objective string, beta float64) (rule, betaNote string) {
	rule = fmt.Sprintf("%s rule", kind)
	if beta <= 0 {
		return rule, ""
	}
	if objective != "" {
		rule = fmt.Sprintf("%s rule, fitted to maximise %s F%g (β = %g)", kind, objective, beta, beta)
	}
	switch {
	case beta > 1:
		betaNote = fmt.Sprintf("F%g counts recall %g times as much as precision, so these thresholds favour finding every true tag: "+
			"they predict more tags than a 0.5 threshold would, which raises recall and lowers precision and subset accuracy (compare the two columns below). "+
			"A score above a low threshold counts because, on validation, the images scored that high carried the label often enough that finding them was worth the false alarms.", beta, beta)
	case beta < 1:
		betaNote = fmt.Sprintf("F%g counts precision more than recall, so these thresholds predict fewer, surer tags.", beta)
	default:
		betaNote = "F1 weighs precision and recall equally."
	}
	return rule, betaNote
}

// labelViews builds each label's table row and plots.
func (in *Input) labelViews(p *prepared) ([]labelView, error) {
	out := make([]labelView, len(in.Labels))
	for j, name := range in.Labels {
		s := p.summary.PerLabel[name]
		v := labelView{Name: name, S: s, Interval: "-", Shrunk: in.shrunk(j), Confusion: s.Confusion.Matrix()}
		if iv, ok := in.interval(j); ok {
			v.Interval = fmt.Sprintf("[%.3f, %.3f]", iv.Low, iv.High)
			v.IntervalNote = in.Rules.IntervalNote(j)
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
func trainingPlots(epochs []Epoch, best int) ([]template.URL, error) {
	if len(epochs) == 0 {
		return nil, nil
	}
	if best <= 0 {
		best = bestEpoch(epochs)
	}
	pick := func(f func(Epoch) float64) func(Epoch) *float64 {
		return func(e Epoch) *float64 { return metrics.Optional(f(e)) }
	}
	loss, err := trainingPlot("loss", "log loss", epochs, best, []trainingSeries{
		{"train", blue, pick(func(e Epoch) float64 { return e.TrainLoss })},
		{"validation", orange, pick(func(e Epoch) float64 { return e.ValLoss })},
	})
	if err != nil {
		return nil, err
	}
	quality, err := trainingPlot("validation metrics", "score", epochs, best, []trainingSeries{
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

// bestEpoch returns the epoch of highest validation mAP, or 0 when none is
// recorded.
func bestEpoch(epochs []Epoch) int {
	best, top := 0, math.Inf(-1)
	for _, e := range epochs {
		if !math.IsNaN(e.ValMAP) && e.ValMAP > top {
			best, top = e.Epoch, e.ValMAP
		}
	}
	return best
}
