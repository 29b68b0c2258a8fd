package report

import (
	"fmt"
	"io"
	"math"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// LRCurve is a learning-rate sweep: the smoothed loss at each rate, and the
// suggested rate.
type LRCurve struct {
	LR, Loss  []float64
	Suggested float64
}

// WriteLRPlot draws the loss against the learning rate on a logarithmic axis,
// with the suggested rate marked, as a PNG.
func WriteLRPlot(w io.Writer, c LRCurve) error {
	if len(c.LR) == 0 || len(c.LR) != len(c.Loss) {
		return fmt.Errorf("report: learning-rate curve needs equal, non-empty series (got %d and %d)", len(c.LR), len(c.Loss))
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("learning-rate finder (suggested %.2g)", c.Suggested)
	p.X.Label.Text = "learning rate"
	p.Y.Label.Text = "smoothed training loss"
	p.X.Scale = plot.LogScale{}
	p.X.Tick.Marker = decadeTicks{}
	p.Add(plotter.NewGrid())
	xys := make(plotter.XYs, len(c.LR))
	var sy float64
	for i := range c.LR {
		xys[i].X, xys[i].Y = c.LR[i], c.Loss[i]
		if c.LR[i] <= c.Suggested {
			sy = c.Loss[i]
		}
	}
	if err := line(p, xys, blue, "loss", false); err != nil {
		return err
	}
	if c.Suggested > 0 {
		if err := point(p, c.Suggested, sy, red, "suggested"); err != nil {
			return err
		}
	}
	return writePNG(w, p)
}

// legendPad is the space around a legend drawn below its plot.
const legendPad = 6 * vg.Millimeter / 2

// writePNG renders p as a PNG image to w: the plot, plotW by plotH, and
// below it, outside the axes where it covers no curve, its legend.
func writePNG(w io.Writer, p *plot.Plot) error {
	legend := p.Legend
	p.Legend = plot.NewLegend()
	defer func() { p.Legend = legend }()
	var lh vg.Length
	if r := legend.Rectangle(draw.Canvas{}); r.Size().Y > 0 {
		// Whole pixels, so that the plot above renders as it would alone.
		px := vg.Inch / vgimg.DefaultDPI
		lh = vg.Length(math.Ceil(float64((r.Size().Y+2*legendPad)/px))) * px
	}
	c := vgimg.PngCanvas{Canvas: vgimg.New(plotW, plotH+lh)}
	dc := draw.New(c)
	p.Draw(draw.Crop(dc, 0, 0, lh, -vg.Points(2)))
	if lh > 0 {
		legend.Top, legend.Left = true, true
		legend.XOffs, legend.YOffs = 4*legendPad, -legendPad
		legend.Draw(draw.Crop(dc, 0, 0, 0, -plotH))
	}
	if _, err := c.WriteTo(w); err != nil {
		return fmt.Errorf("report: encoding plot: %w", err)
	}
	return nil
}

// decadeTicks marks each power of ten on a logarithmic axis.
type decadeTicks struct{}

// Ticks implements plot.Ticker.
func (decadeTicks) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		v := math.Pow(10, e)
		if v >= lo*(1-1e-9) && v <= hi*(1+1e-9) {
			ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'g', 1, 64)})
		}
	}
	return ts
}
