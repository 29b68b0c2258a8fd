package darknet

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// section is one "[type]" block of a Darknet .cfg file with its options.
type section struct {
	typ  string
	line int // line of the "[type]" header
	opts map[string]option
}

// option is one "key = value" line.
type option struct {
	value string
	line  int
}

// parseCfg reads the sections of a .cfg file. Comments start with '#' or
// ';'; blank lines are skipped.
func parseCfg(r io.Reader) ([]*section, error) {
	var secs []*section
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if line[0] == '[' {
			if !strings.HasSuffix(line, "]") {
				return nil, fmt.Errorf("line %d: malformed section header %q", n, line)
			}
			secs = append(secs, &section{typ: strings.TrimSpace(line[1 : len(line)-1]), line: n,
				opts: map[string]option{}})
			continue
		}
		if len(secs) == 0 {
			return nil, fmt.Errorf("line %d: option %q before any section", n, line)
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return nil, fmt.Errorf("line %d: expected key=value, got %q", n, line)
		}
		k = strings.TrimSpace(k)
		secs[len(secs)-1].opts[k] = option{value: strings.TrimSpace(v), line: n}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading cfg: %w", err)
	}
	return secs, nil
}

// where names the section for error messages.
func (s *section) where() string {
	return fmt.Sprintf("[%s] at line %d", s.typ, s.line)
}

// errorf returns an error naming the section and, when key is set, the
// option's line.
func (s *section) errorf(key, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if o, ok := s.opts[key]; ok {
		return fmt.Errorf("%s, line %d (%s): %s", s.where(), o.line, key, msg)
	}
	return fmt.Errorf("%s: %s", s.where(), msg)
}

// str returns the value of key, or def when it is absent.
func (s *section) str(key, def string) string {
	if o, ok := s.opts[key]; ok {
		return o.value
	}
	return def
}

// integer returns the integer value of key, or def when it is absent.
func (s *section) integer(key string, def int) (int, error) {
	v := s.str(key, "")
	if v == "" {
		return def, nil
	}
	i, err := strconv.Atoi(v)
	if err != nil {
		return 0, s.errorf(key, "not an integer: %q", v)
	}
	return i, nil
}

// float returns the numeric value of key, or def when it is absent.
func (s *section) float(key string, def float64) (float64, error) {
	v := s.str(key, "")
	if v == "" {
		return def, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, s.errorf(key, "not a number: %q", v)
	}
	return f, nil
}

// floats returns the comma-separated numbers of key, or nil when absent.
func (s *section) floats(key string) ([]float64, error) {
	v := s.str(key, "")
	if v == "" {
		return nil, nil
	}
	var out []float64
	for _, f := range strings.Split(v, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		x, err := strconv.ParseFloat(f, 64)
		if err != nil {
			return nil, s.errorf(key, "not a number: %q", f)
		}
		out = append(out, x)
	}
	return out, nil
}

// ints returns the comma-separated integers of key, or nil when absent.
func (s *section) ints(key string) ([]int, error) {
	fs, err := s.floats(key)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(fs))
	for i, f := range fs {
		if f != float64(int(f)) {
			return nil, s.errorf(key, "not an integer: %g", f)
		}
		out[i] = int(f)
	}
	return out, nil
}

// reject returns an error for the first option set to something other than
// its allowed value, so that options that change the computation are never
// silently ignored. allowed maps the option to the values accepted.
func (s *section) reject(allowed map[string][]string) error {
	for k, vals := range allowed {
		o, ok := s.opts[k]
		if !ok {
			continue
		}
		good := false
		for _, v := range vals {
			if o.value == v {
				good = true
			}
		}
		if !good && len(vals) == 0 {
			return s.errorf(k, "option is not supported")
		}
		if !good {
			return s.errorf(k, "unsupported value %q (supported: %v)", o.value, vals)
		}
	}
	return nil
}
