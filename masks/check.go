package masks

import "fmt"

// Problem is one bad or missing mask, by file.
type Problem struct {
	File    string
	Message string
}

// String formats the problem as "file: message".
func (p Problem) String() string { return p.File + ": " + p.Message }

// Size returns an image's width and height.
type Size func(image string) (w, h int, err error)

// Check reads the mask of every image over labels and names each file that
// is missing, undecodable, of another size than its image (when size is
// not nil) or holds a value the layout does not define, and each label the
// masks use that labels lacks.
func (s *Set) Check(images, labels []string, size Size) []Problem {
	var out []Problem
	for _, im := range images {
		if !s.Has(im) {
			out = append(out, Problem{File: s.Path(im), Message: fmt.Sprintf("no mask for image %s", im)})
			continue
		}
		m, err := s.Load(im, labels)
		if err != nil {
			out = append(out, Problem{File: s.Path(im), Message: err.Error()})
			continue
		}
		if size == nil {
			continue
		}
		w, h, err := size(im)
		if err != nil {
			out = append(out, Problem{File: im, Message: err.Error()})
		} else if w != m.W || h != m.H {
			out = append(out, Problem{File: s.Path(im), Message: fmt.Sprintf("mask is %d×%d, its image %d×%d", m.W, m.H, w, h)})
		}
	}
	return out
}
