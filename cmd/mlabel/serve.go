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

	"mlabel/bundle"
	"mlabel/predict"
	"mlabel/serve"
)

func init() { commands = append(commands, newServeCmd) }

func newServeCmd() *cobra.Command {
	var (
		model, addr string
		opt         serve.Options
	)
	c := &cobra.Command{
		Use:   "serve --model MODEL.mlb [--addr 127.0.0.1:8080]",
		Short: "Serve a model over HTTP: a web page to try images, and a JSON API",
		Long: `Serve offers a classifier over HTTP. Open the address in a browser to drop
images and see their labels, probabilities and thresholds. The API:

  GET  /api/model     labels, thresholds, preprocessing, held-out metrics
  POST /api/predict   images as multipart files in the field "image", or one
                      image as the raw body; answers {"predictions": [...]}

Bad requests get a 4xx status and {"error": "..."}.`,
		Args: wrapArgs(cobra.NoArgs),
		RunE: func(c *cobra.Command, args []string) error {
			if model == "" {
				return usagef("--model MODEL.mlb is required")
			}
			b, err := bundle.Load(model)
			if err != nil {
				return err
			}
			p, err := predict.New(b)
			if err != nil {
				return fmt.Errorf("%s: %w", model, err)
			}
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return err
			}
			srv := &http.Server{Handler: serve.Handler(p, opt), ReadHeaderTimeout: 10 * time.Second}
			fmt.Fprintf(c.OutOrStdout(), "serving %s on http://%s/\n", model, ln.Addr())
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
		},
	}
	c.Flags().StringVar(&model, "model", "", "classifier bundle")
	c.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	c.Flags().Int64Var(&opt.MaxBytes, "max-bytes", 32<<20, "largest request body")
	c.Flags().IntVar(&opt.MaxImages, "max-images", 64, "most images in one request")
	c.Flags().Int64Var(&opt.MaxPixels, "max-pixels", 0, "largest width×height of an image (0: 64 megapixels)")
	return c
}
