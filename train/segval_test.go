package train

import (
	"context"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mlabel/dataset"
	"mlabel/imageio"
	"mlabel/infer"
	"mlabel/loader"
	"mlabel/masks"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/tensor"
)

// blockImage is an image of w×h blocks of f×f pixels, each block one of
// the colours of palette and one class (1 + a label), drawn at random.
type blockImage struct {
	w, h          int
	colour, class []int // per block
}

// At a fixed scale, validation scores every pixel of each image once:
// the windows cut from an image reduced by the scale overlap, but the
// image-level row is one per image and its area fractions are those of
// the stitched image, every reduced pixel counted once, and the pixel
// counts are those of the stitched image against the reduced mask. The
// network is a 1×1 convolution, so that a pixel's logits follow from its
// colour alone; each block of the image is one reduced pixel of one
// colour, so that the stitched image's logits are known without the
// windows: at the thresholds given, and at those fitted.
func TestPredictMasksPoolsWindowsPerImage(t *testing.T) {
	const size, f, nl = 8, 2, 2
	palette := [][3]uint8{{10, 200, 30}, {220, 40, 90}, {90, 90, 250}, {160, 160, 20}}
	rng := rand.New(rand.NewPCG(4, 4))
	imgs := []blockImage{{w: 20, h: 14}, {w: 8, h: 8}, {w: 13, h: 27}}
	dir := t.TempDir()
	mdir := filepath.Join(dir, "masks")
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		t.Fatal(err)
	}
	labels := []string{"a", "b"}
	if err := masks.WriteLegend(mdir, labels); err != nil {
		t.Fatal(err)
	}
	ds := &dataset.Dataset{Source: filepath.Join(dir, "tags.csv"), Labels: labels}
	for k := range imgs {
		im := &imgs[k]
		w, h := im.w*f, im.h*f
		pic := image.NewRGBA(image.Rect(0, 0, w, h))
		class := make([]uint8, w*h)
		im.colour, im.class = make([]int, im.w*im.h), make([]int, im.w*im.h)
		for b := range im.colour {
			im.colour[b], im.class[b] = rng.IntN(len(palette)), 1+rng.IntN(nl)
		}
		for y := range h {
			for x := range w {
				b := (y/f)*im.w + x/f
				c := palette[im.colour[b]]
				o := pic.PixOffset(x, y)
				pic.Pix[o], pic.Pix[o+1], pic.Pix[o+2], pic.Pix[o+3] = c[0], c[1], c[2], 255
				class[y*w+x] = uint8(im.class[b])
			}
		}
		name := string(rune('p' + k))
		path := filepath.Join(dir, name+".png")
		fh, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := png.Encode(fh, pic); err != nil {
			t.Fatal(err)
		}
		if err := fh.Close(); err != nil {
			t.Fatal(err)
		}
		if err := masks.WriteIndexed(filepath.Join(mdir, name+".png"), w, h, class, nl); err != nil {
			t.Fatal(err)
		}
		ds.Items = append(ds.Items, dataset.Item{Name: name, Path: path, Pos: []int{0, 1}})
	}
	set, err := masks.Open(mdir)
	if err != nil {
		t.Fatal(err)
	}
	spec := &nn.Spec{Nodes: []nn.Node{
		{Name: "input", Op: nn.OpInput, Attrs: nn.Attrs{Shape: []int{size, size, 3}}},
		{Name: "logits", Op: nn.OpConv2D, Inputs: []string{"input"}, Attrs: nn.Attrs{Filters: nl, Kernel: [2]int{1, 1}, Stride: [2]int{1, 1}, Bias: true}},
	}, Outputs: []string{"logits"}}
	m, err := nn.Build(spec, rand.New(rand.NewPCG(5, 5)))
	if err != nil {
		t.Fatal(err)
	}
	pre := imageio.DefaultPreprocess(size)
	// Each colour's logits: the network on a window of that colour.
	x := tensor.New(len(palette), size, size, 3)
	for c, col := range palette {
		pix := make([]uint8, size*size*3)
		for p := range size * size {
			copy(pix[p*3:], col[:])
		}
		copy(x.Data[c*size*size*3:], pre.Normalized(pix))
	}
	out, err := m.Forward(x, false)
	if err != nil {
		t.Fatal(err)
	}
	logit := make([][]float32, len(palette)) // [colour][label]
	for c := range palette {
		logit[c] = append([]float32(nil), out.Data[c*size*size*nl:c*size*size*nl+nl]...)
	}
	// Thresholds between the colours' probabilities, so that some colours
	// lie above each and some below.
	given := make([]float64, nl)
	for j := range nl {
		lo, hi := math.Inf(1), math.Inf(-1)
		for c := range palette {
			lo, hi = min(lo, float64(logit[c][j])), max(hi, float64(logit[c][j]))
		}
		given[j] = 1 / (1 + math.Exp(-(lo+hi)/2))
	}

	l, err := loader.New(ds, loader.Config{Preprocess: pre, BatchSize: 3, Masks: set, Scale: f})
	if err != nil {
		t.Fatal(err)
	}
	if l.Len() < 3 {
		t.Fatalf("%d batches of 3 windows: the images are not cut into several windows", l.Len())
	}
	// Thresholds of the wrong count or outside (0, 1) are refused, naming
	// what is wrong.
	for _, tc := range []struct {
		th   []float64
		want string
	}{
		{[]float64{0.5}, "1 pixel thresholds for 2 labels"},
		{[]float64{0.5, 1.5}, "pixel threshold 1.5 is not within (0, 1)"},
		{[]float64{0, 0.5}, "pixel threshold 0 is not within (0, 1)"},
	} {
		if _, _, err := PredictMasks(context.Background(), m, l, nil, nl, tc.th); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("thresholds %v: error %v, want one saying %q", tc.th, err, tc.want)
		}
	}
	for _, th := range [][]float64{given, nil} {
		got, iou, err := PredictMasks(context.Background(), m, l, nil, nl, th)
		if err != nil {
			t.Fatal(err)
		}
		if got.Len() != len(imgs) {
			t.Fatalf("thresholds %v: %d rows for %d images", th, got.Len(), len(imgs))
		}
		want := metrics.NewIoU(nl)
		t32 := infer.PixelLogits(iou.Thresholds)
		for k, im := range imgs {
			if got.Names[k] != ds.Items[k].Name {
				t.Errorf("row %d is %q, want %q", k, got.Names[k], ds.Items[k].Name)
			}
			above := make([]int, nl)
			for b, c := range im.colour {
				for j := range nl {
					pred := logit[c][j] > t32[j]
					if pred {
						above[j]++
					}
					want.AddN(j, pred, im.class[b] == j+1, 1)
				}
			}
			for j := range nl {
				if a := float64(above[j]) / float64(im.w*im.h); math.Abs(got.Scores[k][j]-a) > 1e-12 {
					t.Errorf("thresholds %v: image %s label %d: area %g, the stitched image's %g", th, got.Names[k], j, got.Scores[k][j], a)
				}
			}
		}
		for j := range nl {
			if iou.TP[j] != want.TP[j] || iou.FP[j] != want.FP[j] || iou.FN[j] != want.FN[j] {
				t.Errorf("thresholds %v: label %d: TP/FP/FN %d/%d/%d, the stitched image's %d/%d/%d",
					th, j, iou.TP[j], iou.FP[j], iou.FN[j], want.TP[j], want.FP[j], want.FN[j])
			}
		}
	}
}
