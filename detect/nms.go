package detect

import "sort"

// suppress keeps, for each class, the candidates that overlap no stronger
// candidate of that class by more than iou (greedy non-maximum
// suppression); iou ≤ 0 keeps them all. The boxes it returns hold corners
// in network fractions.
func suppress(cands []candidate, iou float64) []Box {
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].score > cands[j].score })
	var kept []Box
	byClass := map[int][]Box{}
	for _, c := range cands {
		b := Box{X0: c.x - c.w/2, Y0: c.y - c.h/2, X1: c.x + c.w/2, Y1: c.y + c.h/2, Class: c.class, Score: c.score}
		drop := false
		if iou > 0 {
			for _, k := range byClass[c.class] {
				if IoU(b, k) > iou {
					drop = true
					break
				}
			}
		}
		if !drop {
			byClass[c.class] = append(byClass[c.class], b)
			kept = append(kept, b)
		}
	}
	return kept
}

// IoU returns the intersection over union of two boxes.
func IoU(a, b Box) float64 {
	iw := min(a.X1, b.X1) - max(a.X0, b.X0)
	ih := min(a.Y1, b.Y1) - max(a.Y0, b.Y0)
	if iw <= 0 || ih <= 0 {
		return 0
	}
	inter := iw * ih
	union := (a.X1-a.X0)*(a.Y1-a.Y0) + (b.X1-b.X0)*(b.Y1-b.Y0) - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}
