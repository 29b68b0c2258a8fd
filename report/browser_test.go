package report

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mlabel/decide"
	"mlabel/infer"
)

// chromium finds Debian's chromium, skipping the test without it (failing
// under CI=true).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on PATH: install Debian's chromium package")
	}
	t.Skip("no chromium on PATH: install Debian's chromium package")
	return ""
}

// browse writes the report of in to a page and opens it in a headless
// browser window width pixels wide; the context ends with the test.
func browse(t *testing.T, in Input, width int) context.Context {
	t.Helper()
	exe := chromium(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(page, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.WindowSize(width, 900),
		chromedp.Flag("disable-component-update", true),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page)); err != nil {
		t.Fatalf("browser: %v", err)
	}
	tctx, tcancel := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(tcancel)
	if _, err := chromedp.Run(tctx, chromedp.Poll[bool](`Array.from(document.images).every(i => i.complete)`)); err != nil {
		t.Fatalf("browser: images: %v", err)
	}
	return tctx
}

// evaluate runs the JavaScript expression js in the page of ctx.
func evaluate[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("browser: evaluate: %v", err)
	}
	return v
}

// screenshot checks that the page of ctx makes a PNG, and keeps it at
// $MLABEL_REPORT_SCREENSHOT when set.
func screenshot(t *testing.T, ctx context.Context) {
	t.Helper()
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("browser: screenshot: %v", err)
	}
	if _, err := png.Decode(bytes.NewReader(shot)); err != nil {
		t.Errorf("screenshot is not a PNG: %v", err)
	}
	if out := os.Getenv("MLABEL_REPORT_SCREENSHOT"); out != "" {
		if err := os.WriteFile(out, shot, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// openAll opens every collapsed section of the page.
const openAll = `document.querySelectorAll("details").forEach(d => d.open = true)`

// In a headless browser the report renders: every image decodes, the
// gallery holds thumbnails, and an opened label's plots fill the page's
// width. MLABEL_REPORT_SCREENSHOT keeps a screenshot.
func TestReportInBrowser(t *testing.T) {
	in := sample()
	writeImages(t, &in)
	in.Training = []Epoch{{1, 0.7, 0.72, 0.4, 0.3}, {2, 0.5, 0.6, 0.55, 0.5}, {3, 0.4, 0.58, 0.5, 0.56}}
	rules, err := decide.FitPerClass(infer.Set{Scores: in.Scores, Truth: in.Truth},
		decide.Options{Beta: 2, Objective: decide.LabelF, MinPositives: 5, Bootstrap: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	in.Rules = rules
	in.About = About{Model: "demo.mlb", Arch: "small", Data: "tags.csv", View: "overhead",
		Splits: []SplitSize{{"train", 420}, {"validation", 90}, {"test", 60}}}
	ctx := browse(t, in, 1400)
	type counts struct {
		Images, Broken, Thumbs, PlotWidth, PageWidth int
	}
	got := evaluate[counts](t, ctx, `(() => {
		`+openAll+`;
		const imgs = Array.from(document.images);
		const plots = Array.from(document.querySelectorAll("#pr-curves img"));
		const right = Math.max(...plots.map(i => i.getBoundingClientRect().right));
		const left = Math.min(...plots.map(i => i.getBoundingClientRect().left));
		return {
			Images: imgs.length,
			Broken: imgs.filter(i => i.naturalWidth === 0).length,
			Thumbs: document.querySelectorAll("#gallery figure img").length,
			PlotWidth: Math.round(right - left),
			PageWidth: document.documentElement.clientWidth,
		};
	})()`)
	if got.Broken != 0 || got.Images == 0 {
		t.Errorf("%d of %d images do not render", got.Broken, got.Images)
	}
	if got.Thumbs == 0 {
		t.Error("the gallery has no thumbnails")
	}
	if got.PlotWidth < got.PageWidth*85/100 {
		t.Errorf("the plots span %d of %d pixels", got.PlotWidth, got.PageWidth)
	}
	screenshot(t, ctx)
}

// manyLabels returns n labels scored on 200 images whose files lie deep
// below the folder the names are relative to, as a test split's are.
func manyLabels(t *testing.T, n int) Input {
	t.Helper()
	rng := rand.New(rand.NewPCG(3, 4))
	in := Input{Set: infer.Set{}}
	for j := range n {
		in.Labels = append(in.Labels, fmt.Sprintf("label_%02d", j))
	}
	dir := filepath.Join(t.TempDir(), "planet", "train-jpg")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		tr, sc := make([]float64, n), make([]float64, n)
		for j := range n {
			if rng.Float64() < 0.3 {
				tr[j] = 1
			}
			sc[j] = 0.4*tr[j] + 0.6*rng.Float64()
		}
		in.Truth, in.Scores = append(in.Truth, tr), append(in.Scores, sc)
		img := image.NewRGBA(image.Rect(0, 0, 64, 64))
		for k := range img.Pix {
			img.Pix[k] = uint8(i*7 + k)
		}
		name := fmt.Sprintf("train_%d.png", 6000+i)
		var buf bytes.Buffer
		if err := png.Encode(&buf, img); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		in.Names = append(in.Names, "../../../../data/planet/train-jpg/"+name)
		in.Paths = append(in.Paths, filepath.Join(dir, name))
	}
	return in
}

// A report on 17 labels is short enough to scan at 1280 pixels: its
// per-label sections start collapsed under a table of contents, which
// wraps within the page; opened, each label's thumbnails fill the width in
// rows, and each caption's file name (the whole path on hover) and score
// stay on one line each.
func TestReportScansInBrowser(t *testing.T) {
	in := manyLabels(t, 17)
	ctx := browse(t, in, 1280)
	h := evaluate[int](t, ctx, `document.documentElement.scrollHeight`)
	if h > 6000 {
		t.Errorf("the page is %d pixels tall for 17 labels", h)
	}
	t.Logf("the page is %d pixels tall for 17 labels", h)
	if n := evaluate[int](t, ctx, `document.querySelectorAll("nav#contents a").length`); n < 8 {
		t.Errorf("the table of contents has %d links", n)
	}
	if out := evaluate[int](t, ctx, `Array.from(document.querySelectorAll("nav#contents a")).filter(a => a.getBoundingClientRect().right > document.documentElement.clientWidth).length`); out != 0 {
		t.Errorf("%d links of the table of contents run off the page", out)
	}
	type layout struct {
		Captions, Multiline int
		FirstName, Title    string
		Grids, Narrow       int
	}
	got := evaluate[layout](t, ctx, `(() => {
		`+openAll+`;
		const spans = Array.from(document.querySelectorAll("#gallery figcaption > span.line"));
		const multi = spans.filter(s => s.getBoundingClientRect().height > 1.5 * parseFloat(getComputedStyle(s).lineHeight || "16") || s.getBoundingClientRect().height > 30);
		const grids = Array.from(document.querySelectorAll("#gallery .thumbs")).filter(g => g.children.length >= 8);
		const narrow = grids.filter(g => {
			const r = g.getBoundingClientRect();
			const right = Math.max(...Array.from(g.children).map(c => c.getBoundingClientRect().right));
			return right - r.left < 0.9 * r.width;
		});
		const fig = document.querySelector("#gallery figure");
		return {
			Captions: spans.length, Multiline: multi.length,
			FirstName: fig.querySelector("figcaption b").textContent, Title: fig.title,
			Grids: grids.length, Narrow: narrow.length,
		};
	})()`)
	if got.Captions == 0 || got.Multiline != 0 {
		t.Errorf("%d of %d caption lines wrap", got.Multiline, got.Captions)
	}
	if !strings.HasPrefix(got.FirstName, "train_") || !strings.HasSuffix(got.Title, got.FirstName) || !strings.Contains(got.Title, "train-jpg") {
		t.Errorf("caption %q with title %q, want the file name and its path", got.FirstName, got.Title)
	}
	if got.Grids == 0 || got.Narrow != 0 {
		t.Errorf("%d of %d full galleries leave a part of the width empty", got.Narrow, got.Grids)
	}
	screenshot(t, ctx)
}
