package masks

import (
	"fmt"
	"slices"
	"sort"
)

// Problem is one bad or missing mask, by file. A warning does not stop
// training; an error does.
type Problem struct {
	File    string
	Warning bool
	Message string
}

// String formats the problem as "file: error: message".
func (p Problem) String() string {
	sev := "error"
	if p.Warning {
		sev = "warning"
	}
	return p.File + ": " + sev + ": " + p.Message
}

// CheckOptions says what Check compares a mask with.
type CheckOptions struct {
	// Labels is the vocabulary; a label a mask uses outside it is an error.
	Labels []string
	// Size, when not nil, returns an image's width and height; a mask of
	// another size is an error.
	Size func(image string) (w, h int, err error)
	// Tags, when not nil, returns an image's tags and whether it has any;
	// a tag without a pixel, or a label with pixels but no tag, is a
	// warning.
	Tags func(image string) ([]string, bool)
}

// Check reads the mask of every image and names each file that is
// missing, undecodable, of another size than its image or holds a value
// its layout does not define, and each label the masks use outside the
// vocabulary.
func (s *Set) Check(images []string, o CheckOptions) []Problem {
	var out []Problem
	for _, im := range images {
		if !s.Has(im) {
			out = append(out, Problem{File: s.Path(im), Message: fmt.Sprintf("no mask for image %s", im)})
			continue
		}
		m, err := s.Load(im, o.Labels)
		if err != nil {
			out = append(out, Problem{File: s.Path(im), Message: err.Error()})
			continue
		}
		if o.Size != nil {
			w, h, err := o.Size(im)
			if err != nil {
				out = append(out, Problem{File: im, Message: err.Error()})
			} else if w != m.W || h != m.H {
				out = append(out, Problem{File: s.Path(im), Message: fmt.Sprintf("mask is %d×%d, its image %d×%d", m.W, m.H, w, h)})
			}
		}
		if o.Tags == nil {
			continue
		}
		tags, ok := o.Tags(im)
		if !ok {
			continue
		}
		shown := m.Tags()
		for _, t := range tags {
			if !slices.Contains(shown, t) && slices.Contains(o.Labels, t) {
				out = append(out, Problem{File: s.Path(im), Warning: true, Message: fmt.Sprintf("tag %s has no pixel in the mask", t)})
			}
		}
		for _, t := range shown {
			if !slices.Contains(tags, t) {
				out = append(out, Problem{File: s.Path(im), Warning: true, Message: fmt.Sprintf("the mask shows %s, which the image is not tagged with", t)})
			}
		}
	}
	return out
}

// Vocabulary returns every label the masks of images use: the legend of an
// indexed folder, or the union of the binary files' labels, sorted.
// Images without a mask are skipped.
func (s *Set) Vocabulary(images []string) ([]string, error) {
	if s.Layout == Indexed {
		return slices.Clone(s.Legend), nil
	}
	seen := map[string]bool{}
	for _, im := range images {
		if !s.Has(im) {
			continue
		}
		ls, err := s.Labels(im)
		if err != nil {
			return nil, err
		}
		for _, l := range ls {
			seen[l] = true
		}
	}
	out := make([]string, 0, len(seen))
	for l := range seen {
		out = append(out, l)
	}
	sort.Strings(out)
	return out, nil
}
