package serve

import (
	"fmt"
	"io"
	"net/http"
)

// enter takes one of the request slots, or answers 503 with Retry-After
// and returns false when all are taken. The caller calls s.leave. A
// request enters once its body is read.
func (s *server) enter(w http.ResponseWriter) bool {
	select {
	case s.slots <- struct{}{}:
		return true
	default:
		fail(w, &httpError{http.StatusServiceUnavailable, fmt.Sprintf("busy: %d requests are being handled, retry later", s.opt.MaxConcurrent)})
		return false
	}
}

func (s *server) leave() { <-s.slots }

// heldBody is a request body whose bytes, as they are read, are taken from
// the server's byte budget, within the per-request limit.
type heldBody struct {
	r    io.ReadCloser
	b    *budget
	max  int64
	held int64
}

// errBusyBytes is the answer to a body that would take the bytes held by
// all requests over the server's budget.
var errBusyBytes = &httpError{http.StatusServiceUnavailable, "busy: the server holds as many request bytes as it may, retry later"}

func (h *heldBody) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	if n > 0 {
		if !h.b.tryAcquire(int64(n)) {
			return 0, errBusyBytes
		}
		h.held += int64(n)
	}
	return n, err
}

func (h *heldBody) Close() error { return h.r.Close() }

// release gives the bytes read back to the budget; the request must hold
// none of them any more.
func (h *heldBody) release() {
	h.b.release(h.held)
	h.held = 0
}

// holdBody limits r's body to MaxBytes and counts its bytes against the
// server's byte budget; the caller releases them.
func (s *server) holdBody(w http.ResponseWriter, r *http.Request) *heldBody {
	h := &heldBody{r: http.MaxBytesReader(w, r.Body, s.opt.MaxBytes), b: s.bytes}
	r.Body = h
	return h
}
