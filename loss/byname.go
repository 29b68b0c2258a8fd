package loss

import "fmt"

// Options configures the losses ByName builds. Each loss reads only its own
// fields. DefaultOptions gives the reference defaults.
type Options struct {
	PosWeight []float32 // bce: per-label positive weight, or nil
	Gamma     float64   // focal: γ
	Alpha     float64   // focal: α, or < 0 for none
	GammaNeg  float64   // asl: γ-
	GammaPos  float64   // asl: γ+
	Clip      float64   // asl: probability margin
}

// DefaultOptions returns the defaults of the reference implementations:
// focal γ = 2, α = 0.25 (torchvision); ASL γ- = 4, γ+ = 1, clip = 0.05.
func DefaultOptions() Options {
	return Options{Gamma: 2, Alpha: 0.25, GammaNeg: 4, GammaPos: 1, Clip: 0.05}
}

// Names lists the names ByName accepts.
func Names() []string { return []string{"bce", "focal", "asl"} }

// ByName returns the loss called name ("bce", "focal" or "asl") configured
// from opts.
func ByName(name string, opts Options) (Loss, error) {
	switch name {
	case "bce":
		return NewBCE(opts.PosWeight), nil
	case "focal":
		if opts.Gamma < 0 || opts.Alpha > 1 {
			return nil, fmt.Errorf("loss focal: need γ ≥ 0 and α ≤ 1, got γ=%g α=%g", opts.Gamma, opts.Alpha)
		}
		return newFocal(opts.Gamma, opts.Alpha), nil
	case "asl":
		if opts.GammaNeg < 0 || opts.GammaPos < 0 || opts.Clip < 0 || opts.Clip >= 1 {
			return nil, fmt.Errorf("loss asl: need γ-, γ+ ≥ 0 and 0 ≤ clip < 1, got γ-=%g γ+=%g clip=%g",
				opts.GammaNeg, opts.GammaPos, opts.Clip)
		}
		return newASL(opts.GammaNeg, opts.GammaPos, opts.Clip), nil
	}
	return nil, fmt.Errorf("loss: unknown loss %q (want one of %v)", name, Names())
}
