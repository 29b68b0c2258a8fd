package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// WriteCSV's output, read back from another folder, gives the same images
// with the same positive and unknown labels.
func TestWriteCSVRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fs    map[string][]byte
		opts  func(dir string) Options
		outTo string // folder of the written CSV, relative to the data
	}{
		{"csv", map[string][]byte{
			"photos/tags.csv": []byte("image,tags\na,x ?y\nb,\nsub/c,y x\n"), "photos/a.png": nil, "photos/b.jpg": nil, "photos/sub/c.png": nil,
		}, func(dir string) Options { return Options{CSV: filepath.Join(dir, "photos", "tags.csv")} }, "models"},
		{"folders", map[string][]byte{"root/x/1.png": nil, "root/y/1.png": nil, "root/y/2.png": nil},
			func(dir string) Options { return Options{Folders: filepath.Join(dir, "root")} }, "."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := files(t, tc.fs)
			ds, err := Load(tc.opts(dir))
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, tc.outTo, "test.csv")
			if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := WriteCSV(&buf, ds, filepath.Dir(out)); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			back, err := Load(Options{CSV: out, Labels: ds.Labels})
			if err != nil {
				t.Fatalf("reading back %q: %v", buf.String(), err)
			}
			if len(back.Items) != len(ds.Items) {
				t.Fatalf("%d items back, wrote %d", len(back.Items), len(ds.Items))
			}
			for i, it := range ds.Items {
				b := back.Items[i]
				if b.Path != it.Path || !reflect.DeepEqual(b.Pos, it.Pos) || !reflect.DeepEqual(b.Unknown, it.Unknown) {
					t.Errorf("item %d: wrote %+v, read back %+v", i, it, b)
				}
			}
		})
	}
}
