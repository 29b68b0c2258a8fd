package dataset

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzLoadCSV checks that loading any tags CSV never panics, and that every
// item of an accepted dataset has an image and only known labels.
func FuzzLoadCSV(f *testing.F) {
	for _, s := range []string{
		"image_name,tags\na,haze primary\nb,clear primary water\n",
		"a.jpg,x y\nb.png,y\n",
		"tags;extra;file\nx|?y;1;a\ny|z;2;b\n",
		"\ufeffimage,tags\na,x\n",
		"image,tags\n\"a,x\n",
		"",
	} {
		f.Add(s, uint8(0))
		f.Add(s, uint8(1))
	}
	dir := f.TempDir()
	for _, name := range []string{"a.jpg", "b.png"} {
		if err := os.WriteFile(filepath.Join(dir, name), tinyPNG, 0o644); err != nil {
			f.Fatal(err)
		}
	}
	csvPath := filepath.Join(dir, "tags.csv")
	f.Fuzz(func(t *testing.T, csv string, header uint8) {
		if err := os.WriteFile(csvPath, []byte(csv), 0o644); err != nil {
			t.Fatal(err)
		}
		o := Options{CSV: csvPath, Images: dir}
		switch header % 3 {
		case 1:
			o.Header = HeaderYes
		case 2:
			o.Header = HeaderNo
		}
		ds, err := Load(o)
		if err != nil {
			return
		}
		for _, it := range ds.Items {
			if it.Path == "" {
				t.Fatalf("item %+v has no image path", it)
			}
			for _, j := range append(append([]int(nil), it.Pos...), it.Unknown...) {
				if j < 0 || j >= len(ds.Labels) {
					t.Fatalf("item %+v has label %d of %d", it, j, len(ds.Labels))
				}
			}
		}
	})
}
