package decide

import (
	"fmt"
	"slices"
	"strings"

	"mlabel/infer"
)

// A RuleKind is one kind of decision rule: how it is fitted on a held-out
// split, what its own fields must hold, and how it decides. Each kind
// registers its RuleKind from its own file (Register), as image formats
// register their decoders, so that a new rule is one file: Fit, Check,
// Apply, ParseKind, Thresholds and Compare all read the registry.
type RuleKind struct {
	// Name names the rule in comparisons ("per-class").
	Name string
	// Order places the rule in comparisons, lowest first.
	Order int
	// Fit fits the rule on a held-out split.
	Fit func(fit infer.Set, o Options) (*Rules, error)
	// Check reports whether the rule's own fields can decide n labels;
	// nil when the kind has none to check.
	Check func(r *Rules, n int) error
	// Decide marks out[i][j] for the (calibrated) scores; nil decides each
	// label by its threshold (Rules.PerClass, or Rules.Global).
	Decide func(r *Rules, scores [][]float64, out [][]bool)
	// Thresholds reports that the rule decides by one fixed threshold per
	// label, which Rules.Thresholds then returns.
	Thresholds bool
}

// methods holds the registered kinds.
var methods = map[Kind]RuleKind{}

// Register makes the rule kind k available. Registering a kind twice, or
// without a Fit, panics.
func Register(k Kind, m RuleKind) {
	if _, dup := methods[k]; dup {
		panic(fmt.Sprintf("decide: rule kind %q registered twice", k))
	}
	if m.Fit == nil {
		panic(fmt.Sprintf("decide: rule kind %q registered without Fit", k))
	}
	methods[k] = m
}

// Kinds returns the registered rule kinds in comparison order.
func Kinds() []Kind {
	out := make([]Kind, 0, len(methods))
	for k := range methods {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b Kind) int {
		if d := methods[a].Order - methods[b].Order; d != 0 {
			return d
		}
		return strings.Compare(string(a), string(b))
	})
	return out
}

// kindNames lists the registered kinds for messages.
func kindNames() string {
	var names []string
	for _, k := range Kinds() {
		names = append(names, string(k))
	}
	return strings.Join(names, ", ")
}

// ParseKind returns the rule kind a name stands for.
func ParseKind(name string) (Kind, error) {
	if _, ok := methods[Kind(name)]; ok {
		return Kind(name), nil
	}
	return "", fmt.Errorf("decide: unknown rule %q (%s)", name, kindNames())
}

// Fit fits a rule of the given kind on the held-out split fit.
func Fit(fit infer.Set, kind Kind, o Options) (*Rules, error) {
	m, ok := methods[kind]
	if !ok {
		return nil, fmt.Errorf("decide: unknown rule kind %q", kind)
	}
	return m.Fit(fit, o)
}
