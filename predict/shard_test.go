package predict

import (
	"fmt"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Shard
		err  string
	}{
		{"1/3", Shard{1, 3}, ""},
		{"3/3", Shard{3, 3}, ""},
		{" 2 / 5 ", Shard{2, 5}, ""},
		{"1/1", Shard{1, 1}, ""},
		{"0/3", Shard{}, "K counts from 1"},
		{"4/3", Shard{}, "K counts from 1"},
		{"1/0", Shard{}, "want 1 to"},
		{"-1/3", Shard{}, "K counts from 1"},
		{"3", Shard{}, "want K/N"},
		{"a/3", Shard{}, "K:"},
		{"1/b", Shard{}, "N:"},
		{"1/2000000", Shard{}, "want 1 to"},
	} {
		got, err := ParseShard(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("ParseShard(%q) = %v, %v; want an error with %q", tc.in, got, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if err == nil && got.String() != strings.ReplaceAll(tc.in, " ", "") {
			t.Errorf("%v.String() = %q", got, got.String())
		}
	}
}

func TestShardFromIndex(t *testing.T) {
	for _, tc := range []struct {
		index string
		n     int
		want  Shard
		err   bool
	}{
		{"0", 4, Shard{1, 4}, false},
		{"3", 4, Shard{4, 4}, false},
		{"4", 4, Shard{}, true},
		{"-1", 4, Shard{}, true},
		{"", 4, Shard{}, true},
		{"x", 4, Shard{}, true},
		{"0", 0, Shard{}, true},
	} {
		got, err := ShardFromIndex(tc.index, tc.n)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("ShardFromIndex(%q, %d) = %v, %v; want %v, error %v", tc.index, tc.n, got, err, tc.want, tc.err)
		}
	}
}

// The shards of a list are disjoint, hold every image together, keep the
// list's order, and are not far from even.
func TestShardsAreDisjointAndComplete(t *testing.T) {
	var files []string
	for i := range 3000 {
		files = append(files, fmt.Sprintf("s3://bucket/tiles/%05d.jpg", i))
	}
	for _, n := range []int{1, 2, 3, 7, 16} {
		seen := map[string]int{}
		for k := 1; k <= n; k++ {
			part := Shard{k, n}.Select(files)
			if min := len(files) / n * 3 / 4; len(part) < min {
				t.Errorf("shard %d/%d holds %d of %d images, want at least %d", k, n, len(part), len(files), min)
			}
			last := -1
			for _, f := range part {
				seen[f]++
				var i int
				fmt.Sscanf(f, "s3://bucket/tiles/%05d.jpg", &i)
				if i <= last {
					t.Errorf("shard %d/%d: %s after image %d, want list order", k, n, f, last)
				}
				last = i
				if ShardOf(f, n) != k-1 {
					t.Errorf("ShardOf(%s, %d) = %d, Select put it in %d", f, n, ShardOf(f, n), k-1)
				}
			}
		}
		for _, f := range files {
			if seen[f] != 1 {
				t.Errorf("%d shards: %s is in %d of them, want 1", n, f, seen[f])
			}
		}
	}
}

// The part of an image is fixed for good: array tasks of different
// releases must still agree. The expected parts are those of Python's
// int.from_bytes(hashlib.sha256(path).digest()[:8], "big") % n.
func TestShardOfIsStable(t *testing.T) {
	for _, tc := range []struct {
		image string
		n     int
		want  int
	}{
		{"a.jpg", 1, 0},
		{"a.jpg", 2, 0},
		{"a.jpg", 10, 6},
		{"images/train_0.jpg", 10, 1},
		{"s3://bucket/x/y.png", 1000, 277},
	} {
		if got := ShardOf(tc.image, tc.n); got != tc.want {
			t.Errorf("ShardOf(%q, %d) = %d, want %d", tc.image, tc.n, got, tc.want)
		}
	}
}
