package train

import (
	"context"
	"math"
	"testing"

	"mlabel/imageio"
)

func TestLRFind(t *testing.T) {
	tr, _ := synthData(t)
	cfg := quickConfig()
	o := LRFindOptions{MinLR: 1e-5, MaxLR: 10, Steps: 30, Smoothing: 0.9}
	pts, best, err := LRFind(context.Background(), cfg, Data{Train: tr, Preprocess: imageio.DefaultPreprocess(cfg.Size)}, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(pts) < 3 || len(pts) > o.Steps {
		t.Fatalf("%d points, want 3..%d", len(pts), o.Steps)
	}
	if math.Abs(pts[0].LR-o.MinLR) > 1e-12 {
		t.Errorf("first rate %v, want %v", pts[0].LR, o.MinLR)
	}
	ratio := math.Pow(o.MaxLR/o.MinLR, 1/float64(o.Steps-1))
	for i := 1; i < len(pts); i++ {
		if r := pts[i].LR / pts[i-1].LR; math.Abs(r-ratio) > 1e-9 {
			t.Fatalf("step %d: rate ratio %v, want %v", i, r, ratio)
		}
	}
	if best < pts[0].LR || best > pts[len(pts)-1].LR {
		t.Errorf("suggested %v outside the sweep", best)
	}
	// The sweep reaches rates where training diverges (10 with AdamW), so
	// it must either stop early or see the loss climb from its minimum.
	minSm := math.Inf(1)
	for _, p := range pts {
		minSm = math.Min(minSm, p.Smoothed)
	}
	if last := pts[len(pts)-1].Smoothed; len(pts) == o.Steps && last <= minSm*1.05 {
		t.Errorf("loss never rose over a sweep up to lr %v: last %v, min %v", o.MaxLR, last, minSm)
	}
	if _, _, err := LRFind(context.Background(), cfg, Data{Train: tr}, LRFindOptions{MinLR: 1, MaxLR: 0.1, Steps: 10}); err == nil {
		t.Error("accepted a sweep with min > max")
	}
}

func TestSuggestSteepest(t *testing.T) {
	var pts []LRPoint
	for i := 0; i < 20; i++ {
		lr := math.Pow(10, -6+float64(i)*0.3)
		loss := 1.0
		if i > 10 {
			loss = 1 - 0.05*float64(i-10)
		}
		if i == 13 {
			loss -= 0.2 // the steepest fall is into step 13
		}
		pts = append(pts, LRPoint{LR: lr, Smoothed: loss})
	}
	if got := suggest(pts); got != pts[13].LR {
		t.Errorf("suggest = %v, want %v", got, pts[13].LR)
	}
}
