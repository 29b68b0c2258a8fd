package workflow

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/synth"
	"mlabel/train"
)

func TestRunFitsOnValidationScoresOnTest(t *testing.T) {
	dir := t.TempDir()
	csv, err := synth.Generate(synth.Options{Dir: dir, Count: 150, Size: 32, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := dataset.Load(dataset.Options{CSV: csv, Images: filepath.Join(dir, synth.ImagesDir), Labels: synth.Labels()})
	if err != nil {
		t.Fatal(err)
	}
	cfg := train.Defaults()
	cfg.Size, cfg.Width, cfg.Batch, cfg.Epochs = 32, 8, 16, 2
	out := filepath.Join(dir, "m.mlb")
	o := Options{Train: cfg, Preprocess: imageio.DefaultPreprocess(32), ValFrac: 0.2, TestFrac: 0.2, Decide: decide.DefaultOptions(), Out: out}
	res, err := Run(context.Background(), ds, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Parts) != 3 {
		t.Fatalf("%d splits, want 3", len(res.Parts))
	}
	seen := map[int]bool{}
	for _, p := range res.Parts {
		for _, i := range p {
			if seen[i] {
				t.Fatalf("image %d in two splits", i)
			}
			seen[i] = true
		}
	}
	if len(seen) != len(ds.Items) {
		t.Fatalf("splits hold %d of %d images", len(seen), len(ds.Items))
	}
	// The rules were fitted on the validation predictions: refitting on
	// them gives the same thresholds.
	val := res.Result.Val
	if len(val.Names) != len(res.Parts[1]) {
		t.Fatalf("validation predictions cover %d images, the split has %d", len(val.Names), len(res.Parts[1]))
	}
	again, err := decide.FitPerClass(infer.Set{Scores: val.Scores, Truth: val.Truth, Mask: val.Mask}, o.Decide)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.Thresholds(), res.Bundle.Rules.Thresholds()) {
		t.Errorf("bundle thresholds %v, refit on validation %v", res.Bundle.Rules.Thresholds(), again.Thresholds())
	}
	// The metrics are the test split's.
	if res.Test.Samples != len(res.Parts[2]) {
		t.Errorf("metrics over %d images, the test split has %d", res.Test.Samples, len(res.Parts[2]))
	}
	b, err := bundle.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if b.Kind != "classifier" || b.Metrics == nil || b.Rules == nil || len(b.History) != 2 {
		t.Errorf("bundle lacks parts: kind %q, metrics %v, rules %v, history %d", b.Kind, b.Metrics != nil, b.Rules != nil, len(b.History))
	}
	if _, err := os.Stat(out + ".ckpt"); !os.IsNotExist(err) {
		t.Errorf("checkpoint not removed: %v", err)
	}
	if _, err := Run(context.Background(), ds, Options{Train: cfg, ValFrac: 0.6, TestFrac: 0.5}); err == nil {
		t.Error("accepted fractions that leave nothing to train on")
	}
}

func TestRunRefitTrainsOnTrainAndValidation(t *testing.T) {
	dir := t.TempDir()
	csv, err := synth.Generate(synth.Options{Dir: dir, Count: 120, Size: 32, Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := dataset.Load(dataset.Options{CSV: csv, Images: filepath.Join(dir, synth.ImagesDir), Labels: synth.Labels()})
	if err != nil {
		t.Fatal(err)
	}
	cfg := train.Defaults()
	cfg.Size, cfg.Width, cfg.Batch, cfg.Epochs = 32, 8, 16, 2
	run := func(refit bool) *Outcome {
		c := cfg
		c.Refit = refit
		out := filepath.Join(dir, "m.mlb")
		var log strings.Builder
		o := Options{Train: c, Preprocess: imageio.DefaultPreprocess(32), ValFrac: 0.2, TestFrac: 0.2, Decide: decide.DefaultOptions(), Out: out, Log: &log}
		res, err := Run(context.Background(), ds, o)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Contains(log.String(), "refit:"); got != refit {
			t.Errorf("refit %v: log mentions the refit: %v\n%s", refit, got, log.String())
		}
		for _, p := range []string{out + ".ckpt", out + ".refit.ckpt"} {
			if _, err := os.Stat(p); !os.IsNotExist(err) {
				t.Errorf("checkpoint %s not removed: %v", p, err)
			}
		}
		return res
	}
	plain, refit := run(false), run(true)
	// The thresholds come from the first model's validation predictions in
	// both runs (same seed, same first model); the final weights differ.
	if !slices.Equal(plain.Bundle.Rules.Thresholds(), refit.Bundle.Rules.Thresholds()) {
		t.Errorf("refit changed the thresholds: %v vs %v", plain.Bundle.Rules.Thresholds(), refit.Bundle.Rules.Thresholds())
	}
	same := true
	for name, w := range plain.Bundle.Weights {
		if !slices.Equal(w.Data, refit.Bundle.Weights[name].Data) {
			same = false
		}
	}
	if same {
		t.Error("refit bundle has the first model's weights")
	}
	var c train.Config
	if err := json.Unmarshal(refit.Bundle.Config, &c); err != nil || !c.Refit {
		t.Errorf("bundle config does not record the refit: %v %+v", err, c)
	}
	if c.View != "overhead" && c.View != "ground" {
		t.Errorf("bundle config view %q is not settled", c.View)
	}
	if refit.Bundle.View != string(c.View) {
		t.Errorf("bundle view %q, config view %q", refit.Bundle.View, c.View)
	}
}
