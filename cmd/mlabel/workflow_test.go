package main

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"image/png"
	"math"
	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/predict"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The main job end to end through the CLI: train, inspect, predict in every
// format, eval, metrics and decide on the predicted scores, report.
func TestTrainPredictEvalReport(t *testing.T) {
	csvPath, images := demoData(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "m.mlb")
	args := append([]string{"train", "--csv", csvPath, "--images", images, "--out", model, "--json"}, quickTrainArgs...)
	code, out, stderr := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	var tr struct {
		Bundle  string          `json:"bundle"`
		Metrics json.RawMessage `json:"metrics"`
		Rules   struct {
			Kind     string    `json:"kind"`
			PerClass []float64 `json:"per_class_thresholds"`
		} `json:"rules"`
	}
	if err := json.Unmarshal([]byte(out), &tr); err != nil {
		t.Fatalf("train --json output %q: %v", out, err)
	}
	if tr.Bundle != model || tr.Rules.Kind != "per_class" || len(tr.Rules.PerClass) != 14 {
		t.Fatalf("train output: %+v", tr)
	}
	if _, err := os.Stat(model + ".ckpt"); !os.IsNotExist(err) {
		t.Errorf("checkpoint left behind after a finished run: %v", err)
	}

	code, out, _ = runCLI(t, "inspect", model)
	if code != 0 || !strings.Contains(out, "classifier bundle") || !strings.Contains(out, "partly_cloudy") {
		t.Fatalf("inspect: exit %d: %s", code, out)
	}

	// predict --json applies the bundle's per-class thresholds.
	code, out, stderr = runCLI(t, "predict", "--model", model, "--json", images)
	if code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	var preds []predict.Prediction
	if err := json.Unmarshal([]byte(out), &preds); err != nil {
		t.Fatal(err)
	}
	if len(preds) != 160 {
		t.Fatalf("%d predictions, want 160", len(preds))
	}
	// The demo's weather tags prove an exclusive group, which train
	// applies: its likeliest label is decided even below its threshold.
	b, err := bundle.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	if b.Rules.Structure == nil || len(b.Rules.Structure.Exclusive) != 1 || !slices.Contains(b.Rules.Structure.Exclusive[0], "haze") {
		t.Fatalf("train found no weather group in the demo's tags: %+v", b.Rules.Structure)
	}
	grouped := b.Rules.Structure.Exclusive[0]
	for _, p := range preds {
		n := 0
		for _, l := range p.Labels {
			if slices.Contains(grouped, l.Label) {
				n++
				continue
			}
			if l.Score < l.Threshold {
				t.Fatalf("%s: %s predicted with %v below its threshold %v", p.Image, l.Label, l.Score, l.Threshold)
			}
		}
		if n != 1 {
			t.Fatalf("%s: %d weather labels, want exactly one", p.Image, n)
		}
	}
	for j, thr := range tr.Rules.PerClass {
		_ = j
		if thr <= 0 || thr >= 1 {
			t.Fatalf("threshold %v outside (0,1)", thr)
		}
	}

	// Planet submission CSV and a scores file usable by metrics and decide.
	code, out, _ = runCLI(t, "predict", "--model", model, "--format", "csv", images)
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if code != 0 || err != nil || len(rows) != 161 || rows[0][0] != "image_name" {
		t.Fatalf("predict --format csv: exit %d, %v, %d rows", code, err, len(rows))
	}
	code, out, _ = runCLI(t, "predict", "--model", model, "--format", "scores", images)
	scores := filepath.Join(dir, "scores.csv")
	if code != 0 || os.WriteFile(scores, []byte(out), 0o644) != nil {
		t.Fatalf("predict --format scores: exit %d", code)
	}
	// The truth file names images by path, as the scores do.
	truth := filepath.Join(dir, "truth.csv")
	tf, _ := os.Create(truth)
	w := csv.NewWriter(tf)
	w.Write([]string{"image", "tags"})
	src, _ := os.Open(csvPath)
	all, _ := csv.NewReader(src).ReadAll()
	src.Close()
	for _, r := range all[1:] {
		w.Write([]string{filepath.Join(images, r[0]+".jpg"), r[1]})
	}
	w.Flush()
	tf.Close()

	code, evalOut, stderr := runCLI(t, "eval", "--model", model, "--csv", csvPath, "--images", images, "--json")
	if code != 0 {
		t.Fatalf("eval: exit %d: %s", code, stderr)
	}
	code, metOut, stderr := runCLI(t, "metrics", "--truth", truth, "--scores", scores, "--json")
	if code != 0 {
		t.Fatalf("metrics: exit %d: %s", code, stderr)
	}
	// The training CSV itself (Planet's image_name,tags, names without
	// folder or extension) reads as the same truth.
	code, planetOut, stderr := runCLI(t, "metrics", "--truth", csvPath, "--scores", scores, "--json")
	if code != 0 || planetOut != metOut {
		t.Errorf("metrics with the training CSV as truth: exit %d: %s\n%s\nwant %s", code, stderr, planetOut, metOut)
	}
	var ev, met map[string]any
	json.Unmarshal([]byte(evalOut), &ev)
	json.Unmarshal([]byte(metOut), &met)
	// The scores CSV writes each score exactly (the shortest decimal that
	// reads back to the same float64), so mAP agrees but for the order of
	// summation.
	if a, b := ev["map_macro"].(float64), met["map_macro"].(float64); a-b > 1e-12 || b-a > 1e-12 {
		t.Errorf("eval mAP %v, metrics on the predicted scores %v", a, b)
	}

	// Test-time augmentation: the demo tiles are overhead imagery, so the
	// model averages the 8 dihedral transforms; the scores change, and
	// eval says how many passes it ran.
	code, ttaOut, stderr := runCLI(t, "eval", "--model", model, "--csv", csvPath, "--images", images, "--json", "--tta")
	if code != 0 || !strings.Contains(stderr, "8 forward passes per image") {
		t.Fatalf("eval --tta: exit %d: %s", code, stderr)
	}
	var tta map[string]any
	json.Unmarshal([]byte(ttaOut), &tta)
	if tta["map_macro"] == nil || tta["map_macro"] == ev["map_macro"] {
		t.Errorf("eval --tta mAP %v, plain %v: TTA changed nothing", tta["map_macro"], ev["map_macro"])
	}
	code, out, stderr = runCLI(t, "predict", "--model", model, "--tta", "--format", "scores", images)
	if code != 0 || out == "" {
		t.Fatalf("predict --tta: exit %d: %s", code, stderr)
	}

	rules := filepath.Join(dir, "rules.json")
	code, out, stderr = runCLI(t, "decide", "--truth", truth, "--scores", scores, "--out", rules)
	if code != 0 || !strings.Contains(out, "per-class") {
		t.Fatalf("decide: exit %d: %s %s", code, out, stderr)
	}
	checkMetricsThresholds(t, dir, truth, scores, rules, b.Labels, all[1:])
	// decide saves a declared structure with the rule, and refuses one
	// that names an unknown label.
	code, _, stderr = runCLI(t, "decide", "--truth", truth, "--scores", scores, "--out", rules, "--exclusive", "clear,partly_cloudy,haze,cloudy")
	var saved struct {
		Structure *decide.Structure `json:"structure"`
	}
	if data, _ := os.ReadFile(rules); code != 0 || json.Unmarshal(data, &saved) != nil || saved.Structure == nil ||
		!slices.Equal(saved.Structure.Exclusive[0], []string{"clear", "partly_cloudy", "haze", "cloudy"}) {
		t.Fatalf("decide --exclusive: exit %d: %s; structure %+v", code, stderr, saved.Structure)
	}
	if code, _, _ = runCLI(t, "decide", "--truth", truth, "--scores", scores, "--out", rules, "--exclusive", "clear,sunny"); code != 2 {
		t.Errorf("decide --exclusive with an unknown label: exit %d, want 2", code)
	}

	code, out, stderr = runCLI(t, "predict", "--model", model, "--tiles", "2", "--json", one(images))
	var tiled []predict.Prediction
	if code != 0 || json.Unmarshal([]byte(out), &tiled) != nil || len(tiled) != 1 || len(tiled[0].Scores) != 14 {
		t.Fatalf("predict --tiles: exit %d: %s %s", code, out, stderr)
	}

	camDir := filepath.Join(dir, "cam")
	code, out, stderr = runCLI(t, "cam", "--model", model, "--label", "water", "--out", camDir, one(images))
	if code != 0 || !strings.Contains(out, "water") {
		t.Fatalf("cam: exit %d: %s %s", code, out, stderr)
	}
	// One PNG for the image: the image, the map and the colour bar side by
	// side (256 pixels each by default), under a caption.
	if f, err := os.Open(filepath.Join(camDir, "tile_00000.png")); err != nil {
		t.Fatalf("cam wrote no PNG: %v", err)
	} else if img, err := png.Decode(f); err != nil {
		t.Fatalf("cam PNG: %v", err)
	} else if r := img.Bounds(); r.Dx() <= 2*256 || r.Dy() <= 256 || r.Dy() > 300 {
		t.Errorf("cam PNG is %v, want the image and one map side by side", r)
	}
	if code, _, _ = runCLI(t, "cam", "--model", model, "--label", "no_such_label", one(images)); code != 1 {
		t.Errorf("cam with an unknown label: exit %d, want 1", code)
	}

	html := filepath.Join(dir, "report.html")
	code, _, stderr = runCLI(t, "report", "--model", model, "--csv", csvPath, "--images", images, "--out", html)
	data, _ := os.ReadFile(html)
	if code != 0 || !strings.Contains(string(data), "data:image/png;base64,") {
		t.Fatalf("report: exit %d: %s", code, stderr)
	}
	// The gallery shows thumbnails of the set's images.
	if !strings.Contains(string(data), `<section id="gallery">`) || !strings.Contains(string(data), "data:image/jpeg;base64,") {
		t.Error("report has no gallery thumbnails")
	}
}

