// Package infer runs a trained network and holds what comes out of it.
//
// It owns three things that the rest of mlabel shares:
//
//   - Sigmoid, the one logistic function: a classifier's logits become label
//     probabilities through it, and the losses, calibration and detector
//     decoding use it too.
//   - Predict and Probabilities: a forward pass in evaluation mode over a
//     batch of preprocessed images, and the conversion of its logits to
//     probabilities.
//   - Set, a scored set: each image's name, its probability per label and,
//     when the images are labelled, the truth and the mask of known entries.
//     Training validates on one, decision rules are fitted and compared on
//     them, metrics score them, and prediction and serving produce them.
//
// infer sits just above the engine (nn, tensor) and below everything that
// trains, decides, measures or serves: it imports no training package, no
// metrics and no bundle, so that the metrics, decide, bundle, predict and
// serve packages can all use its types without a cycle, and a program that
// only predicts links none of the training code.
package infer
