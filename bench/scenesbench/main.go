// Command scenesbench runs the steps of bench/scenes.sh, the large-scene
// benchmark, and of bench/scenesreal.sh: it splits a tags file by image,
// composes synthetic tiles or the chips of a tags file into scenes, writes large images
// to read tile by tile, measures a command's wall time and peak memory,
// and tabulates each route's scores on the test scenes.
//
//	scenesbench compose -out DIR -scenes N -grid 4 -chip 64 -seed S [-masks]
//	scenesbench compose -out DIR -scenes N -grid 4 -chip 256 -seed S -chips tags.csv -images DIR [-masks]
//	scenesbench split -csv tags.csv -train 0.75 -seed S -out DIR
//	scenesbench big -out scene.tif -w 10000 -h 10000 -bands 4 -from DIR/images/scene_00000.png
//	scenesbench measure -name NAME -stdout FILE -log timings.tsv -- COMMAND ARGS...
//	scenesbench table -model M.mlb [-segmenter S.mlb] -truth DIR/tags.csv -dir D -log timings.tsv -row 'title=NAME:whole' ...
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"mlabel/bundle"
	"mlabel/dataset"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/imageio/imagetest"
	"mlabel/masks"
	"mlabel/metrics"
	"mlabel/synth"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: scenesbench compose|big|measure|table|split [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "compose":
		err = compose(os.Args[2:])
	case "big":
		err = big(os.Args[2:])
	case "measure":
		err = measure(os.Args[2:])
	case "table":
		err = table(os.Args[2:])
	case "split":
		err = split(os.Args[2:])
	default:
		err = fmt.Errorf("unknown step %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scenesbench:", err)
		os.Exit(1)
	}
}

