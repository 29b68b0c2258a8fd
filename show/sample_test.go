package show

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
)

func TestSample(t *testing.T) {
	// 100 images: "common" on all, "rare" on two, "?unsure" unknown on
	// one; 30 untagged ones in a folder of their own.
	var paths []string
	tags := map[string][]string{}
	for i := range 100 {
		p := filepath.Join("set", fmt.Sprintf("%03d.png", i))
		paths = append(paths, p)
		tags[p] = []string{"common"}
		if i == 17 || i == 83 {
			tags[p] = append(tags[p], "rare")
		}
		if i == 50 {
			tags[p] = append(tags[p], "?unsure")
		}
	}
	for i := range 30 {
		paths = append(paths, filepath.Join("other", fmt.Sprintf("%03d.png", i)))
	}
	tests := []struct {
		name string
		n    int
		want func(got []string) string // what is wrong, or ""
	}{
		{"every group in 4", 4, func(got []string) string {
			has := func(pred func(string) bool) bool { return slices.ContainsFunc(got, pred) }
			switch {
			case len(got) != 4:
				return "not 4 picks"
			case !has(func(p string) bool { return slices.Contains(tags[p], "rare") }):
				return "no rare image"
			case !has(func(p string) bool { return slices.Contains(tags[p], "?unsure") }):
				return "no image with the unknown label"
			case !has(func(p string) bool { return filepath.Dir(p) == "other" }):
				return "no untagged image"
			}
			return ""
		}},
		{"64 in the order given", 64, func(got []string) string {
			if len(got) != 64 || !slices.IsSortedFunc(got, func(a, b string) int { return slices.Index(paths, a) - slices.Index(paths, b) }) {
				return "not 64 picks in the order of paths"
			}
			if len(slices.Compact(slices.Clone(got))) != 64 {
				return "an image picked twice"
			}
			return ""
		}},
		{"no more than there are", 500, func(got []string) string {
			if !slices.Equal(got, paths) {
				return "not every path"
			}
			return ""
		}},
		{"0 is all", 0, func(got []string) string {
			if !slices.Equal(got, paths) {
				return "not every path"
			}
			return ""
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Sample(paths, tags, tc.n, 1)
			if msg := tc.want(got); msg != "" {
				t.Errorf("Sample(%d): %s: %v", tc.n, msg, got)
			}
			if again := Sample(paths, tags, tc.n, 1); !slices.Equal(again, got) {
				t.Error("the same seed picks differently")
			}
		})
	}
}
