package serve

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"mlabel/imageio/imagetest"
)

func TestPixelBudgets(t *testing.T) {
	p := testPredictor(t)
	img := string(pngBytes(t, 100, 100, color.White)) // 10000 pixels
	ct, two := multipartBody(t, [3]string{"image", "a.png", img}, [3]string{"image", "b.png", img})
	for _, tc := range []struct {
		name   string
		opt    Options
		status int
		want   string
	}{
		{"within the budgets", Options{MaxRequestPixels: 20000, MaxServerPixels: 10000}, 200, ""},
		{"over the request budget", Options{MaxRequestPixels: 15000}, 413, `more than 15000 pixels together ("b.png" takes them to 20000)`},
		{"image over a budget smaller than the image limit", Options{MaxServerPixels: 5000}, 413, "over the limit of 5000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, r := do(t, Handler(p, tc.opt), http.MethodPost, "/api/predict", ct, two)
			if code != tc.status || !strings.Contains(r.Error, tc.want) {
				t.Fatalf("%d %q, want %d with %q", code, r.Error, tc.status, tc.want)
			}
		})
	}
}

// Beyond MaxConcurrent requests at once the answer is 503 with Retry-After;
// a request still reading its body holds no slot.
func TestTooManyRequests(t *testing.T) {
	s := newServer(testPredictor(t), Options{MaxConcurrent: 1})
	h := s.handler()
	img := pngBytes(t, 8, 8, color.White)

	// A request reading its body takes no slot: others are answered.
	pr, pw := io.Pipe()
	reading := make(chan int)
	go func() {
		req := httptest.NewRequest(http.MethodPost, "/api/predict", pr)
		req.Header.Set("Content-Type", "image/png")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		reading <- rec.Code
	}()
	pw.Write(img[:10])
	if code, r := do(t, h, http.MethodPost, "/api/predict", "image/png", img); code != http.StatusOK {
		t.Errorf("beside a request reading its body: %d %s", code, r.Error)
	}
	pw.Close()
	if code := <-reading; code != http.StatusBadRequest {
		t.Errorf("request cut short: %d", code)
	}

	// A request waiting to decode holds its slot: with the pixel budget
	// taken, the first request waits in it and the next is refused.
	if err := s.pixels.acquire(context.Background(), s.opt.MaxServerPixels); err != nil {
		t.Fatal(err)
	}
	waiting := make(chan int)
	go func() {
		code, _ := do(t, h, http.MethodPost, "/api/predict", "image/png", img)
		waiting <- code
	}()
	for deadline := time.Now().Add(10 * time.Second); len(s.slots) == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the first request never took its slot")
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/api/predict", bytes.NewReader(img)))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "busy") {
		t.Errorf("second request: %d, Retry-After %q, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if rec := camRequest(h, "", "image/png", img); rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("heat map while busy: %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	s.pixels.release(s.opt.MaxServerPixels)
	if code := <-waiting; code != http.StatusOK {
		t.Errorf("first request, once the pixels are free: %d", code)
	}
	if code, _ := do(t, h, http.MethodPost, "/api/predict", "image/png", img); code != http.StatusOK {
		t.Errorf("after the first request ended: %d", code)
	}
	if len(s.slots) != 0 || s.bytes.free != s.opt.MaxServerBytes {
		t.Errorf("after every request: %d slots and %d of %d bytes held", len(s.slots), s.opt.MaxServerBytes-s.bytes.free, s.opt.MaxServerBytes)
	}
}

// Sixteen clients trickling their bodies a byte at a time keep no slot: a
// client that sends its image at once is answered within a second.
func TestSlowClientsDoNotStarve(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(Handler(testPredictor(t), Options{}), Timeouts{})
	go srv.Serve(ln)
	defer srv.Close()
	stop := make(chan struct{})
	defer close(stop)
	started := make(chan struct{}, 16)
	for range 16 {
		conn, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		go func() {
			fmt.Fprintf(conn, "POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: 1000000\r\n\r\n")
			started <- struct{}{}
			tick := time.NewTicker(20 * time.Millisecond)
			defer tick.Stop()
			for {
				select {
				case <-stop:
					return
				case <-tick.C:
					if _, err := conn.Write([]byte{0}); err != nil {
						return
					}
				}
			}
		}()
	}
	for range 16 {
		<-started
	}
	time.Sleep(200 * time.Millisecond) // every slow request is in its handler
	client := &http.Client{Timeout: 5 * time.Second}
	start := time.Now()
	resp, err := client.Post("http://"+ln.Addr().String()+"/api/predict", "image/png", bytes.NewReader(pngBytes(t, 40, 30, color.White)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if took := time.Since(start); resp.StatusCode != http.StatusOK || took > time.Second {
		t.Fatalf("beside 16 slow clients: %d in %v: %s", resp.StatusCode, took, body)
	}
}

// Request bytes beyond the server's byte budget are refused with 503 and
// Retry-After, and the budget is whole again after.
func TestServerByteBudget(t *testing.T) {
	img := pngBytes(t, 40, 30, color.White)
	s := newServer(testPredictor(t), Options{MaxServerBytes: int64(len(img)) - 1})
	h := s.handler()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/api/predict", bytes.NewReader(img))
	req.Header.Set("Content-Type", "image/png")
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" || !strings.Contains(rec.Body.String(), "request bytes") {
		t.Errorf("over the byte budget: %d, Retry-After %q, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
	if s.bytes.free != s.opt.MaxServerBytes {
		t.Errorf("%d bytes still held", s.opt.MaxServerBytes-s.bytes.free)
	}
	s = newServer(testPredictor(t), Options{MaxServerBytes: int64(len(img))})
	if code, r := do(t, s.handler(), http.MethodPost, "/api/predict", "image/png", img); code != http.StatusOK {
		t.Errorf("within the byte budget: %d %s", code, r.Error)
	}
}

// A client that sends half a body and waits is cut off after the read
// timeout.
func TestStalledClientIsCutOff(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := NewServer(Handler(testPredictor(t), Options{}), Timeouts{Read: 300 * time.Millisecond})
	go srv.Serve(ln)
	defer srv.Close()
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := pngBytes(t, 64, 64, color.White)
	fmt.Fprintf(conn, "POST /api/predict HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: %d\r\n\r\n", len(body))
	conn.Write(body[:len(body)/2])
	start := time.Now()
	conn.SetReadDeadline(start.Add(10 * time.Second))
	io.Copy(io.Discard, conn) // returns when the server closes the connection
	if waited := time.Since(start); waited > 5*time.Second {
		t.Fatalf("the stalled connection stayed open %v", waited)
	}
}

// constant16 is a w×h opaque 16-bit image of one colour, encoded as a
// 16-bit PNG without holding its pixels.
type constant16 struct{ w, h int }

func (c constant16) ColorModel() color.Model { return color.RGBA64Model }
func (c constant16) Bounds() image.Rectangle { return image.Rect(0, 0, c.w, c.h) }
func (c constant16) At(x, y int) color.Color { return color.RGBA64{0x1234, 0x5678, 0x9abc, 0xffff} }
func (c constant16) Opaque() bool            { return true }

// One request with four 8192×8192 16-bit PNGs (512 MiB each once decoded)
// keeps the server's peak memory under 1 GB, refused by the default budgets
// or, with budgets that admit it, answered by decoding one image at a time.
// Each case runs in a child process, which reports its peak resident size.
func TestBombRequestPeakMemory(t *testing.T) {
	if os.Getenv("MLABEL_PEAK_CHILD") != "" {
		peakChild(t)
		return
	}
	if raceEnabled {
		t.Skip("the race detector's shadow memory inflates the peak")
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, constant16{8192, 8192}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "big.png")
	if err := os.WriteFile(file, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("each PNG: %d bytes", buf.Len())
	cases := []struct {
		name, budget string
		status       int
	}{{"default budgets refuse", "", 413}, {"generous budgets answer", "1073741824", 200}}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.status == 200 && testing.Short() {
				t.Skip("decodes four 64-megapixel images")
			}
			cmd := exec.Command(os.Args[0], "-test.run=^TestBombRequestPeakMemory$", "-test.count=1")
			cmd.Env = append(os.Environ(), "MLABEL_PEAK_CHILD="+file, "MLABEL_PEAK_BUDGET="+tc.budget, "GOGC=100", "GOMEMLIMIT=off")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			var status, peakKB int
			for sc := bufio.NewScanner(bytes.NewReader(out)); sc.Scan(); {
				fmt.Sscanf(sc.Text(), "PEAK status=%d vmhwm_kb=%d", &status, &peakKB)
			}
			t.Logf("status %d, peak %d MB", status, peakKB/1024)
			if status != tc.status {
				t.Errorf("status %d, want %d\n%s", status, tc.status, out)
			}
			if peakKB == 0 || peakKB > 1000000000/1024 {
				t.Errorf("peak resident size %d kB, want under 1 GB", peakKB)
			}
		})
	}
}

// peakChild serves the four-image request and prints the status and the
// process's peak resident size (VmHWM).
func peakChild(t *testing.T) {
	data, err := os.ReadFile(os.Getenv("MLABEL_PEAK_CHILD"))
	if err != nil {
		t.Fatal(err)
	}
	opt := Options{}
	if b := os.Getenv("MLABEL_PEAK_BUDGET"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		opt.MaxRequestPixels, opt.MaxServerPixels = n, n
	}
	img := string(data)
	ct, body := multipartBody(t, [3]string{"image", "1.png", img}, [3]string{"image", "2.png", img}, [3]string{"image", "3.png", img}, [3]string{"image", "4.png", img})
	data = nil
	code, r := do(t, Handler(testPredictor(t), opt), http.MethodPost, "/api/predict", ct, body)
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skip("no /proc/self/status")
	}
	var peak int
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			peak, _ = strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		}
	}
	fmt.Printf("PEAK status=%d vmhwm_kb=%d error=%q\n", code, peak, r.Error)
}

// An image counts in the pixel budgets as the memory its decoding takes: a
// TIFF of 256 bands is refused where an RGB one of the same size passes.
func TestBudgetsCountBands(t *testing.T) {
	tiffOf := func(bands int) []byte {
		var buf bytes.Buffer
		if err := imagetest.WriteTIFF(&buf, 64, 64, bands, 16, func(x, y, b int) uint8 { return uint8(x + y + b) }); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	h := Handler(testPredictor(t), Options{MaxServerPixels: 100000})
	if code, r := do(t, h, http.MethodPost, "/api/predict", "image/tiff", tiffOf(3)); code != http.StatusOK {
		t.Errorf("64x64 RGB TIFF: %d %s", code, r.Error)
	}
	code, r := do(t, h, http.MethodPost, "/api/predict", "image/tiff", tiffOf(256))
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(r.Error, "256 8-bit bands") || !strings.Contains(r.Error, "limit of 100000") {
		t.Errorf("64x64 TIFF of 256 bands: %d %s", code, r.Error)
	}
}
