package report

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"mlabel/decide"
	"mlabel/infer"
)

// sample returns a small evaluation split: label "rare" has one positive and
// label "never" is scored too low to be predicted.
func sample() Input {
	rng := rand.New(rand.NewPCG(1, 2))
	in := Input{Set: infer.Set{Labels: []string{"cat", "dog", "rare", "<never>"}}}
	for i := 0; i < 60; i++ {
		t := make([]float64, 4)
		s := make([]float64, 4)
		for j := 0; j < 2; j++ {
			if rng.Float64() < 0.4 {
				t[j] = 1
			}
			s[j] = 0.3*t[j] + 0.7*rng.Float64()
		}
		if i == 3 {
			t[2] = 1
		}
		s[2] = rng.Float64()
		t[3] = float64(i % 2)
		s[3] = 0.3 * rng.Float64()
		in.Truth = append(in.Truth, t)
		in.Scores = append(in.Scores, s)
	}
	return in
}

// parsed walks an HTML document and collects section ids, image sources
// and the text.
type parsed struct {
	sections map[string]bool
	images   []string
	text     string
}

func parse(t *testing.T, doc []byte) parsed {
	t.Helper()
	root, err := html.Parse(bytes.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	p := parsed{sections: map[string]bool{}}
	var text strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			text.WriteString(n.Data)
		}
		for _, a := range n.Attr {
			switch {
			case n.Data == "section" && a.Key == "id":
				p.sections[a.Val] = true
			case n.Data == "img" && a.Key == "src":
				p.images = append(p.images, a.Val)
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(root)
	p.text = text.String()
	return p
}

// decodePNG checks that a data URI holds a valid PNG and returns its bytes.
func decodePNG(t *testing.T, src string) []byte {
	t.Helper()
	raw, ok := strings.CutPrefix(src, "data:image/png;base64,")
	if !ok {
		t.Fatalf("image source %.40q is not a PNG data URI", src)
	}
	b, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("invalid PNG: %v", err)
	}
	if r := img.Bounds(); r.Dx() < 100 || r.Dy() < 100 {
		t.Errorf("PNG is only %v", r)
	}
	return b
}

func TestWrite(t *testing.T) {
	in := sample()
	nan := math.NaN()
	in.Training = []Epoch{{1, 0.7, 0.72, 0.4, nan}, {2, 0.5, 0.6, 0.55, 0.5}, {3, 0.4, 0.58, 0.6, 0.56}}
	rules, err := decide.FitPerClass(infer.Set{Scores: in.Scores, Truth: in.Truth},
		decide.Options{Beta: 2, Objective: decide.LabelF, MinPositives: 5, Bootstrap: 20, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	rules.PerClass[3] = 0.995 // at the edge, and never reached
	in.Rules = rules
	seen := "3 of 40 images were used to train or validate this model; these figures are optimistic."
	in.Warnings = []string{seen}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	p := parse(t, buf.Bytes())
	// The caller's warnings come first.
	if i, j := strings.Index(p.text, seen), strings.Index(p.text, `Label "rare" (1) has fewer than 5 known positives`); i < 0 || j < 0 || i > j {
		t.Errorf("caller's warning at %d, the report's first at %d", i, j)
	}
	for _, id := range []string{"summary", "warnings", "metrics", "labels", "gallery", "confusion", "pr-curves", "reliability", "training"} {
		if !p.sections[id] {
			t.Errorf("section %q missing", id)
		}
	}
	// 4 PR curves, 4+1 reliability diagrams, 2 training plots.
	if len(p.images) != 11 {
		t.Errorf("%d images, want 11", len(p.images))
	}
	// REPORT_PNG_DIR keeps the images for a look by eye.
	dir := os.Getenv("REPORT_PNG_DIR")
	for k, src := range p.images {
		b := decodePNG(t, src)
		if dir != "" {
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("plot%02d.png", k)), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, want := range []string{
		`Label "<never>" is never predicted`,
		`Label "<never>" (0.9950) has a threshold at the edge`,
		`"rare" had too few held-out positives`,
		"f2_samples", "map_macro", "rare (shrunk)", "pred 1", "true 0",
		"fitted to maximise label F2 (β = 2)", "F2 counts recall 2 times as much as precision", "A score above a low threshold counts because",
		"at 0.5", "Share of images whose predicted tag set is exactly the true set.",
		"false positives", "no image file",
	} {
		if !strings.Contains(p.text, want) {
			t.Errorf("report text lacks %q", want)
		}
	}
	if strings.Contains(buf.String(), "<never>") {
		t.Error("label names must be escaped")
	}
	if strings.Contains(buf.String(), "ZgotmplZ") {
		t.Error("an image URI was rejected by the template")
	}
}

func TestWriteWithoutRulesOrTraining(t *testing.T) {
	in := sample()
	in.Mask = make([][]bool, len(in.Truth))
	for i := range in.Mask {
		in.Mask[i] = []bool{true, i%3 != 0, true, true}
	}
	var buf bytes.Buffer
	if err := Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	p := parse(t, buf.Bytes())
	if p.sections["training"] {
		t.Error("training section without history")
	}
	if !strings.Contains(p.text, "threshold 0.5") {
		t.Error("report should say decisions use 0.5")
	}
	for _, src := range p.images {
		decodePNG(t, src)
	}
}

func TestWriteErrors(t *testing.T) {
	tests := []struct {
		name   string
		modify func(in *Input)
	}{
		{"label count", func(in *Input) { in.Labels = in.Labels[:2] }},
		{"shape", func(in *Input) { in.Scores = in.Scores[:3] }},
		{"rule labels", func(in *Input) { in.Rules = &decide.Rules{Kind: decide.Global, Labels: 2} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := sample()
			tc.modify(&in)
			if err := Write(&bytes.Buffer{}, in); err == nil {
				t.Error("want an error")
			}
		})
	}
}

func TestWriteLRPlot(t *testing.T) {
	var buf bytes.Buffer
	c := LRCurve{LR: []float64{1e-4, 1e-3, 1e-2, 1e-1}, Loss: []float64{0.7, 0.6, 0.4, 0.9}, Suggested: 1e-3}
	if err := WriteLRPlot(&buf, c); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() < 100 || b.Dy() < 100 {
		t.Errorf("plot is %v", b)
	}
	if err := WriteLRPlot(&buf, LRCurve{LR: []float64{1}, Loss: nil}); err == nil {
		t.Error("accepted series of different lengths")
	}
}
