package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/paulmach/orb/geojson"
	"github.com/spf13/cobra"

	"mlabel/bundle"
	"mlabel/geo"
	"mlabel/imageio"
	"mlabel/masks"
	"mlabel/metrics"
	"mlabel/predict"
	"mlabel/workflow"
)

// segmentFlags are predict's flags for a segmenter.
type segmentFlags struct {
	masksOut string
	gsd      float64
}

func (s *segmentFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&s.masksOut, "masks-out", "", "with a segmenter: write each image's mask into DIR, a georeferenced image's as a GeoTIFF with its georeferencing (for QGIS), any other's as a colour PNG (DIR/legend.txt names the colours' labels)")
	c.Flags().Float64Var(&s.gsd, "gsd", 0, "with a segmenter: the ground sample distance in metres per pixel, to give each label's area in m² and hectares (a georeferenced image's come from its own pixel size without it)")
}

// set reports whether a segmenter's flag was given.
func (s *segmentFlags) set(c *cobra.Command) bool {
	return c.Flags().Changed("masks-out") || c.Flags().Changed("gsd")
}

// segmentJSON is one image of predict's JSON output for a segmenter.
type segmentJSON struct {
	predict.Prediction
	Area map[string]predict.Area `json:"area"`
}

// runSegmentPredict predicts image files with a segmenter: the labels
// whose area fraction passes its threshold, each label's area, and with
// --masks-out the masks.
func runSegmentPredict(c *cobra.Command, p *predict.Predictor, files []string, format, tagSep string, o predict.BatchOptions, skipBad bool, sf segmentFlags) error {
	b := p.Bundle()
	if b.Kind != bundle.KindSegmenter {
		return usagef("--masks-out and --gsd need a segmenter (a model trained with --masks); this bundle is a %s", b.Kind)
	}
	if sf.gsd < 0 {
		return usagef("--gsd must be positive, got %g", sf.gsd)
	}
	if o.Tiles > 0 {
		if err := (imageio.Grid{N: o.Tiles, Overlap: o.Overlap}).Check(); err != nil {
			return usagef("--tiles and --tile-overlap: %s", strings.TrimPrefix(err.Error(), "imageio: "))
		}
	}
	segs, fails, err := p.Segment(context.Background(), files, o)
	if err != nil {
		return err
	}
	if sf.masksOut != "" {
		if err := writeMasks(sf.masksOut, b.Labels, segs); err != nil {
			return err
		}
	}
	preds := make([]predict.Prediction, len(segs))
	for i, s := range segs {
		preds[i] = s.Prediction
	}
	switch format {
	case "json":
		out := make([]segmentJSON, len(segs))
		for i, s := range segs {
			out[i] = segmentJSON{Prediction: s.Prediction, Area: s.LabelAreas(b.Labels, sf.gsd)}
		}
		err = json.NewEncoder(c.OutOrStdout()).Encode(out)
	case "table":
		err = writeSegmentTable(c.OutOrStdout(), segs, b.Labels, sf.gsd)
	case "geojson":
		var fc *geojson.FeatureCollection
		if fc, err = predict.SegmentCollection(segs, b.Labels, nil, predict.SegmentTolerance); err == nil {
			err = writeMap(c, fc, "")
		}
	default:
		err = writePredictions(c.OutOrStdout(), preds, b.Labels, format, tagSep)
	}
	if err != nil {
		return err
	}
	if sf.masksOut != "" {
		fmt.Fprintf(c.ErrOrStderr(), "wrote %d masks and %s\n", len(segs), filepath.Join(sf.masksOut, masks.LegendName))
	}
	return reportSkipped(c.ErrOrStderr(), fails, len(files), skipBad)
}

// writeSegmentTable prints each image's labels with their area
// fractions and thresholds, and hectares with a ground sample distance.
func writeSegmentTable(w io.Writer, segs []predict.Segmented, labels []string, gsd float64) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "image\tlabels (area fraction ≥ threshold)")
	for _, s := range segs {
		a := s.LabelAreas(labels, gsd)
		parts := make([]string, len(s.Labels))
		for i, l := range s.Labels {
			parts[i] = fmt.Sprintf("%s %.1f%%≥%.1f%%", l.Label, 100*l.Score, 100*l.Threshold)
			if ha := a[l.Label].Hectare; ha != nil {
				parts[i] += fmt.Sprintf(" (%.3g ha)", *ha)
			}
		}
		if len(parts) == 0 {
			parts = []string{"(none)"}
		}
		fmt.Fprintf(tw, "%s\t%s\n", s.Image, strings.Join(parts, ", "))
	}
	return tw.Flush()
}

// maxMaskPixels bounds the masks --masks-out writes: a mask of an image
// with more pixels is written at the image's size reduced by the smallest
// whole factor that fits.
const maxMaskPixels = 1 << 24

