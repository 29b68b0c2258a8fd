package loader

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"mlabel/augment"
	"mlabel/dataset"
	"mlabel/imageio"
)

const size = 8

// testSet writes n uniform PNG images, image i with red value 20*i, and
// returns a dataset where image i is positive for label i%3 and unknown for
// label (i+1)%3 when i is even.
func testSet(t *testing.T, n int) *dataset.Dataset {
	t.Helper()
	dir := t.TempDir()
	ds := &dataset.Dataset{Source: filepath.Join(dir, "tags.csv"), Labels: []string{"a", "b", "c"}}
	for i := range n {
		img := image.NewRGBA(image.Rect(0, 0, 12, 10))
		for p := 0; p < len(img.Pix); p += 4 {
			img.Pix[p], img.Pix[p+3] = uint8(20*i), 255
		}
		path := filepath.Join(dir, fmt.Sprintf("%d.png", i))
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
		f.Close()
		it := dataset.Item{Name: fmt.Sprint(i), Path: path, Line: i + 2, Pos: []int{i % 3}}
		if i%2 == 0 {
			it.Unknown = []int{(i + 1) % 3}
		}
		ds.Items = append(ds.Items, it)
	}
	return ds
}

func config() Config {
	return Config{
		Preprocess: imageio.Preprocess{Size: size, Mode: imageio.ModeSquash, Std: [3]float32{1, 1, 1}},
		BatchSize:  4,
		Workers:    3,
	}
}

