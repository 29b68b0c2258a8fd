package decide

// Tiled is a decision rule fitted on max-pooled tile scores: the scores of
// images cut into Grid×Grid tiles overlapping by Overlap of a tile's side,
// each label's score the largest of its tiles'. It is only valid for scores
// made with the same grid.
type Tiled struct {
	Grid    int     `json:"grid"`
	Overlap float64 `json:"overlap"`
	Rules   *Rules  `json:"rules"`
	// Images counts the validation images Rules was fitted on.
	Images int `json:"images,omitempty"`
}
