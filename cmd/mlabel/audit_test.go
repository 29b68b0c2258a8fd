package main

import (
	"encoding/json"
	"maps"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mlabel/dataset"
)

func TestAuditApplyAndPage(t *testing.T) {
	csvPath, images := demoData(t)
	dir := t.TempDir()
	fixed, page := filepath.Join(dir, "fixed.csv"), filepath.Join(dir, "audit.html")
	args := append([]string{"audit", "--csv", csvPath, "--images", images, "--folds", "2", "--top", "15", "--json", "--apply", fixed, "--html", page}, quickTrainArgs...)
	code, out, stderr := runCLI(t, args...)
	if code != 0 {
		t.Fatalf("audit: exit %d: %s", code, stderr)
	}
	var res struct {
		Issues []struct {
			Image, Label, Kind string
			Score              float64
		} `json:"issues"`
		Noise map[string]float64 `json:"noise_rate"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("audit --json output %q: %v", out, err)
	}
	if len(res.Issues) != 15 || len(res.Noise) != 14 {
		t.Fatalf("%d issues (want 15, --top) and %d noise rates (want 14)", len(res.Issues), len(res.Noise))
	}
	orig, err := dataset.Load(dataset.Options{CSV: csvPath, Images: images})
	if err != nil {
		t.Fatal(err)
	}
	back, err := dataset.Load(dataset.Options{CSV: fixed, Labels: orig.Labels})
	if err != nil {
		t.Fatalf("the corrected CSV does not read back: %v", err)
	}
	idx := orig.LabelIndex()
	byName := map[string]dataset.Item{}
	for _, it := range back.Items {
		byName[dataset.ImageKey(it.Name)] = it
	}
	for k, is := range res.Issues {
		if k > 0 && is.Score > res.Issues[k-1].Score {
			t.Errorf("issues not sorted at %d", k)
		}
		it, ok := byName[dataset.ImageKey(is.Image)]
		if !ok || !slices.Contains(it.Unknown, idx[is.Label]) || slices.Contains(it.Pos, idx[is.Label]) {
			t.Errorf("issue %+v: the corrected CSV has %+v, want the tag unknown", is, it)
		}
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(html), `src="data:image/png;base64,`); n != 15 {
		t.Errorf("the page has %d thumbnails, want 15", n)
	}
	// Without --top, --apply marks each label's expected errors: the sum of
	// its pairs' chances of being wrong under the set's pooled noise rate,
	// rounded, most suspicious first.
	args = append([]string{"audit", "--csv", csvPath, "--images", images, "--folds", "2", "--json", "--apply", fixed}, quickTrainArgs...)
	code, out, stderr = runCLI(t, args...)
	if code != 0 {
		t.Fatalf("audit --apply: exit %d: %s", code, stderr)
	}
	res.Issues = nil
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("audit --json output %q: %v", out, err)
	}
	back, err = dataset.Load(dataset.Options{CSV: fixed, Labels: orig.Labels})
	if err != nil {
		t.Fatalf("the corrected CSV does not read back: %v", err)
	}
	// The synthetic tags are all known, so the pooled rate is the labels'
	// mean.
	pooled := 0.0
	for _, r := range res.Noise {
		pooled += r / float64(len(res.Noise))
	}
	expected := map[string]float64{}
	for _, is := range res.Issues {
		expected[is.Label] += is.Score * pooled / (is.Score*pooled + (1-is.Score)*(1-pooled))
	}
	want := map[[2]string]bool{}
	for _, is := range res.Issues {
		if n := int(math.Round(expected[is.Label])); n > 0 {
			expected[is.Label] = float64(n - 1)
			want[[2]string{dataset.ImageKey(is.Image), is.Label}] = true
		}
	}
	got := map[[2]string]bool{}
	for _, it := range back.Items {
		for _, l := range it.Unknown {
			got[[2]string{dataset.ImageKey(it.Name), orig.Labels[l]}] = true
		}
	}
	if !maps.Equal(got, want) || len(want) >= len(res.Issues) {
		t.Errorf("--apply marked %d tags unknown, want each label's expected errors, %d of %d suspect tags: got %v, want %v", len(got), len(want), len(res.Issues), got, want)
	}
	// A label structure the fold models cannot train with is refused
	// before any training.
	for _, tc := range []struct{ flag, value, want string }{{"--folds", "1", "--folds"}, {"--repeats", "0", "--repeats"}, {"--exclusive", "clear,no_such_label", "no_such_label"}} {
		if code, _, stderr := runCLI(t, "audit", "--csv", csvPath, "--images", images, tc.flag, tc.value); code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%s %s: exit %d: %s", tc.flag, tc.value, code, stderr)
		}
	}
}