// compose lays chips out as grid×grid scenes, each tagged with the union
// of its chips' tags: DIR/images/scene_00000.png and on, DIR/tags.csv, and
// DIR/tiles.csv, each scene's chip at each place (k = row×grid + column).
// Without -chips it generates scenes×distinct synthetic tiles; with
// -chips CSV (and -images DIR) the chips are those of the tags file, a
// scene's distinct chips drawn at random with replacement, and scaled to
// -chip px when they are not that size. In each scene the first of its
// distinct chips fills every place but distinct-1 random ones, which the
// others take, so that some labels cover a small part of the scene, as a
// field or a road does in a drone photo. With -masks the scenes' masks are written too, one
// binary PNG per tag: DIR/masks/scene_00000/<label>.png, composed from the
// synthetic tiles' masks, or for chips of a tags file made of whole tiles
// (each tag of a chip covers all of its place).
func compose(args []string) error {
	fs := flag.NewFlagSet("compose", flag.ExitOnError)
	out := fs.String("out", "", "output folder")
	scenes := fs.Int("scenes", 100, "scenes to compose")
	grid := fs.Int("grid", 4, "tiles per scene side")
	chip := fs.Int("chip", 64, "tile side in pixels")
	seed := fs.Uint64("seed", 1, "generator seed")
	distinct := fs.Int("distinct", 3, "distinct tiles or chips per scene")
	chipsCSV := fs.String("chips", "", "tags file of the chips to compose (default: synthetic tiles)")
	chipImages := fs.String("images", "", "folder of the chips of -chips")
	withMasks := fs.Bool("masks", false, "also compose the scenes' masks")
	fs.Parse(args)
	g, c, d := *grid, *chip, *distinct
	if *out == "" || *scenes < 1 || g < 1 || c < 1 || d < 1 || d > g*g {
		return errors.New("compose: need -out, -scenes ≥ 1, -grid ≥ 1, -chip ≥ 1 and -distinct in 1..grid²")
	}
	rng := rand.New(rand.NewPCG(*seed, 7))
	var (
		ds        *dataset.Dataset
		chipMasks *masks.Set
		err       error
	)
	chips := filepath.Join(*out, "chips")
	if *chipsCSV != "" {
		ds, err = dataset.Load(dataset.Options{CSV: *chipsCSV, Images: *chipImages})
	} else {
		ds, chipMasks, err = synthChips(chips, *scenes*d, c, *seed, *withMasks)
	}
	if err != nil {
		return err
	}
	if len(ds.Items) == 0 {
		return fmt.Errorf("compose: %s holds no chips", *chipsCSV)
	}
	// layout gives the chip at each place of scene s.
	layout := func(s int) []int {
		// The scene's distinct chips: synthetic tiles s·d to s·d+d-1, or d
		// chips of the tags file drawn at random with replacement.
		pick := make([]int, d)
		for i := range pick {
			pick[i] = s*d + i
			if *chipsCSV != "" {
				pick[i] = rng.IntN(len(ds.Items))
			}
		}
		place := make([]int, g*g)
		for i, k := range rng.Perm(g * g)[:d-1] {
			place[k] = i + 1
		}
		for k := range place {
			place[k] = pick[place[k]]
		}
		return place
	}
	imgDir := filepath.Join(*out, "images")
	if err := os.MkdirAll(imgDir, 0o755); err != nil {
		return err
	}
	tagsFile, err := os.Create(filepath.Join(*out, "tags.csv"))
	if err != nil {
		return err
	}
	defer tagsFile.Close()
	tilesFile, err := os.Create(filepath.Join(*out, "tiles.csv"))
	if err != nil {
		return err
	}
	defer tilesFile.Close()
	w, tw := bufio.NewWriter(tagsFile), bufio.NewWriter(tilesFile)
	fmt.Fprintln(w, "image_name,tags")
	fmt.Fprintln(tw, "image_name,place,chip")
	for s := 0; s < *scenes; s++ {
		scene := image.NewRGBA(image.Rect(0, 0, g*c, g*c))
		name := fmt.Sprintf("scene_%05d", s)
		tags := map[int]bool{}
		// on[l] holds label l's pixels of the scene, with -masks.
		var on [][]bool
		for k, i := range layout(s) {
			it := ds.Items[i]
			img, err := imageio.DecodeFile(it.Path, 0)
			if err != nil {
				return err
			}
			at := image.Pt(k%g*c, k/g*c)
			place := image.Rectangle{Min: at, Max: at.Add(image.Pt(c, c))}
			if b := img.Bounds(); b.Dx() == c && b.Dy() == c {
				draw.Draw(scene, place, img, b.Min, draw.Src)
			} else {
				drawScaled(scene, place, img)
			}
			for _, l := range it.Pos {
				tags[l] = true
			}
			fmt.Fprintf(tw, "%s,%d,%s\n", name, k, it.Name)
			switch {
			case !*withMasks:
			case chipMasks != nil:
				if on, err = placeMask(on, chipMasks, it.Name, ds.Labels, at, g*c, c); err != nil {
					return err
				}
			default:
				on = fillPlace(on, it.Pos, len(ds.Labels), place, g*c)
			}
		}
		if err := writePNG(filepath.Join(imgDir, name+".png"), scene); err != nil {
			return err
		}
		var names []string
		for l := range ds.Labels {
			if !tags[l] {
				continue
			}
			names = append(names, ds.Labels[l])
			if on != nil {
				if err := masks.WriteBinary(filepath.Join(*out, synth.MasksDir), name, ds.Labels[l], g*c, g*c, on[l]); err != nil {
					return err
				}
			}
		}
		fmt.Fprintf(w, "%s,%s\n", name, strings.Join(names, " "))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return os.RemoveAll(chips)
}

// synthChips generates n synthetic side×side tiles (with their masks when
// withMasks) into dir and loads them.
func synthChips(dir string, n, side int, seed uint64, withMasks bool) (*dataset.Dataset, *masks.Set, error) {
	csvPath, err := synth.Generate(synth.Options{Dir: dir, Count: n, Size: side, Seed: seed, Masks: withMasks})
	if err != nil {
		return nil, nil, err
	}
	ds, err := dataset.Load(dataset.Options{CSV: csvPath, Images: filepath.Join(dir, synth.ImagesDir), Labels: synth.Labels()})
	if err != nil || !withMasks {
		return ds, nil, err
	}
	set, err := masks.Open(filepath.Join(dir, synth.MasksDir))
	return ds, set, err
}

// drawScaled draws src into r of dst, scaled by nearest neighbour.
func drawScaled(dst *image.RGBA, r image.Rectangle, src image.Image) {
	b := src.Bounds()
	for y := 0; y < r.Dy(); y++ {
		for x := 0; x < r.Dx(); x++ {
			dst.Set(r.Min.X+x, r.Min.Y+y, src.At(b.Min.X+x*b.Dx()/r.Dx(), b.Min.Y+y*b.Dy()/r.Dy()))
		}
	}
}

// fillPlace sets the pixels of r, in a side×side scene, of each label in
// pos in on (one slice of the scene's pixels per label of nl, allocated
// when nil), and returns it: a tile-level mask.
func fillPlace(on [][]bool, pos []int, nl int, r image.Rectangle, side int) [][]bool {
	if on == nil {
		on = make([][]bool, nl)
		for l := range on {
			on[l] = make([]bool, side*side)
		}
	}
	for _, l := range pos {
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				on[l][y*side+x] = true
			}
		}
	}
	return on
}

