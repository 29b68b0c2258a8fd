// Package audit closes mlabel's data loop. It finds tags that are probably
// wrong, by confident learning (Northcutt, Jiang and Chuang, 2021) on
// out-of-fold probabilities from K models trained by iterative
// stratification, and marks them unknown (?tag) rather than flipping them.
// It also ranks unlabelled images for labelling next: by how close their
// scores are to the model's own thresholds, by the expected change of their
// label count, and with a diversity term over the network's pooled
// features, so that near-duplicates are not all chosen.
package audit
