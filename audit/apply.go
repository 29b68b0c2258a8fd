package audit

import (
	"fmt"
	"slices"

	"mlabel/dataset"
)

// Apply returns a copy of ds in which the tag of every issue is marked
// unknown (?tag) rather than flipped, so that training ignores it: a
// spurious tag leaves the image's positives, and a missing one joins its
// unknown labels. The issues must come from a set scored on ds, row for
// item. ds itself is not changed.
func Apply(ds *dataset.Dataset, issues []Issue) (*dataset.Dataset, error) {
	out := &dataset.Dataset{Source: ds.Source, Labels: ds.Labels, TagSep: ds.TagSep, Items: slices.Clone(ds.Items)}
	for _, is := range issues {
		if is.Row < 0 || is.Row >= len(out.Items) || is.Col < 0 || is.Col >= len(ds.Labels) {
			return nil, fmt.Errorf("audit: issue for image %d label %d outside the set's %d images and %d labels", is.Row, is.Col, len(out.Items), len(ds.Labels))
		}
		it := &out.Items[is.Row]
		if is.Image != "" && is.Image != it.Name {
			return nil, fmt.Errorf("audit: issue names image %q, the set's row %d is %q", is.Image, is.Row, it.Name)
		}
		has := slices.Contains(it.Pos, is.Col)
		if (is.Kind == Spurious) != has {
			return nil, fmt.Errorf("audit: %s issue for %s %s, but the tag is %s", is.Kind, it.Name, ds.Labels[is.Col], presence(has))
		}
		if slices.Contains(it.Unknown, is.Col) {
			continue
		}
		it.Pos = slices.DeleteFunc(slices.Clone(it.Pos), func(l int) bool { return l == is.Col })
		it.Unknown = slices.Clone(it.Unknown)
		it.Unknown = append(it.Unknown, is.Col)
		slices.Sort(it.Unknown)
	}
	return out, nil
}

func presence(has bool) string {
	if has {
		return "present"
	}
	return "absent"
}
