package serve

import (
	"encoding/csv"
	"encoding/json"
	"image/color"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/chromedp/chromedp"

	"mlabel/metrics"
	"mlabel/predict"
)

// In a headless browser, with a server that takes 2 images and 5000
// pixels a request: the page sends five images in batches, splits the
// batch the server refuses and reports only the image at fault as failed,
// shows the progress, every threshold as text, the model's summary, offers
// the results as CSV and JSON, and toggles each image's heat map.
func TestPageBatchesSummarisesDownloadsAndDrawsHeatMaps(t *testing.T) {
	p := testPredictor(t)
	b := p.Bundle()
	b.View = "overhead"
	ap := 0.8
	b.Metrics = &metrics.Summary{Labels: testLabels, Samples: 40, F2Samples: 0.71, F1Micro: 0.62, F1Macro: 0.58, SubsetAccuracy: 0.35, HammingLoss: 0.12, MAPMacro: &ap,
		PerLabel: map[string]metrics.LabelSummary{"water": {Support: 12, Precision: 0.5, Recall: 0.75, AP: &ap}}}
	var predicts, cams atomic.Int32
	h := Handler(p, Options{MaxImages: 2, MaxRequestPixels: 5000})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/predict":
			predicts.Add(1)
		case "/api/cam":
			cams.Add(1)
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()

	// 48×48 images take 2304 pixels; the 80×80 one is over the 5000 of a
	// request on its own, and in the second batch it takes "c.png" over.
	dir := t.TempDir()
	names := []string{"a.png", "b.png", "big.png", "c.png", "d.png"}
	var files []string
	for i, name := range names {
		side := 48
		if name == "big.png" {
			side = 80
		}
		f := filepath.Join(dir, name)
		if err := os.WriteFile(f, pngBytes(t, side, side, color.RGBA{uint8(40 * i), 200, uint8(250 - 40*i), 255}), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	// What the API predicts for the images the page can send.
	api := map[string]predict.Prediction{}
	for i, f := range files {
		if names[i] == "big.png" {
			continue
		}
		data, _ := os.ReadFile(f)
		code, r := do(t, Handler(p, Options{}), http.MethodPost, "/api/predict", "image/png", data)
		if code != 200 {
			t.Fatalf("api: %d %s", code, r.Error)
		}
		r.Predictions[0].Image = names[i]
		api[names[i]] = r.Predictions[0]
	}

	ctx := openPage(t, srv.URL+"/", dir)
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("browser: %s: %v", what, err)
		}
	}
	eval := func(what, js string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		step(what, err)
		return v
	}
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll("#labels tr").length === 4`))
	step("summary", err)
	predicts.Store(0)
	step("choose files and predict", chromedp.Do(ctx,
		chromedp.SetUploadFiles("#files", files),
		chromedp.WaitEnabled("#predict"),
		chromedp.Click("#predict"),
	))
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("status").textContent.startsWith("done")`))
	step("results", err)

	t.Run("batches and progress", func(t *testing.T) {
		if got := eval("status", `document.getElementById("status").textContent`); got != "done: 4 image(s), 1 failed" {
			t.Errorf("status %q", got)
		}
		if got := eval("progress", `(p => p.value + "/" + p.max)(document.getElementById("progress"))`); got != "5/5" {
			t.Errorf("progress %s, want 5/5", got)
		}
		// [a b] [big c] refused, then [big] refused, [c], [d].
		if n := predicts.Load(); n != 5 {
			t.Errorf("%d requests, want 5", n)
		}
		shown := eval("rows", `Array.from(document.querySelectorAll(".prediction, .failure")).map(r => r.className + ":" + r.querySelector(".name").textContent).join(" ")`)
		if want := "prediction:a.png prediction:b.png failure:big.png prediction:c.png prediction:d.png"; shown != want {
			t.Errorf("rows %q, want %q", shown, want)
		}
		if msg := eval("failure", `document.querySelector(".failure").textContent`); !strings.Contains(msg, "over the limit of 5000") {
			t.Errorf("failure row %q does not say why", msg)
		}
	})

	t.Run("thresholds visible", func(t *testing.T) {
		got := eval("thresholds", `Array.from(document.querySelectorAll(".prediction")).map(r =>
			Array.from(r.querySelectorAll("td.thr")).filter(td => td.getBoundingClientRect().width > 0).map(td => td.textContent).join("|")).join(" ")`)
		row := "threshold 0.01|threshold 0.50|threshold 0.99"
		if want := strings.Repeat(row+" ", 3) + row; got != want {
			t.Errorf("thresholds shown %q, want %q", got, want)
		}
		chips := eval("chips", `Array.from(document.querySelectorAll(".prediction .label")).map(c => c.textContent).join("|")`)
		for _, c := range strings.Split(chips, "|") {
			if !strings.Contains(c, " ≥ ") {
				t.Errorf("label %q does not show its threshold", c)
			}
		}
	})

	t.Run("summary", func(t *testing.T) {
		if got := eval("model", `document.getElementById("model").textContent`); !strings.Contains(got, "3 labels") || !strings.Contains(got, "view: overhead") {
			t.Errorf("model line %q", got)
		}
		labels := eval("labels", `Array.from(document.querySelectorAll("#labels tr")).slice(1).map(r => Array.from(r.cells).map(c => c.textContent).join(",")).join(" ")`)
		if want := "water,0.01,12,0.50,0.75,0.80 road,0.50,–,–,–,– forest,0.99,–,–,–,–"; labels != want {
			t.Errorf("labels table %q, want %q", labels, want)
		}
		if why := eval("why", `document.getElementById("labels").parentElement.textContent`); !strings.Contains(why, "A score above a label's threshold counts") {
			t.Errorf("the labels' summary does not say why a low threshold counts: %q", why)
		}
		held := eval("held-out", `document.getElementById("heldout").textContent`)
		for _, want := range []string{"test images40", "F2, samples0.710", "F1, micro0.620", "mAP, macro0.800", "subset accuracy0.350", "Hamming loss0.120"} {
			if !strings.Contains(held, want) {
				t.Errorf("held-out metrics %q lack %q", held, want)
			}
		}
	})

	// The downloads are caught as the page hands them to the browser.
	eval("catch downloads", `window.downloads = {}; HTMLAnchorElement.prototype.click = function () {
		const a = this; fetch(a.href).then(r => r.text()).then(t => { window.downloads[a.download] = t; }); }; ""`)
	step("download", chromedp.Do(ctx, chromedp.Click("#csv"), chromedp.Click("#json")))
	_, err = chromedp.Run(ctx, chromedp.Poll[bool](`Object.keys(window.downloads).length === 2`))
	step("downloads", err)

	t.Run("CSV", func(t *testing.T) {
		rows, err := csv.NewReader(strings.NewReader(eval("csv", `window.downloads["predictions.csv"]`))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if want := append([]string{"image", "tags"}, testLabels...); len(rows) != 5 || !slices.Equal(rows[0], want) {
			t.Fatalf("CSV %q, want a header %q and 4 rows", rows, want)
		}
		for i, name := range []string{"a.png", "b.png", "c.png", "d.png"} {
			row, want := rows[i+1], api[name]
			var tags []string
			for _, l := range want.Labels {
				tags = append(tags, l.Label)
			}
			if row[0] != name || row[1] != strings.Join(tags, " ") {
				t.Errorf("row %q, the API predicts %s: %q", row, name, tags)
			}
			for j, l := range testLabels {
				if v, err := strconv.ParseFloat(row[2+j], 64); err != nil || math.Abs(v-want.Scores[l]) > 1e-6 {
					t.Errorf("%s %s: %q, the API scores %v", name, l, row[2+j], want.Scores[l])
				}
			}
		}
	})

	t.Run("JSON", func(t *testing.T) {
		var got struct {
			Predictions []predict.Prediction
			Failures    []struct{ Image, Error string }
		}
		if err := json.Unmarshal([]byte(eval("json", `window.downloads["predictions.json"]`)), &got); err != nil {
			t.Fatal(err)
		}
		if len(got.Predictions) != 4 || len(got.Failures) != 1 || got.Failures[0].Image != "big.png" || got.Failures[0].Error == "" {
			t.Fatalf("JSON: %d predictions, failures %+v", len(got.Predictions), got.Failures)
		}
		for _, g := range got.Predictions {
			want := api[g.Image]
			if len(g.Labels) != len(want.Labels) || math.Abs(g.Scores["road"]-want.Scores["road"]) > 1e-9 {
				t.Errorf("%s: %+v, the API predicts %+v", g.Image, g, want)
			}
		}
	})

	t.Run("heat map toggle", func(t *testing.T) {
		img := `document.querySelector(".prediction img")`
		state := func() string {
			return eval("heat map state", `(i => i.dataset.showing + ":" + (i.dataset.label || "") + ":" + i.naturalWidth)(`+img+`)`)
		}
		// water's threshold, 0.01, makes it the first predicted label.
		step("show", chromedp.Do(ctx, chromedp.Click(".prediction button.cam")))
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](`(i => i.dataset.showing === "cam" && i.complete && i.naturalWidth > 0)(`+img+`)`))
		step("heat map", err)
		if got := state(); got != "cam:water:"+strconv.Itoa(camView) {
			t.Errorf("heat map %q, want water's at %d pixels", got, camView)
		}
		eval("choose forest", `(s => { s.value = "forest"; s.dispatchEvent(new Event("change")); return ""; })(document.querySelector(".prediction select.cam-label"))`)
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](img+`.dataset.label === "forest" && `+img+`.complete`))
		step("another label", err)
		if caption := eval("caption", `document.querySelector(".prediction .caption").textContent`); !strings.HasPrefix(caption, "heat map of forest (") {
			t.Errorf("caption %q", caption)
		}
		step("hide", chromedp.Do(ctx, chromedp.Click(".prediction button.cam")))
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](img+`.dataset.showing === "image" && `+img+`.complete`))
		step("image again", err)
		if got := state(); got != "image:forest:48" {
			t.Errorf("after the toggle %q, want the 48-pixel image", got)
		}
		if n := cams.Load(); n != 2 {
			t.Errorf("%d heat map requests, want 2", n)
		}
	})

	// MLABEL_PAGE_SCREENSHOT keeps a screenshot, with a heat map shown.
	if out := os.Getenv("MLABEL_PAGE_SCREENSHOT"); out != "" {
		step("show a heat map", chromedp.Do(ctx, chromedp.Click(".prediction button.cam")))
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`(i => i.dataset.showing === "cam" && i.complete)(document.querySelector(".prediction img"))`))
		step("heat map", err)
		screenshot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		step("screenshot", err)
		if err := os.WriteFile(out, screenshot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
