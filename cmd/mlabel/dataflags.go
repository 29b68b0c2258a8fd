package main

import (
	"fmt"
	"unicode/utf8"

	"github.com/spf13/pflag"

	"mlabel/dataset"
)

// dataFlags are the flags of every command that reads a labelled set:
// --csv FILE --images DIR, or --folders DIR for a folder per label.
type dataFlags struct {
	csv, images, folders string
	imageCol, tagsCol    string
	sep, tagSep, header  string
	labels               string
}

func (d *dataFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&d.csv, "csv", "", "tags CSV: image,tags (tags separated by spaces; ?tag marks an unknown label)")
	fs.StringVar(&d.images, "images", "", "folder the CSV's image names are relative to (default: the CSV's folder)")
	fs.StringVar(&d.folders, "folders", "", "dataset root with one folder per label, instead of --csv")
	fs.StringVar(&d.imageCol, "image-column", "", "CSV column holding the image name (default: image, image_name, file, ... or the first)")
	fs.StringVar(&d.tagsCol, "tags-column", "", "CSV column holding the tags (default: tags, labels, ... or the second)")
	fs.StringVar(&d.sep, "sep", ",", "CSV field separator")
	fs.StringVar(&d.tagSep, "tag-sep", "", "separator between tags (default: any whitespace)")
	fs.StringVar(&d.header, "header", "auto", "whether the CSV has a header row: auto, yes or no")
	fs.StringVar(&d.labels, "labels", "", "fix the label vocabulary and its order: a file with one label per line, or a comma-separated list")
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
	o.ImageColumn, o.TagsColumn, o.TagSep = d.imageCol, d.tagsCol, d.tagSep
	r, n := utf8.DecodeRuneInString(d.sep)
	if n != len(d.sep) || r == utf8.RuneError {
		return o, usagef("--sep must be one character, got %q", d.sep)
	}
	o.Comma = r
	switch d.header {
	case "auto":
		o.Header = dataset.HeaderAuto
	case "yes":
		o.Header = dataset.HeaderYes
	case "no":
		o.Header = dataset.HeaderNo
	default:
		return o, usagef("--header must be auto, yes or no, got %q", d.header)
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
