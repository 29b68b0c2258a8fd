package serve

import (
	"bytes"
	"context"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// chromiumPath finds the browser the test drives, skipping the test
// without it (failing under CI=true); the project's test script installs
// Debian's chromium.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium on PATH: install Debian's chromium package (./test.sh does)")
	}
	t.Skip("no chromium on PATH: install Debian's chromium package (./test.sh does)")
	return ""
}

// openPage starts a headless chromium with its profile in dir, opens url
// and returns the tab's context, under a timeout of its own.
func openPage(t *testing.T, url, dir string) context.Context {
	t.Helper()
	exe := chromiumPath(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
	)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// The first action starts the browser, under no timeout of its own.
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		t.Fatalf("browser: %v", err)
	}
	tctx, tcancel := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(tcancel)
	return tctx
}

// In a real headless browser: the page loads the model, a user chooses two
// images and clicks Predict, and the page shows for each image exactly the
// labels the API returns for it. The server is busy (503) the first time:
// the page waits its Retry-After and sends the images again.
func TestPageInBrowser(t *testing.T) {
	p := testPredictor(t)
	h := Handler(p, Options{})
	var predicts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/predict" && predicts.Add(1) == 1 {
			w.Header().Set("Retry-After", "1")
			fail(w, &httpError{http.StatusServiceUnavailable, "busy"})
			return
		}
		h.ServeHTTP(w, r)
	}))
	defer srv.Close()

	dir := t.TempDir()
	files := []string{filepath.Join(dir, "blue.png"), filepath.Join(dir, "green.png")}
	colors := []color.Color{color.RGBA{20, 60, 220, 255}, color.RGBA{30, 160, 40, 255}}
	for i, f := range files {
		if err := os.WriteFile(f, pngBytes(t, 48, 48, colors[i]), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	tctx := openPage(t, srv.URL+"/", dir)
	step := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("browser: %s: %v", what, err)
		}
	}
	_, err := chromedp.Run(tctx, chromedp.Poll[bool](`document.getElementById("model").textContent.includes("3 labels")`))
	step("model info", err)
	step("choose files and predict", chromedp.Do(tctx,
		chromedp.SetUploadFiles("#files", files),
		chromedp.WaitEnabled("#predict"),
		chromedp.Click("#predict"),
	))
	_, err = chromedp.Run(tctx, chromedp.Poll[bool](`document.querySelectorAll(".prediction").length === 2`))
	step("results", err)
	status, err := chromedp.Run(tctx, chromedp.Text("#status"))
	step("status", err)
	shown, err := chromedp.Run(tctx, chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(".prediction")).map(r =>
		r.querySelector(".name").textContent + ":" +
		Array.from(r.querySelectorAll(".label")).map(l => l.dataset.label).join(","))`))
	step("read results", err)
	screenshot, err := chromedp.Run(tctx, chromedp.FullScreenshot(100))
	step("screenshot", err)
	if status != "done: 2 image(s)" {
		t.Errorf("status %q", status)
	}
	if n := predicts.Load(); n != 2 {
		t.Errorf("%d prediction requests, want the refused one and its retry", n)
	}
	// The same images through the API.
	var want []string
	for _, f := range files {
		data, _ := os.ReadFile(f)
		code, r := do(t, Handler(p, Options{}), "POST", "/api/predict", "image/png", data)
		if code != 200 {
			t.Fatalf("api: %d %s", code, r.Error)
		}
		var labels []string
		for _, l := range r.Predictions[0].Labels {
			labels = append(labels, l.Label)
		}
		want = append(want, filepath.Base(f)+":"+strings.Join(labels, ","))
	}
	if !slices.Equal(shown, want) {
		t.Errorf("page shows %q, the API predicts %q", shown, want)
	}
	if _, err := png.Decode(bytes.NewReader(screenshot)); err != nil {
		t.Errorf("screenshot is not a PNG: %v", err)
	}
	if out := os.Getenv("MLABEL_SCREENSHOT"); out != "" {
		os.WriteFile(out, screenshot, 0o644)
	}
}