// kill -9 during training, then --resume, continues after the last complete
// checkpoint.
func TestKillThenResume(t *testing.T) {
	csvPath, images := demoData(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "m.mlb")
	args := []string{"train", "--csv", csvPath, "--images", images, "--out", model, "--arch", "small", "--width", "8", "--size", "32", "--batch", "8", "--epochs", "40", "--quiet"}
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "MLABEL_TEST_AS_MAIN=1")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	ckpt := model + ".ckpt"
	deadline := time.Now().Add(2 * time.Minute)
	for {
		if _, err := os.Stat(ckpt); err == nil {
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatal("no checkpoint written within 2 minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if _, err := os.Stat(model); !os.IsNotExist(err) {
		t.Fatalf("a bundle exists after the kill: %v", err)
	}
	// Resume with fewer epochs is refused: the configuration must match.
	code, _, stderr := runCLI(t, append(args[:len(args)-3], "--epochs", "3", "--quiet", "--resume")...)
	if code != 1 || !strings.Contains(stderr, "epochs: 40 → 3") || !strings.Contains(stderr, "--force") {
		t.Fatalf("resume with other epochs: exit %d: %s", code, stderr)
	}
	// Shorten the run by resuming the same configuration: epochs stay 40,
	// so continue in a subprocess and stop it once it has resumed.
	cmd = exec.Command(os.Args[0], append(args[:len(args)-1], "--resume")...)
	cmd.Env = append(os.Environ(), "MLABEL_TEST_AS_MAIN=1")
	stderrPipe, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
	}()
	// The first line the resumed run prints (after the split report) says
	// where it resumed; read until then and stop the run.
	sc := bufio.NewScanner(stderrPipe)
	var seen []string
	for sc.Scan() {
		line := sc.Text()
		seen = append(seen, line)
		if strings.HasPrefix(line, "resuming after epoch ") {
			return
		}
		if strings.HasPrefix(line, "epoch ") {
			break
		}
	}
	t.Fatalf("resumed run did not say it resumed: %q", seen)
}

