package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/paulmach/orb/geojson"
	"github.com/spf13/cobra"

	"mlabel/imageio"
	"mlabel/predict"
)

// runMapPredict prints a classifier's predictions of each image's tiles
// as a GeoJSON FeatureCollection, and notes the images placed in their
// pixels for want of georeferencing (predict has warned already when the
// model has no thresholds for the tiles).
func runMapPredict(c *cobra.Command, p *predict.Predictor, files []string, out string, o predict.BatchOptions, tta, skipBad bool) error {
	if o.Tiles > 0 {
		if err := (imageio.Grid{N: o.Tiles, Overlap: o.Overlap}).Check(); err != nil {
			return usagef("--tiles and --tile-overlap: %v", err)
		}
	}
	p.SetTTA(tta)
	fc, fails, err := p.MapFiles(context.Background(), files, predict.MapOptions{BatchOptions: o})
	if err != nil {
		return err
	}
	if err := writeMap(c, fc, out); err != nil {
		return err
	}
	return reportSkipped(c.ErrOrStderr(), fails, len(files), skipBad)
}

// writeMap prints a FeatureCollection, or writes it to the file out, and
// on stderr the note of each image placed in its pixels.
func writeMap(c *cobra.Command, fc *geojson.FeatureCollection, out string) error {
	noted := map[string]bool{}
	for _, f := range fc.Features {
		img, _ := f.Properties["image"].(string)
		if note, ok := f.Properties["note"].(string); ok && !noted[img] {
			noted[img] = true
			fmt.Fprintf(c.ErrOrStderr(), "mlabel: note: %s: %s\n", img, note)
		}
	}
	return writeOutput(c.OutOrStdout(), out, func(w io.Writer) error { return json.NewEncoder(w).Encode(fc) })
}
