package synth

import (
	"bytes"
	"encoding/csv"
	"image/jpeg"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// readTags parses a tags CSV, checking its header.
func readTags(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("parsing %s: %v", path, err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], []string{"image_name", "tags"}) {
		t.Fatalf("%s header = %v, want image_name,tags", path, rows[:min(1, len(rows))])
	}
	return rows[1:]
}

func TestGenerateFiles(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		wantSize   int
		wantPrefix string
	}{
		{"explicit", Options{Count: 12, Size: 72, Seed: 3, Quality: 80}, 72, "tile_000"},
		{"defaults", Options{Count: 3, Seed: 4}, DefaultSize, "tile_0000"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Dir = t.TempDir()
			path, err := Generate(tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if path != filepath.Join(tc.opts.Dir, CSVName) {
				t.Errorf("CSV path = %s", path)
			}
			rows := readTags(t, path)
			if len(rows) != tc.opts.Count {
				t.Fatalf("%d rows, want %d", len(rows), tc.opts.Count)
			}
			for _, row := range rows {
				if !strings.HasPrefix(row[0], tc.wantPrefix) || filepath.Ext(row[0]) != "" {
					t.Errorf("image name %q: want %s... without extension", row[0], tc.wantPrefix)
				}
				for _, tag := range strings.Split(row[1], " ") {
					if !slices.Contains(Labels(), tag) {
						t.Errorf("%s: tag %q not in the vocabulary", row[0], tag)
					}
				}
				data, err := os.ReadFile(filepath.Join(tc.opts.Dir, ImagesDir, row[0]+".jpg"))
				if err != nil {
					t.Fatal(err)
				}
				img, err := jpeg.Decode(bytes.NewReader(data))
				if err != nil {
					t.Fatalf("%s does not decode as JPEG: %v", row[0], err)
				}
				if b := img.Bounds(); b.Dx() != tc.wantSize || b.Dy() != tc.wantSize {
					t.Errorf("%s is %v, want %d px square", row[0], b, tc.wantSize)
				}
			}
		})
	}
}

// snapshot returns the contents of every file under dir, by relative path.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[rel] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGenerateDeterministic(t *testing.T) {
	gen := func(seed uint64, procs int) map[string]string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		dir := t.TempDir()
		if _, err := Generate(Options{Dir: dir, Count: 24, Size: 40, Seed: seed}); err != nil {
			t.Fatal(err)
		}
		return snapshot(t, dir)
	}
	a, b, c := gen(9, 2), gen(9, 1), gen(10, 2)
	if len(a) != 25 {
		t.Fatalf("%d files written, want 24 tiles and a CSV", len(a))
	}
	for name, data := range a {
		if b[name] != data {
			t.Errorf("%s differs between runs with the same seed on 2 and 1 cores", name)
		}
	}
	differ := 0
	for name, data := range a {
		if c[name] != data {
			differ++
		}
	}
	if differ < 20 {
		t.Errorf("only %d of 25 files differ between seeds 9 and 10", differ)
	}
}

func TestGenerateBadOptions(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"no dir", Options{Count: 1}, "no output folder"},
		{"no count", Options{Dir: dir}, "at least one"},
		{"negative count", Options{Dir: dir, Count: -3}, "at least one"},
		{"tiny", Options{Dir: dir, Count: 1, Size: 8}, "size 8"},
		{"huge", Options{Dir: dir, Count: 1, Size: 4096}, "size 4096"},
		{"quality", Options{Dir: dir, Count: 1, Quality: 101}, "quality 101"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Generate(tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Generate(%+v) error = %v, want one mentioning %q", tc.opts, err, tc.want)
			}
		})
	}
}

func TestGenerateUnwritableDir(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Generate(Options{Dir: file, Count: 2})
	if err == nil || !strings.Contains(err.Error(), "plain-file") {
		t.Errorf("error = %v, want one naming the folder", err)
	}
}
