package arch

import (
	"slices"
	"strings"
	"testing"

	"mlabel/nn"
)

func countOps(s *nn.Spec) map[nn.Op]int {
	c := map[nn.Op]int{}
	for _, n := range s.Nodes {
		c[n.Op]++
	}
	return c
}

func TestBuildLayouts(t *testing.T) {
	tests := []struct {
		name      string
		opt       Options
		convs     int
		adds      int
		mustHave  []string
		lastFeat  string
		dropoutOn bool
	}{
		{"small", Options{}, 4, 0, []string{"block1.conv", "block4.pool", "gap", "fc"}, "block4.pool", false},
		{"resnet18", Options{}, 20, 8, []string{"conv1", "layer1.0.conv1", "layer2.0.downsample.0", "layer4.1.bn2", "fc"}, "layer4.1", false},
		{"resnet34", Options{Width: 16}, 36, 16, []string{"layer3.5.conv2", "layer4.0.downsample.1"}, "layer4.2", false},
		{"mobilenetv2", Options{Dropout: 0.2}, 52, 10, []string{"features.0.0", "features.1.conv.0.0", "features.1.conv.1", "features.2.conv.0.0", "features.17.conv.3", "features.18.0", "classifier.0", "classifier.1"}, "features.18.2", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Build(tc.name, 64, 3, 5, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			js, err := s.MarshalIndent()
			if err != nil {
				t.Fatal(err)
			}
			back, err := nn.ParseSpec(js)
			if err != nil {
				t.Fatal(err)
			}
			if js2, _ := back.MarshalIndent(); string(js2) != string(js) {
				t.Error("JSON round trip changed the spec")
			}
			c := countOps(s)
			if c[nn.OpConv2D] != tc.convs || c[nn.OpAdd] != tc.adds {
				t.Errorf("%d convs and %d adds, want %d and %d", c[nn.OpConv2D], c[nn.OpAdd], tc.convs, tc.adds)
			}
			for _, name := range tc.mustHave {
				if _, ok := s.Node(name); !ok {
					t.Errorf("no node %q", name)
				}
			}
			if got, err := nn.LastFeatureMap(s); err != nil || got != tc.lastFeat {
				t.Errorf("LastFeatureMap = %q, %v; want %q", got, err, tc.lastFeat)
			}
			if (c[nn.OpDropout] > 0) != tc.dropoutOn {
				t.Errorf("%d dropout nodes", c[nn.OpDropout])
			}
			out, _ := s.Node(s.Outputs[0])
			if out.Op != nn.OpDense || out.Attrs.Units != 5 || !out.Attrs.Bias {
				t.Errorf("head %+v, want dense with 5 units and a bias", out)
			}
			for _, n := range s.Nodes {
				if n.Op == nn.OpConv2D && n.Attrs.Bias {
					t.Errorf("conv %q has a bias", n.Name)
				}
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	tests := []struct {
		name             string
		size, ch, labels int
		opt              Options
		want             string
	}{
		{"vgg", 64, 3, 2, Options{}, "unknown architecture"},
		{"small", 0, 3, 2, Options{}, "must be positive"},
		{"small", 64, 3, 0, Options{}, "must be positive"},
		{"small", 64, 3, 2, Options{Dropout: 1}, "bad options"},
	}
	for _, tc := range tests {
		_, err := Build(tc.name, tc.size, tc.ch, tc.labels, tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Build(%s, %d, %d, %d): %v, want %q", tc.name, tc.size, tc.ch, tc.labels, err, tc.want)
		}
	}
}

func TestMobileNetV2Widths(t *testing.T) {
	tests := []struct {
		mult       float64
		stem, last int
	}{
		{1, 32, 1280}, {0.5, 16, 1280}, {0.35, 16, 1280}, {1.4, 48, 1792},
	}
	for _, tc := range tests {
		s := MobileNetV2(64, 3, 2, Options{WidthMult: tc.mult})
		stem, _ := s.Node("features.0.0")
		last, _ := s.Node("features.18.0")
		if stem.Attrs.Filters != tc.stem || last.Attrs.Filters != tc.last {
			t.Errorf("width %v: stem %d last %d, want %d and %d", tc.mult, stem.Attrs.Filters, last.Attrs.Filters, tc.stem, tc.last)
		}
	}
}

func TestHead(t *testing.T) {
	r, err := Build("resnet18", 64, 3, 1000, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		at       string
		wantPool bool
	}{
		{"layer3.1", true},
		{"avgpool", false},
	}
	for _, tc := range tests {
		s, err := Head(r, tc.at, 7)
		if err != nil {
			t.Fatal(err)
		}
		_, hasPool := s.Node("head_pool")
		head, _ := s.Node("head")
		if hasPool != tc.wantPool || head.Attrs.Units != 7 || !slices.Equal(s.Outputs, []string{"head"}) {
			t.Errorf("Head at %s: pool %v head %+v outputs %v", tc.at, hasPool, head, s.Outputs)
		}
		if _, ok := s.Node("layer4.0.conv1"); ok == strings.HasPrefix(tc.at, "layer3") {
			t.Errorf("Head at %s kept layer4", tc.at)
		}
	}
	if _, err := Head(r, "nope", 3); err == nil {
		t.Error("Head at a missing node: no error")
	}
}

// Every registered architecture builds, an unknown name is refused with
// the registered names, and a name registers once.
func TestRegistry(t *testing.T) {
	if len(Names()) < 4 || len(SegmentNames()) < 2 {
		t.Fatalf("registered: %v and %v", Names(), SegmentNames())
	}
	for _, name := range Names() {
		if _, err := Build(name, 32, 3, 2, Options{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	for _, name := range SegmentNames() {
		if _, err := BuildSegmenter(name, 32, 3, 2, Options{}); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := Build("vgg99", 32, 3, 2, Options{}); err == nil || !strings.Contains(err.Error(), NameList(Names())) {
		t.Errorf("unknown architecture: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Error("registering small twice did not panic")
		}
	}()
	Register("small", nil)
}
