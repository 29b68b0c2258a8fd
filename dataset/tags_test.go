package dataset

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestLoadTagsOnly(t *testing.T) {
	for _, tc := range []struct {
		name    string
		csv     string
		opts    Options
		labels  []string
		want    []itemWant
		wantErr string
	}{
		{"planet header", "image_name,tags\ntrain_0,haze primary\ntrain_1,clear ?water\n", Options{},
			[]string{"clear", "haze", "primary", "water"},
			[]itemWant{{"train_0", 2, []string{"haze", "primary"}, nil}, {"train_1", 3, []string{"clear"}, []string{"water"}}}, ""},
		{"image,tags header and unknown", "image,tags\na.jpg,cat ?dog\nb.jpg,\n", Options{},
			[]string{"cat", "dog"},
			[]itemWant{{"a.jpg", 2, []string{"cat"}, []string{"dog"}}, {"b.jpg", 3, nil, nil}}, ""},
		{"no header", "a.jpg,cat dog\n", Options{},
			[]string{"cat", "dog"}, []itemWant{{"a.jpg", 1, []string{"cat", "dog"}, nil}}, ""},
		{"header forced off", "image_name,tags\nx,tags\n", Options{Header: HeaderNo},
			[]string{"tags"}, []itemWant{{"image_name", 1, []string{"tags"}, nil}, {"x", 2, []string{"tags"}, nil}}, ""},
		{"named image column and separator", "id;file;labels\n1;dir/a.png;cat\n", Options{ImageColumn: "file", Comma: ';'},
			[]string{"cat"}, []itemWant{{"dir/a.png", 2, []string{"cat"}, nil}}, ""},
		{"tag separator", "image,tags\na,cat|?dog\n", Options{TagSep: "|"},
			[]string{"cat", "dog"}, []itemWant{{"a", 2, []string{"cat"}, []string{"dog"}}}, ""},
		{"fixed vocabulary", "image,tags\na,cat\nb,bird\n", Options{Labels: []string{"cat", "dog"}},
			nil, nil, "tags.csv:3"},
		{"empty", "image,tags\n", Options{}, nil, nil, "no images"},
		{"folders", "", Options{Folders: "x"}, nil, nil, "cannot be read without its images"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := files(t, map[string][]byte{"tags.csv": []byte(tc.csv)})
			o := tc.opts
			if o.Folders == "" {
				o.CSV = filepath.Join(dir, "tags.csv")
			}
			o.TagsOnly = true
			ds, err := Load(o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(ds.Labels, tc.labels) {
				t.Errorf("labels %v, want %v", ds.Labels, tc.labels)
			}
			if len(ds.Items) != len(tc.want) {
				t.Fatalf("%d items, want %d", len(ds.Items), len(tc.want))
			}
			for k, w := range tc.want {
				it := ds.Items[k]
				if it.Name != w.name || it.Path != w.name || it.Line != w.line ||
					!reflect.DeepEqual(names(ds, it.Pos), w.pos) || !reflect.DeepEqual(names(ds, it.Unknown), w.unk) {
					t.Errorf("item %d = %+v, want %+v", k, it, w)
				}
			}
		})
	}
}

func TestTagMatrix(t *testing.T) {
	d := &Dataset{Labels: []string{"a", "b", "c"}, Items: []Item{{Pos: []int{0, 2}}, {Pos: []int{1}, Unknown: []int{2}}, {}}}
	want := [][]float64{{1, 0, 1}, {0, 1, -1}, {0, 0, 0}}
	if got := d.TagMatrix(); !reflect.DeepEqual(got, want) {
		t.Errorf("TagMatrix = %v, want %v", got, want)
	}
}
