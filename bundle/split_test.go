package bundle

import (
	"bytes"
	"reflect"
	"testing"
)

// The split survives a round trip; a bundle without one (as written before
// splits were recorded) has no "split" key and reads back with none.
func TestSplitRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name  string
		split *Split
	}{
		{"none", nil},
		{"names only", &Split{Train: []SplitImage{{Name: "c"}, {Name: "a"}}, Val: []SplitImage{{Name: "b"}}}},
		{"hashed", &Split{Train: []SplitImage{{Name: "a", SHA256: "h0"}}, Val: []SplitImage{{Name: "b", SHA256: "h1"}}, Test: []SplitImage{{Name: "d", SHA256: "h3"}, {Name: "c", SHA256: "h2"}}}},
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
}
