package arch

import (
	"fmt"

	"mlabel/nn"
)

func init() {
	RegisterSegmenter("unet", unet(false))
	RegisterSegmenter("unet-tconv", unet(true))
}

// unet builds the U-Net, upsampling with transposed convolutions when
// transposed is set.
func unet(transposed bool) Builder {
	return func(size, channels, numLabels int, opt Options) (*nn.Spec, error) {
		if size%(1<<unetDepth) != 0 {
			return nil, fmt.Errorf("image size %d is not a multiple of %d", size, 1<<unetDepth)
		}
		opt.Transposed = transposed
		return UNet(size, channels, numLabels, opt), nil
	}
}

// unetDepth is the U-Net's number of 2×2 poolings; the image side must be
// a multiple of 1<<unetDepth.
const unetDepth = 3

// BuildSegmenter returns the named segmentation network for size×size
// images with the given number of channels: its output is [N, size, size,
// numLabels], one logit per pixel and label (no sigmoid in the graph).
func BuildSegmenter(name string, size, channels, numLabels int, opt Options) (*nn.Spec, error) {
	if size <= 0 || channels <= 0 || numLabels <= 0 || opt.Width < 0 {
		return nil, fmt.Errorf("arch: %s: size %d, channels %d, labels %d and width %d must be positive", name, size, channels, numLabels, opt.Width)
	}
	build, ok := segmenters[name]
	if !ok {
		return nil, fmt.Errorf("arch: unknown segmentation architecture %q (known: %s)", name, NameList(SegmentNames()))
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

// UNet returns a small U-Net: an encoder of three levels of two [3×3 conv
// without bias, batch norm, ReLU] with w, 2w and 4w channels (w =
// opt.Width, 16 by default), each followed by a 2×2 max pool, a bottleneck
// of 8w channels, and a decoder that at each level upsamples ×2 (nearest
// neighbour), concatenates the encoder's output of that level (the skip)
// and applies two convolutions; a 1×1 convolution with a bias gives the
// logits. With opt.Transposed ("unet-tconv") each level upsamples with a
// 2×2 transposed convolution of stride 2 instead, to the level's width.
// Nodes are named "enc1.conv1", ..., "mid.conv2", "dec3.up", "dec3.cat",
// "dec3.conv1", ..., "logits".
func UNet(size, channels, numLabels int, opt Options) *nn.Spec {
	w := opt.Width
	if w == 0 {
		w = 16
	}
	b := newBuilder(size, channels)
	skips := make([]string, unetDepth)
	for i := range unetDepth {
		skips[i] = b.convBNReLU2(fmt.Sprintf("enc%d", i+1), w<<i)
		b.add(fmt.Sprintf("enc%d.pool", i+1), nn.OpMaxPool, nn.Attrs{Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}})
	}
	b.convBNReLU2("mid", w<<unetDepth)
	for i := unetDepth - 1; i >= 0; i-- {
		p := fmt.Sprintf("dec%d", i+1)
		var up string
		if opt.Transposed {
			up = b.add(p+".up", nn.OpConvTranspose, nn.Attrs{Filters: w << i, Kernel: [2]int{2, 2}, Stride: [2]int{2, 2}, Bias: true})
		} else {
			up = b.add(p+".up", nn.OpUpsample, nn.Attrs{Scale: 2})
		}
		b.add(p+".cat", nn.OpConcat, nn.Attrs{}, up, skips[i])
		b.convBNReLU2(p, w<<i)
	}
	b.add("logits", nn.OpConv2D, nn.Attrs{Filters: numLabels, Kernel: [2]int{1, 1}, Bias: true})
	b.s.Outputs = []string{"logits"}
	return b.s
}

// convBNReLU2 appends two [3×3 conv, batch norm, ReLU] named p.conv1,
// p.bn1, p.relu1, p.conv2, ... and returns the last node's name.
func (b *builder) convBNReLU2(p string, filters int) string {
	for k := 1; k <= 2; k++ {
		b.conv(fmt.Sprintf("%s.conv%d", p, k), filters, 3, 1, 1)
		b.add(fmt.Sprintf("%s.bn%d", p, k), nn.OpBatchNorm, nn.Attrs{})
		b.add(fmt.Sprintf("%s.relu%d", p, k), nn.OpReLU, nn.Attrs{})
	}
	return b.last
}

// SegmentHead cuts backbone at node at, whose feature map is scale times
// smaller than the image, and adds a light decoder: a 1×1 convolution to
// 64 channels with batch norm and ReLU ("seg.reduce"), nearest-neighbour
// upsampling by scale ("seg.up"), a 3×3 convolution to 32 channels with
// batch norm and ReLU ("seg.refine") and a 1×1 convolution with a bias to
// numLabels logits per pixel ("seg.logits").
func SegmentHead(backbone *nn.Spec, at string, numLabels, scale int) (*nn.Spec, error) {
	if numLabels <= 0 || scale < 1 {
		return nil, fmt.Errorf("arch: segmentation head: %d labels, scale %d", numLabels, scale)
	}
	s, err := nn.Cut(backbone, at)
	if err != nil {
		return nil, fmt.Errorf("arch: segmentation head: %w", err)
	}
	for _, n := range s.Nodes {
		if len(n.Name) >= 4 && n.Name[:4] == "seg." {
			return nil, fmt.Errorf("arch: segmentation head: the backbone already has a node %q", n.Name)
		}
	}
	b := &builder{s: s, last: at}
	b.conv("seg.reduce", 64, 1, 1, 1)
	b.add("seg.reduce.bn", nn.OpBatchNorm, nn.Attrs{})
	b.add("seg.reduce.relu", nn.OpReLU, nn.Attrs{})
	if scale > 1 {
		b.add("seg.up", nn.OpUpsample, nn.Attrs{Scale: scale})
	}
	b.conv("seg.refine", 32, 3, 1, 1)
	b.add("seg.refine.bn", nn.OpBatchNorm, nn.Attrs{})
	b.add("seg.refine.relu", nn.OpReLU, nn.Attrs{})
	b.add("seg.logits", nn.OpConv2D, nn.Attrs{Filters: numLabels, Kernel: [2]int{1, 1}, Bias: true})
	s.Outputs = []string{"seg.logits"}
	if err := s.Validate(); err != nil {
		return nil, fmt.Errorf("arch: segmentation head: %w", err)
	}
	return s, nil
}
