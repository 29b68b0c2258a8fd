// Package infer holds what comes out of a network.
//
// It owns three things that the rest of mlabel shares:
//
//   - Sigmoid, the one logistic function: a classifier's logits become label
//     probabilities through it, and the losses, calibration and detector
//     decoding use it too.
//   - Probabilities: the conversion of a batch of logits to probabilities
//     (running the network is predict's), and a segmenter's per-pixel area
//     fractions and class maps.
//   - Set, a scored set: each image's name, its probability per label and,
//     when the images are labelled, the truth and the mask of known entries.
//     Training validates on one, decision rules are fitted and compared on
//     them, metrics score them, and prediction and serving produce them.
//
// infer stands on tensor alone: it imports no engine (nn, gemm), no
// training package, no metrics and no bundle, so that the metrics, decide
// and shift packages that score and decide on its sets link no engine, and
// the model file (bundle) can sit on top of them.
package infer
