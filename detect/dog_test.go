package detect

import (
	"bytes"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"testing"

	"mlabel/darknet"
	"mlabel/darknet/darknettest"
	"mlabel/nn"
)

// TestYOLOv3TinyFindsTheDog runs the COCO-trained yolov3-tiny on the
// 416×416 dog picture shipped with it. The picture shows a dog sitting in
// its lower left half, a bicycle behind it and a vehicle in the upper right.
func TestYOLOv3TinyFindsTheDog(t *testing.T) {
	path := func(rel string) string {
		p, err := darknettest.Path(rel)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	spec, w, meta, err := darknet.Import(path(darknettest.YOLOv3TinyCfg), path(darknettest.YOLOv3TinyWeights))
	if err != nil {
		t.Fatal(err)
	}
	model, err := nn.Build(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if err := model.SetWeights(w); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path(darknettest.DogImage))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	boxes, err := Run(model, meta, img, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range boxes {
		t.Logf("%-8s %.3f  (%.0f, %.0f)-(%.0f, %.0f)", b.Label, b.Score, b.X0, b.Y0, b.X1, b.Y1)
	}
	// Where the dog is in the picture: from its ears (y ≈ 158) to its tail on
	// the floor (y ≈ 390), from x ≈ 70 to its right flank at x ≈ 205.
	want := Box{X0: 70, Y0: 158, X1: 205, Y1: 390}
	var dogs, vehicles int
	for _, b := range boxes {
		cx, cy := (b.X0+b.X1)/2, (b.Y0+b.Y1)/2
		switch b.Label {
		case "dog":
			dogs++
			if cx > 208 || cy < 208 {
				t.Errorf("dog box centred at (%.0f, %.0f), not in the lower left half", cx, cy)
			}
			if iou := IoU(b, want); iou < 0.75 || b.Score < 0.6 {
				t.Errorf("dog box %+v: IoU %.2f with the dog's region, want ≥ 0.75, and score ≥ 0.6", b, iou)
			}
		case "car", "truck":
			vehicles++
			if cx < 208 || cy > 208 {
				t.Errorf("%s box centred at (%.0f, %.0f), not in the upper right", b.Label, cx, cy)
			}
		default:
			t.Errorf("unexpected %s box %+v at threshold 0.5", b.Label, b)
		}
	}
	if dogs != 1 || vehicles == 0 {
		t.Errorf("%d dog boxes and %d vehicles, want 1 dog and a vehicle", dogs, vehicles)
	}

	// The drawing is a valid PNG the size of the image.
	var buf bytes.Buffer
	if err := png.Encode(&buf, Draw(img, boxes)); err != nil {
		t.Fatal(err)
	}
	encoded := buf.Bytes()
	back, err := png.Decode(bytes.NewReader(encoded))
	if err != nil || back.Bounds().Dx() != 416 || back.Bounds().Dy() != 416 {
		t.Errorf("drawn PNG: %v, %v", back.Bounds(), err)
	}
	if out := os.Getenv("MLABEL_DETECT_PNG"); out != "" {
		if err := os.WriteFile(out, encoded, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
