package workflow

import (
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mlabel/dataset"
	"mlabel/masks"
)

// maskedImages writes 4×4 PNG images and binary masks: a has road on one
// pixel, b has nothing but is tagged water in the CSV, c is untagged
// with a mask showing snow, a label the CSV never uses.
func maskedImages(t *testing.T) (*dataset.Dataset, *masks.Set) {
	t.Helper()
	dir := t.TempDir()
	mdir := filepath.Join(dir, "masks")
	on := make([]bool, 16)
	on[5] = true
	ds := &dataset.Dataset{Source: "tags.csv", Labels: []string{"road", "water"}}
	for _, it := range []struct {
		name, label string
		pos         []int
	}{{"a", "road", nil}, {"b", "", []int{1}}, {"c", "snow", nil}} {
		path := filepath.Join(dir, it.name+".png")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		png.Encode(f, image.NewRGBA(image.Rect(0, 0, 4, 4)))
		f.Close()
		label, px := it.label, on
		if label == "" {
			label, px = "water", make([]bool, 16)
		}
		if err := masks.WriteBinary(mdir, it.name, label, 4, 4, px); err != nil {
			t.Fatal(err)
		}
		ds.Items = append(ds.Items, dataset.Item{Name: it.name, Path: path, Pos: it.pos})
	}
	set, err := masks.Open(mdir)
	if err != nil {
		t.Fatal(err)
	}
	return ds, set
}

func TestWithMaskTags(t *testing.T) {
	ds, set := maskedImages(t)
	got, err := WithMaskTags(ds, set)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"road", "water", "snow"}; !slices.Equal(got.Labels, want) {
		t.Fatalf("labels %v, want %v", got.Labels, want)
	}
	want := [][]int{{0}, {1}, {2}} // a from its mask, b kept from the CSV, c from its mask
	for i, it := range got.Items {
		if !slices.Equal(it.Pos, want[i]) {
			t.Errorf("%s: tags %v, want %v", it.Name, it.Pos, want[i])
		}
	}
	if ds.Items[0].Pos != nil || len(ds.Labels) != 2 {
		t.Error("the input set was modified")
	}
	// An image without a mask is refused, named.
	ds.Items = append(ds.Items, dataset.Item{Name: "d", Path: "d.png"})
	if _, err := WithMaskTags(ds, set); err == nil || !strings.Contains(err.Error(), "1 of 4 images have no mask") {
		t.Errorf("missing mask: error %v", err)
	}
}

func TestPrepareMasksNamesBadMasks(t *testing.T) {
	ds, set := maskedImages(t)
	// c's mask is 4×4 but its image is made 8×8.
	f, err := os.Create(ds.Items[2].Path)
	if err != nil {
		t.Fatal(err)
	}
	png.Encode(f, image.NewRGBA(image.Rect(0, 0, 8, 8)))
	f.Close()
	_, err = PrepareMasks(ds, set, 0)
	if err == nil || !strings.Contains(err.Error(), "1 bad masks") || !strings.Contains(err.Error(), "mask is 4×4, its image 8×8") {
		t.Fatalf("error %v", err)
	}
}
