package train

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"

	"mlabel/imageio"
	"mlabel/nn"
	"mlabel/synth"
)

// A run with an exclusive group trains a network that ends in the group's
// softmax: every validation image's weather probabilities sum to 1, and the
// network learns the group: its top weather label beats always answering
// the split's most common one.
func TestRunWithExclusiveGroup(t *testing.T) {
	tr, va := synthData(t)
	cfg := quickConfig()
	weather := synth.WeatherLabels()
	cfg.Exclusive = [][]string{weather}
	res, err := Run(context.Background(), cfg, Data{Train: tr, Val: va, Preprocess: imageio.DefaultPreprocess(cfg.Size)}, "", false, Hooks{})
	if err != nil {
		t.Fatal(err)
	}
	last := res.Spec.Nodes[len(res.Spec.Nodes)-1]
	if last.Op != nn.OpGroupSoftmax || !slices.Equal(res.Spec.Outputs, []string{last.Name}) {
		t.Fatalf("network ends in %s %q, outputs %v; want the group softmax", last.Op, last.Name, res.Spec.Outputs)
	}
	var cols []int
	for _, w := range weather {
		cols = append(cols, slices.Index(tr.Labels, w))
	}
	right := 0
	for i, row := range res.Val.Scores {
		sum, best := 0.0, cols[0]
		for _, j := range cols {
			sum += row[j]
			if row[j] > row[best] {
				best = j
			}
		}
		if math.Abs(sum-1) > 1e-4 {
			t.Fatalf("image %d: weather probabilities sum to %g", i, sum)
		}
		if res.Val.Truth[i][best] == 1 {
			right++
		}
	}
	acc, base := float64(right)/float64(len(res.Val.Scores)), majorityAccuracy(res.Val.Truth, cols)
	t.Logf("weather accuracy %.3f, the majority class's %.3f", acc, base)
	if acc < base+accuracyMargin {
		t.Errorf("the group's top label is right on %.2f of validation images, want at least %.2f: the majority class's %.2f and %.2f more", acc, base+accuracyMargin, base, accuracyMargin)
	}
}

func TestLabelGroupsRefused(t *testing.T) {
	labels := []string{"a", "b", "c", "d"}
	cases := []struct {
		name      string
		exclusive [][]string
		atMostOne [][]string
		want      string
	}{
		{"unknown", [][]string{{"a", "z"}}, nil, `"z"`},
		{"single", [][]string{{"a"}}, nil, "at least two"},
		{"twice", [][]string{{"a", "b"}}, [][]string{{"b", "c"}}, "two label groups"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := quickConfig()
			cfg.Exclusive, cfg.AtMostOne = c.exclusive, c.atMostOne
			_, _, _, err := BuildSpec(cfg, labels)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want one containing %s", err, c.want)
			}
		})
	}
	cfg := quickConfig()
	cfg.AtMostOne = [][]string{{"d", "b"}}
	s, _, _, err := BuildSpec(cfg, labels)
	if err != nil {
		t.Fatal(err)
	}
	last := s.Nodes[len(s.Nodes)-1]
	if !slices.Equal(last.Attrs.LabelGroups[0], []int{3, 1}) || !last.Attrs.GroupNone[0] {
		t.Errorf("group node %+v, want columns [3 1] with none", last.Attrs)
	}
}

func TestSegmentationRefusesLabelGroups(t *testing.T) {
	cfg := quickConfig()
	cfg.Segment, cfg.Arch = true, "unet"
	cfg.Exclusive = [][]string{{"clear", "haze"}}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "classifier route") {
		t.Fatalf("segmentation with label groups: %v, want a refusal naming the classifier route", err)
	}
}
