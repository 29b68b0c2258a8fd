package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"image"
	"image/color"
	"image/gif"
	"maps"
	"math"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/bmp"
	"golang.org/x/image/tiff"

	"mlabel/arch"
	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/imageio/imagetest"
	"mlabel/nn"
	"mlabel/predict"
	"mlabel/serve"
)

// badFixtures writes the files the bad-input cases use into a fresh folder.
type badFixtures struct {
	dir    string
	good   *bundle.Bundle
	goodMB []byte
}

func (f *badFixtures) path(name string) string { return filepath.Join(f.dir, name) }

func (f *badFixtures) write(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := f.path(name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func newBadFixtures(t *testing.T) *badFixtures {
	t.Helper()
	spec, err := arch.Build("small", 32, 3, 3, arch.Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle.Bundle{Header: bundle.Header{Kind: bundle.KindClassifier, Arch: "small", Spec: spec, Labels: []string{"a", "b", "c"},
		Preprocess: imageio.DefaultPreprocess(32), Rules: &decide.Rules{Kind: decide.Fixed, Labels: 3, Global: 0.5}}, Weights: m.Weights()}
	var buf bytes.Buffer
	if err := b.Write(&buf); err != nil {
		t.Fatal(err)
	}
	f := &badFixtures{dir: t.TempDir(), good: b, goodMB: buf.Bytes()}
	f.write(t, "model.mlb", f.goodMB)
	small := imagetest.Noisy(8, 8, 1)
	f.write(t, "images/a.png", imagetest.PNG(small))
	f.write(t, "images/b.png", imagetest.PNG(small))
	return f
}

// Image files: corrupt, truncated and bombs of every format.
func badImages() map[string][]byte {
	small := imagetest.Noisy(16, 16, 2)
	jpg, png := imagetest.JPEG(small), imagetest.PNG(small)
	var gifBuf, bmpBuf, tifBuf bytes.Buffer
	pal := image.NewPaletted(small.Bounds(), []color.Color{color.Black, color.White})
	gif.Encode(&gifBuf, pal, nil)
	bmp.Encode(&bmpBuf, small)
	tiff.Encode(&tifBuf, small, nil)
	gifB, bmpB, tifB := gifBuf.Bytes(), bmpBuf.Bytes(), tifBuf.Bytes()

	jpgBomb := bytes.Clone(jpg)
	if i := bytes.Index(jpgBomb, []byte{0xff, 0xc0}); i >= 0 {
		binary.BigEndian.PutUint16(jpgBomb[i+5:], 60000)
		binary.BigEndian.PutUint16(jpgBomb[i+7:], 60000)
	}
	gifBomb := bytes.Clone(gifB)
	binary.LittleEndian.PutUint16(gifBomb[6:], 65535)
	binary.LittleEndian.PutUint16(gifBomb[8:], 65535)
	bmpBomb := bytes.Clone(bmpB)
	binary.LittleEndian.PutUint32(bmpBomb[18:], 100000)
	binary.LittleEndian.PutUint32(bmpBomb[22:], 100000)
	tifBomb := bytes.Clone(tifB)
	patchTIFFSize(tifBomb, 60000)
	// A lossless WebP header declaring 16384×16384 pixels.
	vp8l := []byte{0x2f, 0xff, 0xff, 0xff, 0x0f}
	webpBomb := append([]byte("RIFF\x00\x00\x00\x00WEBPVP8L"), binary.LittleEndian.AppendUint32(nil, uint32(len(vp8l)))...)
	webpBomb = append(webpBomb, vp8l...)
	binary.LittleEndian.PutUint32(webpBomb[4:], uint32(len(webpBomb)-8))
	webpSmall := bytes.Clone(webpBomb)
	copy(webpSmall[20:], []byte{0x2f, 0x07, 0xc0, 0x01, 0x00}) // 8×8, then no pixel data
	return map[string][]byte{
		"corrupt.jpg": append([]byte{0xff, 0xd8, 0xff}, bytes.Repeat([]byte("junk"), 20)...), "cut.jpg": jpg[:len(jpg)/2], "bomb.jpg": jpgBomb,
		"corrupt.png": append(bytes.Clone(png[:16]), bytes.Repeat([]byte{7}, 40)...), "cut.png": png[:len(png)/2], "bomb.png": imagetest.PNGHeader(100000, 100000),
		"corrupt.gif": []byte("GIF89a\x01"), "cut.gif": gifB[:len(gifB)/2], "bomb.gif": gifBomb,
		"corrupt.bmp": []byte("BM\x00\x01junk"), "cut.bmp": bmpB[:len(bmpB)/2], "bomb.bmp": bmpBomb,
		"corrupt.tif": []byte("II*\x00\xff\xff\xff\x7f"), "cut.tif": tifB[:len(tifB)/3], "bomb.tif": tifBomb,
		"corrupt.webp": []byte("RIFF\x10\x00\x00\x00WEBPVP8 junkjunk"), "cut.webp": webpSmall, "bomb.webp": webpBomb,
		"empty.png": {}, "text.jpg": []byte("just some text, not an image"),
	}
}

// patchTIFFSize sets the width and height entries of a little-endian TIFF's
// first directory to n.
func patchTIFFSize(b []byte, n uint16) {
	ifd := int(binary.LittleEndian.Uint32(b[4:]))
	count := int(binary.LittleEndian.Uint16(b[ifd:]))
	for e := 0; e < count; e++ {
		at := ifd + 2 + 12*e
		if tag := binary.LittleEndian.Uint16(b[at:]); tag == 256 || tag == 257 {
			binary.LittleEndian.PutUint16(b[at+2:], 3) // SHORT
			binary.LittleEndian.PutUint32(b[at+4:], 1)
			binary.LittleEndian.PutUint32(b[at+8:], uint32(n))
		}
	}
}

// reseal recomputes a bundle's trailing checksum after a crafted edit.
func reseal(b []byte) []byte {
	sum := sha256.Sum256(b[:len(b)-32])
	return append(b[:len(b)-32:len(b)-32], sum[:]...)
}

// craftBundle encodes the good bundle after edit.
func (f *badFixtures) craftBundle(t *testing.T, edit func(b *bundle.Bundle)) []byte {
	t.Helper()
	var buf bytes.Buffer
	b := *f.good
	b.Spec = f.good.Spec.Clone()
	b.Labels = append([]string(nil), f.good.Labels...)
	edit(&b)
	if err := b.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestBadInputCLI runs the command line on corrupt, truncated, crafted and
// bomb inputs of every kind. Each run fails with an error naming the problem,
// without a panic, and an existing output file keeps its bytes.
func TestBadInputCLI(t *testing.T) {
	f := newBadFixtures(t)
	imgs := badImages()
	for name, data := range imgs {
		f.write(t, "bad/"+name, data)
	}
	good := f.goodMB
	hugeHeader := bytes.Clone(good)
	binary.LittleEndian.PutUint64(hugeHeader[12:], 1<<62)
	huge := reseal(hugeHeader)
	bundles := map[string][]byte{
		"magic.mlb":    append([]byte("NOTABUNDLE"), good[10:]...),
		"short.mlb":    good[:len(good)/2],
		"checksum.mlb": append(bytes.Clone(good[:len(good)-1]), good[len(good)-1]^1),
		"hdrlen.mlb":   huge,
		"size.mlb":     f.craftBundle(t, func(b *bundle.Bundle) { b.Preprocess.Size = 10000000 }),
		"kernel.mlb":   f.craftBundle(t, func(b *bundle.Bundle) { b.Spec.Nodes[1].Attrs.Kernel = [2]int{1 << 16, 1 << 16} }),
		"width.mlb":    f.craftBundle(t, func(b *bundle.Bundle) { b.Labels = []string{"a", "b"}; b.Rules = nil }),
		"kind.mlb":     f.craftBundle(t, func(b *bundle.Bundle) { b.Kind = "mystery" }),
		"rulesize.mlb": f.craftBundle(t, func(b *bundle.Bundle) {
			b.Rules = &decide.Rules{Kind: decide.Fixed, Labels: 1 << 45, Global: 0.5}
		}),
		"empty.mlb":     {},
		"truncated.mlb": good[:30],
		"input.mlb":     f.craftBundle(t, func(b *bundle.Bundle) { b.Preprocess.Size = 2048 }),
		"nan.mlb": f.craftBundle(t, func(b *bundle.Bundle) {
			b.Weights = maps.Clone(b.Weights)
			w := b.Weights["fc.weight"].Clone()
			w.Data[0] = float32(math.NaN())
			b.Weights["fc.weight"] = w
		}),
		"duplabel.mlb": f.craftBundle(t, func(b *bundle.Bundle) { b.Labels[2] = "a" }),
		"eps.mlb": f.craftBundle(t, func(b *bundle.Bundle) {
			for i, n := range b.Spec.Nodes {
				if n.Op == nn.OpBatchNorm {
					b.Spec.Nodes[i].Attrs.Eps = -1
				}
			}
		}),
		"std.mlb": f.craftBundle(t, func(b *bundle.Bundle) { b.Preprocess.Std[0] = 1e-45 }),
	}
	for name, data := range bundles {
		f.write(t, name, data)
	}
	longLine := "image,tags\na,x\n" + strings.Repeat("z", 1<<20) + ",x\n"
	csvs := map[string]string{
		"empty.csv":     "",
		"header.csv":    "image,tags\n",
		"column.csv":    "image,tags\na,x\n",
		"quote.csv":     "image,tags\n\"a,x\nb,y\n",
		"bom.csv":       "\ufeffimage,tags\nghost,x\n",
		"dup.csv":       "image,tags\na,x\nb,y\na.png,x\n",
		"sep.csv":       "image|tags\na|x\n",
		"notags.csv":    "image,tags\na,\nb,\n",
		"long.csv":      longLine,
		"nul.csv":       "image,tags\na\x00,x\n",
		"ragged.csv":    "image,tags\na,x\nb,y,z\n",
		"unknown.csv":   "image,tags\nzzz,x\n",
		"scores.csv":    "image,a,b,c\na,0.1,NaN,0.3\n",
		"range.csv":     "image,a,b,c\na,-0.4,7.4,0.3\n",
		"labels.csv":    "image,tags\na,x y\nb,z\n",
		"scoreshdr.csv": "file,a\na,0.5\n",
		"truth.csv":     "image,tags\na,a\n",
	}
	for name, data := range csvs {
		f.write(t, name, []byte(data))
	}
	f.write(t, "bad.onnx", []byte("\x0a\xff\xff\xff\xff\x0f garbage"))
	onnxGood, err := os.ReadFile(tinyCNN)
	if err != nil {
		t.Fatal(err)
	}
	f.write(t, "cut.onnx", onnxGood[:len(onnxGood)/2])
	f.write(t, "ok.cfg", []byte("[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=2\nsize=1\nactivation=linear\n"))
	f.write(t, "huge.cfg", []byte("[net]\nwidth=8\nheight=8\nchannels=3\n[convolutional]\nfilters=99999999999\nsize=3\nactivation=linear\n"))
	f.write(t, "bad.cfg", []byte("[net]\nwidth=8\nheight=8\nchannels=3\n[warp]\n"))
	f.write(t, "short.weights", []byte{0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3})
	f.write(t, "long.weights", append(make([]byte, 20), make([]byte, 4*(2+6)+12)...))

	const sentinel = "previous output, must survive"
	out := f.path("out.mlb")
	model, imgDir := f.path("model.mlb"), f.path("images")
	train := func(csv string) []string {
		// --force: the sentinel at out must survive a failed run even then.
		return []string{"train", "--csv", f.path(csv), "--images", imgDir, "--out", out, "--force", "--epochs", "1", "--size", "32"}
	}
	predictOne := func(img string) []string { return []string{"predict", "--model", model, f.path("bad/" + img)} }
	tests := []struct {
		name string
		args []string
		want []string
	}{
		// Images of every format.
		{"corrupt jpeg", predictOne("corrupt.jpg"), []string{"corrupt.jpg"}},
		{"truncated jpeg", predictOne("cut.jpg"), []string{"cut.jpg"}},
		{"jpeg bomb", predictOne("bomb.jpg"), []string{"bomb.jpg", "too many pixels"}},
		{"corrupt png", predictOne("corrupt.png"), []string{"corrupt.png"}},
		{"truncated png", predictOne("cut.png"), []string{"cut.png"}},
		{"png bomb", predictOne("bomb.png"), []string{"bomb.png", "too many pixels"}},
		{"corrupt gif", predictOne("corrupt.gif"), []string{"corrupt.gif"}},
		{"truncated gif", predictOne("cut.gif"), []string{"cut.gif"}},
		{"gif bomb", predictOne("bomb.gif"), []string{"bomb.gif", "too many pixels"}},
		{"corrupt bmp", predictOne("corrupt.bmp"), []string{"corrupt.bmp"}},
		{"truncated bmp", predictOne("cut.bmp"), []string{"cut.bmp"}},
		{"bmp bomb", predictOne("bomb.bmp"), []string{"bomb.bmp", "too many pixels"}},
		{"corrupt tiff", predictOne("corrupt.tif"), []string{"corrupt.tif"}},
		{"truncated tiff", predictOne("cut.tif"), []string{"cut.tif"}},
		{"tiff bomb", predictOne("bomb.tif"), []string{"bomb.tif", "too many pixels"}},
		{"corrupt webp", predictOne("corrupt.webp"), []string{"corrupt.webp"}},
		{"truncated webp", predictOne("cut.webp"), []string{"cut.webp"}},
		{"webp bomb", predictOne("bomb.webp"), []string{"bomb.webp", "too many pixels"}},
		{"empty image", predictOne("empty.png"), []string{"empty.png", "empty"}},
		{"text as jpeg", predictOne("text.jpg"), []string{"text.jpg", "not a supported image format"}},
		// Tags CSVs.
		{"empty csv", train("empty.csv"), []string{"empty.csv"}},
		{"header only", train("header.csv"), []string{"no images"}},
		{"missing column", append(train("column.csv"), "--tags-column", "labels"), []string{`"labels"`}},
		{"bad quoting", train("quote.csv"), []string{"quote.csv", "quote"}},
		{"bom and missing image", train("bom.csv"), []string{"bom.csv:2", `"ghost"`}},
		{"duplicate image", train("dup.csv"), []string{"dup.csv:4", "listed again"}},
		{"unknown separator", train("sep.csv"), []string{"sep.csv"}},
		{"empty tags", train("notags.csv"), []string{"notags.csv has no labels"}},
		{"very long line", train("long.csv"), []string{"long.csv:3", "not found"}},
		{"nul byte", train("nul.csv"), []string{"nul.csv:2"}},
		{"ragged row", train("ragged.csv"), []string{"ragged.csv:3", "3 field(s)"}},
		{"scores with NaN", []string{"metrics", "--truth", f.path("truth.csv"), "--scores", f.path("scores.csv")}, []string{"scores.csv:2"}},
		{"scores header", []string{"metrics", "--truth", f.path("truth.csv"), "--scores", f.path("scoreshdr.csv")}, []string{"scoreshdr.csv:1", "header"}},
		{"scores outside 0..1", []string{"decide", "--truth", f.path("truth.csv"), "--scores", f.path("range.csv")}, []string{"range.csv:2", `"-0.4"`, "outside 0..1"}},
		{"more labels than the limit", append(train("labels.csv"), "--max-labels", "2"), []string{"labels.csv has 3 labels, over the limit of 2"}},
		// Bundles.
		{"bundle bad magic", []string{"inspect", f.path("magic.mlb")}, []string{"magic.mlb", "wrong magic"}},
		{"bundle truncated", []string{"inspect", f.path("short.mlb")}, []string{"short.mlb", "truncated"}},
		{"bundle checksum", []string{"inspect", f.path("checksum.mlb")}, []string{"checksum.mlb", "checksum"}},
		{"bundle huge header length", []string{"inspect", f.path("hdrlen.mlb")}, []string{"hdrlen.mlb", "does not fit"}},
		{"bundle huge preprocess size", []string{"inspect", f.path("size.mlb")}, []string{"size.mlb", "preprocess size 10000000"}},
		{"bundle huge kernel", []string{"predict", "--model", f.path("kernel.mlb"), f.path("images/a.png")}, []string{"block1.conv.weight", "declared with shape [65536 65536"}},
		{"bundle output width", []string{"predict", "--model", f.path("width.mlb"), f.path("images/a.png")}, []string{"the bundle has 2 labels"}},
		{"bundle rule for too many labels", []string{"inspect", f.path("rulesize.mlb")}, []string{"rulesize.mlb", "rule is for 35184372088832 labels"}},
		{"bundle unknown kind", []string{"predict", "--model", f.path("kind.mlb"), f.path("images/a.png")}, []string{"mystery", "not a classifier"}},
		{"bundle empty", []string{"inspect", f.path("empty.mlb")}, []string{"empty.mlb", "too short"}},
		{"bundle cut in the header", []string{"inspect", f.path("truncated.mlb")}, []string{"truncated.mlb"}},
		{"bundle preprocess size differs from its input", []string{"eval", "--model", f.path("input.mlb"), "--csv", f.path("truth.csv")}, []string{"input.mlb", "preprocess size 2048 with 3 channels differs from the network's input [32 32 3]"}},
		{"bundle NaN weight", []string{"predict", "--model", f.path("nan.mlb"), f.path("images/a.png")}, []string{"nan.mlb", "fc.weight holds NaN"}},
		{"bundle duplicate label", []string{"inspect", f.path("duplabel.mlb")}, []string{"duplabel.mlb", `label "a" appears twice`}},
		{"bundle negative epsilon", []string{"inspect", f.path("eps.mlb")}, []string{"eps.mlb", "epsilon -1"}},
		{"bundle tiny std", []string{"inspect", f.path("std.mlb")}, []string{"std.mlb", "std 1e-45"}},
		{"bundle as backbone", append(train("header.csv"), "--backbone", f.path("checksum.mlb")), []string{"checksum"}},
		// Importers.
		{"onnx garbage", []string{"import", "onnx", f.path("bad.onnx"), "--out", out}, []string{"decoding model"}},
		{"onnx truncated", []string{"import", "onnx", f.path("cut.onnx"), "--out", out}, []string{"onnx"}},
		{"darknet huge filters", []string{"import", "darknet", f.path("huge.cfg"), f.path("short.weights"), "--out", out}, []string{"99999999999"}},
		{"darknet short weights", []string{"import", "darknet", f.path("ok.cfg"), f.path("short.weights"), "--out", out}, []string{"does it belong to this cfg"}},
		{"darknet long weights", []string{"import", "darknet", f.path("ok.cfg"), f.path("long.weights"), "--out", out}, []string{"beyond what the cfg needs"}},
		{"darknet unknown section", []string{"import", "darknet", f.path("bad.cfg"), f.path("short.weights"), "--out", out}, []string{"[warp]"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(out, []byte(sentinel), 0o644); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runCLI(t, tc.args...)
			if code == 0 {
				t.Fatalf("exit 0; stdout %q", stdout)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr+stdout, w) {
					t.Errorf("exit %d, output %q does not name %q", code, stderr+stdout, w)
				}
			}
			if strings.Contains(stderr, "panic") || strings.Contains(stderr, "goroutine ") {
				t.Errorf("panicked: %s", stderr)
			}
			if got, _ := os.ReadFile(out); string(got) != sentinel {
				t.Errorf("the existing output was overwritten: %q", got)
			}
		})
	}
}

// TestBadInputHTTP sends malformed requests and bad images of every format to
// the prediction server: each gets a 4xx JSON error naming the problem.
func TestBadInputHTTP(t *testing.T) {
	f := newBadFixtures(t)
	p, err := predict.New(f.good)
	if err != nil {
		t.Fatal(err)
	}
	h := serve.Handler(p, serve.Options{MaxBytes: 1 << 20, MaxImages: 2})
	form := func(parts ...[2]string) (string, []byte) {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for _, pt := range parts {
			w, _ := mw.CreateFormFile("image", pt[0])
			w.Write([]byte(pt[1]))
		}
		mw.Close()
		return mw.FormDataContentType(), buf.Bytes()
	}
	okPNG := string(imagetest.PNG(imagetest.Noisy(8, 8, 3)))
	threeCT, three := form([2]string{"1.png", okPNG}, [2]string{"2.png", okPNG}, [2]string{"3.png", okPNG})
	type req struct {
		name, method, ctype string
		body                []byte
		status              int
		want                string
	}
	tests := []req{
		{"wrong method", http.MethodGet, "", nil, 405, "use POST"},
		{"no body", http.MethodPost, "image/png", nil, 400, "empty"},
		{"broken multipart", http.MethodPost, "multipart/form-data; boundary=zz", []byte("--zz\r\nbroken"), 400, "malformed multipart"},
		{"multipart without boundary", http.MethodPost, "multipart/form-data", []byte("x"), 400, "boundary"},
		{"too many files", http.MethodPost, threeCT, three, 400, "more than 2 images"},
		{"oversize body", http.MethodPost, "image/png", make([]byte, 2<<20), 413, "too large"},
		{"bad content type", http.MethodPost, "text/plain; charset", []byte("x"), 400, "malformed Content-Type"},
	}
	for name, data := range badImages() {
		status, want := 400, name
		if strings.HasPrefix(name, "bomb") {
			status, want = 413, "too many pixels"
		}
		ct, body := form([2]string{name, string(data)})
		tests = append(tests, req{"image " + name, http.MethodPost, ct, body, status, want})
	}
	// A TIFF of 256 bands counts as the memory its decoding takes, not as
	// its pixels: 64×64 pixels of 256 bands take about 5 MB to decode, as
	// much as 657 thousand 8-byte pixels, over a budget of 300 thousand.
	var bandsTIFF bytes.Buffer
	if err := imagetest.WriteTIFF(&bandsTIFF, 64, 64, 256, 16, func(x, y, b int) uint8 { return uint8(x + y + b) }); err != nil {
		t.Fatal(err)
	}
	tiffs := serve.Handler(p, serve.Options{MaxServerPixels: 300000})
	r := httptest.NewRequest(http.MethodPost, "/api/predict", bytes.NewReader(bandsTIFF.Bytes()))
	r.Header.Set("Content-Type", "image/tiff")
	rec := httptest.NewRecorder()
	tiffs.ServeHTTP(rec, r)
	if rec.Code != http.StatusRequestEntityTooLarge || !strings.Contains(rec.Body.String(), "256 8-bit bands") {
		t.Errorf("TIFF of 256 bands: %d %s", rec.Code, rec.Body)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(tc.method, "/api/predict", bytes.NewReader(tc.body))
			if tc.ctype != "" {
				r.Header.Set("Content-Type", tc.ctype)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			var res struct{ Error string }
			if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil {
				t.Fatalf("%d: not JSON: %q", rec.Code, rec.Body)
			}
			if rec.Code != tc.status || !strings.Contains(res.Error, tc.want) {
				t.Errorf("%d %q, want %d naming %q", rec.Code, res.Error, tc.status, tc.want)
			}
		})
	}
}