// placeMask adds the mask of the chip named name, placed at at in a
// side×side scene, to on (one slice of the scene's pixels per label,
// allocated when nil) and returns it.
func placeMask(on [][]bool, set *masks.Set, name string, labels []string, at image.Point, side, chip int) ([][]bool, error) {
	m, err := set.Load(name, labels)
	if err != nil {
		return nil, err
	}
	if m.W != chip || m.H != chip {
		return nil, fmt.Errorf("mask of %s is %d×%d, the chip %d×%d", name, m.W, m.H, chip, chip)
	}
	if on == nil {
		on = make([][]bool, len(labels))
		for l := range on {
			on[l] = make([]bool, side*side)
		}
	}
	nl := len(labels)
	for y := range chip {
		for x := range chip {
			for l := range nl {
				if m.Data[(y*chip+x)*nl+l] == masks.Present {
					on[l][(at.Y+y)*side+at.X+x] = true
				}
			}
		}
	}
	return on, nil
}

func writePNG(path string, img image.Image) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// big writes a large image made of a scene scaled up (nearest neighbour):
// a TIFF of 8-bit bands (band 4 and above repeat green, as near-infrared
// stand-ins) written a row at a time, or a JPEG.
func big(args []string) error {
	fs := flag.NewFlagSet("big", flag.ExitOnError)
	out := fs.String("out", "", "output file, .tif or .jpg")
	w := fs.Int("w", 10000, "width")
	h := fs.Int("h", 10000, "height")
	bands := fs.Int("bands", 4, "bands of a TIFF")
	from := fs.String("from", "", "scene to scale up")
	fs.Parse(args)
	src, err := imageio.DecodeFile(*from, 0)
	if err != nil {
		return err
	}
	rgba := image.NewRGBA(src.Bounds())
	draw.Draw(rgba, rgba.Rect, src, src.Bounds().Min, draw.Src)
	sw, sh := rgba.Rect.Dx(), rgba.Rect.Dy()
	// at is channel c (0..2) of the scene scaled to w×h.
	at := func(x, y, c int) uint8 {
		return rgba.Pix[rgba.PixOffset(x*sw / *w, y*sh / *h)+c]
	}
	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	defer f.Close()
	if strings.HasSuffix(*out, ".jpg") {
		img := image.NewRGBA(image.Rect(0, 0, *w, *h))
		for y := 0; y < *h; y++ {
			for x := 0; x < *w; x++ {
				i := img.PixOffset(x, y)
				for c := 0; c < 3; c++ {
					img.Pix[i+c] = at(x, y, c)
				}
				img.Pix[i+3] = 255
			}
		}
		return jpeg.Encode(f, img, &jpeg.Options{Quality: 90})
	}
	band := func(x, y, b int) uint8 {
		if b >= 3 {
			b = 1
		}
		return at(x, y, b)
	}
	return imagetest.WriteTIFF(f, *w, *h, *bands, 16, band)
}

// measure runs a command, writes its stdout to a file and appends its name,
// wall time in seconds and peak resident memory in MiB to a log.
func measure(args []string) error {
	fs := flag.NewFlagSet("measure", flag.ExitOnError)
	name := fs.String("name", "", "what is measured")
	stdout := fs.String("stdout", "", "file for the command's output")
	logPath := fs.String("log", "", "timings log to append to")
	fs.Parse(args)
	cmdArgs := fs.Args()
	if *name == "" || len(cmdArgs) == 0 {
		return errors.New("measure: need -name and a command")
	}
	cmd := exec.Command(cmdArgs[0], cmdArgs[1:]...)
	cmd.Stderr = os.Stderr
	if *stdout != "" {
		f, err := os.Create(*stdout)
		if err != nil {
			return err
		}
		defer f.Close()
		cmd.Stdout = f
	}
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", strings.Join(cmdArgs, " "), err)
	}
	wall := time.Since(start).Seconds()
	rss := float64(cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss) / 1024 // Linux reports KiB
	line := fmt.Sprintf("%s\t%.3f\t%.1f\n", *name, wall, rss)
	fmt.Fprintf(os.Stderr, "%s: %.1f s, peak RSS %.0f MiB\n", *name, wall, rss)
	if *logPath == "" {
		return nil
	}
	f, err := os.OpenFile(*logPath, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString(line)
	return err
}

