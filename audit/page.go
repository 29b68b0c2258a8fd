package audit

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"html/template"
	"image/png"
	"io"
	"strings"

	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/show"
)

// PageOptions say what the HTML page of an audit shows.
type PageOptions struct {
	// Max is the number of issues shown, most suspicious first; all when
	// 0.
	Max int
	// Pre is the images' preprocessing; the thumbnails are drawn at
	// Thumb pixels with it.
	Pre imageio.Preprocess
	// Thumb is the side of a thumbnail in pixels (96 when 0).
	Thumb int
}

// card is one issue as the page shows it.
type card struct {
	Image, Label, Kind, Tags, Where, Rule string
	Score, Prob                           float64
	Thumb                                 template.URL
	ThumbErr                              string
}

// WritePage writes a self-contained HTML page of the issues found on ds
// (f from Find on ds's out-of-fold set): for each pair a thumbnail, the
// image's given tags and the suspected error, then each label's thresholds
// and noise rate. A thumbnail that cannot be drawn is replaced by the
// reason.
func WritePage(w io.Writer, ds *dataset.Dataset, f *Findings, o PageOptions) error {
	if o.Thumb <= 0 {
		o.Thumb = 96
	}
	pre := o.Pre
	pre.Size = o.Thumb
	is := f.Issues
	if o.Max > 0 && len(is) > o.Max {
		is = is[:o.Max]
	}
	cards := make([]card, len(is))
	for k, x := range is {
		if x.Row < 0 || x.Row >= len(ds.Items) {
			return fmt.Errorf("audit: page: issue row %d outside the set's %d images", x.Row, len(ds.Items))
		}
		it := ds.Items[x.Row]
		c := card{Image: x.Image, Label: x.Label, Kind: string(x.Kind), Score: x.Score, Prob: x.Prob, Rule: x.Rule, Tags: tagString(ds, it), Where: ds.Where(it)}
		if uri, err := thumbnail(it.Path, pre); err != nil {
			c.ThumbErr = err.Error()
		} else {
			c.Thumb = uri
		}
		cards[k] = c
	}
	data := struct {
		Source            string
		Total, Shown      int
		Cards             []card
		Labels            []LabelStats
		Rules, Tendencies []decide.Found
	}{ds.Source, len(f.Issues), len(cards), cards, f.Labels, f.Discovered, f.Tendencies}
	if err := pageTemplate.Execute(w, data); err != nil {
		return fmt.Errorf("audit: page: %w", err)
	}
	return nil
}

// thumbnail draws what the network sees of the image as a PNG data URI.
func thumbnail(path string, pre imageio.Preprocess) (template.URL, error) {
	img, err := show.Picture(path, show.Options{Pre: pre}, 0)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", fmt.Errorf("audit: thumbnail: %w", err)
	}
	// Built from base64 only, so it is safe as a URL.
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// tagString writes an item's tags as a tags CSV does: the positives, then
// the unknown ones as ?tag.
func tagString(ds *dataset.Dataset, it dataset.Item) string {
	var t []string
	for _, l := range it.Pos {
		t = append(t, ds.Labels[l])
	}
	for _, l := range it.Unknown {
		t = append(t, "?"+ds.Labels[l])
	}
	return strings.Join(t, " ")
}

var pageTemplate = template.Must(template.New("audit").Funcs(template.FuncMap{
	"pct": func(v float64) string { return fmt.Sprintf("%.1f%%", 100*v) },
	"f2":  func(v float64) string { return fmt.Sprintf("%.2f", v) },
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Label audit of {{.Source}}</title>
<style>
body{font-family:sans-serif;margin:1.5em;color:#222}
.grid{display:flex;flex-wrap:wrap;gap:12px}
.card{width:200px;border:1px solid #ccc;border-radius:6px;padding:8px;font-size:13px}
.card img{display:block;margin:0 auto 6px;image-rendering:pixelated;width:160px;height:160px}
.missing b{color:#1f77b4}.spurious b{color:#d62728}
.tags{color:#555;word-break:break-word}.err{color:#a00}
table{border-collapse:collapse;margin-top:1em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th:first-child,td:first-child{text-align:left}
</style></head><body>
<h1>Label audit</h1>
<p>{{.Source}}: {{.Total}} suspect tags, the {{.Shown}} most suspicious shown. <b>missing</b>: the tag is absent but the out-of-fold model is confident it is present; <b>spurious</b>: the tag is present but the model is confident it is absent.</p>
{{if .Rules}}<h2>Label rules found in the tags, used to flag them</h2>
<p>No image breaks these rules but a few, far fewer than chance would give: the tags that break them are listed first.</p>
<ul>{{range .Rules}}<li>{{.Rule.String}}: {{.Broken}} of {{.Images}} images break it</li>{{end}}</ul>{{end}}
{{if .Tendencies}}<h2>Tendencies, shown only</h2>
<p>Labels that go together less often than chance would have them, but that real images break: no tag is flagged, or marked unknown in the corrected tags, for breaking one.</p>
<ul>{{range .Tendencies}}<li>{{.Rule.String}}: {{.Broken}} of {{.Images}} images break it</li>{{end}}</ul>{{end}}
<div class="grid">{{range .Cards}}
<div class="card {{.Kind}}">{{if .Thumb}}<img src="{{.Thumb}}" alt="{{.Image}}">{{else}}<p class="err">{{.ThumbErr}}</p>{{end}}
<div><b>{{.Kind}}: {{.Label}}</b> (p = {{f2 .Prob}}, score {{f2 .Score}})</div>
{{if .Rule}}<div>breaks: {{.Rule}}</div>{{end}}<div>{{.Image}}</div><div class="tags">given: {{.Tags}}</div><div class="tags">{{.Where}}</div></div>{{end}}
</div>
<h2>Labels</h2>
<table><tr><th>label</th><th>known</th><th>tagged</th><th>present threshold</th><th>absent threshold</th><th>missing</th><th>spurious</th><th>noise rate</th></tr>
{{range .Labels}}<tr><td>{{.Label}}</td><td>{{.Known}}</td><td>{{.Tagged}}</td><td>{{f2 .Present}}</td><td>{{f2 .Absent}}</td><td>{{.Missing}}</td><td>{{.Spurious}}</td><td>{{pct .NoiseRate}}</td></tr>
{{end}}</table>
</body></html>
`))
