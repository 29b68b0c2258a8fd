package predict

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"io"
	"os"
	"runtime"
	"sync"

	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/tensor"
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

// fileResult is one image file read, hashed and made ready for the network.
type fileResult struct {
	x      []float32 // the preprocessed image (whole-image mode)
	scores []float64 // the max-pooled tile scores (tile mode)
	hash   string
	bounds image.Rectangle // the decoded image's rectangle
	err    error           // why the image cannot be predicted
}

// decodeFiles reads, hashes and decodes files in parallel. The error is for
// what stops the list, not for a bad image.
func (p *Predictor) decodeFiles(ctx context.Context, files []string, o BatchOptions) ([]fileResult, error) {
	res := make([]fileResult, len(files))
	next := make(chan int)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		fatal error
	)
	for range min(o.Workers, len(files)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				r, err := p.decodeFile(files[i], o)
				if err != nil {
					mu.Lock()
					fatal = cmp.Or(fatal, err)
					mu.Unlock()
				}
				res[i] = r
			}
		}()
	}
send:
	for i := range files {
		select {
		case next <- i:
		case <-ctx.Done():
			break send
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("predict: %w", err)
	}
	return res, fatal
}

// decodeFile reads, hashes and decodes one file. A file that cannot be
// read or decoded is reported in the result; the error is for a failing
// network (tile mode).
func (p *Predictor) decodeFile(path string, o BatchOptions) (fileResult, error) {
	if p.byTiles(o) {
		return p.decodeTiled(path, o)
	}
	read := o.Read
	if read == nil {
		read = func(path string) ([]byte, error) { return imageio.ReadFile(path, p.pre.MaxPixels) }
	}
	data, err := read(path)
	if err != nil {
		return fileResult{err: err}, nil
	}
	sum := sha256.Sum256(data)
	r := fileResult{hash: hex.EncodeToString(sum[:])}
	pix, size, err := p.pre.InputPixels(path, data)
	if err != nil {
		r.err = err
		return r, nil
	}
	r.bounds = image.Rectangle{Max: size}
	r.x = p.pre.Normalized(pix)
	return r, nil
}

// decodeTiled hashes one file and scores its tiles, read from the file as
// an imageio.Source without holding the image at full resolution as
// floats (nor, for a TIFF, at all): max-pooled scores, a segmenter's area
// fractions (see SegmentTiled). A
// file that cannot be read is reported in the result; the error is for a
// failing network.
func (p *Predictor) decodeTiled(path string, o BatchOptions) (fileResult, error) {
	src, hash, bad := openTiled(path, o, len(p.pre.Bands) > 0)
	if bad != nil {
		return fileResult{hash: hash, err: bad}, nil
	}
	defer src.Close()
	r := fileResult{hash: hash}
	if p.Segmenter() {
		st, err := p.stitch(src, o.grid())
		if err != nil {
			r.err = err
			return r, nil
		}
		r.scores = infer.MaxPool(st.tileAreas)
		return r, nil
	}
	xs, err := p.pre.TileInputs(src, o.grid())
	if err != nil {
		r.err = err
		return r, nil
	}
	r.scores, err = p.poolTiles(xs)
	return r, err
}

// tiledFile is an image file open as a Source.
type tiledFile struct {
	imageio.Source
	f *os.File
}

// Close closes the file.
func (t *tiledFile) Close() error { return t.f.Close() }

// openTiled opens and hashes an image file and opens it as a Source
// within the limits of o.Source (its raw bands when bands). bad says why
// it cannot be read; the hash is set once the file has been read.
func openTiled(path string, o BatchOptions, bands bool) (src *tiledFile, hash string, bad error) {
	if _, err := imageio.StatRegular(path); err != nil {
		return nil, "", err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, "", err
	}
	h := sha256.New()
	size, err := io.Copy(h, f)
	if err != nil {
		f.Close()
		return nil, "", err
	}
	hash = hex.EncodeToString(h.Sum(nil))
	so := o.Source
	so.Bands = bands
	s, err := imageio.OpenSource(path, f, size, so)
	if err != nil {
		f.Close()
		return nil, hash, err
	}
	return &tiledFile{Source: s, f: f}, hash, nil
}

// scoreArrays runs the network on preprocessed images (normalised HWC
// arrays at the bundle's size) and returns each one's sigmoid scores and,
// after KeepFeatures, its pooled feature vector (nil otherwise); with
// test-time augmentation both are means over the transforms.
func (p *Predictor) scoreArrays(xs [][]float32) ([][]float64, [][]float32, error) {
	if len(xs) == 0 {
		return nil, nil, nil
	}
	pre := p.pre
	ch := pre.Channels()
	per := pre.Size * pre.Size * ch
	x := tensor.New(len(xs), pre.Size, pre.Size, ch)
	for i, xi := range xs {
		if len(xi) != per {
			return nil, nil, fmt.Errorf("predict: image %d has %d values, the network takes %d", i, len(xi), per)
		}
		copy(x.Data[i*per:(i+1)*per], xi)
	}
	p.mu.RLock()
	defer p.mu.RUnlock()
	w, err := p.pool.Get()
	if err != nil {
		return nil, nil, fmt.Errorf("predict: %w", err)
	}
	defer p.pool.Put(w)
	tta := p.tta
	if len(tta) == 0 || p.Segmenter() { // a segmenter averages its maps (segmentLogits)
		tta = []int{-1} // the image as it is
	}
	var scores [][]float64
	var feats [][]float32
	var tx *tensor.Tensor // the transformed batch
	for _, k := range tta {
		in := x
		if k >= 0 {
			tx = tensor.Ensure(tx, x.Shape...)
			transform(tx, x, k)
			in = tx
		}
		s, err := p.scoreBatch(w, in)
		if err != nil {
			return nil, nil, err
		}
		if feats, err = addFeatures(w, p.feat, feats, len(xs)); err != nil {
			return nil, nil, err
		}
		if scores == nil {
			scores = s
			continue
		}
		for i := range s {
			for j := range s[i] {
				scores[i][j] += s[i][j]
			}
		}
	}
	if len(tta) > 1 {
		inv := 1 / float64(len(tta))
		for i := range scores {
			for j := range scores[i] {
				scores[i][j] *= inv
			}
		}
		for _, f := range feats {
			for j := range f {
				f[j] *= float32(inv)
			}
		}
	}
	return scores, feats, nil
}
