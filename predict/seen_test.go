package predict

import (
	"reflect"
	"testing"

	"mlabel/bundle"
)

func TestSplitSeen(t *testing.T) {
	hashed := &bundle.Split{
		Train: []bundle.SplitImage{{Name: "x", SHA256: "h1"}, {Name: "y", SHA256: "h2"}},
		Val:   []bundle.SplitImage{{Name: "z", SHA256: "h3"}},
		Test:  []bundle.SplitImage{{Name: "t", SHA256: "h4"}},
	}
	named := &bundle.Split{Train: []bundle.SplitImage{{Name: "x"}, {Name: "sub/y.JPG"}}, Val: []bundle.SplitImage{{Name: "z.v2"}}, Test: []bundle.SplitImage{{Name: "t"}}}
	for _, tc := range []struct {
		name   string
		split  *bundle.Split
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
			if got := Seen(tc.split, tc.names, tc.hashes); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Seen(%v, %v) = %v, want %v", tc.names, tc.hashes, got, tc.want)
			}
		})
	}
}
