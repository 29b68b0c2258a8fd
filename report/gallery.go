package report

import (
	"bytes"
	"cmp"
	"encoding/base64"
	"fmt"
	"html/template"
	"image"
	"image/jpeg"
	"path"
	"path/filepath"
	"slices"
	"strings"

	xdraw "golang.org/x/image/draw"

	"mlabel/imageio"
	"mlabel/metrics"
)

// Gallery defaults.
const (
	// defaultGalleryPerLabel is how many false positives and how many false
	// negatives are shown per label.
	defaultGalleryPerLabel = 4
	// thumbSide is the longer side of a thumbnail in pixels.
	thumbSide = 160
	// thumbMaxPixels refuses to decode larger images for a thumbnail.
	thumbMaxPixels = 64 << 20
	// confusedPairs is how many of the most-confused label pairs are listed.
	confusedPairs = 10
)

// thumb is one image of the gallery: a wrong decision on one label.
type thumb struct {
	Name  string       // the file name, without its folder
	Path  string       // the path as given, or of the file read
	Src   template.URL // a JPEG data URI; empty when the image cannot be read
	Why   string       // why there is no image
	Score float64
	Tags  string // the given tags, "?tag" for an unknown one
}

// galleryLabel is one label's worst errors.
type galleryLabel struct {
	Name      string
	Threshold float64
	FP, FN    []thumb
}

// confusedPair counts images of label True the model missed while it
// predicted label Pred, which the image does not have.
type confusedPair struct {
	True, Pred string
	N          int
}

// errorRows returns, for label j, the rows of its false positives by
// decreasing score and of its false negatives by increasing score, at most
// k of each.
func errorRows(truth, scores [][]float64, mask [][]bool, j int, thr float64, k int) (fp, fn []int) {
	for i := range truth {
		if mask != nil && !mask[i][j] {
			continue
		}
		pos, pred := truth[i][j] > 0.5, scores[i][j] >= thr
		switch {
		case pred && !pos:
			fp = append(fp, i)
		case pos && !pred:
			fn = append(fn, i)
		}
	}
	slices.SortStableFunc(fp, func(a, b int) int { return cmp.Compare(scores[b][j], scores[a][j]) })
	slices.SortStableFunc(fn, func(a, b int) int { return cmp.Compare(scores[a][j], scores[b][j]) })
	return fp[:min(k, len(fp))], fn[:min(k, len(fn))]
}

// mostConfused counts, for each ordered pair of labels (a, b), the images
// with a known a that was not predicted and a known absent b that was
// predicted, and returns the n largest counts, largest first.
func mostConfused(labels []string, truth, scores [][]float64, mask [][]bool, thresholds []float64, n int) []confusedPair {
	known := func(i, j int) bool { return mask == nil || mask[i][j] }
	l := len(labels)
	counts := make([]int, l*l)
	for i := range truth {
		for a := range l {
			if !known(i, a) || truth[i][a] <= 0.5 || scores[i][a] >= metrics.ThresholdFor(thresholds, a) {
				continue
			}
			for b := range l {
				if b != a && known(i, b) && truth[i][b] <= 0.5 && scores[i][b] >= metrics.ThresholdFor(thresholds, b) {
					counts[a*l+b]++
				}
			}
		}
	}
	var out []confusedPair
	for a := range l {
		for b := range l {
			if c := counts[a*l+b]; c > 0 {
				out = append(out, confusedPair{True: labels[a], Pred: labels[b], N: c})
			}
		}
	}
	slices.SortStableFunc(out, func(x, y confusedPair) int { return cmp.Compare(y.N, x.N) })
	return out[:min(n, len(out))]
}

// thumbnails makes and caches the JPEG data URIs of images.
type thumbnails struct {
	cache map[string]thumbResult
}

type thumbResult struct {
	src template.URL
	err error
}

// get returns the thumbnail of the image at path.
func (t *thumbnails) get(path string) (template.URL, error) {
	if r, ok := t.cache[path]; ok {
		return r.src, r.err
	}
	src, err := thumbnail(path)
	if t.cache == nil {
		t.cache = map[string]thumbResult{}
	}
	t.cache[path] = thumbResult{src, err}
	return src, err
}

// thumbnail decodes the image at path and returns it scaled to fit a
// thumbSide square, as a JPEG data URI.
func thumbnail(path string) (template.URL, error) {
	img, err := imageio.DecodeFile(path, thumbMaxPixels)
	if err != nil {
		return "", err
	}
	b := img.Bounds()
	if b.Dx() <= 0 || b.Dy() <= 0 {
		return "", fmt.Errorf("report: %q is empty", path)
	}
	w, h := thumbSide, thumbSide
	if b.Dx() > b.Dy() {
		h = max(1, thumbSide*b.Dy()/b.Dx())
	} else {
		w = max(1, thumbSide*b.Dx()/b.Dy())
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, b, xdraw.Src, nil)
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, dst, &jpeg.Options{Quality: 85}); err != nil {
		return "", fmt.Errorf("report: thumbnail of %q: %w", path, err)
	}
	// Built from base64 only, so it is safe as a URL.
	return template.URL("data:image/jpeg;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), nil
}

// tags lists row i's given tags: the known positives, then "?tag" for each
// unknown label.
func (in *Input) tags(i int) string {
	var pos, unknown []string
	for j, name := range in.Labels {
		switch {
		case in.Mask != nil && !in.Mask[i][j]:
			unknown = append(unknown, "?"+name)
		case in.Truth[i][j] > 0.5:
			pos = append(pos, name)
		}
	}
	if len(pos)+len(unknown) == 0 {
		return "(none)"
	}
	return strings.Join(append(pos, unknown...), " ")
}

// gallery builds each label's worst errors, with thumbnails when the input
// has image paths. A label without errors is left out.
func (in *Input) gallery(p *prepared) []galleryLabel {
	var th thumbnails
	k := in.GalleryPerLabel
	if k <= 0 {
		k = defaultGalleryPerLabel
	}
	mk := func(i, j int) thumb {
		t := thumb{Score: p.scores[i][j], Tags: in.tags(i)}
		if i < len(in.Names) {
			t.Path = in.Names[i]
		}
		if i < len(in.Paths) && in.Paths[i] != "" {
			t.Path = in.Paths[i]
			src, err := th.get(in.Paths[i])
			if err != nil {
				t.Why = "cannot be read"
			}
			t.Src = src
		} else {
			t.Why = "no image file"
		}
		if t.Path != "" {
			t.Name = path.Base(filepath.ToSlash(t.Path))
		}
		return t
	}
	var out []galleryLabel
	for j, name := range in.Labels {
		thr := metrics.ThresholdFor(p.thresholds, j)
		fp, fn := errorRows(in.Truth, p.scores, in.Mask, j, thr, k)
		if len(fp)+len(fn) == 0 {
			continue
		}
		g := galleryLabel{Name: name, Threshold: thr}
		for _, i := range fp {
			g.FP = append(g.FP, mk(i, j))
		}
		for _, i := range fn {
			g.FN = append(g.FN, mk(i, j))
		}
		out = append(out, g)
	}
	return out
}
