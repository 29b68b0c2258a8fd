package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/color"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"

	"mlabel/metrics"
)

// Plot size in the report.
const (
	plotW = 5 * vg.Inch
	plotH = 3.75 * vg.Inch
)

var (
	blue   = color.RGBA{R: 31, G: 119, B: 180, A: 255}
	orange = color.RGBA{R: 255, G: 127, B: 14, A: 255}
	green  = color.RGBA{R: 44, G: 160, B: 44, A: 255}
	red    = color.RGBA{R: 214, G: 39, B: 40, A: 255}
	grey   = color.RGBA{R: 150, G: 150, B: 150, A: 255}
)

// pngURI renders p as a PNG data URI.
func pngURI(p *plot.Plot) (template.URL, error) {
	var buf bytes.Buffer
	if err := writePNG(&buf, p); err != nil {
		return "", err
	}
	// The data URI is built from base64 only, so it is safe as a URL.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// unitPlot returns a plot with both axes on [0, 1]; its legend goes below
// it (see writePNG).
func unitPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.X.Min, p.X.Max, p.Y.Min, p.Y.Max = 0, 1.02, 0, 1.02
	p.Add(plotter.NewGrid())
	return p
}

// line adds a line through xys to p, with a legend entry when name is set.
func line(p *plot.Plot, xys plotter.XYs, c color.Color, name string, dashed bool) error {
	l, err := plotter.NewLine(xys)
	if err != nil {
		return fmt.Errorf("report: line %q: %w", name, err)
	}
	l.Color = c
	l.Width = vg.Points(1.5)
	if dashed {
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
		l.Width = vg.Points(1)
	}
	p.Add(l)
	if name != "" {
		p.Legend.Add(name, l)
	}
	return nil
}

// point adds one marked point to p.
func point(p *plot.Plot, x, y float64, c color.Color, name string) error {
	s, err := plotter.NewScatter(plotter.XYs{{X: x, Y: y}})
	if err != nil {
		return fmt.Errorf("report: point %q: %w", name, err)
	}
	s.GlyphStyle = draw.GlyphStyle{Color: c, Radius: vg.Points(4), Shape: draw.CircleGlyph{}}
	p.Add(s)
	p.Legend.Add(name, s)
	return nil
}

// prCurve plots one label's precision-recall curve (a step function, as
// average precision integrates it) with the prevalence baseline (the
// precision of predicting every image) and the operating point at thr with
// its precision and recall.
func prCurve(label string, truth, scores []float64, thr float64) (template.URL, error) {
	pr := metrics.PRCurve(truth, scores)
	if pr == nil {
		return "", nil
	}
	ap := metrics.AveragePrecision(truth, scores)
	p := unitPlot(fmt.Sprintf("%s: precision-recall (AP %.3f)", label, ap), "recall", "precision")
	xys := plotter.XYs{{X: 0, Y: pr[0].Precision}}
	for _, q := range pr {
		xys = append(xys, plotter.XY{X: q.Recall, Y: q.Precision})
	}
	l, err := plotter.NewLine(xys)
	if err != nil {
		return "", fmt.Errorf("report: PR curve %q: %w", label, err)
	}
	l.Color, l.Width, l.StepStyle = blue, vg.Points(1.5), plotter.PreStep
	p.Add(l)
	p.Legend.Add("PR curve", l)
	prev := prevalence(truth)
	if err := line(p, plotter.XYs{{X: 0, Y: prev}, {X: 1, Y: prev}}, grey, fmt.Sprintf("prevalence %.3f (no skill)", prev), true); err != nil {
		return "", err
	}
	if op, ok := operatingPoint(pr, thr); ok {
		if err := point(p, op.Recall, op.Precision, red, fmt.Sprintf("threshold %.3f: P %.2f, R %.2f", thr, op.Precision, op.Recall)); err != nil {
			return "", err
		}
	}
	return pngURI(p)
}

// prevalence is the positive rate of truth.
func prevalence(truth []float64) float64 {
	if len(truth) == 0 {
		return 0
	}
	var n float64
	for _, t := range truth {
		n += t
	}
	return n / float64(len(truth))
}

