package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"mlabel/predict"
	"mlabel/serve"
)

func init() { commands = append(commands, newServeCmd) }

// serveOptions are the flags of the serve command.
type serveOptions struct {
	model, addr string
	opt         serve.Options
	timeouts    serve.Timeouts
	tta         bool
}

func newServeCmd() *cobra.Command {
	o := &serveOptions{}
	c := &cobra.Command{
		Use:   "serve --model MODEL.mlb [--addr 127.0.0.1:8080]",
		Short: "Serve a model over HTTP: a web page to try images, and a JSON API",
		Long: `Serve offers a classifier over HTTP. Open the address in a browser to drop
images and see their labels, probabilities and thresholds. The API:

  GET  /api/model     labels, thresholds, preprocessing, held-out metrics
  POST /api/predict   images as multipart files in the field "image", or one
                      image as the raw body; answers {"predictions": [...]}
  POST /api/cam       one image, sent the same way, with ?label=L: its
                      class-activation heat map for L as a PNG

The default address serves this machine only; --addr 0.0.0.0:8080 serves the
local network, to anyone who can reach the port, without a login or TLS.

Bad requests get a 4xx status and {"error": "..."}. A request whose images
declare more pixels than the budgets allow is refused (413) before any is
decoded; beyond --max-requests requests at once the answer is 503 with a
Retry-After header.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error { return runServe(c, o) },
	}
	c.Flags().StringVar(&o.model, "model", "", "classifier bundle")
	c.Flags().StringVar(&o.addr, "addr", "127.0.0.1:8080", "address to listen on")
	c.Flags().BoolVar(&o.tta, "tta", false, ttaUsage)
	c.Flags().Int64Var(&o.opt.MaxBytes, "max-bytes", 32<<20, "largest request body")
	c.Flags().IntVar(&o.opt.MaxImages, "max-images", 64, "most images in one request")
	c.Flags().Int64Var(&o.opt.MaxPixels, "max-pixels", 0, "largest width×height of an image (0: 64 megapixels)")
	c.Flags().Int64Var(&o.opt.MaxRequestPixels, "max-request-pixels", serve.DefaultRequestPixels, "most pixels, summed over the images of one request")
	c.Flags().Int64Var(&o.opt.MaxServerPixels, "max-server-pixels", serve.DefaultServerPixels, "most pixels being decoded at once across all requests (a decoded 16-bit image takes 8 bytes a pixel)")
	c.Flags().IntVar(&o.opt.MaxConcurrent, "max-requests", 16, "most prediction requests decoded and predicted at once, counted once their bodies are read; more get 503")
	c.Flags().Int64Var(&o.opt.MaxServerBytes, "max-server-bytes", 0, "most request body bytes read and held at once across all requests; more get 503 (0: --max-requests × --max-bytes)")
	d := serve.DefaultTimeouts
	c.Flags().DurationVar(&o.timeouts.ReadHeader, "read-header-timeout", d.ReadHeader, "longest time to read a request's headers")
	c.Flags().DurationVar(&o.timeouts.Read, "read-timeout", d.Read, "longest time to read a whole request: a client stalling mid-body is cut off")
	c.Flags().DurationVar(&o.timeouts.Write, "write-timeout", d.Write, "longest time from a request's headers to the end of its answer")
	c.Flags().DurationVar(&o.timeouts.Idle, "idle-timeout", d.Idle, "longest wait for the next request on a kept-alive connection")
	return c
}

// runServe runs the serve command.
func runServe(c *cobra.Command, o *serveOptions) error {
	if o.model == "" {
		return usagef("--model MODEL.mlb is required")
	}
	p, err := predict.Open(o.model)
	if err != nil {
		return err
	}
	p.SetTTA(o.tta)
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	srv := serve.NewServer(serve.Handler(p, o.opt), o.timeouts)
	fmt.Fprintf(c.OutOrStdout(), "serving %s on http://%s/\n", o.model, ln.Addr())
	if everyInterface(o.addr) {
		fmt.Fprintf(c.ErrOrStderr(), "note: listening on every interface: anyone who can reach this port can use the model, over plain HTTP\n")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// everyInterface reports whether a listen address takes connections on
// every network interface (no host, 0.0.0.0 or ::), not this machine only.
func everyInterface(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return host == "" || (ip != nil && ip.IsUnspecified())
}
