package predict

import (
	"context"
	"fmt"
	"runtime"

	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/infer"
)

// BatchOptions say how ScoreFiles, Files and ScoreSet run a list of images.
type BatchOptions struct {
	// Batch is the number of images per forward pass; 32 when 0.
	Batch int
	// Workers is the number of goroutines reading and decoding images; the
	// number of CPUs when 0.
	Workers int
	// Tiles, when positive, scores each image from Tiles×Tiles tiles
	// overlapping by Overlap, max-pooling their scores (a segmenter's
	// area fractions, see SegmentTiled), and Files decides them with
	// TileRules (see Tiled). Each image is then read as an
	// imageio.Source within the limits of Source, whatever the bundle's
	// pixel limit: a TIFF by windows, any other image decoded at 8 bits.
	Tiles   int
	Overlap float64
	Source  imageio.SourceOptions
	// Read returns the bytes of an image file named as given;
	// imageio.ReadFile within the bundle's pixel limit when nil. A caller reading from object storage sets it. Tiled
	// prediction reads its windows from local files and ignores it.
	Read func(path string) ([]byte, error)
}

// byTiles reports whether p scores images by tiles: with o.Tiles, or as
// a segmenter at a fixed scale, by its windows (see Predictor.Windows).
func (p *Predictor) byTiles(o BatchOptions) bool {
	_, _, scaled := p.Windows()
	return o.Tiles > 0 || scaled
}

// grid returns the tile grid of o.
func (o BatchOptions) grid() imageio.Grid { return imageio.Grid{N: o.Tiles, Overlap: o.Overlap} }

// Failure is an image that could not be predicted, and why.
type Failure struct {
	// Index is the image's position in the list given.
	Index int
	// Image is the image file as given.
	Image string
	// Where is the image's CSV file and line ("tags.csv:12") when it comes
	// from a labelled set read from a CSV.
	Where string
	// Err says what went wrong.
	Err error
}

// Error formats the failure as "image (where): reason".
func (f Failure) Error() string {
	if f.Where != "" {
		return fmt.Sprintf("%s (%s): %v", f.Image, f.Where, f.Err)
	}
	return fmt.Sprintf("%s: %v", f.Image, f.Err)
}

// Unwrap returns the reason.
func (f Failure) Unwrap() error { return f.Err }

// Scored holds the scores of the images of a list that could be read and
// decoded, and the failures of the others.
type Scored struct {
	// Index holds the list positions of the scored images, ascending.
	Index []int
	// Scores[k] are the sigmoid scores of image Index[k], one per label.
	Scores [][]float64
	// Hashes[k] is the SHA-256 of image Index[k]'s file bytes, lower-case
	// hex.
	Hashes []string
	// Failures are the images that could not be read or decoded, in list
	// order.
	Failures []Failure
	// Features[k] is image Index[k]'s pooled feature vector, after
	// KeepFeatures and without tiles; nil otherwise.
	Features [][]float32
}

func (s *Scored) add(i int, scores []float64, hash string) {
	s.Index = append(s.Index, i)
	s.Scores = append(s.Scores, scores)
	s.Hashes = append(s.Hashes, hash)
}

// ScoreFiles scores every image file of files, a batch at a time. An image
// that cannot be read or decoded is recorded in Failures and the others go
// on; the error is kept for what stops the whole list (a cancelled ctx, a
// failing network, invalid options).
func (p *Predictor) ScoreFiles(ctx context.Context, files []string, o BatchOptions) (*Scored, error) {
	if o.Batch <= 0 {
		o.Batch = 32
	}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if err := p.pre.Validate(); err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	if o.Tiles > 0 {
		if err := o.grid().Check(); err != nil {
			return nil, fmt.Errorf("predict: %w", err)
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type chunk struct {
		start int
		items []fileResult
		err   error
	}
	// Decode the next batch while the network runs on this one.
	chunks := make(chan chunk, 1)
	go func() {
		defer close(chunks)
		for start := 0; start < len(files); start += o.Batch {
			items, err := p.decodeFiles(ctx, files[start:min(start+o.Batch, len(files))], o)
			select {
			case chunks <- chunk{start, items, err}:
			case <-ctx.Done():
				return
			}
			if err != nil {
				return
			}
		}
	}()
	out := &Scored{}
	for c := range chunks {
		if c.err != nil {
			return nil, c.err
		}
		var xs [][]float32
		var ks []int
		for k, it := range c.items {
			i := c.start + k
			switch {
			case it.err != nil:
				out.Failures = append(out.Failures, Failure{Index: i, Image: files[i], Err: it.err})
			case p.byTiles(o):
				out.add(i, it.scores, it.hash)
			default:
				xs, ks = append(xs, it.x), append(ks, k)
			}
		}
		scores, feats, err := p.scoreArrays(xs)
		if err != nil {
			return nil, err
		}
		for n, k := range ks {
			out.add(c.start+k, scores[n], c.items[k].hash)
			if feats != nil {
				out.Features = append(out.Features, feats[n])
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	return out, nil
}

// Files predicts every image file of files with the bundle's decision rule
// (TileRules with tiles), as ScoreFiles scores them: it returns the
// predictions of the images that could be read, in list order, and the
// failures of the others.
func (p *Predictor) Files(ctx context.Context, files []string, o BatchOptions) ([]Prediction, []Failure, error) {
	s, err := p.ScoreFiles(ctx, files, o)
	if err != nil {
		return nil, nil, err
	}
	names := make([]string, len(s.Index))
	for k, i := range s.Index {
		names[k] = files[i]
	}
	rules := p.rules
	if _, _, scaled := p.Windows(); o.Tiles > 0 && !scaled {
		rules, _ = p.TileRules(o.grid())
	}
	return decideWith(rules, p.b.Labels, names, s.Scores), s.Failures, nil
}

// Set is a labelled set scored by ScoreSet: the images that could be read,
// as an infer.Set with their names, truth and mask, and the failures of the
// others. Index[k] and Hashes[k] belong to row k; Failures' indices refer
// to the set's items.
type Set struct {
	infer.Set
	Index    []int
	Hashes   []string
	Failures []Failure
}

// ScoreSet scores the images of a labelled set read with the bundle's
// vocabulary, as ScoreFiles does, each failure naming its CSV line.
func (p *Predictor) ScoreSet(ctx context.Context, ds *dataset.Dataset, o BatchOptions) (*Set, error) {
	if len(ds.Labels) != len(p.b.Labels) {
		return nil, fmt.Errorf("predict: the set has %d labels, the model %d", len(ds.Labels), len(p.b.Labels))
	}
	files := make([]string, len(ds.Items))
	for i, it := range ds.Items {
		files[i] = it.Path
	}
	s, err := p.ScoreFiles(ctx, files, o)
	if err != nil {
		return nil, err
	}
	set := &Set{Set: infer.Set{Labels: p.b.Labels, Scores: s.Scores}, Index: s.Index, Hashes: s.Hashes, Failures: s.Failures}
	for k := range set.Failures {
		if it := ds.Items[set.Failures[k].Index]; it.Line > 0 {
			set.Failures[k].Where = ds.Where(it)
		}
	}
	for _, i := range s.Index {
		it := ds.Items[i]
		y, m := ds.Targets(it)
		truth, mask := make([]float64, len(y)), make([]bool, len(m))
		for j := range y {
			truth[j], mask[j] = float64(y[j]), m[j] != 0
		}
		set.Names = append(set.Names, it.Name)
		set.Truth = append(set.Truth, truth)
		set.Mask = append(set.Mask, mask)
	}
	return set, nil
}
