package transfer

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"mlabel/tensor"
)

// cached returns features of n images in views views: view v of image i
// holds 100v+i in every component, and its target is i%2.
func cached(n, views int) *Features {
	const d = 3
	f := &Features{Y: tensor.New(n, 1), Mask: tensor.New(n, 1)}
	for v := range views {
		t := tensor.New(n, d)
		for i := range n {
			for k := range d {
				t.Data[i*d+k] = float32(100*v + i)
			}
		}
		f.Views = append(f.Views, t)
	}
	for i := range n {
		f.Names = append(f.Names, fmt.Sprint("img", i))
		f.Y.Data[i], f.Mask.Data[i] = float32(i%2), 1
	}
	return f
}

// drawn is what one batch held: each row's image and view, read back from
// the features.
type drawn struct{ image, view int }

func epochRows(t *testing.T, s *Source, epoch int) [][]drawn {
	t.Helper()
	var out [][]drawn
	for b, err := range s.Batches(context.Background(), epoch) {
		if err != nil {
			t.Fatal(err)
		}
		var rows []drawn
		for j, i := range b.Index {
			x := int(b.X.Data[j*3])
			if x%100 != i || b.Names[j] != fmt.Sprint("img", i) || b.Y.Data[j] != float32(i%2) {
				t.Fatalf("row %d of a batch holds %v, name %s and target %v for image %d", j, x, b.Names[j], b.Y.Data[j], i)
			}
			rows = append(rows, drawn{i, x / 100})
		}
		out = append(out, rows)
	}
	if len(out) != s.Len() {
		t.Fatalf("%d batches, Len says %d", len(out), s.Len())
	}
	return out
}

func TestSource(t *testing.T) {
	tests := []struct {
		name        string
		n, batch    int
		train       bool
		batches     int
		perEpoch    int // images drawn in an epoch
		lastBatchSz int
	}{
		{"train drops the short batch", 10, 4, true, 2, 8, 4},
		{"train with fewer images than a batch", 3, 8, true, 1, 3, 3},
		{"eval keeps every image", 10, 4, false, 3, 10, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := cached(tc.n, 3)
			s := f.EvalSource(tc.batch)
			if tc.train {
				s = f.TrainSource(tc.batch, 7)
			}
			e1 := epochRows(t, s, 1)
			if len(e1) != tc.batches || len(e1[len(e1)-1]) != tc.lastBatchSz {
				t.Fatalf("%d batches, the last of %d; want %d, the last of %d", len(e1), len(e1[len(e1)-1]), tc.batches, tc.lastBatchSz)
			}
			var images []int
			views := map[int]bool{}
			for _, b := range e1 {
				for _, r := range b {
					images = append(images, r.image)
					views[r.view] = true
				}
			}
			if slices.Sort(images); len(slices.Compact(slices.Clone(images))) != tc.perEpoch || len(images) != tc.perEpoch {
				t.Errorf("epoch drew images %v, want %d distinct", images, tc.perEpoch)
			}
			e2 := epochRows(t, s, 2)
			if !tc.train {
				if len(views) != 1 || !views[0] {
					t.Errorf("evaluation drew views %v, want the first only", views)
				}
				if !slices.EqualFunc(e1, e2, slices.Equal) || e1[0][0].image != 0 {
					t.Errorf("evaluation epochs differ or are out of order: %v and %v", e1, e2)
				}
				return
			}
			if len(views) < 2 {
				t.Errorf("training drew views %v, want several", views)
			}
			again := epochRows(t, f.TrainSource(tc.batch, 7), 1)
			if !slices.EqualFunc(e1, again, slices.Equal) {
				t.Errorf("the same seed drew %v, then %v", e1, again)
			}
		})
	}
}

func TestSourceErrors(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		s    *Source
		want error
	}{
		{"cancelled", ctx, cached(4, 1).TrainSource(2, 1), context.Canceled},
		{"no batch size", context.Background(), cached(4, 1).EvalSource(0), nil},
		{"no images", context.Background(), cached(0, 1).EvalSource(2), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got error
			for b, err := range tc.s.Batches(tc.ctx, 1) {
				if b != nil {
					t.Fatal("got a batch")
				}
				got = err
			}
			if got == nil || (tc.want != nil && !errors.Is(got, tc.want)) {
				t.Errorf("error %v, want %v", got, tc.want)
			}
		})
	}
}
