package predict

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestReadLines(t *testing.T) {
	a, _ := Line(Prediction{Image: "a.jpg", Labels: []Label{{"x", 0.9, 0.5}}, Scores: map[string]float64{"x": 0.9}})
	b, _ := Line(Prediction{Image: "b.jpg", Labels: []Label{}, Scores: map[string]float64{"x": 0.1}})
	for _, tc := range []struct {
		name   string
		in     string
		images []string
		good   int
	}{
		{"empty", "", nil, 0},
		{"two lines", string(a) + string(b), []string{"a.jpg", "b.jpg"}, len(a) + len(b)},
		{"cut short", string(a) + string(b[:len(b)/2]), []string{"a.jpg"}, len(a)},
		{"no newline at the end", string(a) + strings.TrimSuffix(string(b), "\n"), []string{"a.jpg"}, len(a)},
		{"garbage line", string(a) + "{oops\n" + string(b), []string{"a.jpg"}, len(a)},
		{"no image", string(a) + "{}\n", []string{"a.jpg"}, len(a)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			preds, good, err := readLines(strings.NewReader(tc.in))
			if err != nil {
				t.Fatal(err)
			}
			var images []string
			for _, p := range preds {
				images = append(images, p.Image)
			}
			if !reflect.DeepEqual(images, tc.images) || good != int64(tc.good) {
				t.Errorf("got %v, %d bytes; want %v, %d", images, good, tc.images, tc.good)
			}
		})
	}
	if _, _, err := readLines(strings.NewReader(strings.Repeat("x", MaxLineBytes+1))); err == nil {
		t.Error("a line over MaxLineBytes was read")
	}
}

// A prediction's line is the element of a JSON array of predictions, so
// the lines hold what predict --json prints.
func TestLineIsTheJSONOfAPrediction(t *testing.T) {
	p := Prediction{Image: "dir/a \"b\".jpg", Labels: []Label{{"x", 0.75, -1}}, Scores: map[string]float64{"x": 0.75, "y": 1e-9}}
	line, err := Line(p)
	if err != nil {
		t.Fatal(err)
	}
	arr, _ := json.Marshal([]Prediction{p})
	if want := string(arr[1:len(arr)-1]) + "\n"; string(line) != want {
		t.Errorf("Line = %q, want %q", line, want)
	}
	f, err := FailureLine(Failure{Image: "bad.jpg", Err: errors.New("truncated")})
	if err != nil || string(f) != `{"image":"bad.jpg","error":"truncated"}`+"\n" {
		t.Errorf("FailureLine = %q, %v", f, err)
	}
}

// FilesTo writes every good image once, to a file that appears only on
// Close; resumed after a kill, it predicts only the images not yet
// written, and the result equals one uninterrupted run's.
func TestFilesToResumes(t *testing.T) {
	p := testPredictor(t)
	paths, reasons := batchFiles(t)
	var good []string
	for i, r := range reasons {
		if r == "" {
			good = append(good, paths[i])
		}
	}
	ctx := context.Background()
	o := BatchOptions{Batch: 2, Workers: 2}
	want, _, err := p.Files(ctx, paths, o)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "preds.jsonl")

	// A first run that dies after the first two good images, half-way
	// through a line.
	w, err := CreateOutput(out, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.FilesTo(ctx, good[:2], o, w); err != nil {
		t.Fatal(err)
	}
	half, _ := Line(want[2])
	if _, err := w.f.Write(half[:10]); err != nil {
		t.Fatal(err)
	}
	w.f.Close()
	if _, err := os.Stat(out); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("%s exists before Close: %v", out, err)
	}

	w, err = CreateOutput(out, true)
	if err != nil {
		t.Fatal(err)
	}
	for i, g := range good {
		if w.Done(g) != (i < 2) {
			t.Errorf("resumed: Done(%s) = %v", g, w.Done(g))
		}
	}
	// A read hook that counts: only the images not yet done are read.
	var read []string
	o.Read = func(path string) ([]byte, error) {
		read = append(read, filepath.Base(path))
		return os.ReadFile(path)
	}
	o.Workers = 1
	fails, err := p.FilesTo(ctx, paths, o, w)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if len(read) != len(paths)-2 {
		t.Errorf("resumed run read %v, want the %d images not done", read, len(paths)-2)
	}
	for _, f := range fails {
		if paths[f.Index] != f.Image || reasons[f.Index] == "" {
			t.Errorf("failure %v at index %d (%s)", f, f.Index, paths[f.Index])
		}
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var wantLines bytes.Buffer
	for _, pr := range want {
		l, _ := Line(pr)
		wantLines.Write(l)
	}
	if string(data) != wantLines.String() {
		t.Errorf("resumed output\n%s\nwant\n%s", data, wantLines.String())
	}
	if _, err := os.Stat(out + PartialSuffix); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("partial file left after Close: %v", err)
	}

	// Resuming a finished file predicts nothing more; starting afresh
	// predicts everything again.
	for _, tc := range []struct {
		resume bool
		reads  int
	}{{true, len(paths) - len(good)}, {false, len(paths)}} {
		read = nil
		w, err := CreateOutput(out, tc.resume)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.FilesTo(ctx, paths, o, w); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if len(read) != tc.reads {
			t.Errorf("resume %v: read %d images, want %d", tc.resume, len(read), tc.reads)
		}
		if data, _ := os.ReadFile(out); string(data) != wantLines.String() {
			t.Errorf("resume %v: output changed:\n%s", tc.resume, data)
		}
	}
}

func TestCreateOutputMissingFolder(t *testing.T) {
	for _, resume := range []bool{false, true} {
		if _, err := CreateOutput(filepath.Join(t.TempDir(), "no", "such", "x.jsonl"), resume); err == nil {
			t.Errorf("resume %v: no error for a missing folder", resume)
		}
	}
}
