package dataset

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestImageFiles(t *testing.T) {
	dir := files(t, map[string][]byte{
		"b.jpg": nil, "a.PNG": nil, "sub/c.webp": nil, "notes.txt": []byte("x"), ".hidden/d.jpg": nil, "other.gif": nil,
	})
	got, err := ImageFiles([]string{filepath.Join(dir, "other.gif"), dir}, []string{".jpg", ".PNG", ".webp"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"other.gif", "a.PNG", "b.jpg", "sub/c.webp"}
	for i := range want {
		want[i] = filepath.Join(dir, want[i])
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	if _, err := ImageFiles([]string{filepath.Join(dir, "nope")}, nil); err == nil {
		t.Error("missing path accepted")
	}
	ds := Unlabelled(got, []string{"x"})
	if len(ds.Items) != 4 || ds.Items[3].Path != want[3] {
		t.Errorf("unlabelled set %+v", ds.Items)
	}
}
