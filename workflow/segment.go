package workflow

import (
	"fmt"
	"slices"

	"mlabel/dataset"
	"mlabel/masks"
)

// MaskLabels returns the vocabulary of a segmentation run: the tags CSV's
// labels in their order, then the labels only the masks use.
func MaskLabels(csvLabels, maskLabels []string) []string {
	out := slices.Clone(csvLabels)
	for _, l := range maskLabels {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// WithMaskTags returns ds over the vocabulary of its labels and the masks'
// (see MaskLabels), with the tags of each untagged image derived from its
// mask: the labels any of its pixels shows. Every image needs a mask.
func WithMaskTags(ds *dataset.Dataset, set *masks.Set) (*dataset.Dataset, error) {
	names := make([]string, len(ds.Items))
	for i, it := range ds.Items {
		names[i] = it.Name
	}
	var missing []string
	for _, n := range names {
		if !set.Has(n) {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("workflow: %d of %d images have no mask in %s (the first: %s)", len(missing), len(names), set.Dir, set.Path(missing[0]))
	}
	vocab, err := set.Vocabulary(names)
	if err != nil {
		return nil, fmt.Errorf("workflow: %w", err)
	}
	out := *ds
	out.Labels = MaskLabels(ds.Labels, vocab)
	out.Items = slices.Clone(ds.Items)
	idx := out.LabelIndex()
	for i, it := range out.Items {
		if len(it.Pos) > 0 || len(it.Unknown) > 0 {
			continue
		}
		m, err := set.Load(it.Name, out.Labels)
		if err != nil {
			return nil, fmt.Errorf("workflow: %w", err)
		}
		var pos []int
		for _, t := range m.Tags() {
			pos = append(pos, idx[t])
		}
		slices.Sort(pos)
		out.Items[i].Pos = pos
	}
	return &out, nil
}
