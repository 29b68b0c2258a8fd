package report

import (
	"fmt"
	"html/template"

	"mlabel/metrics"
)

var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"f3":   func(x float64) string { return fmt.Sprintf("%.3f", x) },
	"f4":   func(x float64) string { return fmt.Sprintf("%.4f", x) },
	"opt":  metrics.FormatOptional,
	"pair": func(kind string, t thumb) thumbArgs { return thumbArgs{kind, t} },
	// shade is a cell's background: its share of its row of the
	// confusion table, green on the diagonal and red off it.
	"shade": func(cm [2][2]int, r, c int) template.CSS {
		n := cm[r][0] + cm[r][1]
		a := 0.0
		if n > 0 {
			a = 0.08 + 0.6*float64(cm[r][c])/float64(n)
		}
		rgb := "214,39,40"
		if r == c {
			rgb = "44,160,44"
		}
		return template.CSS(fmt.Sprintf("background: rgba(%s,%.2f)", rgb, a))
	},
}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, sans-serif; margin: 1.5em 2vw; color: #222; }
h1 { font-size: 1.5em; }
table { border-collapse: collapse; margin: 1em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; }
th:first-child, td:first-child { text-align: left; }
td.def, th.def { text-align: left; color: #555; font-size: 0.9em; }
.warn { background: #fff4e0; border-left: 4px solid #f0a020; padding: 0.5em 1em 0.5em 2em; }
.card { background: #f4f7fb; border: 1px solid #d6dee8; border-radius: 6px; padding: 0.6em 1.2em; }
.card dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 1em; margin: 0.4em 0; }
.card dt { font-weight: bold; }
.card dd { margin: 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 560px), 1fr)); gap: 1em; }
.grid img { width: 100%; height: auto; }
.cms { display: grid; grid-template-columns: repeat(auto-fill, minmax(13em, 1fr)); gap: 0.5em 1em; }
table.cm td { width: 3em; text-align: center; }
nav#contents { display: flex; flex-wrap: wrap; gap: 0.3em 1.2em; margin: 0.5em 0 1em; }
nav#contents a { white-space: nowrap; }
details { margin: 0.2em 0; }
details > summary { cursor: pointer; padding: 0.2em 0; }
details[open] > summary { margin-bottom: 0.4em; }
.thumbs { display: grid; grid-template-columns: repeat(auto-fill, minmax(8em, 1fr)); gap: 0.8em; margin: 0.3em 0 1em; }
figure.thumb { margin: 0; min-width: 0; font-size: 0.8em; }
figure.thumb img { display: block; width: 100%; max-width: 320px; height: auto; box-sizing: border-box; border: 3px solid #ccc; }
figure.fp img { border-color: #d62728; }
figure.fn img { border-color: #1f77b4; }
figure.thumb figcaption > span { display: block; }
figure.thumb figcaption > span.line { white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
figure.thumb figcaption > span.tags { overflow-wrap: anywhere; }
.missing { display: flex; align-items: center; justify-content: center; aspect-ratio: 1; border: 3px dashed #ccc; color: #888; }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<nav id="contents"><a href="#summary">Summary</a><a href="#warnings">Warnings ({{len .Warnings}})</a><a href="#metrics">Metrics</a><a href="#labels">Per label</a><a href="#gallery">Worst errors</a><a href="#confused">Most-confused pairs</a><a href="#confusion">Confusion matrices</a><a href="#pr-curves">Curves per label</a><a href="#reliability">Reliability</a>{{if .Training}}<a href="#training">Training curves</a>{{end}}</nav>
<section id="summary" class="card">
<dl>
{{with .About.Model}}<dt>model</dt><dd>{{.}}{{with $.About.Arch}} ({{.}}){{end}}</dd>
{{end}}{{with .About.Data}}<dt>data</dt><dd>{{.}}, {{$.Samples}} images scored</dd>
{{else}}<dt>data</dt><dd>{{.Samples}} images scored</dd>
{{end}}{{with .About.Splits}}<dt>training splits</dt><dd>{{range $i, $s := .}}{{if $i}}, {{end}}{{$s.Name}} {{$s.Images}}{{end}} images</dd>
{{end}}{{with .About.View}}<dt>view</dt><dd>{{.}}</dd>
{{end}}<dt>decisions</dt><dd>{{.Rule}}</dd>
</dl>
{{with .Beta}}<p>{{.}}</p>
{{end}}{{range .Notes}}<p>{{.}}</p>
{{end}}</section>

<section id="warnings">
<h2>Warnings</h2>
{{if .Warnings}}<ul class="warn">
{{range .Warnings}}<li>{{.}}</li>
{{end}}</ul>{{else}}<p>None.</p>{{end}}
</section>

<section id="metrics">
<h2>Metrics</h2>
<table>
<tr><th>metric</th><th>value</th>{{if (index .Metrics 0).AtHalf}}<th>at 0.5</th>{{end}}<th class="def">meaning</th></tr>
{{range .Metrics}}<tr><td>{{.Name}}</td><td>{{.Value}}</td>{{if .AtHalf}}<td>{{.AtHalf}}</td>{{end}}<td class="def">{{.Definition}}</td></tr>
{{end}}</table>
</section>

<section id="labels">
<h2>Per label</h2>
<p>Support: known positives; known: images whose truth for the label is known. The interval is the bootstrap 90% interval of the fitted threshold.</p>
<table>
<tr><th>label</th><th>support</th><th>known</th><th>AP</th><th>ROC AUC</th><th>threshold</th><th>90% interval</th><th>precision</th><th>recall</th><th>F1</th><th>F2</th></tr>
{{range $j, $l := .Labels}}<tr><td><a href="#label-{{$j}}">{{.Name}}</a>{{if .Shrunk}} (shrunk){{end}}</td><td>{{.S.Support}}</td><td>{{.S.Known}}</td><td>{{opt .S.AP}}</td><td>{{opt .S.ROCAUC}}</td><td>{{f4 .S.Threshold}}</td><td>{{.Interval}}{{with .IntervalNote}}<br><small>{{.}}</small>{{end}}</td><td>{{f4 .S.Precision}}</td><td>{{f4 .S.Recall}}</td><td>{{f4 .S.F1}}</td><td>{{f4 .S.F2}}</td></tr>
{{end}}</table>
</section>

<section id="gallery">
<h2>Worst errors</h2>
<p>Per label (open one to see it), the false positives with the highest scores (FP, red frame: predicted, but not a given tag) and the false negatives with the lowest scores (FN, blue frame: a given tag the model missed). Each shows its file name (hover for the whole path), its score for the label and the image's given tags; look for wrong tags as well as model mistakes.</p>
{{range .Gallery}}<details class="errs"><summary><b>{{.Name}}</b>: {{len .FP}} false positives, {{len .FN}} false negatives <small>(threshold {{f3 .Threshold}})</small></summary>
<div class="thumbs">{{range .FP}}{{template "thumb" (pair "fp" .)}}{{end}}{{range .FN}}{{template "thumb" (pair "fn" .)}}{{end}}</div>
</details>
{{else}}<p>No errors on this split.</p>
{{end}}<h3 id="confused">Most-confused label pairs</h3>
{{if .Confused}}<p>Images that have the first label, which the model missed, while it predicted the second, which they do not have.</p>
<table>
<tr><th>true label (missed)</th><th>predicted instead</th><th>images</th></tr>
{{range .Confused}}<tr><td>{{.True}}</td><td>{{.Pred}}</td><td>{{.N}}</td></tr>
{{end}}</table>{{else}}<p>No image has both a missed label and a wrongly predicted one.</p>{{end}}
</section>

<section id="confusion">
<h2>Confusion matrices</h2>
<div class="cms">
{{range .Labels}}<div><h3>{{.Name}}</h3>
<table class="cm">
<tr><th></th><th>pred 0</th><th>pred 1</th></tr>
<tr><th>true 0</th><td style="{{shade .Confusion 0 0}}">{{index (index .Confusion 0) 0}}</td><td style="{{shade .Confusion 0 1}}">{{index (index .Confusion 0) 1}}</td></tr>
<tr><th>true 1</th><td style="{{shade .Confusion 1 0}}">{{index (index .Confusion 1) 0}}</td><td style="{{shade .Confusion 1 1}}">{{index (index .Confusion 1) 1}}</td></tr>
</table></div>
{{end}}</div>
</section>

<section id="pr-curves">
<h2>Curves per label</h2>
<p>Open a label to see its precision-recall curve and its reliability diagram. On the curve, the dashed line is the label's prevalence, the precision of predicting it for every image; the dot is the fitted threshold. The reliability diagram is read as the one below.</p>
{{range $j, $l := .Labels}}<details id="label-{{$j}}"><summary><b>{{.Name}}</b>: AP {{opt .S.AP}}, threshold {{f3 .S.Threshold}}, {{.S.Support}} positives</summary>
<div class="grid">
<div>{{if .PR}}<img alt="precision-recall curve of {{.Name}}" src="{{.PR}}">{{else}}<p>{{.Name}}: no known positive, no curve.</p>{{end}}</div>
{{if .Calib}}<div><img alt="reliability of {{.Name}}" src="{{.Calib}}"></div>
{{end}}</div>
</details>
{{end}}</section>

<section id="reliability">
<h2>Reliability</h2>
<p>Scores in ten equal bins: a calibrated model lies on the diagonal. ECE, the expected calibration error, is the mean gap between score and positive rate, weighted by the bins' counts (the numbers by the points). Each label's diagram is with its curves above.</p>
<div class="grid">
{{if .Pooled}}<div><img alt="reliability of all labels" src="{{.Pooled}}"></div>
{{end}}</div>
</section>
{{if .Training}}
<section id="training">
<h2>Training curves</h2>
<div class="grid">
{{range .Training}}<div><img alt="training curve" src="{{.}}"></div>
{{end}}</div>
</section>
{{end}}
<script>
// A link to a label opens its collapsed section.
function openTarget() {
	const d = location.hash && document.getElementById(location.hash.slice(1));
	if (d && d.tagName === "DETAILS") d.open = true;
}
addEventListener("hashchange", openTarget);
openTarget();
</script>
</body>
</html>
{{define "thumb"}}<figure class="thumb {{.Kind}}" title="{{.T.Path}}">{{if .T.Src}}<img alt="{{.T.Name}}" src="{{.T.Src}}">{{else}}<div class="missing">{{.T.Why}}</div>{{end}}
<figcaption><span class="line"><b>{{.T.Name}}</b></span><span class="line">{{if eq .Kind "fp"}}FP{{else}}FN{{end}}, score {{f3 .T.Score}}</span><span class="tags">tags: {{.T.Tags}}</span></figcaption></figure>{{end}}`))

// thumbArgs passes a thumbnail and its kind ("fp" or "fn") to the thumb
// template.
type thumbArgs struct {
	Kind string
	T    thumb
}
