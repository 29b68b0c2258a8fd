package detect

import (
	"image"
	"image/color"
	"math"
	"strings"
	"testing"

	"mlabel/darknet"
	"mlabel/tensor"
)

// headOutput returns a [1, rows, cols, per] output filled with -10 (no
// object), with the values of cell (i, j) set to cell.
func headOutput(rows, cols, per, i, j int, cell []float32) *tensor.Tensor {
	t := tensor.New(1, rows, cols, per)
	for k := range t.Data {
		t.Data[k] = -10
	}
	copy(t.Data[(i*cols+j)*per:], cell)
	return t
}

func TestDecode(t *testing.T) {
	s10 := 1 / (1 + math.Exp(-10))
	ln2 := float32(math.Ln2)
	tests := []struct {
		name string
		head darknet.Head
		cell []float32
		want []candidate
	}{
		{"yolo anchors in input pixels, sigmoid classes",
			darknet.Head{Kind: "yolo", Classes: 2, Anchors: [][2]float64{{8, 16}}},
			[]float32{0, 0, ln2, 0, 10, 10, -10},
			[]candidate{{x: 0.25, y: 0.75, w: 0.5, h: 0.5, class: 0, score: s10 * s10}}},
		{"region anchors in cells, softmax classes",
			darknet.Head{Kind: "region", Classes: 2, Softmax: true, Anchors: [][2]float64{{0.5, 1}}},
			[]float32{0, 0, ln2, 0, 10, 0, 0},
			[]candidate{{x: 0.25, y: 0.75, w: 0.5, h: 0.5, class: 0, score: s10 / 2},
				{x: 0.25, y: 0.75, w: 0.5, h: 0.5, class: 1, score: s10 / 2}}},
		{"low objectness gives nothing",
			darknet.Head{Kind: "yolo", Classes: 2, Anchors: [][2]float64{{8, 16}}},
			[]float32{0, 0, 0, 0, -1, 10, 10}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := headOutput(2, 2, 7, 1, 0, tc.cell)
			got, err := decode(out, tc.head, 32, 32, 0.4)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for k, w := range tc.want {
				g := got[k]
				if g.class != w.class || math.Abs(g.x-w.x)+math.Abs(g.y-w.y)+math.Abs(g.w-w.w)+math.Abs(g.h-w.h)+math.Abs(g.score-w.score) > 1e-6 {
					t.Errorf("candidate %d = %+v, want %+v", k, g, w)
				}
			}
		})
	}
	if _, err := decode(tensor.New(1, 2, 2, 6), darknet.Head{Kind: "yolo", Classes: 2, Anchors: [][2]float64{{1, 1}}}, 32, 32, 0.5); err == nil {
		t.Error("decode accepted an output with the wrong channel count")
	}
}

func TestIoU(t *testing.T) {
	a := Box{X0: 0, Y0: 0, X1: 2, Y1: 2}
	tests := []struct {
		name string
		b    Box
		want float64
	}{
		{"same", a, 1},
		{"half overlap", Box{X0: 1, Y0: 0, X1: 3, Y1: 2}, 2.0 / 6},
		{"inside", Box{X0: 0, Y0: 0, X1: 1, Y1: 1}, 0.25},
		{"touching", Box{X0: 2, Y0: 0, X1: 4, Y1: 2}, 0},
		{"apart", Box{X0: 5, Y0: 5, X1: 6, Y1: 6}, 0},
	}
	for _, tc := range tests {
		if got := IoU(a, tc.b); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: IoU = %g, want %g", tc.name, got, tc.want)
		}
	}
}

func TestSuppress(t *testing.T) {
	cands := []candidate{
		{x: 0.5, y: 0.5, w: 0.2, h: 0.2, class: 1, score: 0.6},
		{x: 0.51, y: 0.5, w: 0.2, h: 0.2, class: 1, score: 0.9}, // overlaps the first, stronger
		{x: 0.5, y: 0.5, w: 0.2, h: 0.2, class: 2, score: 0.7},  // same place, other class
		{x: 0.1, y: 0.1, w: 0.1, h: 0.1, class: 1, score: 0.5},  // same class, elsewhere
	}
	tests := []struct {
		iou    float64
		scores []float64
	}{
		{0.45, []float64{0.9, 0.7, 0.5}},
		{0, []float64{0.9, 0.7, 0.6, 0.5}},
	}
	for _, tc := range tests {
		got := suppress(append([]candidate(nil), cands...), tc.iou)
		var scores []float64
		for _, b := range got {
			scores = append(scores, b.Score)
		}
		if len(scores) != len(tc.scores) {
			t.Errorf("iou %g: kept %v, want %v", tc.iou, scores, tc.scores)
			continue
		}
		for k := range scores {
			if scores[k] != tc.scores[k] {
				t.Errorf("iou %g: kept %v, want %v", tc.iou, scores, tc.scores)
				break
			}
		}
	}
}

func TestPrepareLetterbox(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 200, 100))
	for i := range img.Pix {
		img.Pix[i] = 255 // white
	}
	tests := []struct {
		name      string
		letterbox bool
		greyRows  int
	}{
		{"letterbox", true, 16},
		{"stretch", false, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			x, p := prepare(img, 64, 64, tc.letterbox)
			for y := range 64 {
				want := float32(1)
				if y < tc.greyRows || y >= 64-tc.greyRows {
					want = 0.5
				}
				if got := x.Data[(y*64+10)*3]; got != want {
					t.Fatalf("row %d = %g, want %g", y, got, want)
				}
			}
			// The image's full extent in the network input maps back to
			// the whole image.
			top := float64(tc.greyRows) / 64
			b := Box{X0: 0, Y0: top, X1: 1, Y1: 1 - top}
			p.toImage(&b)
			if math.Abs(b.X0)+math.Abs(b.Y0)+math.Abs(b.X1-200)+math.Abs(b.Y1-100) > 1e-9 {
				t.Errorf("full extent maps to %+v", b)
			}
		})
	}
}

func TestDraw(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 100, 100))
	out := Draw(img, []Box{{X0: 10, Y0: 40, X1: 60, Y1: 90, Class: 0, Label: "dog", Score: 0.8}})
	edge := out.RGBAAt(10, 70)
	if edge != palette[0] {
		t.Errorf("box edge colour %v, want %v", edge, palette[0])
	}
	if in := out.RGBAAt(35, 70); in != (color.RGBA{}) {
		t.Errorf("inside of the box changed to %v", in)
	}
	if lbl := out.RGBAAt(12, 30); lbl == (color.RGBA{}) {
		t.Error("no label above the box")
	}
}

func TestDetectErrors(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	if _, err := run(nil, &darknet.Meta{}, img, 0.5); err == nil || !strings.Contains(err.Error(), "nil") {
		t.Errorf("nil model: %v", err)
	}
}
