package bundle

import (
	"path/filepath"
	"slices"
	"strings"

	"mlabel/dataset"
)

// SplitImage is one image of a training run's split: its name as the run
// read it and the SHA-256 of its file's bytes (lower-case hex; empty when
// not recorded).
type SplitImage struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256,omitempty"`
}

// Split records which images the run that made a bundle trained on, used
// for validation (early stopping and threshold fitting), and held out for
// the test metrics. It lets an evaluation tell images the model has seen.
type Split struct {
	Train []SplitImage `json:"train"`
	Val   []SplitImage `json:"val"`
	Test  []SplitImage `json:"test,omitempty"`
}

// NewSplit records the items of ds at the indices of parts (train,
// validation and, when present, test), with the items' hashes when hashes
// (one per item of ds) is not nil.
func NewSplit(ds *dataset.Dataset, parts [][]int, hashes []string) *Split {
	take := func(k int) []SplitImage {
		if k >= len(parts) {
			return nil
		}
		out := make([]SplitImage, len(parts[k]))
		for i, j := range parts[k] {
			out[i].Name = ds.Items[j].Name
			if hashes != nil {
				out[i].SHA256 = hashes[j]
			}
		}
		return out
	}
	return &Split{Train: take(0), Val: take(1), Test: take(2)}
}

// Seen reports, for each image of a set given by its names and content
// hashes, whether the model was trained or validated on it. Images match by
// content hash when the split records hashes, otherwise by name (its base
// name without an image extension, so that photos/x.jpg matches x). A nil
// split has seen nothing.
func (s *Split) Seen(names, hashes []string) []bool {
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
			set[nameKey(im.Name)] = true
		}
	}
	for i, n := range names {
		if byHash {
			seen[i] = i < len(hashes) && set[hashes[i]]
		} else {
			seen[i] = set[nameKey(n)]
		}
	}
	return seen
}

// nameKey is the base name of an image without its image extension.
func nameKey(name string) string {
	base := filepath.Base(name)
	ext := filepath.Ext(base)
	if slices.ContainsFunc(dataset.DefaultExtensions, func(e string) bool { return strings.EqualFold(e, ext) }) {
		return strings.TrimSuffix(base, ext)
	}
	return base
}
