package report

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
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

// In a headless browser the report renders: every image decodes, the
// gallery holds thumbnails, and the plots fill the page's width.
// MLABEL_REPORT_SCREENSHOT keeps a screenshot.
func TestReportInBrowser(t *testing.T) {
	exe := chromium(t)
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
		chromedp.WindowSize(1400, 900),
		chromedp.Flag("disable-component-update", true),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancel()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+page)); err != nil {
		t.Fatalf("browser: %v", err)
	}
	tctx, tcancel := context.WithTimeout(ctx, 90*time.Second)
	defer tcancel()
	_, err = chromedp.Run(tctx, chromedp.Poll[bool](`Array.from(document.images).every(i => i.complete)`))
	if err != nil {
		t.Fatalf("browser: images: %v", err)
	}
	type counts struct {
		Images, Broken, Thumbs, PlotWidth, PageWidth int
	}
	got, err := chromedp.Run(tctx, chromedp.Evaluate[counts](`(() => {
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
	})()`))
	if err != nil {
		t.Fatalf("browser: evaluate: %v", err)
	}
	if got.Broken != 0 || got.Images == 0 {
		t.Errorf("%d of %d images do not render", got.Broken, got.Images)
	}
	if got.Thumbs == 0 {
		t.Error("the gallery has no thumbnails")
	}
	if got.PlotWidth < got.PageWidth*85/100 {
		t.Errorf("the plots span %d of %d pixels", got.PlotWidth, got.PageWidth)
	}
	shot, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
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