// noisyDemo writes the demo tiles' tags with a second weather tag on the
// first image, and returns the CSV, the images folder and that image.
func noisyDemo(t *testing.T) (csvPath, images, name string) {
	t.Helper()
	csvPath, images = demoData(t)
	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	name, tags, ok := strings.Cut(lines[1], ",")
	if !ok {
		t.Fatalf("unexpected first row %q", lines[1])
	}
	extra := "clear"
	if strings.Contains(" "+tags+" ", " clear ") {
		extra = "haze"
	}
	lines[1] = name + "," + extra + " " + tags
	noisy := filepath.Join(t.TempDir(), "tags.csv")
	if err := os.WriteFile(noisy, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	return noisy, images, name
}

// TestAuditFlagsBrokenRules gives one image a second weather tag: with the
// weather group declared exclusive, or found in the tags when none is
// declared, the audit lists one of its two weather tags first, naming the
// rule, whatever the probabilities; with --discover false no rule is named.
func TestAuditFlagsBrokenRules(t *testing.T) {
	noisy, images, name := noisyDemo(t)
	weather := "clear,haze,partly_cloudy,cloudy"
	for _, tc := range []struct {
		name  string
		flags []string
		// rule is the rule the first issue names, "" for none named by any.
		rule       string
		discovered bool
		// stderr is what the log must hold, "" for no structure printed.
		stderr string
	}{
		{"declared", []string{"--exclusive", weather}, "exactly one of clear, haze, partly_cloudy, cloudy", false, ""},
		{"discovered", nil, "exactly one of", true, ""},
		{"discovered, not quiet", []string{"--quiet=false"}, "exactly one of", true, "1 of 160 images break it"},
		{"discovery off", []string{"--discover", "false"}, "", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			page := filepath.Join(t.TempDir(), "audit.html")
			args := append([]string{"audit", "--csv", noisy, "--images", images, "--folds", "2", "--json", "--html", page}, quickTrainArgs...)
			code, out, stderr := runCLI(t, append(args, tc.flags...)...)
			if code != 0 {
				t.Fatalf("audit: exit %d: %s", code, stderr)
			}
			if printed := strings.Contains(stderr, "label rules the tags prove"); printed != (tc.stderr != "") || !strings.Contains(stderr, tc.stderr) {
				t.Errorf("log %q: want the structure found printed with %q: %v", stderr, tc.stderr, tc.stderr != "")
			}
			var res struct {
				Issues     []struct{ Image, Label, Kind, Rule string } `json:"issues"`
				Discovered []struct {
					Rule           struct{ Exclusive [][]string }
					Images, Broken int
				} `json:"discovered_rules"`
			}
			if err := json.Unmarshal([]byte(out), &res); err != nil {
				t.Fatalf("audit --json output %q: %v", out, err)
			}
			if len(res.Issues) == 0 {
				t.Fatal("no issues")
			}
			found := false
			for _, f := range res.Discovered {
				found = found || len(f.Rule.Exclusive) == 1 && len(f.Rule.Exclusive[0]) == 4 && f.Broken == 1 && f.Images == 160
			}
			if found != tc.discovered || !tc.discovered && len(res.Discovered) > 0 {
				t.Errorf("discovered rules %+v: want the weather group broken on 1 of 160 images: %v", res.Discovered, tc.discovered)
			}
			first := res.Issues[0]
			if tc.rule != "" && (first.Image != name || first.Kind != "spurious" || !strings.Contains(weather, first.Label) || !strings.HasPrefix(first.Rule, tc.rule)) {
				t.Errorf("first issue %+v, want one of %s's two weather tags, spurious, naming the exclusive group", first, name)
			}
			from := 1
			if tc.rule == "" {
				from = 0
			}
			for _, is := range res.Issues[from:] {
				if is.Rule != "" {
					t.Errorf("issue %+v names a rule: only the changed image breaks one, and only the first issue may name it", is)
				}
			}
			html, err := os.ReadFile(page)
			if err != nil {
				t.Fatal(err)
			}
			want := 1
			if tc.rule == "" {
				want = 0
			}
			if n := strings.Count(string(html), "breaks: exactly one of"); n != want {
				t.Errorf("the page names the broken rule %d times, want %d", n, want)
			}
		})
	}
}