// table prints, for each row "title=NAME:RULE", the samples-F2 and macro
// mAP of the scores in DIR/NAME.csv decided by RULE (whole: the bundle's
// whole-image thresholds; tiles: its tiled ones; area: the segmenter's
// area thresholds; areatiles: its tiled ones; area:PATH: those of the
// segmenter at PATH), with NAME's
// ms per scene and peak RSS from the timings log.
func table(args []string) error {
	fs := flag.NewFlagSet("table", flag.ExitOnError)
	model := fs.String("model", "", "classifier bundle")
	segModel := fs.String("segmenter", "", "segmenter bundle, for the rows of rule area")
	truth := fs.String("truth", "", "tags CSV of the test scenes")
	dir := fs.String("dir", "", "folder of the scores files NAME.csv")
	logPath := fs.String("log", "", "timings log")
	var rows []string
	fs.Func("row", "title=NAME:RULE, in order", func(s string) error { rows = append(rows, s); return nil })
	fs.Parse(args)
	b, err := bundle.Load(*model)
	if err != nil {
		return err
	}
	var seg *bundle.Bundle
	if *segModel != "" {
		if seg, err = bundle.Load(*segModel); err != nil {
			return err
		}
	}
	timings, err := readTimings(*logPath)
	if err != nil {
		return err
	}
	fmt.Println("| route | samples-F2 | mAP | ms per scene | peak RSS (MiB) |")
	fmt.Println("|---|---|---|---|---|")
	for _, row := range rows {
		title, spec, ok := strings.Cut(row, "=")
		name, rule, ok2 := strings.Cut(spec, ":")
		if !ok || !ok2 {
			return fmt.Errorf("row %q: want title=NAME:RULE", row)
		}
		set, err := metrics.LoadFiles(dataset.Options{CSV: *truth}, filepath.Join(*dir, name+".csv"))
		if err != nil {
			return err
		}
		var rules *decide.Rules
		want := b.Labels // the labels of the model whose rule decides
		switch rule {
		case "whole":
			rules = b.Rules
		case "tiles":
			t := b.Tiles
			if t == nil {
				return fmt.Errorf("row %q: the model has no tiled thresholds", row)
			}
			rules = t.Rules
		case "area":
			if seg == nil {
				return fmt.Errorf("row %q: no -segmenter given", row)
			}
			rules, want = seg.Rules, seg.Labels
		case "areatiles":
			var t *decide.Tiled
			if seg != nil {
				t = seg.Tiles
			}
			if t == nil {
				return fmt.Errorf("row %q: no -segmenter with tiled thresholds given", row)
			}
			rules, want = t.Rules, seg.Labels
		case "area:" + strings.TrimPrefix(rule, "area:"):
			// Another segmenter's area thresholds: area:PATH.
			other, err := bundle.Load(strings.TrimPrefix(rule, "area:"))
			if err != nil {
				return fmt.Errorf("row %q: %w", row, err)
			}
			rules, want = other.Rules, other.Labels
		default:
			return fmt.Errorf("row %q: rule %q is not whole, tiles or area", row, rule)
		}
		if !slices.Equal(set.Labels, want) {
			return fmt.Errorf("row %q: scores of labels %v, the model has %v", row, set.Labels, want)
		}
		sum, err := metrics.Summarize(set.Labels, set.Truth, set.Scores, set.Mask, rules.Thresholds())
		if err != nil {
			return err
		}
		mAP := "n/a"
		if sum.MAPMacro != nil {
			mAP = fmt.Sprintf("%.3f", *sum.MAPMacro)
		}
		t := timings[name]
		fmt.Printf("| %s | %.3f | %s | %.1f | %.0f |\n", title, sum.F2Samples, mAP, 1000*t[0]/float64(set.Len()), t[1])
	}
	return nil
}

// readTimings reads measure's log: name → (seconds, MiB), the last entry
// of a name winning.
func readTimings(path string) (map[string][2]float64, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string][2]float64{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Split(line, "\t")
		if len(f) != 3 {
			continue
		}
		s, err1 := strconv.ParseFloat(f[1], 64)
		m, err2 := strconv.ParseFloat(f[2], 64)
		if err1 != nil || err2 != nil {
			return nil, fmt.Errorf("%s: bad line %q", path, line)
		}
		out[f[0]] = [2]float64{s, m}
	}
	return out, nil
}

// split shuffles the rows of a tags file (header kept) by seed and writes
// the first fraction -train of them to DIR/train.csv, the others to
// DIR/test.csv.
func split(args []string) error {
	fs := flag.NewFlagSet("split", flag.ExitOnError)
	in := fs.String("csv", "", "tags file with a header row")
	frac := fs.Float64("train", 0.75, "fraction of the rows for training")
	seed := fs.Uint64("seed", 1, "shuffle seed")
	out := fs.String("out", "", "output folder")
	fs.Parse(args)
	if *in == "" || *out == "" || !(*frac > 0 && *frac < 1) {
		return errors.New("split: need -csv, -out and -train in (0, 1)")
	}
	data, err := os.ReadFile(*in)
	if err != nil {
		return err
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) < 3 {
		return fmt.Errorf("split: %s has fewer than 2 rows", *in)
	}
	header, rows := lines[0], lines[1:]
	rng := rand.New(rand.NewPCG(*seed, 11))
	rng.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	n := min(max(int(*frac*float64(len(rows))+0.5), 1), len(rows)-1)
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	for name, part := range map[string][]string{"train.csv": rows[:n], "test.csv": rows[n:]} {
		text := header + "\n" + strings.Join(part, "\n") + "\n"
		if err := os.WriteFile(filepath.Join(*out, name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}
