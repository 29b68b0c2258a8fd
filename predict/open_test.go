package predict

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/bundle"
)

func TestOpen(t *testing.T) {
	dir := t.TempDir()
	seg := testSegmenter(t, "").Bundle()
	segPath := filepath.Join(dir, "seg.mlb")
	if err := seg.Save(segPath); err != nil {
		t.Fatal(err)
	}
	backbone := *seg
	backbone.Kind = bundle.KindBackbone
	backPath := filepath.Join(dir, "backbone.mlb")
	if err := backbone.Save(backPath); err != nil {
		t.Fatal(err)
	}

	p, err := Open(segPath)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Segmenter() || strings.Join(p.Bundle().Labels, ",") != "red,green" {
		t.Errorf("opened a %s bundle with labels %v", p.Bundle().Kind, p.Bundle().Labels)
	}

	_, err = Open(backPath)
	if !errors.Is(err, ErrNotClassifier) || !strings.HasPrefix(err.Error(), backPath+": predict: ") {
		t.Errorf("Open(a backbone) = %v, want %v named by its path", err, ErrNotClassifier)
	}
	if _, err := Open(filepath.Join(dir, "missing.mlb")); err == nil {
		t.Error("Open(a missing file) succeeded")
	}
}