// one names the first image of the demo data.
func one(images string) string { return filepath.Join(images, "tile_00000.jpg") }

// train --bands feeds the network the chosen bands with statistics from the
// training split, stores both in the bundle, and predict honours them.
func TestTrainWithBands(t *testing.T) {
	csvPath, images := demoData(t)
	model := filepath.Join(t.TempDir(), "b.mlb")
	args := append([]string{"train", "--csv", csvPath, "--images", images, "--out", model, "--bands", "3,1"}, quickTrainArgs...)
	if code, _, stderr := runCLI(t, args...); code != 0 {
		t.Fatalf("train --bands: exit %d: %s", code, stderr)
	}
	b, err := bundle.Load(model)
	if err != nil {
		t.Fatal(err)
	}
	p := b.Preprocess
	if !slices.Equal(p.Bands, []int{3, 1}) || len(p.BandStats) != 2 || p.Validate() != nil {
		t.Fatalf("bundle preprocess %+v", p)
	}
	if in := b.Spec.Nodes[0].Attrs.Shape; !slices.Equal(in, []int{32, 32, 2}) {
		t.Errorf("network input shape %v, want [32 32 2]", in)
	}
	code, out, stderr := runCLI(t, "predict", "--model", model, "--json", images)
	if code != 0 {
		t.Fatalf("predict: exit %d: %s", code, stderr)
	}
	var preds []predict.Prediction
	if err := json.Unmarshal([]byte(out), &preds); err != nil || len(preds) != 160 {
		t.Fatalf("predict: %d predictions, %v", len(preds), err)
	}
	if code, _, stderr := runCLI(t, append([]string{"train", "--csv", csvPath, "--images", images, "--out", model, "--bands", "0,1"}, quickTrainArgs...)...); code != 2 || !strings.Contains(stderr, "numbered from 1") {
		t.Errorf("--bands 0,1: exit %d, %s", code, stderr)
	}
}

