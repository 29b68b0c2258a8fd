package augment

import (
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
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

// ViewEvidence is what the view detection measured: the sky test
// (DetectView) and, when it ran, the orientation test (WithOrientation).
// Each sky figure is a one-sample t-statistic over the images of a
// per-image difference between the top and bottom thirds of the image
// (Vertical) or its left and right thirds (Horizontal, the control: a
// mirror is valid for both views, so left and right differ only by chance),
// for luminance and for blueness (blue minus red).
type ViewEvidence struct {
	Images                         int
	VerticalLuma, VerticalBlue     float64
	HorizontalLuma, HorizontalBlue float64
	// Orientation is the orientation test's result; nil when it did not
	// run.
	Orientation *Orientation
	View        View
}

// Orientation is what the orientation test measured: a small network
// trained on Fitted images, each shown upright and upside down (turned by a
// half turn or flipped top to bottom, mirrored left-right at random either
// way), then asked of each of Scored other images which of its upright and
// upside-down forms is the upright one. Correct counts the right answers.
// For images without an up the two forms come from the same distribution,
// so on unseen images the network is right by chance, half of the time,
// whatever it learnt.
type Orientation struct {
	Fitted, Scored, Correct int
	// Accuracy is Correct/Scored; P is the one-sided binomial p-value of
	// Correct or more right answers out of Scored at chance (1/2).
	Accuracy, P float64
}

// Thresholds of DetectView: the top-bottom asymmetry must be both
// significant on its own and well above the left-right control.
const (
	minViewT      = 4
	minViewRatio  = 2.5
	minViewImages = 16
)

// Thresholds of the orientation test. A held-out accuracy must be high:
// at least 3 of 4, halfway between chance and always right. Significance
// alone is not enough: a faint but consistent cue, such as the shadows of
// satellite images taken at the same hour of the day, can make overhead
// tiles orientable a little better than chance without giving them an up
// that a flip would make unnatural, while images with an up (photos,
// upright objects) are told from their upside-down form nearly always. And
// it must be far beyond chance (p at most 1e-3), which matters for small
// samples, where 3 of 4 happens by luck.
const (
	maxOrientP        = 1e-3
	minOrientAccuracy = 0.75
)

// NewOrientation returns the evidence of correct right answers out of
// scored held-out images, from a network fitted on fitted images.
func NewOrientation(fitted, scored, correct int) Orientation {
	o := Orientation{Fitted: fitted, Scored: scored, Correct: correct, P: 1}
	if scored > 0 {
		o.Accuracy = float64(correct) / float64(scored)
		// P(X >= correct) for X ~ Binomial(scored, 1/2), which by symmetry
		// is P(X <= scored-correct): a lower tail keeps its precision far
		// below the rounding of 1 - CDF.
		o.P = distuv.Binomial{N: float64(scored), P: 0.5}.CDF(float64(scored - correct))
	}
	return o
}

// Upright reports whether the test shows an up: an accuracy of at least
// 0.75 with p at most 1e-3.
func (o Orientation) Upright() bool {
	return o.Scored > 0 && o.Accuracy >= minOrientAccuracy && o.P <= maxOrientP
}

// DetectView decides whether images have an up from the sky test. Each
// image is a size×size RGB array in HWC order (values in any consistent
// scale). Ground-level photos are brighter and bluer at the top (sky) than
// at the bottom across a collection, while for overhead tiles top and
// bottom differ only by chance, like left and right. It answers Ground
// when the top-bottom difference of luminance or blueness has |t| >= 4 and
// at least 2.5 times the largest left-right |t|; Overhead otherwise, and
// for fewer than 16 images. Images with an up but no sky (upright objects,
// indoor photos) need the orientation test as well (WithOrientation).
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
		HorizontalLuma: tStat(hl), HorizontalBlue: tStat(hb)}
	e.View = e.decide()
	return e
}

// Enough reports whether the sky test saw enough images to decide; with
// fewer, the view is Overhead and the orientation test is not worth
// running.
func (e ViewEvidence) Enough() bool { return e.Images >= minViewImages }

// WithOrientation returns e with the orientation test's result added and
// the view decided again: Ground when either test shows an up.
func (e ViewEvidence) WithOrientation(o Orientation) ViewEvidence {
	e.Orientation = &o
	e.View = e.decide()
	return e
}

// sky reports whether the sky test shows an up.
func (e ViewEvidence) sky() bool {
	v := max(math.Abs(e.VerticalLuma), math.Abs(e.VerticalBlue))
	h := max(math.Abs(e.HorizontalLuma), math.Abs(e.HorizontalBlue))
	return v >= minViewT && v >= minViewRatio*h
}

// decide returns Ground when there are enough images and the sky test or
// the orientation test shows an up, Overhead otherwise.
func (e ViewEvidence) decide() View {
	if e.Enough() && (e.sky() || e.Orientation != nil && e.Orientation.Upright()) {
		return Ground
	}
	return Overhead
}

// String explains the decision in one line, with both tests' figures.
func (e ViewEvidence) String() string {
	o := e.Orientation
	var why string
	switch {
	case !e.Enough():
		why = fmt.Sprintf("too few images to tell (%d, need %d)", e.Images, minViewImages)
	case e.sky():
		why = "tops are brighter or bluer than bottoms, as in photos with a sky"
	case o != nil && o.Upright():
		why = "a small network tells unseen images from their upside-down form, so they have an up"
	case o != nil:
		why = fmt.Sprintf("top and bottom differ no more than left and right, and a small network does not clearly tell unseen images from their upside-down form (needs %.0f%% right at p <= %g)",
			100*minOrientAccuracy, maxOrientP)
	default:
		why = "top and bottom differ no more than left and right"
	}
	s := fmt.Sprintf("view %s: %s (%d images; top-bottom t = %.1f luminance, %.1f blueness; left-right t = %.1f, %.1f",
		e.View, why, e.Images, e.VerticalLuma, e.VerticalBlue, e.HorizontalLuma, e.HorizontalBlue)
	if o != nil {
		s += fmt.Sprintf("; upright told from upside down in %d of %d unseen images, %.0f%%, p = %.2g, after fitting on %d",
			o.Correct, o.Scored, 100*o.Accuracy, o.P, o.Fitted)
	}
	return s + ")"
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