// operatingPoint returns the curve point of the lowest score at or above
// thr: the decisions a threshold thr makes.
func operatingPoint(pr []metrics.PRPoint, thr float64) (metrics.PRPoint, bool) {
	var out metrics.PRPoint
	ok := false
	for _, q := range pr {
		if q.Threshold >= thr {
			out, ok = q, true
		}
	}
	return out, ok
}

// reliabilityBins is the number of equal-width score bins.
const reliabilityBins = 10

// bin is one reliability bin: mean score and positive rate.
type bin struct {
	n             int
	score, actual float64
}

// reliability bins scores into equal-width bins.
func reliability(truth, scores []float64) []bin {
	bins := make([]bin, reliabilityBins)
	for k, s := range scores {
		b := int(s * reliabilityBins)
		b = max(0, min(b, reliabilityBins-1))
		bins[b].n++
		bins[b].score += s
		bins[b].actual += truth[k]
	}
	return bins
}

// ece is the expected calibration error of bins: the gap between mean
// score and positive rate of each bin, weighted by its share of the scores.
func ece(bins []bin) float64 {
	var n int
	var e float64
	for _, b := range bins {
		if b.n > 0 {
			n += b.n
			e += math.Abs(b.score - b.actual) // both are sums over the bin
		}
	}
	if n == 0 {
		return 0
	}
	return e / float64(n)
}

// reliabilityPlot draws the positive rate against the mean score of each
// non-empty bin, labelled with its number of scores, with the diagonal of
// perfect calibration and the expected calibration error in the title.
func reliabilityPlot(title string, truth, scores []float64) (template.URL, error) {
	bins := reliability(truth, scores)
	p := unitPlot(fmt.Sprintf("%s (ECE %.3f)", title, ece(bins)), "mean score (points: scores per bin)", "fraction positive")
	if err := line(p, plotter.XYs{{X: 0, Y: 0}, {X: 1, Y: 1}}, grey, "perfect", true); err != nil {
		return "", err
	}
	var xys plotter.XYs
	var counts []string
	for _, b := range bins {
		if b.n > 0 {
			xys = append(xys, plotter.XY{X: b.score / float64(b.n), Y: b.actual / float64(b.n)})
			counts = append(counts, strconv.Itoa(b.n))
		}
	}
	if len(xys) == 0 {
		return "", nil
	}
	l, s, err := plotter.NewLinePoints(xys)
	if err != nil {
		return "", fmt.Errorf("report: reliability %q: %w", title, err)
	}
	l.Color, s.Color = orange, orange
	p.Add(l, s)
	p.Legend.Add("model", l, s)
	labels, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: counts})
	if err != nil {
		return "", fmt.Errorf("report: reliability %q: %w", title, err)
	}
	for k := range labels.TextStyle {
		labels.TextStyle[k].Font.Size = vg.Points(8)
		labels.TextStyle[k].Color = grey
		labels.TextStyle[k].XAlign = draw.XCenter
	}
	labels.Offset = vg.Point{Y: vg.Points(5)}
	p.Add(labels)
	return pngURI(p)
}

// trainingPlot draws named per-epoch series, with their legend below the
// plot. A best epoch above 0 is marked with a dashed vertical line.
func trainingPlot(title, ylabel string, epochs []Epoch, best int, series []trainingSeries) (template.URL, error) {
	p := plot.New()
	p.Title.Text = title
	p.X.Label.Text = "epoch"
	p.Y.Label.Text = ylabel
	p.Add(plotter.NewGrid())
	drawn := false
	for _, s := range series {
		var xys plotter.XYs
		for _, e := range epochs {
			if v := s.get(e); v != nil {
				xys = append(xys, plotter.XY{X: float64(e.Epoch), Y: *v})
			}
		}
		if len(xys) == 0 {
			continue
		}
		if err := line(p, xys, s.color, s.name, false); err != nil {
			return "", err
		}
		drawn = true
	}
	if !drawn {
		return "", nil
	}
	if best > 0 {
		lo, hi := p.Y.Min, p.Y.Max
		if err := line(p, plotter.XYs{{X: float64(best), Y: lo}, {X: float64(best), Y: hi}}, grey, fmt.Sprintf("kept epoch %d", best), true); err != nil {
			return "", err
		}
	}
	return pngURI(p)
}

// trainingSeries picks one value out of each epoch.
type trainingSeries struct {
	name  string
	color color.Color
	get   func(Epoch) *float64
}