// Without a test split, the summary says its figures come from the
// validation images the thresholds were fitted on.
func TestTrainWithoutTestSplitSaysSo(t *testing.T) {
	csvPath, images := demoData(t)
	model := filepath.Join(t.TempDir(), "m.mlb")
	args := []string{"train", "--csv", csvPath, "--images", images, "--out", model, "--test", "0"}
	for _, a := range quickTrainArgs {
		if a != "--quiet" { // --quiet prints no summary
			args = append(args, a)
		}
	}
	code, out, stderr := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("train --test 0: exit %d: %s", code, stderr)
	}
	if !strings.Contains(out, "no test split (--test 0)") || strings.Contains(out, "test images:") {
		t.Errorf("summary does not say the figures are validation figures:\n%s", out)
	}
}

// An --out that cannot be written is refused before training starts.
func TestTrainRefusesUnwritableOut(t *testing.T) {
	csvPath, images := demoData(t)
	file := filepath.Join(t.TempDir(), "file")
	os.WriteFile(file, nil, 0o644)
	out := filepath.Join(file, "m.mlb") // a path under a file
	args := append([]string{"train", "--csv", csvPath, "--images", images, "--out", out}, quickTrainArgs...)
	start := time.Now()
	code, _, stderr := runCLI(t, args...)
	if code != 1 || !strings.Contains(stderr, "cannot write") || !strings.Contains(stderr, out) {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("refused after %v: it trained first", d)
	}
}

// checkMetricsThresholds checks what metrics --thresholds prints, not just
// its exit code: a threshold below every score makes every label positive,
// so micro recall is 1 and micro precision and the Hamming loss follow
// from the count of true tags alone; the rules file of decide and the same
// thresholds given as a {label: threshold} object score alike; and those
// fitted thresholds change the figures from the 0.5 default.
func checkMetricsThresholds(t *testing.T, dir, truth, scores, rules string, labels []string, rows [][]string) {
	t.Helper()
	run := func(args ...string) map[string]any {
		t.Helper()
		code, out, stderr := runCLI(t, append([]string{"metrics", "--truth", truth, "--scores", scores, "--json"}, args...)...)
		var m map[string]any
		if code != 0 || json.Unmarshal([]byte(out), &m) != nil {
			t.Fatalf("metrics %v: exit %d: %s", args, code, stderr)
		}
		return m
	}
	object := func(name string, thr func(j int) float64) string {
		t.Helper()
		m := map[string]float64{}
		for j, l := range labels {
			m[l] = thr(j)
		}
		data, _ := json.Marshal(m)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	var positives int
	for _, r := range rows {
		positives += len(strings.Fields(r[1]))
	}
	cells := float64(len(rows) * len(labels))
	all := run("--thresholds", object("low.json", func(int) float64 { return 1e-12 }))
	for key, want := range map[string]float64{
		"recall_micro":    1,
		"precision_micro": float64(positives) / cells,
		"hamming_loss":    1 - float64(positives)/cells,
	} {
		if got, _ := all[key].(float64); math.Abs(got-want) > 1e-9 {
			t.Errorf("metrics --thresholds below every score: %s %v, want %v", key, got, want)
		}
	}

	var fitted struct {
		PerClass []float64 `json:"per_class_thresholds"`
	}
	if data, err := os.ReadFile(rules); err != nil || json.Unmarshal(data, &fitted) != nil || len(fitted.PerClass) != len(labels) {
		t.Fatalf("decide's rules %s: %v, %d thresholds", rules, err, len(fitted.PerClass))
	}
	fromRules := run("--thresholds", rules)
	fromObject := run("--thresholds", object("fitted.json", func(j int) float64 { return fitted.PerClass[j] }))
	atHalf := run()
	for _, key := range []string{"f2_samples", "f1_micro", "precision_macro", "recall_macro", "hamming_loss"} {
		if fromRules[key] != fromObject[key] {
			t.Errorf("metrics --thresholds: %s %v from the rules file, %v from the same thresholds as an object", key, fromRules[key], fromObject[key])
		}
	}
	if fromRules["recall_macro"] == atHalf["recall_macro"] && fromRules["precision_macro"] == atHalf["precision_macro"] {
		t.Errorf("metrics --thresholds: the fitted thresholds %v print the figures of 0.5", fitted.PerClass)
	}
}
