// Package decide turns multi-label scores into decisions with rules fitted
// on held-out predictions: one global threshold, per-class thresholds (exact
// per-label F-beta optimum, optionally refined for samples F-beta by
// coordinate ascent), top-k and the prevalence cut (PCut). It also fits
// per-label probability calibration (temperature or Platt scaling) and
// compares rules on a separate evaluation split.
//
// Every fitting function takes the held-out data as an infer.Set (a scored
// set: scores, truth and the mask of known entries), and Compare takes a
// fitting split and a distinct evaluation split, so thresholds are never
// fitted on the predictions that score them. Fit on a calibration split
// or on out-of-fold predictions (see KFold and crossDecide).
//
// Rules and Calibration are plain JSON-serialisable values meant to be
// stored in the model bundle.
package decide
