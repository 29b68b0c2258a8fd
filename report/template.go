package report

import (
	"fmt"
	"html/template"
)

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"f4": func(x float64) string { return fmt.Sprintf("%.4f", x) },
	"opt": func(x *float64) string {
		if x == nil {
			return "-"
		}
		return fmt.Sprintf("%.4f", *x)
	},
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
table.cm td { width: 3em; text-align: center; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<p>{{.Samples}} samples, decided by the {{.Rule}}.</p>
{{range .Notes}}<p>{{.}}</p>
{{end}}
<section id="warnings">
<h2>Warnings</h2>
{{if .Warnings}}<ul class="warn">
{{range .Warnings}}<li>{{.}}</li>
{{end}}</ul>{{else}}<p>None.</p>{{end}}
</section>

<section id="metrics">
<h2>Metrics</h2>
<table>
<tr><th>metric</th><th>value</th></tr>
{{range .Metrics}}<tr><td>{{index . 0}}</td><td>{{index . 1}}</td></tr>
{{end}}</table>
</section>

<section id="labels">
<h2>Per label</h2>
<table>
<tr><th>label</th><th>support</th><th>known</th><th>AP</th><th>ROC AUC</th><th>threshold</th><th>90% interval</th><th>precision</th><th>recall</th><th>F1</th><th>F2</th></tr>
{{range .Labels}}<tr><td>{{.Name}}{{if .Shrunk}} (shrunk){{end}}</td><td>{{.S.Support}}</td><td>{{.S.Known}}</td><td>{{opt .S.AP}}</td><td>{{opt .S.ROCAUC}}</td><td>{{f4 .S.Threshold}}</td><td>{{.Interval}}</td><td>{{f4 .S.Precision}}</td><td>{{f4 .S.Recall}}</td><td>{{f4 .S.F1}}</td><td>{{f4 .S.F2}}</td></tr>
{{end}}</table>
</section>

<section id="confusion">
<h2>Confusion matrices</h2>
{{range .Labels}}<div class="label"><h3>{{.Name}}</h3>
<table class="cm">
<tr><th></th><th>pred 0</th><th>pred 1</th></tr>
<tr><th>true 0</th><td>{{index (index .Confusion 0) 0}}</td><td>{{index (index .Confusion 0) 1}}</td></tr>
<tr><th>true 1</th><td>{{index (index .Confusion 1) 0}}</td><td>{{index (index .Confusion 1) 1}}</td></tr>
</table></div>
{{end}}</section>

<section id="pr-curves">
<h2>Precision-recall curves</h2>
{{range .Labels}}<div class="label">{{if .PR}}<img alt="precision-recall curve of {{.Name}}" src="{{.PR}}">{{else}}<p>{{.Name}}: no known positive, no curve.</p>{{end}}</div>
{{end}}</section>

<section id="reliability">
<h2>Reliability diagrams</h2>
{{if .Pooled}}<div class="label"><img alt="reliability of all labels" src="{{.Pooled}}"></div>
{{end}}{{range .Labels}}{{if .Calib}}<div class="label"><img alt="reliability of {{.Name}}" src="{{.Calib}}"></div>
{{end}}{{end}}</section>
{{if .Training}}
<section id="training">
<h2>Training curves</h2>
{{range .Training}}<div class="label"><img alt="training curve" src="{{.}}"></div>
{{end}}</section>
{{end}}
</body>
</html>
`))
