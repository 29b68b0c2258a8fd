package predict

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// MaxShards is the largest number of shards a list may be cut into.
const MaxShards = 1 << 20

// Shard is the K-th of N disjoint parts of a list of images, K counting
// from 1. Which part an image belongs to depends only on its path as given
// (ShardOf), so the tasks of an array job agree on the parts without
// talking to each other, and the parts together hold every image once.
type Shard struct {
	K, N int
}

// ParseShard reads a shard written "K/N", such as "2/3".
func ParseShard(s string) (Shard, error) {
	ks, ns, ok := strings.Cut(s, "/")
	if !ok {
		return Shard{}, fmt.Errorf("predict: shard %q: want K/N, such as 1/3", s)
	}
	k, err := strconv.Atoi(strings.TrimSpace(ks))
	if err != nil {
		return Shard{}, fmt.Errorf("predict: shard %q: K: %w", s, err)
	}
	n, err := strconv.Atoi(strings.TrimSpace(ns))
	if err != nil {
		return Shard{}, fmt.Errorf("predict: shard %q: N: %w", s, err)
	}
	sh := Shard{K: k, N: n}
	if err := sh.Check(); err != nil {
		return Shard{}, err
	}
	return sh, nil
}

// ShardFromIndex returns shard index+1 of n, for schedulers that number
// their tasks from 0 (a Kubernetes Indexed Job's completion index, a Slurm
// array task id from 0).
func ShardFromIndex(index string, n int) (Shard, error) {
	i, err := strconv.Atoi(strings.TrimSpace(index))
	if err != nil {
		return Shard{}, fmt.Errorf("predict: task index %q: %w", index, err)
	}
	sh := Shard{K: i + 1, N: n}
	if err := sh.Check(); err != nil {
		return Shard{}, fmt.Errorf("predict: task index %d: %w", i, err)
	}
	return sh, nil
}

// Check reports whether the shard is one of its N parts.
func (s Shard) Check() error {
	if s.N < 1 || s.N > MaxShards {
		return fmt.Errorf("predict: %d shards: want 1 to %d", s.N, MaxShards)
	}
	if s.K < 1 || s.K > s.N {
		return fmt.Errorf("predict: shard %d of %d: K counts from 1 to %d", s.K, s.N, s.N)
	}
	return nil
}

// String writes the shard as "K/N".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.K, s.N) }

// Has reports whether image belongs to the shard.
func (s Shard) Has(image string) bool { return ShardOf(image, s.N) == s.K-1 }

// Select returns the images of files that belong to the shard, in order.
func (s Shard) Select(files []string) []string {
	var out []string
	for _, f := range files {
		if s.Has(f) {
			out = append(out, f)
		}
	}
	return out
}

// ShardOf returns which of n parts image belongs to, from 0: the first 8
// bytes of the SHA-256 of its path, as given, modulo n. It is the same on
// every machine and in every release.
func ShardOf(image string, n int) int {
	if n <= 1 {
		return 0
	}
	sum := sha256.Sum256([]byte(image))
	return int(binary.BigEndian.Uint64(sum[:8]) % uint64(n))
}
