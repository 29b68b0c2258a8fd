package augment

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
)

// View is the nature of a set of images: whether they have an "up".
type View string

// The views. Overhead imagery (satellite and drone tiles looking straight
// down) has no preferred orientation, so all 8 flips and quarter turns are
// valid; ground-level photos have a sky above and a ground below, so only a
// left-right mirror keeps them natural. Auto asks DetectView.
const (
	Overhead View = "overhead"
	Ground   View = "ground"
	Auto     View = "auto"
)

// ParseView returns the view a name stands for.
func ParseView(s string) (View, error) {
	switch v := View(s); v {
	case Overhead, Ground, Auto:
		return v, nil
	}
	return "", fmt.Errorf("augment: unknown view %q (overhead, ground or auto)", s)
}

// ForView returns p with the geometric transforms set for view v: the 8
// dihedral transforms for Overhead, a horizontal flip for Ground. Crops and
// colour jitter are left as they are.
func (p Pipeline) ForView(v View) Pipeline {
	switch v {
	case Overhead:
		p.Dihedral, p.HFlip = true, false
	case Ground:
		p.Dihedral, p.HFlip = false, true
	}
	return p
}

// Transforms returns the dihedral transforms (see Dihedral) that map an image
// of view v to another valid image of the same view: all 8 for Overhead,
// identity and mirror for Ground. Test-time augmentation averages the
// predictions over them.
func Transforms(v View) []int {
	if v == Overhead {
		return []int{0, 1, 2, 3, 4, 5, 6, 7}
	}
	return []int{0, 4}
}

// ViewEvidence is what DetectView measured. Each figure is a one-sample
// t-statistic over the images of a per-image difference between the top and
// bottom thirds of the image (Vertical) or its left and right thirds
// (Horizontal, the control: a mirror is valid for both views, so left and
// right differ only by chance), for luminance and for blueness (blue minus
// red).
type ViewEvidence struct {
	Images                         int
	VerticalLuma, VerticalBlue     float64
	HorizontalLuma, HorizontalBlue float64
	View                           View
}

// Thresholds of DetectView: the top-bottom asymmetry must be both
// significant on its own and well above the left-right control.
const (
	minViewT      = 4
	minViewRatio  = 2.5
	minViewImages = 16
)

// DetectView decides whether images have an up. Each image is a size×size
// RGB array in HWC order (values in any consistent scale). Ground-level
// photos are brighter and bluer at the top (sky) than at the bottom across a
// collection, while for overhead tiles top and bottom differ only by chance,
// like left and right. It answers Ground when the top-bottom difference of
// luminance or blueness has |t| >= 4 and at least 2.5 times the largest
// left-right |t|; Overhead otherwise, and for fewer than 16 images.
func DetectView(images [][]float32, size int) ViewEvidence {
	var vl, vb, hl, hb []float64
	for _, x := range images {
		if len(x) != size*size*3 || size < 3 {
			continue
		}
		t := size / 3
		var s [4][2]float64 // top, bottom, left, right × luma, blue
		for y := 0; y < size; y++ {
			for xx := 0; xx < size; xx++ {
				i := (y*size + xx) * 3
				r, g, b := float64(x[i]), float64(x[i+1]), float64(x[i+2])
				l, bl := 0.299*r+0.587*g+0.114*b, b-r
				if y < t {
					s[0][0] += l
					s[0][1] += bl
				} else if y >= size-t {
					s[1][0] += l
					s[1][1] += bl
				}
				if xx < t {
					s[2][0] += l
					s[2][1] += bl
				} else if xx >= size-t {
					s[3][0] += l
					s[3][1] += bl
				}
			}
		}
		n := float64(t * size)
		vl = append(vl, (s[0][0]-s[1][0])/n)
		vb = append(vb, (s[0][1]-s[1][1])/n)
		hl = append(hl, (s[2][0]-s[3][0])/n)
		hb = append(hb, (s[2][1]-s[3][1])/n)
	}
	e := ViewEvidence{Images: len(vl), VerticalLuma: tStat(vl), VerticalBlue: tStat(vb),
		HorizontalLuma: tStat(hl), HorizontalBlue: tStat(hb), View: Overhead}
	v := max(math.Abs(e.VerticalLuma), math.Abs(e.VerticalBlue))
	h := max(math.Abs(e.HorizontalLuma), math.Abs(e.HorizontalBlue))
	if e.Images >= minViewImages && v >= minViewT && v >= minViewRatio*h {
		e.View = Ground
	}
	return e
}

// String explains the decision in one line.
func (e ViewEvidence) String() string {
	why := "top and bottom differ no more than left and right"
	switch {
	case e.View == Ground:
		why = "tops are brighter or bluer than bottoms, as in photos with a sky"
	case e.Images < minViewImages:
		why = fmt.Sprintf("too few images to tell (%d, need %d)", e.Images, minViewImages)
	}
	return fmt.Sprintf("view %s: %s (%d images; top-bottom t = %.1f luminance, %.1f blueness; left-right t = %.1f, %.1f)",
		e.View, why, e.Images, e.VerticalLuma, e.VerticalBlue, e.HorizontalLuma, e.HorizontalBlue)
}

// tStat is the one-sample t-statistic of x against 0; 0 when x has fewer
// than two values or no spread.
func tStat(x []float64) float64 {
	if len(x) < 2 {
		return 0
	}
	mean, sd := stat.MeanStdDev(x, nil)
	if sd == 0 {
		return 0
	}
	return mean / (sd / math.Sqrt(float64(len(x))))
}
