package bundle

// SplitImage is one image of a training run's split: its name as the run
// read it and the SHA-256 of its file's bytes (lower-case hex; empty when
// not recorded).
type SplitImage struct {
	Name   string `json:"name"`
	SHA256 string `json:"sha256,omitempty"`
}

// Split records which images the run that made a bundle trained on, used
// for validation (early stopping and threshold fitting), and held out for
// the test metrics. It lets an evaluation tell images the model has seen.
type Split struct {
	Train []SplitImage `json:"train"`
	Val   []SplitImage `json:"val"`
	Test  []SplitImage `json:"test,omitempty"`
}
