package audit

import (
	"context"
	"fmt"
	"slices"

	"mlabel/dataset"
	"mlabel/infer"
	"mlabel/train"
)

// frozenOutOfFold is OutOfFold for a frozen backbone: the features are
// cached once and one head is trained per fold of every repeat.
func frozenOutOfFold(ctx context.Context, ds *dataset.Dataset, folds [][][]int, cfg train.Config, o Options) (*infer.Set, error) {
	all := slices.Concat(folds...)
	fmt.Fprintf(o.Log, "%d folds over a frozen backbone: caching its features once for all folds\n", len(all))
	scores, err := train.FrozenOutOfFold(ctx, cfg, ds, o.Preprocess, all, o.Hooks)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	rows := make([]row, 0, len(ds.Items)*len(folds))
	for k, held := range all {
		rows = appendRows(rows, held, &infer.Set{Scores: scores[k]})
	}
	return assemble(ds, rows, len(folds))
}
