package dataset

import (
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

type itemWant struct {
	name     string
	line     int
	pos, unk []string
}

func names(ds *Dataset, idx []int) []string {
	var out []string
	for _, i := range idx {
		out = append(out, ds.Labels[i])
	}
	return out
}

func TestLoadCSV(t *testing.T) {
	images := map[string][]byte{"a.jpg": nil, "b.png": nil, "c.tif": nil}
	for _, tc := range []struct {
		name   string
		csv    string
		opts   Options
		labels []string
		items  []itemWant
	}{
		{
			name:   "planet header, names without extension",
			csv:    "image_name,tags\na,haze primary\nb,clear primary water\nc,clear\n",
			labels: []string{"clear", "haze", "primary", "water"},
			items:  []itemWant{{"a", 2, []string{"haze", "primary"}, nil}, {"b", 3, []string{"clear", "primary", "water"}, nil}, {"c", 4, []string{"clear"}, nil}},
		},
		{
			name:   "no header, names with extension, detected",
			csv:    "a.jpg,x y\nb.png,y\n",
			labels: []string{"x", "y"},
			items:  []itemWant{{"a.jpg", 1, []string{"x", "y"}, nil}, {"b.png", 2, []string{"y"}, nil}},
		},
		{
			name:   "unknown header detected from files",
			csv:    "picture,what\na,x\nb,y\n",
			labels: []string{"x", "y"},
			items:  []itemWant{{"a", 2, []string{"x"}, nil}, {"b", 3, []string{"y"}, nil}},
		},
		{
			name:   "custom columns, separator and tag separator, explicit header",
			csv:    "tags;extra;file\nx|?y;1;a\ny|z;2;b\n",
			opts:   Options{ImageColumn: "file", TagsColumn: "tags", Comma: ';', TagSep: "|", Header: HeaderYes},
			labels: []string{"x", "y", "z"},
			items:  []itemWant{{"a", 2, []string{"x"}, []string{"y"}}, {"b", 3, []string{"y", "z"}, nil}},
		},
		{
			name:   "fixed vocabulary keeps its order, partial labels",
			csv:    "image,tags\na,?b x\nc,b\n",
			opts:   Options{Labels: []string{"x", "b", "unused"}},
			labels: []string{"x", "b", "unused"},
			items:  []itemWant{{"a", 2, []string{"x"}, []string{"b"}}, {"c", 3, []string{"b"}, nil}},
		},
		{
			name:   "quoted fields, BOM, blank lines, repeated tags",
			csv:    "\ufeffimage,tags\n\n\"a\",\"x  x y\"\n",
			labels: []string{"x", "y"},
			items:  []itemWant{{"a", 3, []string{"x", "y"}, nil}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := map[string][]byte{"tags.csv": []byte(tc.csv)}
			for k, v := range images {
				fs["img/"+k] = v
			}
			dir := files(t, fs)
			o := tc.opts
			o.CSV, o.Images = filepath.Join(dir, "tags.csv"), filepath.Join(dir, "img")
			ds, err := Load(o)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ds.Labels, tc.labels) {
				t.Errorf("labels %q, want %q", ds.Labels, tc.labels)
			}
			if len(ds.Items) != len(tc.items) {
				t.Fatalf("%d items, want %d", len(ds.Items), len(tc.items))
			}
			for i, w := range tc.items {
				it := ds.Items[i]
				if it.Name != w.name || it.Line != w.line || !reflect.DeepEqual(names(ds, it.Pos), w.pos) || !reflect.DeepEqual(names(ds, it.Unknown), w.unk) {
					t.Errorf("item %d = %+v (%q, ?%q), want %+v", i, it, names(ds, it.Pos), names(ds, it.Unknown), w)
				}
				if _, ok := images[filepath.Base(it.Path)]; !ok {
					t.Errorf("item %d resolved to %q", i, it.Path)
				}
			}
		})
	}
}

func TestTargets(t *testing.T) {
	ds := &Dataset{Labels: []string{"a", "b", "c", "d"}}
	y, mask := ds.Targets(Item{Pos: []int{0, 2}, Unknown: []int{3}})
	if !reflect.DeepEqual(y, []float32{1, 0, 1, 0}) || !reflect.DeepEqual(mask, []float32{1, 1, 1, 0}) {
		t.Fatalf("y %v mask %v", y, mask)
	}
}

func TestLoadFolders(t *testing.T) {
	dir := files(t, map[string][]byte{
		"water/1.jpg": nil, "water/2.png": nil, "road/2.png": nil, "road/3.jpg": nil,
		"road/notes.txt": []byte("x"), ".hidden/4.jpg": nil, "road/.DS_Store.jpg": nil,
	})
	ds, err := Load(Options{Folders: dir})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ds.Labels, []string{"road", "water"}) {
		t.Fatalf("labels %q", ds.Labels)
	}
	got := map[string][]string{}
	for _, it := range ds.Items {
		got[it.Name] = names(ds, it.Pos)
	}
	want := map[string][]string{"1.jpg": {"water"}, "2.png": {"road", "water"}, "3.jpg": {"road"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("items %v, want %v", got, want)
	}
	if _, err := Load(Options{Folders: dir, Labels: []string{"water"}}); err == nil || !strings.Contains(err.Error(), `"road"`) {
		t.Fatalf("folder outside fixed vocabulary: %v", err)
	}
}