// epoch collects the batches of one epoch.
func epoch(t *testing.T, l *Loader, e int) []*Batch {
	t.Helper()
	it := l.Epoch(context.Background(), e)
	defer it.Close()
	var out []*Batch
	for it.Next() {
		out = append(out, it.Batch())
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestBatches(t *testing.T) {
	ds := testSet(t, 10)
	for _, tc := range []struct {
		name     string
		dropLast bool
		sizes    []int
	}{
		{"keep last", false, []int{4, 4, 2}},
		{"drop last", true, []int{4, 4}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config()
			cfg.DropLast = tc.dropLast
			l, err := New(ds, cfg)
			if err != nil {
				t.Fatal(err)
			}
			bs := epoch(t, l, 0)
			if len(bs) != len(tc.sizes) || l.Len() != len(tc.sizes) {
				t.Fatalf("%d batches (Len %d), want %d", len(bs), l.Len(), len(tc.sizes))
			}
			next := 0
			for k, b := range bs {
				n := tc.sizes[k]
				if !reflect.DeepEqual(b.X.Shape, []int{n, size, size, 3}) || !reflect.DeepEqual(b.Y.Shape, []int{n, 3}) || !reflect.DeepEqual(b.Mask.Shape, []int{n, 3}) {
					t.Fatalf("batch %d shapes %v %v %v", k, b.X.Shape, b.Y.Shape, b.Mask.Shape)
				}
				for r, i := range b.Index {
					if i != next || b.Names[r] != fmt.Sprint(i) {
						t.Fatalf("batch %d row %d is item %d (%s), want %d", k, r, i, b.Names[r], next)
					}
					next++
					y, m := ds.Targets(ds.Items[i])
					if !reflect.DeepEqual(b.Y.Data[r*3:r*3+3], y) || !reflect.DeepEqual(b.Mask.Data[r*3:r*3+3], m) {
						t.Fatalf("item %d targets %v mask %v", i, b.Y.Data[r*3:r*3+3], b.Mask.Data[r*3:r*3+3])
					}
					if red := b.X.Data[r*size*size*3]; red < float32(20*i)/255-0.01 || red > float32(20*i)/255+0.01 {
						t.Fatalf("item %d red %v", i, red)
					}
				}
			}
		})
	}
}

// indices returns the item order of an epoch and its first image values.
func indices(bs []*Batch) ([]int, []float32) {
	var idx []int
	for _, b := range bs {
		idx = append(idx, b.Index...)
	}
	return idx, bs[0].X.Data
}

func TestShuffleAndAugmentAreSeeded(t *testing.T) {
	ds := testSet(t, 9)
	cfg := config()
	cfg.Shuffle, cfg.Seed = true, 42
	aug := augment.Default()
	cfg.Augment = &aug
	run := func(seed uint64, workers, e int) ([]int, []float32) {
		c := cfg
		c.Seed, c.Workers = seed, workers
		l, err := New(ds, c)
		if err != nil {
			t.Fatal(err)
		}
		return indices(epoch(t, l, e))
	}
	i1, x1 := run(42, 1, 0)
	i2, x2 := run(42, 4, 0)
	if !reflect.DeepEqual(i1, i2) || !reflect.DeepEqual(x1, x2) {
		t.Fatal("same seed and epoch gave different batches")
	}
	seen := map[int]bool{}
	for _, i := range i1 {
		seen[i] = true
	}
	if len(seen) != 9 || len(i1) != 9 {
		t.Fatalf("epoch order %v is not a permutation", i1)
	}
	if i3, _ := run(42, 2, 1); reflect.DeepEqual(i1, i3) {
		t.Error("epochs 0 and 1 have the same order")
	}
	if i4, _ := run(7, 2, 0); reflect.DeepEqual(i1, i4) {
		t.Error("seeds 42 and 7 have the same order")
	}
}

func TestCacheDecodesOnce(t *testing.T) {
	ds := testSet(t, 5)
	for _, noCache := range []bool{false, true} {
		t.Run(fmt.Sprint("nocache=", noCache), func(t *testing.T) {
			sub := ds.Subset([]int{0, 1, 2, 3, 4})
			cfg := config()
			cfg.NoCache = noCache
			l, err := New(sub, cfg)
			if err != nil {
				t.Fatal(err)
			}
			epoch(t, l, 0)
			// Replace an image with garbage: only an uncached loader sees it.
			garbage := filepath.Join(t.TempDir(), "garbage.png")
			if err := os.WriteFile(garbage, []byte("garbage"), 0o644); err != nil {
				t.Fatal(err)
			}
			sub.Items[3].Path = garbage
			it := l.Epoch(context.Background(), 1)
			for it.Next() {
			}
			it.Close()
			if (it.Err() != nil) != noCache {
				t.Fatalf("second epoch error %v", it.Err())
			}
		})
	}
}

func TestBadImageNamesFileAndLine(t *testing.T) {
	ds := testSet(t, 6)
	cut := filepath.Join(t.TempDir(), "cut.png")
	data, err := os.ReadFile(ds.Items[4].Path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(cut, data[:len(data)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	ds.Items[4].Path = cut
	l, err := New(ds, config())
	if err != nil {
		t.Fatal(err)
	}
	it := l.Epoch(context.Background(), 0)
	n := 0
	for it.Next() {
		n++
	}
	it.Close()
	err = it.Err()
	if err == nil || n != 1 {
		t.Fatalf("got %d batches then error %v; want 1 batch then an error", n, err)
	}
	for _, want := range []string{"cut.png", "tags.csv:6", `"4"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestCancellation(t *testing.T) {
	ds := testSet(t, 12)
	cfg := config()
	cfg.BatchSize = 2
	l, err := New(ds, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	it := l.Epoch(ctx, 0)
	if !it.Next() {
		t.Fatal(it.Err())
	}
	cancel()
	for it.Next() {
	}
	it.Close()
	if !errors.Is(it.Err(), context.Canceled) {
		t.Fatalf("error after cancel: %v", it.Err())
	}
	// Closing early without cancelling must not block either.
	it = l.Epoch(context.Background(), 1)
	it.Next()
	it.Close()
}

func TestNewRejectsBadConfig(t *testing.T) {
	ds := testSet(t, 1)
	bad := augment.Pipeline{Brightness: 2}
	for name, c := range map[string]Config{
		"zero batch":  {Preprocess: config().Preprocess},
		"bad size":    {Preprocess: imageio.Preprocess{Mode: imageio.ModeCrop, Std: [3]float32{1, 1, 1}}, BatchSize: 1},
		"bad augment": {Preprocess: config().Preprocess, BatchSize: 1, Augment: &bad},
	} {
		if _, err := New(ds, c); err == nil {
			t.Errorf("%s accepted", name)
		}
	}
	if _, err := New(&dataset.Dataset{}, config()); err == nil {
		t.Error("empty dataset accepted")
	}
}

func TestBatchesSequence(t *testing.T) {
	ds := testSet(t, 10)
	good, err := New(ds, config())
	if err != nil {
		t.Fatal(err)
	}
	cut := testSet(t, 10)
	if err := os.WriteFile(cut.Items[5].Path, []byte("not a png"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad, err := New(cut, config())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		l         *Loader
		stopAfter int // stop drawing after this many batches; 0 draws all
		batches   int // batches seen
		wantErr   bool
	}{
		{"whole epoch", good, 0, 3, false},
		{"stopped early", good, 1, 1, false},
		{"bad image", bad, 0, 1, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got [][]int
			var gotErr error
			for b, err := range tc.l.Batches(context.Background(), 0) {
				if err != nil {
					if b != nil {
						t.Error("an error came with a batch")
					}
					gotErr = err
					continue
				}
				got = append(got, slices.Clone(b.Index))
				if len(got) == tc.stopAfter {
					break
				}
			}
			if len(got) != tc.batches || (gotErr != nil) != tc.wantErr {
				t.Fatalf("got %d batches and error %v; want %d batches, error %v", len(got), gotErr, tc.batches, tc.wantErr)
			}
			if want := epoch(t, good, 0); !tc.wantErr && !slices.EqualFunc(got, want[:len(got)], func(a []int, b *Batch) bool { return slices.Equal(a, b.Index) }) {
				t.Errorf("batches %v differ from the iterator's", got)
			}
		})
	}
}
