package dataset

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"runtime"
	"sort"
	"sync"

	"mlabel/imageio"
)

// CheckOptions tunes Check.
type CheckOptions struct {
	// SkipDecode skips decoding the images (only existence is checked).
	SkipDecode bool
	// MaxPixels is the largest accepted width×height;
	// imageio.DefaultMaxPixels when 0.
	MaxPixels int64
	// MinExamples is the fewest positives a label needs to appear in each
	// split; 3 (train, validation, test) when 0.
	MinExamples int
	// Workers is the number of decoding goroutines; the number of CPUs
	// when 0.
	Workers int
}

// Report is the result of Check. It serialises to JSON.
type Report struct {
	Source string   `json:"source"`
	Images int      `json:"images"`
	Labels []string `json:"labels"`
	// Counts[l] is the number of images positive for label l.
	Counts []int `json:"counts"`
	// Unknown[l] is the number of images where label l is unknown.
	Unknown []int `json:"unknown"`
	// Cooccurrence[a][b] is the number of images positive for both a and
	// b; the diagonal equals Counts. It is nil for a set of more than
	// MaxCooccurrenceLabels labels.
	Cooccurrence [][]int   `json:"cooccurrence"`
	Problems     []Problem `json:"problems"`
	Errors       int       `json:"errors"`
	Warnings     int       `json:"warnings"`
}

// HasErrors reports whether the check found an error-level problem.
func (r *Report) HasErrors() bool { return r.Errors > 0 }

// Check reads the dataset described by o and reports every problem it
// finds, each naming the file and CSV line concerned: ragged rows, missing,
// empty, oversized or undecodable images, duplicate rows and duplicate
// image content, images with no tags, labels outside a fixed vocabulary,
// and labels with too few examples for a split; with label counts and
// co-occurrence. The error is only for failures that prevent reading the
// set at all (an unreadable CSV, a missing folder).
func Check(ctx context.Context, o Options, co CheckOptions) (*Report, error) {
	ds, probs, err := read(o)
	if err != nil {
		return nil, err
	}
	if co.MinExamples <= 0 {
		co.MinExamples = 3
	}
	r := &Report{Source: ds.Source, Images: len(ds.Items), Labels: ds.Labels}
	r.tally(ds)
	if !co.SkipDecode {
		dec, err := decodeAll(ctx, ds, co)
		if err != nil {
			return nil, err
		}
		probs = append(probs, dec...)
	}
	probs = append(probs, labelProblems(ds, r.Counts, co.MinExamples)...)
	sort.SliceStable(probs, func(i, j int) bool { return lineKey(probs[i]) < lineKey(probs[j]) })
	r.Problems = probs
	r.Errors = len(errorsOf(probs))
	r.Warnings = len(warningsOf(probs))
	return r, nil
}

// MaxCooccurrenceLabels is the most labels whose co-occurrence Check
// tallies: the table has a cell per pair of labels, and each image adds
// the square of its tags to it.
const MaxCooccurrenceLabels = 1000

// tally fills the label counts and, for at most MaxCooccurrenceLabels
// labels, the co-occurrence.
func (r *Report) tally(ds *Dataset) {
	n := len(ds.Labels)
	r.Counts, r.Unknown = make([]int, n), make([]int, n)
	if n <= MaxCooccurrenceLabels {
		r.Cooccurrence = make([][]int, n)
		for i := range r.Cooccurrence {
			r.Cooccurrence[i] = make([]int, n)
		}
	}
	for _, it := range ds.Items {
		for _, a := range it.Pos {
			r.Counts[a]++
			if r.Cooccurrence != nil {
				for _, b := range it.Pos {
					r.Cooccurrence[a][b]++
				}
			}
		}
		for _, u := range it.Unknown {
			r.Unknown[u]++
		}
	}
}

// labelProblems reports labels with fewer than min positives.
func labelProblems(ds *Dataset, counts []int, min int) []Problem {
	var out []Problem
	first := make([]int, len(counts)) // each label's first positive item, +1
	for i, it := range ds.Items {
		for _, l := range it.Pos {
			if first[l] == 0 {
				first[l] = i + 1
			}
		}
	}
	for l, c := range counts {
		if c >= min {
			continue
		}
		if c == 0 {
			out = append(out, Problem{Severity: SevWarning, Kind: KindUnusedLabel, Where: ds.Source, Label: ds.Labels[l],
				Message: fmt.Sprintf("label %q has no positive example", ds.Labels[l])})
			continue
		}
		ex := ds.Items[first[l]-1]
		out = append(out, Problem{Severity: SevWarning, Kind: KindRareLabel, Where: ds.Where(ex), Line: ex.Line, File: ex.Path, Label: ds.Labels[l],
			Message: fmt.Sprintf("label %q has only %d example(s), the first being image %q: too few for a split (needs %d)", ds.Labels[l], c, ex.Name, min)})
	}
	return out
}

