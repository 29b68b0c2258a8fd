package beamjob

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/apache/beam/sdks/v2/go/pkg/beam"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/runners/prism"
	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"

	"mlabel/arch"
	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/imageio/imagetest"
	"mlabel/nn"
	"mlabel/predict"
)

func TestMain(m *testing.M) {
	beam.Init()
	os.Exit(m.Run())
}

// fixture is a model, images and a manifest in memory, keyed by file name.
type fixture struct {
	files map[string][]byte
	// images are the manifest's entries, bad ones included, as named in
	// the manifest relative to its folder.
	images []string
	bad    map[string]string // bad image -> what its error says
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	spec, err := arch.Build("small", 32, 3, 3, arch.Options{Width: 4})
	if err != nil {
		t.Fatal(err)
	}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(5, 6)))
	if err != nil {
		t.Fatal(err)
	}
	b := &bundle.Bundle{Header: bundle.Header{
		Kind: bundle.KindClassifier, Arch: "small", Spec: spec, Labels: []string{"cloudy", "road", "water"},
		Preprocess: imageio.DefaultPreprocess(32),
		Rules:      &decide.Rules{Kind: decide.PerClass, Labels: 3, Global: 0.5, PerClass: []float64{0, 0.5, 1.01}},
	}, Weights: m.Weights()}
	var mb bytes.Buffer
	if err := b.Write(&mb); err != nil {
		t.Fatal(err)
	}
	f := &fixture{files: map[string][]byte{"model.mlb": mb.Bytes()}, bad: map[string]string{
		"images/cut.jpg":     "decode",
		"images/missing.png": "",
	}}
	for i := range 11 {
		name := fmt.Sprintf("images/tile_%02d.png", i)
		data := imagetest.PNG(imagetest.Noisy(24+i, 30, uint32(i+1)))
		if i%3 == 0 {
			name = fmt.Sprintf("images/tile_%02d.jpg", i)
			data = imagetest.JPEG(imagetest.Noisy(32, 32, uint32(i+1)))
		}
		f.files[name], f.images = data, append(f.images, name)
	}
	f.files["images/cut.jpg"] = imagetest.TruncatedJPEG()
	f.images = slices.Insert(f.images, 4, "images/cut.jpg", "images/missing.png")
	return f
}

// manifest returns the manifest listing the images under prefix, with a
// comment, blank lines and a CRLF line among them, and a good and a bad
// image listed twice.
func (f *fixture) manifest(prefix string) []byte {
	var b strings.Builder
	b.WriteString("# tiles of the first flight\n\n")
	for i, im := range f.images {
		b.WriteString(prefix + im)
		if i == 2 {
			b.WriteString("\r")
		}
		b.WriteString("\n")
	}
	b.WriteString("  \n")
	b.WriteString("# listed again\n" + prefix + f.images[0] + "\n" + prefix + "images/missing.png\n")
	return []byte(b.String())
}

// writeLocal writes the fixture's files into dir and returns the manifest.
func (f *fixture) writeLocal(t *testing.T, dir string) string {
	t.Helper()
	for name, data := range f.files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	manifest := filepath.Join(dir, "manifest.txt")
	if err := os.WriteFile(manifest, f.manifest(dir+"/"), 0o644); err != nil {
		t.Fatal(err)
	}
	return manifest
}

