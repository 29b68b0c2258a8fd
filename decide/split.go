package decide

import (
	"errors"
	"fmt"

	"mlabel/infer"
	"mlabel/metrics"
)

// validate checks that s is a non-empty scored set of consistent shapes
// with truth entries 0 or 1.
func validate(s infer.Set) error {
	if len(s.Scores) == 0 {
		return errors.New("decide: empty split")
	}
	if err := metrics.Validate(s.Truth, s.Scores, s.Mask); err != nil {
		return fmt.Errorf("decide: %w", err)
	}
	return nil
}
