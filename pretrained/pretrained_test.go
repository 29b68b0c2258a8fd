package pretrained

import (
	"os"
	"path/filepath"
	"testing"
)

func TestModuleDir(t *testing.T) {
	tests := []struct{ module, want string }{
		{"gorgonia.org/gorgonia@v0.9.18", "gorgonia.org/gorgonia@v0.9.18"},
		{"github.com/BurntSushi/toml@v1.0.0", "github.com/!burnt!sushi/toml@v1.0.0"},
	}
	for _, tc := range tests {
		if got, want := moduleDir("/cache", tc.module), filepath.Join("/cache", filepath.FromSlash(tc.want)); got != want {
			t.Errorf("ModuleDir(%q) = %q, want %q", tc.module, got, want)
		}
	}
}

// Locate finds a start's files in a module cache, and says so when one is
// missing.
func TestLocate(t *testing.T) {
	cache := t.TempDir()
	s := Starts()[0]
	paths, found := s.Locate(cache)
	if found || len(paths) != len(s.Files) {
		t.Fatalf("in an empty cache: %v, found %v", paths, found)
	}
	for _, p := range paths {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	again, found := s.Locate(cache)
	if !found || again[0] != paths[0] {
		t.Errorf("with the files: %v, found %v", again, found)
	}
	if want := filepath.Join(cache, "gorgonia.org", "gorgonia@v0.9.18", "examples", "tiny-yolo-v3-coco", "data", "yolov3-tiny.cfg"); paths[0] != want {
		t.Errorf("cfg at %q, want %q", paths[0], want)
	}
}

// $GOMODCACHE, when set, is the module cache.
func TestModuleCache(t *testing.T) {
	t.Setenv("GOMODCACHE", "/some/cache")
	if got := ModuleCache(); got != "/some/cache" {
		t.Errorf("ModuleCache() = %q with $GOMODCACHE set", got)
	}
}
