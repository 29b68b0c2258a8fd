package dataset

import (
	"fmt"
	"path"
	"strings"
)

// Header says whether a CSV's first row is a header.
type Header int

// Header modes.
const (
	// HeaderAuto detects a header from the column names or, failing that,
	// from whether the first row names an existing image.
	HeaderAuto Header = iota
	// HeaderYes treats the first row as column names.
	HeaderYes
	// HeaderNo treats every row as data: image in the first column, tags in
	// the second.
	HeaderNo
)

// DefaultMaxLabels is the most labels a set may have unless
// Options.MaxLabels says otherwise.
const DefaultMaxLabels = 10000

// DefaultExtensions are tried, in order, for image names given without an
// extension.
var DefaultExtensions = []string{".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".bmp", ".gif",
	".JPG", ".JPEG", ".PNG", ".TIF", ".TIFF", ".WEBP", ".BMP", ".GIF"}

// Options says where a dataset is and how to read it. Set CSV (with Images)
// or Folders.
type Options struct {
	// CSV is the tags file, one row per image.
	CSV string
	// Images is the folder image names are relative to; the CSV's folder
	// when empty.
	Images string
	// Folders is the root of a folder-per-label dataset: Folders/<label>/<image>.
	Folders string

	// ImageColumn and TagsColumn name the CSV columns when there is a
	// header. When empty, common names are recognised (image, image_name,
	// file, filename, path, id; tags, labels, label), else the first and
	// second columns are used.
	ImageColumn, TagsColumn string
	// Comma is the field separator, ',' when zero.
	Comma rune
	// TagSep separates tags within the tags field; any whitespace when empty.
	TagSep string
	// Header says whether the first CSV row is a header.
	Header Header

	// Labels fixes the vocabulary and its order; a tag outside it is an
	// error. When empty the vocabulary is every tag used, sorted.
	Labels []string
	// MaxLabels bounds the vocabulary: a set of more labels is refused
	// (DefaultMaxLabels when 0).
	MaxLabels int
	// Extensions are tried for image names without one; DefaultExtensions
	// when nil.
	Extensions []string

	// TagsOnly reads a CSV's image names and tags without looking for the
	// images, for truth files scored elsewhere: no image need exist, each
	// Item's Path is its name as written, and HeaderAuto recognises a
	// header by its column names alone. It cannot be used with Folders.
	TagsOnly bool
}

func (o Options) validate() error {
	switch {
	case o.CSV == "" && o.Folders == "":
		return fmt.Errorf("dataset: give a tags CSV or a folder-per-label root")
	case o.CSV != "" && o.Folders != "":
		return fmt.Errorf("dataset: give either a tags CSV or a folder-per-label root, not both")
	case o.TagsOnly && o.Folders != "":
		return fmt.Errorf("dataset: a folder-per-label root cannot be read without its images")
	case o.Comma == '\n' || o.Comma == '\r' || o.Comma == '"':
		return fmt.Errorf("dataset: invalid CSV separator %q", o.Comma)
	}
	return nil
}

func (o Options) maxLabels() int {
	if o.MaxLabels > 0 {
		return o.MaxLabels
	}
	return DefaultMaxLabels
}

func (o Options) extensions() []string {
	if o.Extensions != nil {
		return o.Extensions
	}
	return DefaultExtensions
}

// splitTags splits a tags field into positive and unknown (?tag) tags.
func (o Options) splitTags(field string) (pos, unk []string) {
	var parts []string
	if o.TagSep == "" {
		parts = strings.Fields(field)
	} else {
		parts = strings.Split(field, o.TagSep)
	}
	for _, t := range parts {
		t = strings.TrimSpace(t)
		if u, ok := strings.CutPrefix(t, "?"); ok {
			if u = strings.TrimSpace(u); u != "" {
				unk = append(unk, u)
			}
			continue
		}
		if t != "" {
			pos = append(pos, t)
		}
	}
	return pos, unk
}

// ImageKey is the name an image is matched by when two lists name it
// differently: its base name (without folders) without an image extension
// from DefaultExtensions, so that photos/x.jpg, x.jpg and x match.
func ImageKey(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	ext := path.Ext(name)
	for _, e := range DefaultExtensions {
		if strings.EqualFold(ext, e) {
			return strings.TrimSuffix(name, ext)
		}
	}
	return name
}
