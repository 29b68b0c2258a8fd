package workflow

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mlabel/bundle"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/nn"
	"mlabel/predict"
	"mlabel/synth"
)

// A run given a label structure trains the group's softmax, stores the
// structure in the bundle's rule, and the bundle's predictions obey it.
func TestRunWithStructure(t *testing.T) {
	dir := t.TempDir()
	ds := synthSet(t, dir, 120, 8)
	weather := synth.WeatherLabels()
	s, err := decide.ParseStructure([]string{strings.Join(weather, ",")}, nil, []string{"building=>road"}, nil, ds.Labels)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "m.mlb")
	var log bytes.Buffer
	o := Options{Train: quickConfig(), Preprocess: imageio.DefaultPreprocess(32), ValFrac: 0.2, TestFrac: 0.2,
		Decide: decide.DefaultOptions(), Out: out, Structure: s, Log: &log}
	o.Train.Refit = false
	if _, err := Run(context.Background(), ds, o); err != nil {
		t.Fatal(err)
	}
	b, err := bundle.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	got := b.Rules.Structure
	if got == nil || !slices.EqualFunc(got.Exclusive, s.Exclusive, slices.Equal) || len(got.Implies) != 1 {
		t.Fatalf("bundle structure %+v, want %+v", got, s)
	}
	if last := b.Spec.Nodes[len(b.Spec.Nodes)-1]; last.Op != nn.OpGroupSoftmax {
		t.Errorf("network ends in %s, want the group softmax", last.Op)
	}
	p, err := predict.New(b)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var files [][]byte
	for _, it := range ds.Items[:40] {
		data, err := os.ReadFile(it.Path)
		if err != nil {
			t.Fatal(err)
		}
		names, files = append(names, it.Name), append(files, data)
	}
	preds, err := p.Bytes(names, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range preds {
		n, building, road := 0, false, false
		for _, l := range pr.Labels {
			n += btoi(slices.Contains(weather, l.Label))
			building = building || l.Label == "building"
			road = road || l.Label == "road"
		}
		if n != 1 {
			t.Errorf("%s: %d weather labels decided, want exactly one: %+v", pr.Image, n, pr.Labels)
		}
		if building && !road {
			t.Errorf("%s: building decided without road", pr.Image)
		}
		sum := 0.0
		for _, w := range weather {
			sum += pr.Scores[w]
		}
		if sum < 0.9999 || sum > 1.0001 {
			t.Errorf("%s: weather scores sum to %g, want 1", pr.Image, sum)
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestRunRefusesBadStructure(t *testing.T) {
	dir := t.TempDir()
	ds := synthSet(t, dir, 30, 8)
	o := Options{Train: quickConfig(), ValFrac: 0.2, TestFrac: 0.2, Decide: decide.DefaultOptions(),
		Structure: &decide.Structure{Exclusive: [][]string{{"clear", "sunny"}}}}
	if _, err := Run(context.Background(), ds, o); err == nil || !strings.Contains(err.Error(), "sunny") {
		t.Fatalf("err = %v, want one naming the unknown label", err)
	}
}
