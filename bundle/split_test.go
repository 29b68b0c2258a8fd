package bundle

import (
	"bytes"
	"reflect"
	"testing"

	"mlabel/dataset"
)

// The split survives a round trip; a bundle without one (as written before
// splits were recorded) has no "split" key and reads back with none.
func TestSplitRoundTrip(t *testing.T) {
	ds := &dataset.Dataset{Items: []dataset.Item{{Name: "a"}, {Name: "b"}, {Name: "c"}, {Name: "d"}}}
	for _, tc := range []struct {
		name  string
		split *Split
	}{
		{"none", nil},
		{"names only", NewSplit(ds, [][]int{{2, 0}, {1}}, nil)},
		{"hashed", NewSplit(ds, [][]int{{0}, {1}, {3, 2}}, []string{"h0", "h1", "h2", "h3"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := testBundle(t)
			b.Split = tc.split
			data := encode(t, b)
			if hasKey := bytes.Contains(data, []byte(`"split":`)); hasKey != (tc.split != nil) {
				t.Errorf("header has a split key: %v, want %v", hasKey, tc.split != nil)
			}
			got, err := Read(data)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Split, tc.split) {
				t.Errorf("split %+v, want %+v", got.Split, tc.split)
			}
		})
	}
	want := &Split{Train: []SplitImage{{"a", "h0"}}, Val: []SplitImage{{"b", "h1"}}, Test: []SplitImage{{"d", "h3"}, {"c", "h2"}}}
	if got := NewSplit(ds, [][]int{{0}, {1}, {3, 2}}, []string{"h0", "h1", "h2", "h3"}); !reflect.DeepEqual(got, want) {
		t.Errorf("NewSplit: %+v, want %+v", got, want)
	}
}

func TestSplitSeen(t *testing.T) {
	hashed := &Split{
		Train: []SplitImage{{"x", "h1"}, {"y", "h2"}},
		Val:   []SplitImage{{"z", "h3"}},
		Test:  []SplitImage{{"t", "h4"}},
	}
	named := &Split{Train: []SplitImage{{Name: "x"}, {Name: "sub/y.JPG"}}, Val: []SplitImage{{Name: "z.v2"}}, Test: []SplitImage{{Name: "t"}}}
	for _, tc := range []struct {
		name   string
		split  *Split
		names  []string
		hashes []string
		want   []bool
	}{
		{"by hash, renamed files match", hashed, []string{"new1", "new2", "z", "x"}, []string{"h3", "h4", "h9", "h1"}, []bool{true, false, false, true}},
		{"by hash, the test split is unseen", hashed, []string{"t"}, []string{"h4"}, []bool{false}},
		{"by hash, no hash given", hashed, []string{"x"}, nil, []bool{false}},
		{"by name, extension and folder ignored", named, []string{"photos/x.jpg", "y", "z.v2", "z", "t.png", "q"}, nil, []bool{true, true, true, false, false, false}},
		{"no split", nil, []string{"x"}, []string{"h1"}, []bool{false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.split.Seen(tc.names, tc.hashes); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Seen(%v, %v) = %v, want %v", tc.names, tc.hashes, got, tc.want)
			}
		})
	}
}
