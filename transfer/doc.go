// Package transfer supports training a new multi-label head on a frozen,
// pretrained backbone. Because a frozen backbone computes the same features
// for the same input, its pooled features are computed once per image and
// augmented view (Extract) and cached; the head, a dense layer over those
// features, then trains on the cache in milliseconds per epoch (HeadSpec,
// Features.Batch), instead of running the backbone at every step.
package transfer
