package dataset

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
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

// FormatTags writes every tag set that a CSV read with the same separator
// gives back, and refuses, naming the tag, one that would not read back.
func TestFormatTagsRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name     string
		sep      string
		pos, unk []string
		want     string // "" when refused
		refused  string // a tag the error names
	}{
		{"space in tag", "|", []string{"sea ice", "land"}, []string{"snow cap"}, "sea ice|land|?snow cap", ""},
		{"separator's neighbours", "|", []string{"{a}", "b{}", "c,d", `e"f`, "g?h"}, nil, `{a}|b{}|c,d|e"f|g?h`, ""},
		{"default separator", "", []string{"a", "b"}, []string{"c"}, "a b ?c", ""},
		{"multi-character separator", "; ", []string{"a;b", "c d"}, nil, "a;b; c d", ""},
		{"space in tag, default separator", "", []string{"sea ice"}, nil, "", "sea ice"},
		{"separator in tag", "|", []string{"a|b"}, nil, "", "a|b"},
		{"tag ends form the separator", "||", []string{"a|", "b"}, nil, "", "a|"},
		{"question mark first", "|", []string{"?x"}, nil, "", "?x"},
		{"empty tag", "|", []string{""}, nil, "", `""`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := FormatTags(tc.pos, tc.unk, tc.sep)
			if tc.want == "" {
				if err == nil || !strings.Contains(err.Error(), tc.refused) {
					t.Fatalf("FormatTags(%q, %q, %q) = %q, %v; want an error naming %s", tc.pos, tc.unk, tc.sep, got, err, tc.refused)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("FormatTags(%q, %q, %q) = %q, %v; want %q", tc.pos, tc.unk, tc.sep, got, err, tc.want)
			}
			p, u := Options{TagSep: tc.sep}.splitTags(got)
			if !slices.Equal(p, tc.pos) || !slices.Equal(u, tc.unk) {
				t.Fatalf("%q reads back as %q and unknown %q", got, p, u)
			}
		})
	}
}

// A set read with --tag-sep keeps tags that hold spaces and the separator's
// neighbours through WriteCSV and a second read with the same separator.
func TestWriteCSVKeepsTagSep(t *testing.T) {
	dir := files(t, map[string][]byte{
		"tags.csv": []byte("image,tags\na,sea ice|{land}\nb,?sea ice|x+y\n"), "a.png": nil, "b.png": nil,
	})
	ds, err := Load(Options{CSV: filepath.Join(dir, "tags.csv"), TagSep: "|"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"sea ice", "x+y", "{land}"}; !slices.Equal(ds.Labels, want) {
		t.Fatalf("labels %q, want %q", ds.Labels, want)
	}
	out := filepath.Join(dir, "back.csv")
	var buf bytes.Buffer
	if err := WriteCSV(&buf, ds.Subset([]int{1, 0}), dir); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(out, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	back, err := Load(Options{CSV: out, TagSep: "|"})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Labels, ds.Labels) {
		t.Fatalf("%q read back with labels %q, want %q", buf.String(), back.Labels, ds.Labels)
	}
	for i, j := range []int{1, 0} {
		if !reflect.DeepEqual(back.Items[i].Pos, ds.Items[j].Pos) || !reflect.DeepEqual(back.Items[i].Unknown, ds.Items[j].Unknown) {
			t.Errorf("item %d: wrote %+v, read back %+v", i, ds.Items[j], back.Items[i])
		}
	}
	ds.TagSep = ""
	if err := WriteCSV(&bytes.Buffer{}, ds, dir); err == nil || !strings.Contains(err.Error(), `"sea ice"`) {
		t.Fatalf("writing a tag with a space with the default separator: %v, want an error naming it", err)
	}
}

// Names and tags that start like a spreadsheet formula are written with a
// leading apostrophe and read back as they were.
func TestWriteCSVNeutralisesFormulas(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"}, {"+1", "'+1"}, {"-x", "'-x"}, {"@SUM(A1)", "'@SUM(A1)"},
		{"\tx", "'\tx"}, {"plain", "plain"}, {"'quoted", "'quoted"}, {"", ""}, {"a=b", "a=b"},
	} {
		if got := CSVField(tc.in); got != tc.out {
			t.Errorf("CSVField(%q) = %q, want %q", tc.in, got, tc.out)
		}
		if back := PlainField(CSVField(tc.in)); back != tc.in {
			t.Errorf("PlainField(CSVField(%q)) = %q", tc.in, back)
		}
	}
	dir := files(t, map[string][]byte{
		"tags.csv": []byte("image,tags\n'=cmd.png,'=SUM(A1) x\n-1.png,@y\nplain.png,'+z\n"), "=cmd.png": nil, "-1.png": nil, "plain.png": nil,
	})
	ds, err := Load(Options{CSV: filepath.Join(dir, "tags.csv")})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"+z", "=SUM(A1)", "@y", "x"}; !slices.Equal(ds.Labels, want) {
		t.Fatalf("labels %q, want %q", ds.Labels, want)
	}
	var buf bytes.Buffer
	if err := WriteCSV(&buf, ds, dir); err != nil {
		t.Fatal(err)
	}
	want := "image_name,tags\n'=cmd.png,'=SUM(A1) x\n'-1.png,'@y\nplain.png,'+z\n"
	if buf.String() != want {
		t.Errorf("wrote\n%s\nwant\n%s", buf.String(), want)
	}
	out := filepath.Join(dir, "back.csv")
	os.WriteFile(out, buf.Bytes(), 0o644)
	back, err := Load(Options{CSV: out})
	if err != nil || !slices.Equal(back.Labels, ds.Labels) || back.Items[0].Name != "=cmd.png" || back.Items[1].Name != "-1.png" {
		t.Fatalf("read back %+v, %v", back, err)
	}
}