// decoded is the outcome of decoding one image.
type decoded struct {
	err  error
	hash [sha256.Size]byte
	ok   bool
}

// decodeAll decodes every existing image in parallel and reports those that
// are empty, oversized or undecodable, and those whose content repeats an
// earlier image.
func decodeAll(ctx context.Context, ds *Dataset, co CheckOptions) ([]Problem, error) {
	res, err := decodeEach(ctx, ds, co)
	if err != nil {
		return nil, err
	}
	return decodeProblems(ds, res), nil
}

// decodeEach reads and decodes every image of ds in parallel.
func decodeEach(ctx context.Context, ds *Dataset, co CheckOptions) ([]decoded, error) {
	res := make([]decoded, len(ds.Items))
	workers := co.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				res[i] = decodeOne(ds.Items[i].Path, co.MaxPixels)
			}
		}()
	}
	var cerr error
	for i := range ds.Items {
		if cerr = ctx.Err(); cerr != nil {
			break
		}
		next <- i
	}
	close(next)
	wg.Wait()
	if cerr != nil {
		return nil, fmt.Errorf("dataset: check of %s stopped: %w", quoteIfOdd(ds.Source), cerr)
	}
	return res, nil
}

// decodeProblems reports the images of res that are empty, oversized or
// undecodable, and those whose content repeats an earlier image. Missing
// files are left to the reading of the set.
func decodeProblems(ds *Dataset, res []decoded) []Problem {
	var out []Problem
	first := map[[sha256.Size]byte]Item{}
	for i, d := range res {
		it := ds.Items[i]
		p := Problem{Severity: SevError, Where: ds.Where(it), Line: it.Line, File: it.Path}
		switch {
		case d.err == nil && !d.ok: // missing: reported while reading
			continue
		case errors.Is(d.err, imageio.ErrEmpty):
			p.Kind, p.Message = KindEmptyFile, fmt.Sprintf("image %q is an empty (0-byte) file", it.Name)
		case errors.Is(d.err, imageio.ErrTooLarge):
			p.Kind, p.Message = KindTooLarge, fmt.Sprintf("image %q refused: %v", it.Name, d.err)
		case d.err != nil:
			p.Kind, p.Message = KindUndecodable, fmt.Sprintf("image %q cannot be decoded: %v", it.Name, d.err)
		default:
			if prev, dup := first[d.hash]; dup {
				p.Severity, p.Kind = SevWarning, KindDuplicateImage
				p.Message = fmt.Sprintf("image %q has the same content as image %q (%s)", it.Name, prev.Name, quoteIfOdd(ds.Where(prev)))
				break
			}
			first[d.hash] = it
			continue
		}
		out = append(out, p)
	}
	return out
}

// Verify reads and decodes every image of ds, with the checks of Check, so
// that a run can refuse bad input before it starts. It returns the SHA-256
// of each image file's bytes (lower-case hex, in item order) and the
// warnings found (images whose content repeats another's). The error lists
// every image that is missing, empty, oversized or undecodable, each with
// its CSV line; it is nil when every image can be read.
func Verify(ctx context.Context, ds *Dataset, co CheckOptions) (hashes []string, warnings []Problem, err error) {
	res, err := decodeEach(ctx, ds, co)
	if err != nil {
		return nil, nil, err
	}
	probs := decodeProblems(ds, res)
	hashes = make([]string, len(res))
	for i, d := range res {
		if d.ok {
			hashes[i] = hex.EncodeToString(d.hash[:])
			continue
		}
		if d.err == nil { // vanished since the set was read
			it := ds.Items[i]
			probs = append(probs, Problem{Severity: SevError, Kind: KindMissing, Where: ds.Where(it), Line: it.Line, File: it.Path,
				Message: fmt.Sprintf("image %q not found", it.Name)})
		}
	}
	sort.SliceStable(probs, func(i, j int) bool { return lineKey(probs[i]) < lineKey(probs[j]) })
	if errs := errorsOf(probs); len(errs) > 0 {
		return nil, nil, problemsError(ds.Source, errs, 0)
	}
	return hashes, warningsOf(probs), nil
}

// decodeOne reads and decodes one image. A missing file gives the zero
// value: it is reported elsewhere.
func decodeOne(path string, maxPixels int64) decoded {
	data, err := imageio.ReadFile(path, maxPixels)
	if errors.Is(err, fs.ErrNotExist) {
		return decoded{}
	}
	if err != nil {
		return decoded{err: err}
	}
	if _, err := imageio.DecodeBytes(path, data, maxPixels); err != nil {
		return decoded{err: err}
	}
	return decoded{hash: sha256.Sum256(data), ok: true}
}

// lineKey orders problems by CSV line, those without a line last.
func lineKey(p Problem) int {
	if p.Line > 0 {
		return p.Line
	}
	return math.MaxInt
}
