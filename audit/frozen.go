package audit

import (
	"context"
	"fmt"

	"mlabel/dataset"
	"mlabel/infer"
	"mlabel/train"
)

// frozenOutOfFold is OutOfFold for a frozen backbone: the features are
// cached once and one head is trained per fold.
func frozenOutOfFold(ctx context.Context, ds *dataset.Dataset, folds [][]int, cfg train.Config, o Options) (*infer.Set, error) {
	fmt.Fprintf(o.Log, "%d folds over a frozen backbone: caching its features once for all folds\n", len(folds))
	scores, err := train.FrozenOutOfFold(ctx, cfg, ds, o.Preprocess, folds, o.Hooks)
	if err != nil {
		return nil, fmt.Errorf("audit: %w", err)
	}
	rows := make([]row, 0, len(ds.Items))
	for k, held := range folds {
		rows = appendRows(rows, held, &infer.Set{Scores: scores[k]})
	}
	return assemble(ds, rows)
}
