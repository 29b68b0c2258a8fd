package serve

import (
	"net/http"
	"time"
)

// Timeouts bound how long a connection may take. A client that stalls in
// the middle of a request is cut off after Read; an idle keep-alive
// connection is closed after Idle.
type Timeouts struct {
	// ReadHeader bounds reading a request's headers.
	ReadHeader time.Duration
	// Read bounds reading a whole request, body included.
	Read time.Duration
	// Write bounds the time from the end of the request headers to the end
	// of the response: reading the body, predicting and answering.
	Write time.Duration
	// Idle bounds the wait for the next request on a kept-alive connection.
	Idle time.Duration
}

// DefaultTimeouts are the timeouts of mlabel serve unless configured.
var DefaultTimeouts = Timeouts{ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: 2 * time.Minute, Idle: 2 * time.Minute}

// NewServer returns an HTTP server for h with the given timeouts; a zero
// timeout takes its value from DefaultTimeouts.
func NewServer(h http.Handler, t Timeouts) *http.Server {
	def := DefaultTimeouts
	pick := func(v, d time.Duration) time.Duration {
		if v > 0 {
			return v
		}
		return d
	}
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: pick(t.ReadHeader, def.ReadHeader),
		ReadTimeout:       pick(t.Read, def.Read),
		WriteTimeout:      pick(t.Write, def.Write),
		IdleTimeout:       pick(t.Idle, def.Idle),
	}
}
