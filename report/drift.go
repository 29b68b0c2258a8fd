package report

import (
	"fmt"
	"html/template"
	"io"
	"sort"

	"gonum.org/v1/plot/plotter"
)

// DriftLabel is one label's part of a drift report.
type DriftLabel struct {
	// Name is the label.
	Name string
	// Validation holds the validation scores' evenly spaced quantiles
	// (0, ..., 1); Batch the new batch's scores.
	Validation []float64
	Batch      []float64
	// Train and Estimated are the validation and estimated prevalences,
	// Low and High the estimate's interval.
	Train, Estimated, Low, High float64
	// KS is the Kolmogorov–Smirnov statistic between the two score
	// distributions and Critical its 1% critical value.
	KS, Critical float64
	// Warning, when set, is shown with the label.
	Warning string
}

// Drift is everything a drift report shows.
type Drift struct {
	// Title heads the page; ValImages and BatchImages count the images
	// of each side.
	Title                  string
	ValImages, BatchImages int
	Labels                 []DriftLabel
}

type driftView struct {
	DriftLabel
	Plot template.URL
}

// WriteDrift renders a drift report as one self-contained HTML document:
// per label, the distribution functions of the validation and batch scores,
// the KS statistic, the prevalences and any warning.
func WriteDrift(w io.Writer, d Drift) error {
	if len(d.Labels) == 0 {
		return fmt.Errorf("report: a drift report needs at least one label")
	}
	views := make([]driftView, len(d.Labels))
	var warnings []string
	for k, l := range d.Labels {
		if len(l.Validation) < 2 || len(l.Batch) == 0 {
			return fmt.Errorf("report: label %q has %d validation quantiles and %d batch scores", l.Name, len(l.Validation), len(l.Batch))
		}
		p := unitPlot(l.Name+": score distribution", "score", "fraction of images at or below")
		val := make(plotter.XYs, len(l.Validation))
		for i, q := range l.Validation {
			val[i] = plotter.XY{X: q, Y: float64(i) / float64(len(l.Validation)-1)}
		}
		s := append([]float64(nil), l.Batch...)
		sort.Float64s(s)
		batch := make(plotter.XYs, 0, 2*len(s))
		for i, x := range s {
			batch = append(batch, plotter.XY{X: x, Y: float64(i) / float64(len(s))}, plotter.XY{X: x, Y: float64(i+1) / float64(len(s))})
		}
		if err := line(p, val, blue, "validation", false); err != nil {
			return err
		}
		if err := line(p, batch, orange, "new batch", false); err != nil {
			return err
		}
		uri, err := pngURI(p)
		if err != nil {
			return err
		}
		views[k] = driftView{DriftLabel: l, Plot: uri}
		if l.Warning != "" {
			warnings = append(warnings, l.Name+": "+l.Warning)
		}
	}
	err := driftTemplate.Execute(w, struct {
		Drift
		Views    []driftView
		Warnings []string
	}{d, views, warnings})
	if err != nil {
		return fmt.Errorf("report: writing HTML: %w", err)
	}
	return nil
}

var driftTemplate = template.Must(template.New("drift").Funcs(template.FuncMap{
	"f3": func(x float64) string { return fmt.Sprintf("%.3f", x) },
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{.Title}}</title>
<style>
body { font-family: sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
.warn { background: #fff4e0; border-left: 4px solid #f0a020; padding: 0.5em 1em; }
.label { display: inline-block; vertical-align: top; margin: 0 1.5em 1.5em 0; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.ValImages}} validation images against {{.BatchImages}} new images.</p>
<section id="warnings">
<h2>Warnings</h2>
{{if .Warnings}}<ul class="warn">
{{range .Warnings}}<li>{{.}}</li>
{{end}}</ul>{{else}}<p>None.</p>{{end}}
</section>
<section id="labels">
<h2>Labels</h2>
<table>
<tr><th>label</th><th>validation prevalence</th><th>estimated</th><th>90% interval</th><th>KS</th><th>1% critical</th></tr>
{{range .Views}}<tr><td>{{.Name}}</td><td>{{f3 .Train}}</td><td>{{f3 .Estimated}}</td><td>[{{f3 .Low}}, {{f3 .High}}]</td><td>{{f3 .KS}}</td><td>{{f3 .Critical}}</td></tr>
{{end}}</table>
{{range .Views}}<div class="label"><img alt="{{.Name}} score distributions" src="{{.Plot}}"></div>
{{end}}</section>
</body>
</html>
`))
