// Package compare runs the one-model-per-label experiment: on one split and
// with one seed it trains a binary specialist for every label and one joint
// multi-label model with the same architecture and budget, compares them
// label by label on a held-out test split, picks each label's champion on
// validation, and composes the champions into a single bundle that predicts
// like any other. An optional stacking option learns a dense layer over the
// concatenated logits of every specialist and the joint model.
//
// Every option is built as one nn.Spec: each model is a branch reading the
// shared input node, its nodes and parameters prefixed ("joint/",
// "spec3/"), and the branch logits are concatenated. The champion bundle
// maps the concatenation to one logit per label with a dense "select" layer
// whose weights are fixed 0/1 entries, which copies each chosen logit
// exactly. Thresholds are always fitted on validation predictions and
// scored on test.
//
// A third variant, a shared backbone with a separate head per label, is not
// built: the joint network's final dense layer already gives each label its
// own linear head on one shared trunk.
//
// For every option Run also measures the cost a user pays at prediction
// time: forward passes, FLOPs per image, milliseconds per image in batch
// inference on this machine, and the bundle size.
//
// RunRoutes runs the route against route experiment the same way: the
// classifier route and the segmentation route (a label present when its
// area fraction passes a threshold) trained on one split of images with
// masks, compared label by label on test with the same bootstrap
// intervals, a champion route per label picked on validation, and each
// route's cost.
package compare
