package compare

import (
	"fmt"
	"slices"

	"mlabel/dataset"
	"mlabel/workflow"
)

// splits returns the train, validation and test sets.
func splits(o Options) (tr, va, te *dataset.Dataset, err error) {
	testFrac := o.TestFrac
	if o.Test != nil {
		testFrac = 0
	}
	idx, err := workflow.SplitParts(o.Data, o.ValFrac, testFrac, o.Train.Seed)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("compare: %w", err)
	}
	tr, va = o.Data.Subset(idx[0]), o.Data.Subset(idx[1])
	if o.Test != nil {
		te = o.Test
	} else {
		te = o.Data.Subset(idx[2])
	}
	for _, s := range []struct {
		name string
		ds   *dataset.Dataset
	}{{"train", tr}, {"validation", va}, {"test", te}} {
		if len(s.ds.Items) == 0 {
			return nil, nil, nil, fmt.Errorf("compare: the %s split is empty (%d images in all)", s.name, len(o.Data.Items))
		}
	}
	return tr, va, te, nil
}

// only returns ds restricted to label j: the same images with a one-label
// vocabulary, positive, negative or unknown as they were for that label.
func only(ds *dataset.Dataset, j int) *dataset.Dataset {
	out := &dataset.Dataset{Source: ds.Source, Labels: []string{ds.Labels[j]}, Items: make([]dataset.Item, len(ds.Items))}
	for i, it := range ds.Items {
		n := dataset.Item{Name: it.Name, Path: it.Path, Line: it.Line}
		if slices.Contains(it.Pos, j) {
			n.Pos = []int{0}
		}
		if slices.Contains(it.Unknown, j) {
			n.Unknown = []int{0}
		}
		out.Items[i] = n
	}
	return out
}
