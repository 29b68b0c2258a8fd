package main

import (
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"mlabel/dataset"
	"mlabel/workflow"
)

// csvFlags say how a tags CSV is read: its columns, separators and header.
// Every command that reads a tags CSV, for training or as truth, has them.
type csvFlags struct {
	imageCol, tagsCol   string
	sep, tagSep, header string
	maxLabels           int
}

func (f *csvFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.imageCol, "image-column", "", "CSV column holding the image name (default: image, image_name, file, ... or the first)")
	fs.StringVar(&f.tagsCol, "tags-column", "", "CSV column holding the tags (default: tags, labels, ... or the second)")
	fs.StringVar(&f.sep, "sep", ",", "CSV field separator (tab or \\t for a tab)")
	fs.StringVar(&f.tagSep, "tag-sep", "", "separator between tags (default: any whitespace)")
	fs.StringVar(&f.header, "header", "auto", "whether the CSV has a header row: auto, yes or no")
	fs.IntVar(&f.maxLabels, "max-labels", dataset.DefaultMaxLabels, "most labels a set may have; a set of more is refused")
}

// apply sets the CSV reading options of o from the flags.
func (f *csvFlags) apply(o *dataset.Options) error {
	o.ImageColumn, o.TagsColumn, o.TagSep, o.MaxLabels = f.imageCol, f.tagsCol, f.tagSep, f.maxLabels
	sep := f.sep
	if sep == `\t` || sep == "tab" {
		sep = "\t"
	}
	r, n := utf8.DecodeRuneInString(sep)
	if n != len(sep) || r == utf8.RuneError {
		return usagef("--sep must be one character, got %q", f.sep)
	}
	o.Comma = r
	switch f.header {
	case "auto":
		o.Header = dataset.HeaderAuto
	case "yes":
		o.Header = dataset.HeaderYes
	case "no":
		o.Header = dataset.HeaderNo
	default:
		return usagef("--header must be auto, yes or no, got %q", f.header)
	}
	return nil
}

// truth returns the options that read the truth CSV at path.
func (f *csvFlags) truth(path string) (dataset.Options, error) {
	o := dataset.Options{CSV: path}
	return o, f.apply(&o)
}

// dataFlags are the flags of every command that reads a labelled set:
// --csv FILE --images DIR, or --folders DIR for a folder per label.
type dataFlags struct {
	csvFlags
	csv, images, folders string
	labels               string
}

func (d *dataFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&d.csv, "csv", "", "tags CSV: image,tags (tags separated by spaces; ?tag marks an unknown label)")
	fs.StringVar(&d.images, "images", "", "folder the CSV's image names are relative to (default: the CSV's folder)")
	fs.StringVar(&d.folders, "folders", "", "dataset root with one folder per label, instead of --csv")
	d.csvFlags.register(fs)
	fs.StringVar(&d.labels, "labels", "", "fix the label vocabulary and its order: a file with one label per line, or a comma-separated list")
}

// defaultToTestSplit sets --csv, when no data flag (--csv, --images,
// --folders) was given, to the test split a training run wrote beside
// model, if there is one, and says so on w. Its image names are relative
// to its own folder.
func (d *dataFlags) defaultToTestSplit(model string, w io.Writer) {
	if d.csv != "" || d.images != "" || d.folders != "" {
		return
	}
	p := workflow.TestCSVPath(model)
	if st, err := os.Stat(p); err != nil || st.IsDir() {
		return
	}
	d.csv = p
	fmt.Fprintf(w, "scoring the test split written beside the model: %s\n", p)
}

// options converts the flags into dataset options; fixed, when not nil,
// overrides --labels (a model's vocabulary at eval time).
func (d *dataFlags) options(fixed []string) (dataset.Options, error) {
	var o dataset.Options
	switch {
	case d.csv == "" && d.folders == "":
		return o, usagef("give --csv FILE (with --images DIR) or --folders DIR")
	case d.csv != "" && d.folders != "":
		return o, usagef("give either --csv or --folders, not both")
	}
	o.CSV, o.Images, o.Folders = d.csv, d.images, d.folders
	if err := d.csvFlags.apply(&o); err != nil {
		return o, err
	}
	o.Labels = fixed
	if fixed == nil && d.labels != "" {
		l, err := dataset.ParseLabels(d.labels)
		if err != nil {
			return o, fmt.Errorf("--labels: %w", err)
		}
		o.Labels = l
	}
	return o, nil
}

// load reads the dataset the flags describe.
func (d *dataFlags) load(fixed []string) (*dataset.Dataset, error) {
	o, err := d.options(fixed)
	if err != nil {
		return nil, err
	}
	return dataset.Load(o)
}