// writeMasks writes each image's mask into dir at the image's size
// (nearest-neighbour; pixels the network did not see are unlabelled; an
// image over maxMaskPixels reduced to fit) named after the image, and the
// legend: a georeferenced image's as a GeoTIFF with its georeferencing,
// any other's as a colour PNG.
func writeMasks(dir string, labels []string, segs []predict.Segmented) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	seen := map[string]string{}
	for _, s := range segs {
		k := masks.Key(s.Image)
		if other, dup := seen[k]; dup {
			return fmt.Errorf("--masks-out: %s and %s would both write %s.png", other, s.Image, k)
		}
		seen[k] = s.Image
	}
	if err := masks.WriteLegend(dir, labels); err != nil {
		return err
	}
	for _, s := range segs {
		w, h, f := masks.ReducedSize(s.Bounds.Dx(), s.Bounds.Dy(), maxMaskPixels)
		full := masks.Embed(s.Class, s.W, s.H, s.Seen, s.Bounds, w, h, f)
		if ref, err := geo.ReadFileFor(s.Image, s.Bounds.Dx(), s.Bounds.Dy()); err == nil {
			out := filepath.Join(dir, masks.Key(s.Image)+".tif")
			if sameFile(out, s.Image) {
				return fmt.Errorf("--masks-out: %s's mask would replace it: write the masks to another folder", s.Image)
			}
			m := geo.ClassMap{W: w, H: h, Pix: full, Georef: ref.Reduced(f, w, h), Names: classNames(labels), Palette: masks.Palette(len(labels)), NoData: &ignore}
			if err := geo.WriteClassMap(out, m); err != nil {
				return err
			}
			continue
		}
		if err := masks.WriteIndexed(filepath.Join(dir, masks.Key(s.Image)+".png"), w, h, full, len(labels)); err != nil {
			return err
		}
	}
	return nil
}

// ignore is the class of a mask's pixels the network did not see.
var ignore = masks.Ignore

// classNames names a mask's classes for a GeoTIFF's metadata.
func classNames(labels []string) map[uint8]string {
	names := map[uint8]string{0: "no label", masks.Ignore: "not seen"}
	for j, l := range labels {
		names[uint8(j+1)] = l
	}
	return names
}

// pixelFigures are eval's pixel figures of a segmenter on a set with
// masks: the mean IoU and each label's (null where undefined), and what
// was scored.
type pixelFigures struct {
	MIoUMacro *float64            `json:"miou_macro"`
	IoU       map[string]*float64 `json:"iou"`
	Scored    string              `json:"pixels_scored"`
}

// evalMasks counts a segmenter's pixels against the masks in dir on the
// images of r that could be decoded, at the bundle's pixel thresholds: a
// segmenter at a fixed scale on every labelled pixel of each image at its
// own resolution, from its stitched windows; any other on its network
// input's pixels, the mask cropped and resized as the image is.
func evalMasks(ctx context.Context, r *labelled, dir string, batch int) (*pixelFigures, error) {
	if r.b.Kind != bundle.KindSegmenter {
		return nil, usagef("--masks needs a segmenter (a model trained with --masks); this bundle is a %s", r.b.Kind)
	}
	set, err := masks.Open(dir)
	if err != nil {
		return nil, err
	}
	ds := r.ds.Subset(r.set.Index)
	th := r.b.Segment.Thresholds(len(r.b.Labels))
	var iou *metrics.IoU
	var scored string
	if _, f, ok := r.p.Windows(); ok {
		if iou, err = workflow.ScoreMasks(ctx, r.p, ds, set, imageio.Grid{N: 1}, imageio.SourceOptions{}); err != nil {
			return nil, err
		}
		scored = fmt.Sprintf("every labelled pixel at the image's resolution, from %d×%d windows of the image reduced by %d", r.b.Preprocess.Size, r.b.Preprocess.Size, f)
	} else {
		m, err := r.b.InferenceModel()
		if err != nil {
			return nil, err
		}
		if _, iou, err = workflow.PredictMasks(ctx, m, ds, r.b.Preprocess, set, batch, 0, th); err != nil {
			return nil, err
		}
		scored = fmt.Sprintf("the labelled pixels of each image as the network sees it (%s to %d×%d, the mask alike)", r.b.Preprocess.Mode, r.b.Preprocess.Size, r.b.Preprocess.Size)
	}
	sg := metrics.NewSegmentation(iou, r.b.Labels, r.b.Segment.PixelThreshold)
	px := &pixelFigures{MIoUMacro: metrics.Optional(sg.MIoU), IoU: map[string]*float64{}, Scored: scored}
	for j, l := range r.b.Labels {
		px.IoU[l] = metrics.Optional(sg.IoU[j])
	}
	return px, nil
}

// write prints the pixel figures under eval's table.
func (px *pixelFigures) write(w io.Writer, labels []string) {
	fmt.Fprintf(w, "pixel IoU (%s): miou_macro %s\n", px.Scored, metrics.FormatOptional(px.MIoUMacro))
	for _, l := range labels {
		fmt.Fprintf(w, "  %-20s %s\n", l, metrics.FormatOptional(px.IoU[l]))
	}
}
