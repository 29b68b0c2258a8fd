package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// kebab turns a Go or JSON field name (PosWeight, BackboneLRMult,
// weight_decay) into the lower-case, hyphenated form of the command line's
// flags (pos-weight, backbone-lr-mult, weight-decay).
func kebab(name string) string {
	r := []rune(name)
	var b strings.Builder
	for i, c := range r {
		switch {
		case c == '_' || c == ' ':
			b.WriteByte('-')
			continue
		case unicode.IsUpper(c) && i > 0:
			prevLower := unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1])
			nextLower := i+1 < len(r) && unicode.IsLower(r[i+1])
			if prevLower || (unicode.IsUpper(r[i-1]) && nextLower) {
				b.WriteByte('-')
			}
		}
		b.WriteRune(unicode.ToLower(c))
	}
	return b.String()
}

// flatConfig lists the fields of a JSON object in their order, nested
// objects' fields prefixed with their parent's name and a dot, each name in
// kebab form and each value as compact JSON.
func flatConfig(raw json.RawMessage) ([][2]string, error) {
	var out [][2]string
	var walk func(prefix string, v json.RawMessage) error
	walk = func(prefix string, v json.RawMessage) error {
		d := json.NewDecoder(bytes.NewReader(v))
		if t, err := d.Token(); err != nil || t != json.Delim('{') {
			out = append(out, [2]string{prefix, string(bytes.TrimSpace(v))})
			return nil
		}
		for d.More() {
			t, err := d.Token()
			if err != nil {
				return err
			}
			key, _ := t.(string)
			var val json.RawMessage
			if err := d.Decode(&val); err != nil {
				return err
			}
			name := kebab(key)
			if prefix != "" {
				name = prefix + "." + name
			}
			if err := walk(name, val); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk("", raw); err != nil {
		return nil, fmt.Errorf("training config: %w", err)
	}
	return out, nil
}
