package compare

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"mlabel/dataset"
	"mlabel/masks"
	"mlabel/synth"
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

// synthSet generates count synthetic tiles of 32 pixels from seed, with
// their masks when withMasks, and reads them; the mask set is nil without.
func synthSet(count int, seed uint64, withMasks bool) (*dataset.Dataset, *masks.Set, error) {
	dir, err := dirOnce()
	if err != nil {
		return nil, nil, err
	}
	csv, err := synth.Generate(synth.Options{Dir: dir, Count: count, Size: 32, Seed: seed, Masks: withMasks})
	if err != nil {
		return nil, nil, err
	}
	ds, err := dataset.Load(dataset.Options{CSV: csv, Images: filepath.Join(dir, synth.ImagesDir)})
	if err != nil || !withMasks {
		return ds, nil, err
	}
	set, err := masks.Open(filepath.Join(dir, synth.MasksDir))
	return ds, set, err
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
