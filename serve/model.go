package serve

import (
	"net/http"
)

func (s *server) page(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/" {
		fail(w, &httpError{http.StatusNotFound, "no such page: " + r.URL.Path})
		return
	}
	if !allow(w, r, http.MethodGet) {
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(page)
}

// modelInfo is what /api/model answers.
type modelInfo struct {
	Kind       string             `json:"kind"`
	Arch       string             `json:"arch"`
	Labels     []string           `json:"labels"`
	Rule       string             `json:"rule"`
	Thresholds map[string]float64 `json:"thresholds"`
	Size       int                `json:"size"`
	// View is the nature of the training images: overhead or ground.
	View    string `json:"view,omitempty"`
	Metrics any    `json:"metrics,omitempty"`
	// CAM tells whether /api/cam can draw heat maps for this network.
	CAM bool `json:"cam"`
	// MaskColors, for a segmenter, gives each label's colour in the
	// overlays of /api/mask; absent for a classifier.
	MaskColors map[string]string `json:"mask_colors,omitempty"`
	Limits     limits            `json:"limits"`
}

// limits are the request limits a client batches its uploads under.
type limits struct {
	MaxImages        int   `json:"max_images"`
	MaxBytes         int64 `json:"max_bytes"`
	MaxPixels        int64 `json:"max_pixels"`
	MaxRequestPixels int64 `json:"max_request_pixels"`
}

func (s *server) model(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodGet) {
		return
	}
	b := s.p.Bundle()
	rules := s.p.Rules()
	info := modelInfo{Kind: string(b.Kind), Arch: b.Arch, Labels: b.Labels, Rule: string(rules.Kind), Thresholds: map[string]float64{}, Size: b.Preprocess.Size,
		View: b.View, CAM: s.p.CanMap() == nil,
		Limits: limits{MaxImages: s.opt.MaxImages, MaxBytes: s.opt.MaxBytes, MaxPixels: s.opt.MaxPixels, MaxRequestPixels: s.opt.MaxRequestPixels}}
	for j, t := range rules.Thresholds() {
		if j < len(b.Labels) {
			info.Thresholds[b.Labels[j]] = t
		}
	}
	if b.Metrics != nil {
		info.Metrics = b.Metrics
	}
	if s.p.Segmenter() {
		info.MaskColors = maskColors(b.Labels)
	}
	writeJSON(w, http.StatusOK, info)
}