// want returns what predict says of the images named under prefix, read
// from the local copies under dir: the prediction lines and the failed
// images.
func (f *fixture) want(t *testing.T, dir, prefix string) (lines map[string]string, failed []string) {
	t.Helper()
	b, err := bundle.Read(f.files["model.mlb"])
	if err != nil {
		t.Fatal(err)
	}
	p, err := predict.New(b)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, im := range f.images {
		paths = append(paths, filepath.Join(dir, im))
	}
	preds, fails, err := p.Files(context.Background(), paths, predict.BatchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	lines = map[string]string{}
	for _, pr := range preds {
		pr.Image = prefix + strings.TrimPrefix(pr.Image, dir+"/")
		l, err := predict.Line(pr)
		if err != nil {
			t.Fatal(err)
		}
		lines[pr.Image] = string(l)
	}
	for _, fl := range fails {
		failed = append(failed, prefix+strings.TrimPrefix(fl.Image, dir+"/"))
	}
	return lines, failed
}

// check compares the job's output files (by name) with what predict says,
// and the counters with the files.
func (f *fixture) check(t *testing.T, out map[string][]byte, shards int, c Counts, want map[string]string, failed []string) {
	t.Helper()
	if len(out) != 2*shards+1 {
		t.Errorf("%d output files, want %d and %s: %v", len(out), 2*shards, SuccessName, mapsKeys(out))
	}
	if m, ok := out[SuccessName]; !ok || len(m) != 0 {
		t.Errorf("%s: %q, present %v; want an empty marker", SuccessName, m, ok)
	}
	got := map[string]string{}
	var gotFailed []string
	positives := map[string]int64{}
	for s := range shards {
		data, ok := out[PredictionsName(s, shards)]
		if !ok {
			t.Errorf("no %s", PredictionsName(s, shards))
		}
		lines := strings.SplitAfter(string(data), "\n")
		lines = lines[:len(lines)-1]
		if !slices.IsSorted(lines) {
			t.Errorf("%s: lines not sorted", PredictionsName(s, shards))
		}
		for _, l := range lines {
			var p predict.Prediction
			if err := json.Unmarshal([]byte(l), &p); err != nil {
				t.Fatalf("%s: %q: %v", PredictionsName(s, shards), l, err)
			}
			if _, dup := got[p.Image]; dup {
				t.Errorf("%s predicted twice", p.Image)
			}
			if predict.ShardOf(p.Image, shards) != s {
				t.Errorf("%s in shard %d, ShardOf says %d", p.Image, s, predict.ShardOf(p.Image, shards))
			}
			got[p.Image] = l
			for _, lb := range p.Labels {
				positives[lb.Label]++
			}
		}
		errData, ok := out[ErrorsName(s, shards)]
		if !ok {
			t.Errorf("no %s", ErrorsName(s, shards))
		}
		dec := json.NewDecoder(bytes.NewReader(errData))
		for dec.More() {
			var e predict.ErrorLine
			if err := dec.Decode(&e); err != nil {
				t.Fatalf("%s: %v", ErrorsName(s, shards), err)
			}
			if reason := f.bad[e.Image[strings.Index(e.Image, "images/"):]]; e.Error == "" || !strings.Contains(e.Error, reason) {
				t.Errorf("%s: error %q, want one with %q", e.Image, e.Error, reason)
			}
			gotFailed = append(gotFailed, e.Image)
		}
	}
	for im, l := range want {
		if got[im] != l {
			t.Errorf("%s: the job wrote\n%q\npredict says\n%q", im, got[im], l)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d predictions, want %d", len(got), len(want))
	}
	slices.Sort(gotFailed)
	slices.Sort(failed)
	if !slices.Equal(gotFailed, failed) || len(failed) != len(f.bad) {
		t.Errorf("errors for %v, want %v", gotFailed, failed)
	}
	if c.Predicted != int64(len(want)) || c.Failed != int64(len(failed)) {
		t.Errorf("counters: %d predicted, %d failed; want %d and %d", c.Predicted, c.Failed, len(want), len(failed))
	}
	for l, n := range positives {
		if c.Positives[l] != n {
			t.Errorf("counter %s%s = %d, the files hold %d", PositivesPrefix, l, c.Positives[l], n)
		}
	}
	if len(positives) == 0 || len(c.Positives) != len(positives) {
		t.Errorf("positives counted %v, the files hold %v", c.Positives, positives)
	}
}

func mapsKeys(m map[string][]byte) []string {
	var k []string
	for n := range m {
		k = append(k, n)
	}
	slices.Sort(k)
	return k
}

func readDir(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

// The job on Prism writes what predict says of every image, bad images to
// the errors files, and a second run the same bytes; a run with another
// shard count is refused.
func TestPredictOnPrism(t *testing.T) {
	f := newFixture(t)
	dir := t.TempDir()
	manifest := f.writeLocal(t, dir)
	want, failed := f.want(t, dir, dir+"/")
	out := filepath.Join(t.TempDir(), "out")
	o := Options{Model: filepath.Join(dir, "model.mlb"), Manifest: manifest, Out: out, Shards: 3, Batch: 2}
	c, err := Run(context.Background(), "prism", o)
	if err != nil {
		t.Fatal(err)
	}
	first := readDir(t, out)
	f.check(t, first, o.Shards, c, want, failed)

	// A killed run's temporary files, however fresh, go at the start of
	// the next; other files stay.
	stale := []string{"." + PredictionsName(1, 3) + ".tmp-123", "." + SuccessName + ".tmp-9"}
	for _, n := range append(stale, "notes.txt") {
		if err := os.WriteFile(filepath.Join(out, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Run(context.Background(), "prism", o); err != nil {
		t.Fatal(err)
	}
	again := readDir(t, out)
	if string(again["notes.txt"]) != "x" {
		t.Errorf("the run removed a file not its own")
	}
	delete(again, "notes.txt")
	if !mapsEqual(again, first) {
		t.Errorf("a second run changed the output:\n%v\nwant\n%v", mapsKeys(again), mapsKeys(first))
	}

	// A run that fails leaves no marker: the last run's goes first.
	bad := o
	bad.Model = filepath.Join(dir, "no-such-model.mlb")
	if _, err := Run(context.Background(), "prism", bad); err == nil {
		t.Fatal("a run without its model succeeded")
	}
	if _, err := os.Stat(filepath.Join(out, SuccessName)); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("after a failed run, %s: %v; want it gone", SuccessName, err)
	}

	o.Shards = 2
	if _, err := Run(context.Background(), "prism", o); err == nil || !strings.Contains(err.Error(), "3 shards") {
		t.Errorf("a run with 2 shards over the output of 3: %v, want a refusal", err)
	}
}

func mapsEqual(a, b map[string][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || !bytes.Equal(v, w) {
			return false
		}
	}
	return true
}

// Model, manifest, images and output all in object storage, on an S3
// server in the test.
func TestPredictOnS3(t *testing.T) {
	backend := s3mem.New()
	srv := httptest.NewServer(gofakes3.New(backend).Server())
	defer srv.Close()
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)
	t.Setenv("AWS_REGION", "us-east-1")
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	const bucket = "drone"
	if err := backend.CreateBucket(bucket); err != nil {
		t.Fatal(err)
	}
	put := func(key string, data []byte) {
		if _, err := backend.PutObject(bucket, key, map[string]string{}, bytes.NewReader(data), int64(len(data)), nil); err != nil {
			t.Fatal(err)
		}
	}
	f := newFixture(t)
	const prefix = "s3://" + bucket + "/season/"
	for name, data := range f.files {
		put("season/"+name, data)
	}
	put("season/manifest.txt", f.manifest(prefix))
	dir := t.TempDir()
	f.writeLocal(t, dir)
	want, failed := f.want(t, dir, prefix)

	o := Options{Model: prefix + "model.mlb", Manifest: prefix + "manifest.txt", Out: prefix + "out", Shards: 2, Batch: 3}
	c, err := Run(context.Background(), "prism", o)
	if err != nil {
		t.Fatal(err)
	}
	out := readS3(t, backend, bucket, "season/out/")
	f.check(t, out, o.Shards, c, want, failed)

	// A second run writes the same bytes: the error lines name no
	// request.
	if _, err := Run(context.Background(), "prism", o); err != nil {
		t.Fatal(err)
	}
	if again := readS3(t, backend, bucket, "season/out/"); !mapsEqual(again, out) {
		for n := range out {
			if !bytes.Equal(again[n], out[n]) {
				t.Errorf("a second run changed %s:\n%s\nwas\n%s", n, again[n], out[n])
			}
		}
	}
}

// readS3 returns the objects under prefix in bucket, by name after prefix.
func readS3(t *testing.T, backend gofakes3.Backend, bucket, prefix string) map[string][]byte {
	t.Helper()
	list, err := backend.ListBucket(bucket, &gofakes3.Prefix{Prefix: prefix, HasPrefix: true}, gofakes3.ListBucketPage{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, it := range list.Contents {
		obj, err := backend.GetObject(bucket, it.Key, nil)
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(obj.Contents)
		obj.Contents.Close()
		if err != nil {
			t.Fatal(err)
		}
		out[strings.TrimPrefix(it.Key, prefix)] = data
	}
	return out
}

// Error lines keep the reason and drop what names one request.
func TestStableError(t *testing.T) {
	tests := []struct{ in, want string }{
		{"open images/missing.png: no such file or directory", "open images/missing.png: no such file or directory"},
		{"operation error S3: GetObject, https response error StatusCode: 404, RequestID: 4442587FB7D0A2F9, HostID: d2FsbA==, NoSuchKey: The specified key does not exist.",
			"operation error S3: GetObject, https response error StatusCode: 404, NoSuchKey: The specified key does not exist."},
		{"get object: x-amz-request-id=ABC123; not found", "get object: not found"},
		{"googleapi: Error 404: No such object: b/o, notFound, X-Goog-Request-Id: 77ab", "googleapi: Error 404: No such object: b/o, notFound"},
		{"read s3://b/k: RequestID: R1", "read s3://b/k:"},
	}
	for _, tc := range tests {
		if got := (stableError{errors.New(tc.in)}).Error(); got != tc.want {
			t.Errorf("%q:\ngot  %q\nwant %q", tc.in, got, tc.want)
		}
	}
	inner := errors.New("cause")
	if !errors.Is(stableError{inner}, inner) {
		t.Error("stableError does not wrap its error")
	}
}

func TestOptionsCheck(t *testing.T) {
	good := Options{Model: "m.mlb", Manifest: "list.txt", Out: "out", Shards: 4}
	for _, tc := range []struct {
		edit func(o *Options)
		err  string
	}{
		{func(o *Options) {}, ""},
		{func(o *Options) { o.Model = "" }, "no model"},
		{func(o *Options) { o.Manifest = "" }, "no manifest"},
		{func(o *Options) { o.Out = "" }, "no output"},
		{func(o *Options) { o.Shards = 0 }, "0 shards"},
		{func(o *Options) { o.Shards = MaxShards + 1 }, "shards"},
		{func(o *Options) { o.Batch = -1 }, "batch"},
		{func(o *Options) { o.Manifest = "hdfs://x/list.txt" }, "want a local path, s3:// or gs://"},
		{func(o *Options) { o.Out = "s3://bucket/out" }, ""},
	} {
		o := good
		tc.edit(&o)
		err := o.Check()
		if (tc.err == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%+v: Check() = %v, want %q", o, err, tc.err)
		}
	}
}

func TestManifestPath(t *testing.T) {
	for _, tc := range []struct{ line, want string }{
		{"a.jpg", "a.jpg"},
		{"  s3://b/a.jpg\r", "s3://b/a.jpg"},
		{"", ""},
		{"   ", ""},
		{"# a comment", ""},
		{"dir with space/a b.jpg", "dir with space/a b.jpg"},
	} {
		var got []string
		manifestPath(tc.line, func(s string) { got = append(got, s) })
		if want := []string{tc.want}; tc.want == "" && got != nil || tc.want != "" && !slices.Equal(got, want) {
			t.Errorf("manifestPath(%q) emitted %q, want %q", tc.line, got, tc.want)
		}
	}
}

// A file holds its lines sorted, each once, without the empty markers; a
// shard with no line is an empty file.
func TestWriteFn(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name  string
		lines []string
		want  string
	}{
		{"sorted", []string{"{\"image\":\"b\"}\n", "", "{\"image\":\"a\"}\n"}, "{\"image\":\"a\"}\n{\"image\":\"b\"}\n"},
		{"a line delivered twice", []string{"{\"image\":\"a\"}\n", "{\"image\":\"a\"}\n", ""}, "{\"image\":\"a\"}\n"},
		{"empty", []string{""}, ""},
	} {
		i := 0
		next := func(l *string) bool {
			if i == len(tc.lines) {
				return false
			}
			*l, i = tc.lines[i], i+1
			return true
		}
		name := tc.name + ".jsonl"
		emitted := 0
		if err := (&writeFn{Out: dir}).ProcessElement(context.Background(), name, next, func(n int) { emitted += n }); err != nil {
			t.Fatal(err)
		}
		if emitted != 1 {
			t.Errorf("%s: emitted %d for the file, want 1", tc.name, emitted)
		}
		if got, err := os.ReadFile(filepath.Join(dir, name)); err != nil || string(got) != tc.want {
			t.Errorf("%s: wrote %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}
