// Package arch builds the model graphs mlabel trains: a small CNN, ResNet-18
// and ResNet-34, and MobileNetV2, each ending in a multi-label head of L
// logits (one per label, no sigmoid in the graph).
//
// ResNet and MobileNetV2 node names mirror torchvision's module names
// ("layer1.0.conv1", "features.3.conv.1.0", "fc"), so parameters imported from
// torchvision map by name. Block outputs are named after the block
// ("layer2.1", "features.5"), which makes them convenient cut points.
package arch

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"mlabel/nn"
)

// A Builder returns an architecture's graph for size×size images with the
// given number of channels and numLabels outputs; Build and BuildSegmenter
// have checked the arguments' signs.
type Builder func(size, channels, numLabels int, opt Options) (*nn.Spec, error)

// The registries of architectures, by name: whole-image classifiers and
// per-pixel segmenters.
var (
	classifiers = map[string]Builder{}
	segmenters  = map[string]Builder{}
)

// Register makes a classifier architecture available to Build under name,
// as image.RegisterFormat does for decoders. Each architecture registers
// itself from its own file; registering a name twice panics.
func Register(name string, b Builder) { register(classifiers, name, b) }

// RegisterSegmenter makes a segmentation architecture available to
// BuildSegmenter under name.
func RegisterSegmenter(name string, b Builder) { register(segmenters, name, b) }

func register(m map[string]Builder, name string, b Builder) {
	if _, dup := classifiers[name]; dup {
		panic("arch: architecture registered twice: " + name)
	}
	if _, dup := segmenters[name]; dup {
		panic("arch: architecture registered twice: " + name)
	}
	m[name] = b
}

// Names returns the classifier architectures Build knows, sorted.
func Names() []string { return slices.Sorted(maps.Keys(classifiers)) }

// SegmentNames returns the segmentation architectures BuildSegmenter
// knows, sorted.
func SegmentNames() []string { return slices.Sorted(maps.Keys(segmenters)) }

// NameList joins names for messages: "a, b or c".
func NameList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Options tunes an architecture. Zero values select the defaults.
type Options struct {
	// Width is the base width: the channels of ResNet's layer1 (default 64)
	// or of the small network's first block (default 32).
	Width int
	// WidthMult is MobileNetV2's width multiplier (default 1.0).
	WidthMult float64
	// Dropout is the dropout rate before the final dense layer (default 0,
	// none).
	Dropout float64
	// Transposed makes the U-Net upsample with transposed convolutions
	// (BuildSegmenter sets it for "unet-tconv").
	Transposed bool
}

// InputName is the name of every architecture's input node.
const InputName = "input"

// Build returns the named architecture for size×size images with the given
// number of channels and numLabels outputs.
func Build(name string, size, channels, numLabels int, opt Options) (*nn.Spec, error) {
	if size <= 0 || channels <= 0 || numLabels <= 0 {
		return nil, fmt.Errorf("arch: %s: size %d, channels %d and labels %d must be positive", name, size, channels, numLabels)
	}
	if opt.Width < 0 || opt.WidthMult < 0 || opt.Dropout < 0 || opt.Dropout >= 1 {
		return nil, fmt.Errorf("arch: %s: bad options %+v", name, opt)
	}
	build, ok := classifiers[name]
	if !ok {
		return nil, fmt.Errorf("arch: unknown architecture %q (known: %s)", name, NameList(Names()))
	}
	s, err := build(size, channels, numLabels, opt)
	if err != nil {
		return nil, fmt.Errorf("arch: %s: %w", name, err)
	}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("arch: %s: %w", name, err)
	}
	return s, nil
}

// Head cuts backbone at node at and adds a new multi-label head: global
// average pooling (unless at already has a pooled [N, C] output) and a
// dense layer named "head" with numLabels outputs and a bias.
func Head(backbone *nn.Spec, at string, numLabels int) (*nn.Spec, error) {
	if numLabels <= 0 {
		return nil, fmt.Errorf("arch: head: %d labels", numLabels)
	}
	s, err := nn.Cut(backbone, at)
	if err != nil {
		return nil, fmt.Errorf("arch: head: %w", err)
	}
	for _, name := range []string{"head", "head_pool"} {
		if _, ok := s.Node(name); ok {
			return nil, fmt.Errorf("arch: head: the backbone already has a node %q", name)
		}
	}
	b := &builder{s: s, last: at}
	n, _ := s.Node(at)
	if !slices.Contains([]nn.Op{nn.OpGlobalAvgPool, nn.OpGlobalMaxPool, nn.OpFlatten, nn.OpDense}, n.Op) {
		b.add("head_pool", nn.OpGlobalAvgPool, nn.Attrs{})
	}
	b.add("head", nn.OpDense, nn.Attrs{Units: numLabels, Bias: true})
	s.Outputs = []string{"head"}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("arch: head: %w", err)
	}
	return s, nil
}

// builder appends nodes to a spec, by default chaining each to the last.
type builder struct {
	s    *nn.Spec
	last string
}

func newBuilder(size, channels int) *builder {
	b := &builder{s: &nn.Spec{}}
	b.add(InputName, nn.OpInput, nn.Attrs{Shape: []int{size, size, channels}})
	return b
}

// add appends a node reading inputs (the last node when none are given) and
// makes it the last node.
func (b *builder) add(name string, op nn.Op, a nn.Attrs, inputs ...string) string {
	if len(inputs) == 0 && op != nn.OpInput {
		inputs = []string{b.last}
	}
	b.s.Nodes = append(b.s.Nodes, nn.Node{Name: name, Op: op, Inputs: inputs, Attrs: a})
	b.last = name
	return name
}

// conv appends a bias-free k×k convolution with torchvision's padding.
func (b *builder) conv(name string, filters, k, stride, groups int) string {
	p := (k - 1) / 2
	return b.add(name, nn.OpConv2D, nn.Attrs{
		Filters: filters, Kernel: [2]int{k, k}, Stride: [2]int{stride, stride},
		Pad: [4]int{p, p, p, p}, Groups: groups,
	})
}

// classifier appends global average pooling, optional dropout and the dense
// layer that gives the logits, and sets it as the output.
func (b *builder) classifier(pool, dropout, fc string, numLabels int, rate float64) *nn.Spec {
	b.add(pool, nn.OpGlobalAvgPool, nn.Attrs{})
	if rate > 0 {
		b.add(dropout, nn.OpDropout, nn.Attrs{Rate: rate})
	}
	b.add(fc, nn.OpDense, nn.Attrs{Units: numLabels, Bias: true})
	b.s.Outputs = []string{fc}
	return b.s
}