// TestLoadBadInput checks that each bad row fails the load with a message
// naming the CSV file and line.
func TestLoadBadInput(t *testing.T) {
	for _, tc := range []struct {
		name, csv string
		opts      Options
		want      []string
	}{
		{"missing image", "image,tags\na,x\nghost,x\n", Options{}, []string{"tags.csv:3", `"ghost"`, "not found"}},
		{"ragged row", "image,tags\na,x\nb,x,extra\n", Options{}, []string{"tags.csv:3", "3 field(s), expected 2"}},
		{"duplicate row", "image,tags\na,x\nb,y\na.jpg,x\n", Options{}, []string{"tags.csv:4", "listed again", "tags.csv:2"}},
		{"unknown label with fixed vocabulary", "image,tags\na,x\nb,zebra\n", Options{Labels: []string{"x"}}, []string{"tags.csv:3", `"zebra"`, "not in the vocabulary"}},
		{"positive and unknown", "image,tags\na,x ?x\n", Options{}, []string{"tags.csv:2", "both"}},
		{"empty name", "image,tags\n,x\n", Options{}, []string{"tags.csv:2", "empty image name"}},
		{"no rows", "image,tags\n", Options{}, []string{"no images"}},
		{"empty file with a header", "", Options{Header: HeaderYes}, []string{"tags.csv", "empty", "no header row"}},
		{"empty file", "", Options{}, []string{"no images"}},
		{"bad quote", "image,tags\n\"a,x\n", Options{}, []string{"tags.csv", "line"}},
		{"missing column", "image,tags\na,x\n", Options{TagsColumn: "labels"}, []string{"tags.csv:1", `"labels"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := files(t, map[string][]byte{"tags.csv": []byte(tc.csv), "a.jpg": nil, "b.jpg": nil})
			o := tc.opts
			o.CSV = filepath.Join(dir, "tags.csv")
			_, err := Load(o)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
}

func TestLoadWarnings(t *testing.T) {
	bad := "caf\xe9.png"
	dir := files(t, map[string][]byte{
		"tags.csv": []byte("image,tags\na,\n" + bad + ",x\nb,x y x ?z ?z\n"), "a.jpg": nil, bad: nil, "b.jpg": nil,
	})
	ds, err := Load(Options{CSV: filepath.Join(dir, "tags.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Items) != 3 || ds.Items[1].Path != filepath.Join(dir, bad) {
		t.Fatalf("items %+v", ds.Items)
	}
	// A repeated tag counts once and is only a warning.
	if b := ds.Items[2]; !reflect.DeepEqual(names(ds, b.Pos), []string{"x", "y"}) || !reflect.DeepEqual(names(ds, b.Unknown), []string{"z"}) {
		t.Errorf("row with repeated tags: positive %v, unknown %v", names(ds, b.Pos), names(ds, b.Unknown))
	}
	kinds := map[string]string{}
	var repeated []string
	for _, p := range ds.Warnings {
		kinds[p.Kind] = p.String()
		if p.Kind == KindRepeatedTag {
			repeated = append(repeated, p.Label)
			if p.Line != 4 || !strings.Contains(p.String(), "tags.csv:4") || !strings.Contains(p.String(), "counts once") {
				t.Errorf("repeated-tag warning %q at line %d", p.String(), p.Line)
			}
		}
	}
	if !reflect.DeepEqual(repeated, []string{"x", "z"}) {
		t.Errorf("repeated tags warned about: %v, want [x z]", repeated)
	}
	if s := kinds[KindNoTags]; !strings.Contains(s, "tags.csv:2") {
		t.Errorf("no-tags warning %q", s)
	}
	if s := kinds[KindNonUTF8Name]; !strings.Contains(s, "tags.csv:3") || !strings.Contains(s, `caf\xe9`) {
		t.Errorf("non-UTF-8 warning %q", s)
	}
}

func TestLoadFoldersNonUTF8(t *testing.T) {
	bad := "caf\xe9.jpg"
	dir := files(t, map[string][]byte{"x/" + bad: nil, "x/ok.jpg": nil})
	ds, err := Load(Options{Folders: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds.Items) != 2 || len(ds.Warnings) != 1 || !strings.Contains(ds.Warnings[0].String(), `caf\xe9`) {
		t.Fatalf("items %d, warnings %v", len(ds.Items), ds.Warnings)
	}
}

// A CSV line over the limit fails the read naming the file and line, and a
// path that is not a regular file is refused before it is opened.
func TestCSVLineLimitAndSpecialFiles(t *testing.T) {
	l := &lineLimit{r: strings.NewReader("image,tags\na,x\n" + strings.Repeat("z", 40) + "\n"), name: "t.csv", max: 32}
	_, err := io.ReadAll(iotest.OneByteReader(l))
	if !errors.Is(err, ErrLineTooLong) || !strings.Contains(err.Error(), "t.csv:3") {
		t.Errorf("long line: %v", err)
	}
	l = &lineLimit{r: strings.NewReader("image,tags\na,x\n" + strings.Repeat("z", 32) + "\n"), name: "t.csv", max: 32}
	if _, err := io.ReadAll(l); err != nil {
		t.Errorf("line at the limit: %v", err)
	}
	for _, path := range []string{"/dev/zero", t.TempDir()} {
		if _, err := Load(Options{CSV: path, TagsOnly: true}); err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("%s: %v", path, err)
		}
	}
}
