package serve

import (
	"net/http"
)

func (s *server) predict(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodPost) {
		return
	}
	body := s.holdBody(w, r)
	defer body.release()
	ups, err := s.readUploads(r)
	if err != nil {
		fail(w, err)
		return
	}
	if !s.enter(w) {
		return
	}
	defer s.leave()
	pre := s.p.Preprocess()
	names := make([]string, len(ups))
	xs := make([][]float32, len(ups))
	err = s.decodeEach(r.Context(), ups, func(i int, pix []uint8) {
		names[i], xs[i] = ups[i].name, pre.Normalized(pix)
	})
	if err != nil {
		fail(w, err)
		return
	}
	preds, err := s.p.Inputs(names, xs)
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"predictions": preds})
}
