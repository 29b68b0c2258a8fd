package show

import (
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
)

// Sample picks at most n of paths for a contact sheet, so that every group
// of images appears in it: a group is a tag of tags[path], or, for a path
// with no tags, its folder (a folder per label). It takes, in turn for each
// group, the next image of that group not yet taken, in an order seeded by
// seed, until n are taken. The picks keep the order of paths. With n at most
// 0, or no more paths than n, it returns paths.
func Sample(paths []string, tags map[string][]string, n int, seed uint64) []string {
	if n <= 0 || len(paths) <= n {
		return paths
	}
	order := rand.New(rand.NewPCG(seed, 0x73686f77)).Perm(len(paths))
	groups := map[string][]int{}
	for _, i := range order {
		keys := tags[paths[i]]
		if len(keys) == 0 {
			keys = []string{"folder " + filepath.Dir(paths[i])}
		}
		for _, k := range keys {
			k = strings.TrimPrefix(k, "?")
			groups[k] = append(groups[k], i)
		}
	}
	names := make([]string, 0, len(groups))
	for k := range groups {
		names = append(names, k)
	}
	slices.Sort(names)
	taken := make([]bool, len(paths))
	var picks []int
	for len(picks) < n {
		progress := false
		for _, k := range names {
			g := groups[k]
			for len(g) > 0 && taken[g[0]] {
				g = g[1:]
			}
			if len(g) > 0 && len(picks) < n {
				taken[g[0]] = true
				picks = append(picks, g[0])
				g, progress = g[1:], true
			}
			groups[k] = g
		}
		if !progress {
			break
		}
	}
	slices.Sort(picks)
	out := make([]string, len(picks))
	for k, i := range picks {
		out[k] = paths[i]
	}
	return out
}
