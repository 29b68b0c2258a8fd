package compare

import (
	"fmt"
	"os"
	"testing"
)

var tmpRoot string

// dirOnce returns a fresh folder for the shared synthetic data, removed
// after the tests.
func dirOnce() (string, error) {
	d, err := os.MkdirTemp(tmpRoot, "synth")
	if err != nil {
		return "", fmt.Errorf("temp dir: %w", err)
	}
	return d, nil
}

func TestMain(m *testing.M) {
	d, err := os.MkdirTemp("", "compare-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	tmpRoot = d
	code := m.Run()
	os.RemoveAll(d)
	os.Exit(code)
}
