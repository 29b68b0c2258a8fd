package workflow

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/loader"
	"mlabel/masks"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/train"
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

// PrepareMasks gives the untagged images of ds the tags their masks in
// set show (see WithMaskTags) and checks every mask against its image
// (size, values, labels; images decoded within maxPixels) before anything
// trains, naming the first bad files.
func PrepareMasks(ds *dataset.Dataset, set *masks.Set, maxPixels int64) (*dataset.Dataset, error) {
	ds, err := WithMaskTags(ds, set)
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ds.Items))
	paths := make(map[string]string, len(ds.Items))
	for i, it := range ds.Items {
		names[i], paths[it.Name] = it.Name, it.Path
	}
	probs := set.Check(names, masks.CheckOptions{Labels: ds.Labels, Size: func(name string) (int, int, error) {
		img, err := imageio.DecodeFile(paths[name], maxPixels)
		if err != nil {
			return 0, 0, err
		}
		b := img.Bounds()
		return b.Dx(), b.Dy(), nil
	}})
	var errs []string
	for _, p := range probs {
		if !p.Warning {
			errs = append(errs, p.String())
		}
	}
	if n := len(errs); n > 0 {
		const show = 5
		more := ""
		if n > show {
			more = fmt.Sprintf("\n... and %d more", n-show)
			errs = errs[:show]
		}
		return nil, fmt.Errorf("workflow: %d bad masks:\n%s%s", n, strings.Join(errs, "\n"), more)
	}
	return ds, nil
}

// PredictMasks runs a segmentation network on every image of ds with its
// mask from set, in evaluation mode: the image-level set of area fractions
// and the pixel counts (see train.PredictMasks).
func PredictMasks(ctx context.Context, m *nn.Model, ds *dataset.Dataset, pre imageio.Preprocess, set *masks.Set, batch int) (*infer.Set, *metrics.IoU, error) {
	l, err := loader.New(ds, loader.Config{Preprocess: pre, BatchSize: batch, Masks: set})
	if err != nil {
		return nil, nil, fmt.Errorf("workflow: %w", err)
	}
	return train.PredictMasks(ctx, m, l, nil, len(ds.Labels))
}

// SegmenterBundle makes b, a bundle ClassifierBundle assembled from a
// segmentation network and rules fitted on area fractions, a segmenter
// with the pixel threshold and held-out pixel figures of seg, and returns
// it.
func SegmenterBundle(b *bundle.Bundle, seg *metrics.Segmentation) *bundle.Bundle {
	b.Kind, b.Segment = bundle.KindSegmenter, seg
	return b
}
