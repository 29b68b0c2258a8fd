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
	"mlabel/predict"
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
// mask from set, in evaluation mode, at the scale scale (see
// loader.Config.Scale: windows covering each image, each pixel counted
// once, pooled per image), with one pixel threshold per label (nil:
// fitted on these pixels): the image-level set of area fractions and the
// pixel counts (see train.PredictMasks).
func PredictMasks(ctx context.Context, m *nn.Model, ds *dataset.Dataset, pre imageio.Preprocess, set *masks.Set, batch, scale int, thresholds []float64) (*infer.Set, *metrics.IoU, error) {
	l, err := loader.New(ds, loader.Config{Preprocess: pre, BatchSize: batch, Masks: set, Scale: scale})
	if err != nil {
		return nil, nil, fmt.Errorf("workflow: %w", err)
	}
	return train.PredictMasks(ctx, m, l, nil, len(ds.Labels), thresholds)
}

// SegmentScale returns the default scale of a segmenter trained on ds at
// pre's size (see Options.Scale): the median image's shorter side over
// the input size, rounded down, so that a window spans a typical image's
// shorter side (the context a centre crop gives) at one scale for all;
// along a side shorter than a window the window spans the side, stretched
// (see loader.Config.Scale). It is 0 (whole images resized) when the
// median shorter side is no longer than the input size. It reads only the
// images' headers.
func SegmentScale(ds *dataset.Dataset, pre imageio.Preprocess) (int, error) {
	short := make([]int, len(ds.Items))
	for i, it := range ds.Items {
		info, err := imageio.InspectFile(it.Path, pre.MaxPixels)
		if err != nil {
			return 0, fmt.Errorf("workflow: %w", err)
		}
		short[i] = min(info.Width, info.Height)
	}
	if len(short) == 0 {
		return 0, nil
	}
	slices.Sort(short)
	median := short[len(short)/2]
	if median <= pre.Size {
		return 0, nil
	}
	return median / pre.Size, nil
}

// SegmenterBundle makes b, a bundle ClassifierBundle assembled from a
// segmentation network and rules fitted on area fractions, a segmenter
// with the pixel threshold and held-out pixel figures of seg, and returns
// it.
func SegmenterBundle(b *bundle.Bundle, seg *metrics.Segmentation) *bundle.Bundle {
	b.Kind, b.Segment = bundle.KindSegmenter, seg
	return b
}

// ScoreMasks counts a segmenter's pixels against the masks in set on
// every image of ds at the image's own resolution: p segments each image
// from its tiles (cut by g, or by windows at the bundle's fixed scale;
// see predict.Predictor.SegmentPixels), one image at a time, and every
// known pixel of its mask counts, at the bundle's pixel thresholds. A
// mask whose size differs from its image's is an error naming both.
func ScoreMasks(ctx context.Context, p *predict.Predictor, ds *dataset.Dataset, set *masks.Set, g imageio.Grid, so imageio.SourceOptions) (*metrics.IoU, error) {
	nl := len(ds.Labels)
	iou := metrics.NewIoU(nl)
	so.Bands = len(p.Preprocess().Bands) > 0
	for _, it := range ds.Items {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if err := scoreMask(p, it, ds.Labels, set, g, so, iou); err != nil {
			return nil, fmt.Errorf("workflow: image %q (%s): %w", it.Name, ds.Where(it), err)
		}
	}
	return iou, nil
}

// scoreMask adds one image's pixel counts to iou.
func scoreMask(p *predict.Predictor, it dataset.Item, labels []string, set *masks.Set, g imageio.Grid, so imageio.SourceOptions, iou *metrics.IoU) error {
	f, err := imageio.OpenFile(it.Path, so)
	if err != nil {
		return err
	}
	defer f.Close()
	pm, err := p.SegmentPixels(f, g)
	if err != nil {
		return err
	}
	m, err := set.Load(it.Name, labels)
	if err != nil {
		return err
	}
	w, h := pm.Size()
	if m.W != w || m.H != h {
		return fmt.Errorf("its mask %s is %d×%d, the image %d×%d", set.Path(it.Name), m.W, m.H, w, h)
	}
	nl := len(labels)
	unknown := make([]bool, nl)
	for _, u := range it.Unknown {
		unknown[u] = true
	}
	row := make([]bool, w*nl)
	for y := range h {
		pm.Row(y, row)
		for i, pred := range row {
			j := i % nl
			v := m.Data[y*w*nl+i]
			if unknown[j] || v == masks.Ignore {
				continue
			}
			pos := v == masks.Present
			switch {
			case pred && pos:
				iou.TP[j]++
			case pred:
				iou.FP[j]++
			case pos:
				iou.FN[j]++
			}
		}
	}
	return nil
}
