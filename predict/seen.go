package predict

import (
	"slices"

	"mlabel/bundle"
	"mlabel/dataset"
)

// Seen reports, for each image of a set given by its names and content
// hashes, whether the model whose bundle recorded split s was trained or
// validated on it. Images match by content hash when the split records
// hashes, otherwise by name (dataset.ImageKey, so that photos/x.jpg
// matches x). A nil split has seen nothing.
func Seen(s *bundle.Split, names, hashes []string) []bool {
	seen := make([]bool, len(names))
	if s == nil {
		return seen
	}
	used := append(slices.Clip(s.Train), s.Val...)
	byHash := len(used) > 0 && used[0].SHA256 != ""
	set := make(map[string]bool, len(used))
	for _, im := range used {
		if byHash {
			set[im.SHA256] = true
		} else {
			set[dataset.ImageKey(im.Name)] = true
		}
	}
	for i, n := range names {
		if byHash {
			seen[i] = i < len(hashes) && set[hashes[i]]
		} else {
			seen[i] = set[dataset.ImageKey(n)]
		}
	}
	return seen
}
