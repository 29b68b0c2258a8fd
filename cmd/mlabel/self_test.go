package main

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestCommandName(t *testing.T) {
	dir := t.TempDir()
	onPath := filepath.Join(dir, "bin", "mlabel")
	elsewhere := filepath.Join(dir, "build", "mlabel")
	for _, p := range []string{onPath, elsewhere} {
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	path := func(name string) (string, error) {
		if name == "mlabel" {
			return onPath, nil
		}
		return "", errors.New("not found")
	}
	tests := []struct {
		name, arg0, want string
	}{
		{"go run", filepath.Join(os.TempDir(), "go-build1234", "b001", "exe", "mlabel"), "go run ./cmd/mlabel"},
		{"found on PATH", "mlabel", "mlabel"},
		{"the one on PATH, by its path", onPath, "mlabel"},
		{"another mlabel", elsewhere, elsewhere},
		{"relative", "./mlabel-dev", "./mlabel-dev"},
		{"quoted", "./my mlabel", "'./my mlabel'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := commandName(tc.arg0, path); got != tc.want {
				t.Errorf("commandName(%q) = %q, want %q", tc.arg0, got, tc.want)
			}
		})
	}
}
