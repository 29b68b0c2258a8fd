package detect

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"testing"

	"mlabel/darknet"
	"mlabel/darknet/darknettest"
	"mlabel/nn"
)

func testPath(t *testing.T, rel string) string {
	t.Helper()
	p, err := darknettest.Path(rel)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// loadModel imports and builds a Darknet model from the test module.
func loadModel(t *testing.T, cfg, weights string) (*nn.Model, *darknet.Meta) {
	t.Helper()
	spec, w, meta, err := darknet.Import(testPath(t, cfg), testPath(t, weights))
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
	return model, meta
}

func dogImage(t *testing.T) image.Image {
	t.Helper()
	f, err := os.Open(testPath(t, darknettest.DogImage))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := jpeg.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestFindsTheDog runs the COCO-trained tiny YOLO models on the 416×416 dog
// picture shipped with them. The picture shows a dog sitting in its lower
// left half, a bicycle behind it and a white car in the upper right.
func TestFindsTheDog(t *testing.T) {
	// Where the dog is in the picture: from its ears (y ≈ 158) to its tail on
	// the floor (y ≈ 390), from x ≈ 70 to its right flank at x ≈ 205.
	dog := Box{X0: 70, Y0: 158, X1: 205, Y1: 390}
	tests := []struct {
		name, cfg, weights string
		minDog             float64         // least score of the dog
		others             map[string]bool // other labels allowed at threshold 0.5
		need               []string        // other labels that must be found
	}{
		{"yolov3-tiny", darknettest.YOLOv3TinyCfg, darknettest.YOLOv3TinyWeights, 0.7,
			map[string]bool{"car": true, "truck": true, "bicycle": true}, []string{"car"}},
		{"yolov2-tiny", darknettest.YOLOv2TinyCfg, darknettest.YOLOv2TinyWeights, 0.5,
			map[string]bool{"car": true, "truck": true, "bicycle": true}, []string{"bicycle", "car"}},
	}
	img := dogImage(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			model, meta := loadModel(t, tc.cfg, tc.weights)
			boxes, err := run(model, meta, img, 0.5)
			if err != nil {
				t.Fatal(err)
			}
			found := map[string]int{}
			for _, b := range boxes {
				t.Logf("%-8s %.3f  (%.0f, %.0f)-(%.0f, %.0f)", b.Label, b.Score, b.X0, b.Y0, b.X1, b.Y1)
				found[b.Label]++
				cx, cy := (b.X0+b.X1)/2, (b.Y0+b.Y1)/2
				switch {
				case b.Label == "dog":
					if cx > 208 || cy < 208 {
						t.Errorf("dog box centred at (%.0f, %.0f), not in the lower left half", cx, cy)
					}
					if iou := IoU(b, dog); iou < 0.75 || b.Score < tc.minDog {
						t.Errorf("dog box %+v: IoU %.2f with the dog, want ≥ 0.75, and score ≥ %g", b, iou, tc.minDog)
					}
				case b.Label == "car" || b.Label == "truck":
					if cx < 208 || cy > 208 {
						t.Errorf("%s box centred at (%.0f, %.0f), not in the upper right", b.Label, cx, cy)
					}
				case !tc.others[b.Label]:
					t.Errorf("unexpected %s box %+v", b.Label, b)
				}
			}
			if found["dog"] != 1 {
				t.Errorf("%d dog boxes, want 1", found["dog"])
			}
			for _, l := range tc.need {
				if found[l] == 0 {
					t.Errorf("no %s found", l)
				}
			}
			checkDrawing(t, img, boxes, tc.name)
		})
	}
}

// checkDrawing draws the boxes and checks that the result is a valid PNG
// the size of the image. With MLABEL_DETECT_PNG=DIR it writes DIR/name.png.
func checkDrawing(t *testing.T, img image.Image, boxes []Box, name string) {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, Draw(img, boxes)); err != nil {
		t.Fatal(err)
	}
	encoded := buf.Bytes()
	back, err := png.Decode(bytes.NewReader(encoded))
	if err != nil || back.Bounds() != img.Bounds() {
		t.Errorf("drawn PNG: %v, %v", back.Bounds(), err)
	}
	if dir := os.Getenv("MLABEL_DETECT_PNG"); dir != "" {
		if err := os.WriteFile(dir+"/"+name+".png", encoded, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
