package train

import (
	"fmt"
	"slices"

	"mlabel/loss"
	"mlabel/nn"
)

// groupNode names the group_softmax node that ends a network trained with
// label groups.
const groupNode = "label_groups"

// labelGroups returns the columns of cfg's exclusive and at-most-one
// groups among labels, and for each group whether it may hold no label.
func labelGroups(cfg Config, labels []string) (groups [][]int, none []bool, err error) {
	seen := map[string]bool{}
	add := func(g []string, allowNone bool) error {
		if len(g) < 2 {
			return fmt.Errorf("train: label group %v needs at least two labels", g)
		}
		var cols []int
		for _, name := range g {
			j := slices.Index(labels, name)
			if j < 0 {
				return fmt.Errorf("train: label group %v names %q, which is not a label of the data", g, name)
			}
			if seen[name] {
				return fmt.Errorf("train: label %q is in two label groups", name)
			}
			seen[name] = true
			cols = append(cols, j)
		}
		groups, none = append(groups, cols), append(none, allowNone)
		return nil
	}
	for _, g := range cfg.Exclusive {
		if err := add(g, false); err != nil {
			return nil, nil, err
		}
	}
	for _, g := range cfg.AtMostOne {
		if err := add(g, true); err != nil {
			return nil, nil, err
		}
	}
	return groups, none, nil
}

// withGroups ends spec in a softmax over cfg's label groups, unless it has
// no groups or already ends in one (a checkpoint's or a start point's).
func withGroups(spec *nn.Spec, cfg Config, labels []string) error {
	groups, none, err := labelGroups(cfg, labels)
	if err != nil || len(groups) == 0 {
		return err
	}
	for _, n := range spec.Nodes {
		if n.Op == nn.OpGroupSoftmax {
			return nil
		}
	}
	if err := nn.AppendGroupSoftmax(spec, groupNode, groups, none); err != nil {
		return fmt.Errorf("train: %w", err)
	}
	return nil
}

// groupedLoss returns base trained with cross-entropy over cfg's label
// groups, or base itself when there are none.
func groupedLoss(base loss.Loss, cfg Config, labels []string) (loss.Loss, error) {
	groups, none, err := labelGroups(cfg, labels)
	if err != nil || len(groups) == 0 {
		return base, err
	}
	g, err := loss.NewGrouped(base, groups, none)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	return g, nil
}
