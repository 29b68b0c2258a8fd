package workflow

import (
	"fmt"
	"slices"
	"strings"

	"mlabel/dataset"
	"mlabel/decide"
)

// proveStructure sets o.Structure to the exclusive groups that the tags of
// ds prove, if any, and says which in the log.
func (o *Options) proveStructure(ds *dataset.Dataset) {
	st, found := decide.ProvenExclusive(ds.Labels, ds.TagMatrix())
	if st == nil {
		return
	}
	for _, f := range found {
		fmt.Fprintf(o.Log, "structure: every one of the %d training images has exactly one of %s: the network ends in a softmax over them, and predictions keep exactly one\n",
			f.Images, strings.Join(f.Rule.Exclusive[0], ","))
	}
	o.Structure = st
}

// useStructure checks o.Structure against ds's labels, makes its groups
// the network's softmax groups, and logs how many images break a group
// (no label of an exclusive group, or two of any group): those images do
// not train that group.
func (o *Options) useStructure(ds *dataset.Dataset) error {
	if o.Structure.Empty() {
		o.Structure = nil
		return nil
	}
	if err := o.Structure.Check(ds.Labels); err != nil {
		return fmt.Errorf("workflow: %w", err)
	}
	o.Train.Exclusive, o.Train.AtMostOne = o.Structure.Exclusive, o.Structure.AtMostOne
	check := func(g []string, exclusive bool) {
		cols := make([]int, len(g))
		for k, name := range g {
			cols[k] = slices.Index(ds.Labels, name)
		}
		broken := 0
		for _, it := range ds.Items {
			if slices.ContainsFunc(cols, func(j int) bool { return slices.Contains(it.Unknown, j) }) {
				continue
			}
			pos := 0
			for _, j := range cols {
				if slices.Contains(it.Pos, j) {
					pos++
				}
			}
			if pos > 1 || (exclusive && pos == 0) {
				broken++
			}
		}
		if broken > 0 {
			kind := "at most one"
			if exclusive {
				kind = "exactly one"
			}
			fmt.Fprintf(o.Log, "warning: %d of %d images do not have %s of %v; they do not train that group\n", broken, len(ds.Items), kind, g)
		}
	}
	for _, g := range o.Structure.Exclusive {
		check(g, true)
	}
	for _, g := range o.Structure.AtMostOne {
		check(g, false)
	}
	return nil
}
