package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
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
	"mlabel/predict"
	"mlabel/synth"
	"mlabel/train"
)

func TestRunFitsOnValidationScoresOnTest(t *testing.T) {
	dir := t.TempDir()
	ds := synthSet(t, dir, 150, 5)
	cfg := quickConfig()
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
	// The model was refitted on the validation images, so the reference
	// for recalibration is made from the test split, which it has not
	// seen, at the bundle's thresholds.
	if r := b.Reference; r == nil || r.Split != "test" || r.Images != len(res.Parts[2]) || !slices.Equal(r.Thresholds, b.Rules.Thresholds()) {
		t.Errorf("bundle reference %+v, want one of the %d test images at thresholds %v", r, len(res.Parts[2]), b.Rules.Thresholds())
	}
	if _, err := os.Stat(out + ".ckpt"); !os.IsNotExist(err) {
		t.Errorf("checkpoint not removed: %v", err)
	}
	if _, err := Run(context.Background(), ds, Options{Train: cfg, ValFrac: 0.6, TestFrac: 0.5}); err == nil {
		t.Error("accepted fractions that leave nothing to train on")
	}
}

// The bundle records the split with each image's content hash, and the test
// split is written next to it as a tags CSV that reads back to the same
// images and labels.
func TestRunRecordsSplit(t *testing.T) {
	dir := t.TempDir()
	csv, err := synth.Generate(synth.Options{Dir: dir, Count: 80, Size: 32, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	images := filepath.Join(dir, synth.ImagesDir)
	ds, err := dataset.Load(dataset.Options{CSV: csv, Images: images, Labels: synth.Labels()})
	if err != nil {
		t.Fatal(err)
	}
	cfg := train.Defaults()
	cfg.Size, cfg.Width, cfg.Batch, cfg.Epochs = 32, 4, 16, 1
	out := filepath.Join(dir, "models", "farm.mlb")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	o := Options{Train: cfg, Preprocess: imageio.DefaultPreprocess(32), ValFrac: 0.2, TestFrac: 0.2, Decide: decide.DefaultOptions(), Out: out}
	res, err := Run(context.Background(), ds, o)
	if err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	sp := b.Split
	if sp == nil {
		t.Fatal("bundle has no split")
	}
	for k, got := range [][]bundle.SplitImage{sp.Train, sp.Val, sp.Test} {
		if len(got) != len(res.Parts[k]) {
			t.Fatalf("split %d records %d images, the run used %d", k, len(got), len(res.Parts[k]))
		}
		for i, im := range got {
			it := ds.Items[res.Parts[k][i]]
			data, err := os.ReadFile(it.Path)
			if err != nil {
				t.Fatal(err)
			}
			if sum := sha256.Sum256(data); im.Name != it.Name || im.SHA256 != hex.EncodeToString(sum[:]) {
				t.Fatalf("split %d image %d: recorded %+v, want %s with the hash of %s", k, i, im, it.Name, it.Path)
			}
		}
	}
	if want := filepath.Join(dir, "models", "farm.test.csv"); res.TestCSV != want {
		t.Fatalf("test CSV at %q, want %q", res.TestCSV, want)
	}
	back, err := dataset.Load(dataset.Options{CSV: res.TestCSV, Labels: ds.Labels})
	if err != nil {
		t.Fatal(err)
	}
	test := ds.Subset(res.Parts[2])
	if len(back.Items) != len(test.Items) {
		t.Fatalf("test CSV has %d images, the test split %d", len(back.Items), len(test.Items))
	}
	for i, it := range test.Items {
		if got := back.Items[i]; got.Path != it.Path || !slices.Equal(got.Pos, it.Pos) || !slices.Equal(got.Unknown, it.Unknown) {
			t.Errorf("test CSV row %d: %+v, want %+v", i, got, it)
		}
	}
	// Every test image is unseen, every training and validation image seen.
	var names, hashes []string
	for _, im := range append(append(slices.Clone(sp.Train), sp.Val...), sp.Test...) {
		names, hashes = append(names, im.Name), append(hashes, im.SHA256)
	}
	seen := predict.Seen(sp, names, hashes)
	for i, s := range seen {
		if want := i < len(sp.Train)+len(sp.Val); s != want {
			t.Fatalf("image %d (%s): seen %v, want %v", i, names[i], s, want)
		}
	}
}

// A set with undecodable images stops before the first epoch, naming each
// bad image with its CSV line, and writes nothing.
func TestRunRefusesBadImagesBeforeTraining(t *testing.T) {
	dir := t.TempDir()
	csv, err := synth.Generate(synth.Options{Dir: dir, Count: 40, Size: 32, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	images := filepath.Join(dir, synth.ImagesDir)
	ds, err := dataset.Load(dataset.Options{CSV: csv, Images: images, Labels: synth.Labels()})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []int{3, 30} {
		if err := os.WriteFile(ds.Items[i].Path, []byte("not an image"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := train.Defaults()
	cfg.Size, cfg.Width, cfg.Batch, cfg.Epochs = 32, 4, 16, 1
	out := filepath.Join(dir, "m.mlb")
	epochs := 0
	o := Options{Train: cfg, Preprocess: imageio.DefaultPreprocess(32), ValFrac: 0.2, TestFrac: 0.2, Decide: decide.DefaultOptions(), Out: out,
		Hooks: train.Hooks{EpochStart: func(int, int, int) { epochs++ }}}
	_, err = Run(context.Background(), ds, o)
	if err == nil {
		t.Fatal("trained on a set with undecodable images")
	}
	for _, it := range []dataset.Item{ds.Items[3], ds.Items[30]} {
		if where := fmt.Sprintf("%s:%d", csv, it.Line); !strings.Contains(err.Error(), where) {
			t.Errorf("error does not name %s: %v", where, err)
		}
	}
	if epochs != 0 {
		t.Errorf("%d epochs ran before the error", epochs)
	}
	for _, p := range []string{out, out + ".ckpt", TestCSVPath(out)} {
		if _, err := os.Stat(p); !os.IsNotExist(err) {
			t.Errorf("%s written: %v", p, err)
		}
	}
}
func TestRunRefitTrainsOnTrainAndValidation(t *testing.T) {
	dir := t.TempDir()
	ds := synthSet(t, dir, 120, 7)
	cfg := quickConfig()
	run := func(refit bool) *Outcome {
		c := cfg
		c.Refit = refit
		out := filepath.Join(dir, "m.mlb")
		var log strings.Builder
		o := Options{Train: c, Preprocess: imageio.DefaultPreprocess(32), ValFrac: 0.2, TestFrac: 0.2, Decide: decide.DefaultOptions(), Out: out, Log: &log}
		refitEpochs := 0 // the refit's epochs are the unvalidated ones
		o.Hooks.EpochEnd = func(e bundle.Epoch, _ bool) {
			if e.Unvalidated {
				refitEpochs++
			}
		}
		var plans [][]train.Stage
		o.Hooks.Plan = func(s []train.Stage) { plans = append(plans, slices.Clone(s)) }
		res, err := Run(context.Background(), ds, o)
		if err != nil {
			t.Fatal(err)
		}
		if want := map[bool]int{false: 0, true: c.Epochs}[refit]; refitEpochs != want {
			t.Errorf("refit %v: %d refit epochs, want %d (the whole schedule)", refit, refitEpochs, want)
		}
		// The plan announces the refit before the first epoch, on train
		// and validation images, and again once its length is settled.
		first := train.Stage{Epochs: c.Epochs, Images: len(res.Parts[0]), Validated: true}
		want := [][]train.Stage{{first}}
		if refit {
			stages := []train.Stage{first, {Epochs: c.Epochs, Images: len(res.Parts[0]) + len(res.Parts[1])}}
			want = [][]train.Stage{stages, stages}
		}
		if !slices.EqualFunc(plans, want, slices.Equal) {
			t.Errorf("refit %v: plans %+v, want %+v", refit, plans, want)
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
	// Each reference describes its bundle's model on images that model
	// has not seen: validation without the refit, test with it.
	for _, tc := range []struct {
		out   *Outcome
		split string
		part  int
	}{{plain, "validation", 1}, {refit, "test", 2}} {
		if r := tc.out.Bundle.Reference; r == nil || r.Split != tc.split || r.Images != len(tc.out.Parts[tc.part]) {
			t.Errorf("reference %+v, want one of the %d %s images", r, len(tc.out.Parts[tc.part]), tc.split)
		}
		// Its prevalences are counted on every labelled image of the run,
		// not on the few held-out ones.
		all := 0
		for _, p := range tc.out.Parts {
			all += len(p)
		}
		if r := tc.out.Bundle.Reference; r != nil && r.PriorImages != all {
			t.Errorf("%s reference: prevalences from %d images, want all %d", tc.split, r.PriorImages, all)
		}
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

// synthSet generates count synthetic 32 px tiles in dir and loads them.
func synthSet(t *testing.T, dir string, count int, seed uint64) *dataset.Dataset {
	t.Helper()
	csv, err := synth.Generate(synth.Options{Dir: dir, Count: count, Size: 32, Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	ds, err := dataset.Load(dataset.Options{CSV: csv, Images: filepath.Join(dir, synth.ImagesDir), Labels: synth.Labels()})
	if err != nil {
		t.Fatal(err)
	}
	return ds
}

// quickConfig is a training configuration small enough for tests.
func quickConfig() train.Config {
	cfg := train.Defaults()
	cfg.Size, cfg.Width, cfg.Batch, cfg.Epochs = 32, 8, 16, 2
	return cfg
}

// With tiles, the bundle holds thresholds fitted on the validation split's
// max-pooled tile scores of the validated model, which predict reproduces
// from the bundle, and the grid they were fitted for.
func TestRunFitsTiledThresholds(t *testing.T) {
	dir := t.TempDir()
	ds := synthSet(t, dir, 120, 6)
	cfg := quickConfig()
	cfg.Refit = false // the bundle's weights are then the validated model's
	g := imageio.Grid{N: 2, Overlap: 0.25}
	o := Options{Train: cfg, Preprocess: imageio.DefaultPreprocess(32), ValFrac: 0.25, TestFrac: 0.15, Decide: decide.DefaultOptions(), Tiles: g}
	res, err := Run(context.Background(), ds, o)
	if err != nil {
		t.Fatal(err)
	}
	tiled := res.Bundle.Tiles
	if tiled == nil || tiled.Grid != 2 || tiled.Overlap != 0.25 || tiled.Images != len(res.Parts[1]) || tiled.Rules == nil {
		t.Fatalf("tiles section %+v, want the 2×2 grid over %d validation images", tiled, len(res.Parts[1]))
	}
	p, err := predict.New(res.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	val, err := p.ScoreSet(context.Background(), ds.Subset(res.Parts[1]), predict.BatchOptions{Tiles: g.N, Overlap: g.Overlap})
	if err != nil {
		t.Fatal(err)
	}
	again, err := FitThresholds(val.Set, ds.Labels, o.Decide)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(again.Thresholds(), tiled.Rules.Thresholds()) {
		t.Errorf("tiled thresholds %v, fitted again on predict's tiled scores %v", tiled.Rules.Thresholds(), again.Thresholds())
	}
	whole := res.Bundle.Rules.Thresholds()
	if slices.Equal(whole, tiled.Rules.Thresholds()) {
		t.Errorf("tiled thresholds %v equal the whole-image ones", whole)
	}
	if rules, err := p.TileRules(g); err != nil || !slices.Equal(rules.Thresholds(), tiled.Rules.Thresholds()) {
		t.Errorf("predict decides tiles with %v (%v), want the tiled thresholds", rules.Thresholds(), err)
	}

	o.Tiles = imageio.Grid{N: 2, Overlap: 1}
	if _, err := Run(context.Background(), ds, o); err == nil || !strings.Contains(err.Error(), "overlap") {
		t.Errorf("a bad grid: error %v", err)
	}
}

// The refit replays a decaying schedule that ran to its end whole, whatever
// epoch validation picked; a constant schedule, or a run early stopping
// ended, is refitted for its best epoch's number of epochs.
func TestRefitEpochs(t *testing.T) {
	history := func(n int) []bundle.Epoch {
		h := make([]bundle.Epoch, n)
		for i := range h {
			h[i].Epoch = i + 1
		}
		return h
	}
	for _, tc := range []struct {
		name     string
		schedule string
		toBest   bool
		epochs   int
		ran      int
		best     int
		want     int
	}{
		{"onecycle ran to its end, early best", "onecycle", false, 15, 15, 6, 15},
		{"onecycle ran to its end, last best", "onecycle", false, 15, 15, 15, 15},
		{"cosine ran to its end", "cosine", false, 10, 10, 4, 10},
		{"early stopping ended the run", "onecycle", false, 15, 9, 5, 5},
		{"constant schedule", "constant", false, 15, 15, 6, 6},
		{"refit to the best epoch asked for", "onecycle", true, 15, 15, 6, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := train.Defaults()
			cfg.Schedule, cfg.Epochs, cfg.RefitToBest = tc.schedule, tc.epochs, tc.toBest
			res := &train.Result{BestEpoch: tc.best, History: history(tc.ran)}
			if got := RefitEpochs(cfg, res); got != tc.want {
				t.Errorf("RefitEpochs = %d, want %d", got, tc.want)
			}
		})
	}
}

// A label with no validation positive is named once, with the fallback
// threshold it gets.
func TestNoPositiveWarnings(t *testing.T) {
	val := infer.Set{
		Labels: []string{"common", "absent", "rare"},
		Truth:  [][]float64{{1, 0, 0}, {1, 0, 1}, {0, 0, 0}, {1, 0, 0}},
		Scores: [][]float64{{0.9, 0.2, 0.1}, {0.8, 0.1, 0.7}, {0.3, 0.4, 0.2}, {0.7, 0.3, 0.1}},
	}
	rules, err := FitThresholds(val, val.Labels, decide.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	got := noPositiveWarnings(rules, val.Labels)
	if len(got) != 1 || !strings.Contains(got[0], `label "absent" has no positive`) ||
		!strings.Contains(got[0], fmt.Sprintf("the global threshold %.3f", rules.Global)) {
		t.Errorf("warnings %q, want one for \"absent\" naming the global threshold %.3f", got, rules.Global)
	}
	rules.Kind = decide.TopK
	if got := noPositiveWarnings(rules, val.Labels); got != nil {
		t.Errorf("top-k rules, which have no per-label threshold: %q", got)
	}
}
