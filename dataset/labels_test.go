package dataset

import (
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseLabels(t *testing.T) {
	dir := files(t, map[string][]byte{"labels.txt": []byte("# vocabulary\nwater\n\nroad \nclear\n"), "dup.txt": []byte("a\na\n")})
	for _, tc := range []struct {
		in   string
		want []string
	}{
		{filepath.Join(dir, "labels.txt"), []string{"water", "road", "clear"}},
		{"b, a,c", []string{"b", "a", "c"}},
		{"a,,b", nil},
		{"a,a", nil},
		{filepath.Join(dir, "dup.txt"), nil},
		{"", nil},
	} {
		got, err := ParseLabels(tc.in)
		if (err != nil) != (tc.want == nil) || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("ParseLabels(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}