func TestSuggest(t *testing.T) {
	csvPath, images := demoData(t)
	dir := t.TempDir()
	model := filepath.Join(dir, "m.mlb")
	if code, _, stderr := runCLI(t, append([]string{"train", "--csv", csvPath, "--images", images, "--out", model}, quickTrainArgs...)...); code != 0 {
		t.Fatalf("train: exit %d: %s", code, stderr)
	}
	template := filepath.Join(dir, "next.csv")
	for _, s := range []string{"uncertainty", "mmc", "lci", "diverse"} {
		code, out, stderr := runCLI(t, "suggest", "--model", model, "--images", images, "--count", "7", "--strategy", s, "--json", "--template", template)
		if code != 0 {
			t.Fatalf("suggest %s: exit %d: %s", s, code, stderr)
		}
		var sug []struct {
			Image, Why string
			Score      float64
		}
		if err := json.Unmarshal([]byte(out), &sug); err != nil {
			t.Fatalf("suggest --json output %q: %v", out, err)
		}
		if len(sug) != 7 {
			t.Fatalf("%s: %d suggestions, want 7", s, len(sug))
		}
		seen := map[string]bool{}
		for k, g := range sug {
			if seen[g.Image] || filepath.Dir(g.Image) != images || g.Why == "" {
				t.Errorf("%s: suggestion %+v is repeated, not from the pool or unexplained", s, g)
			}
			seen[g.Image] = true
			if k > 0 && g.Score > sug[k-1].Score {
				t.Errorf("%s: not sorted at %d", s, k)
			}
		}
		tpl, err := dataset.Load(dataset.Options{CSV: template, Labels: nil})
		if err != nil {
			t.Fatalf("the template does not read back: %v", err)
		}
		if len(tpl.Items) != 7 || dataset.ImageKey(tpl.Items[0].Name) != dataset.ImageKey(sug[0].Image) {
			t.Errorf("%s: template %+v does not list the suggestions", s, tpl.Items)
		}
		for _, it := range tpl.Items {
			if len(it.Pos) != 0 {
				t.Errorf("%s: the template asserts tags %v; guesses must be ?tag hints", s, it.Pos)
			}
		}
	}
	empty := t.TempDir()
	if code, _, stderr := runCLI(t, "suggest", "--model", model, "--images", empty); code != 1 || !strings.Contains(stderr, "no image files") {
		t.Errorf("empty pool: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "suggest", "--model", model, "--images", images, "--labelled", csvPath); code != 1 || !strings.Contains(stderr, "nothing is left") {
		t.Errorf("pool all labelled: exit %d: %s", code, stderr)
	}
	other := filepath.Join(dir, "other.csv")
	if err := os.WriteFile(other, []byte("image_name,tags\nx,lava\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runCLI(t, "suggest", "--model", model, "--images", images, "--labelled", other); code != 1 || !strings.Contains(stderr, "labels the model does not know: lava") {
		t.Errorf("labelled set of another label set: exit %d: %s", code, stderr)
	}
	if code, _, stderr := runCLI(t, "suggest", "--model", model, "--images", images, "--strategy", "random"); code != 2 {
		t.Errorf("unknown strategy: exit %d: %s", code, stderr)
	}
}
