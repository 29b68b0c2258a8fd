package nn

// scratchKind names one use of a shared work buffer.
type scratchKind int

const (
	scratchCol    scratchKind = iota // im2col columns, one per core
	scratchDCol                      // column gradients, one per core
	scratchDWPart                    // per-core weight-gradient sums
	scratchWino                      // Winograd tile buffers, one per core
	scratchWinoU                     // Winograd-transformed weights
	scratchWinoW                     // weights turned for the input gradient
	scratchWinoT                     // weight-transform work space, one per core
	scratchWinoDU                    // transformed weight-gradient sums, one per core
	numScratchKinds
)

// scratch holds work buffers that the layers of one model share. The layers
// of a model run one at a time, and a buffer a layer uses only within one
// Forward or Backward call can serve every layer, so the model holds the
// largest layer's buffers instead of the sum of all of them. A layer built
// alone (without a model) gets a scratch of its own.
type scratch struct {
	bufs [numScratchKinds][][]float32
}

// slots returns at least n buffers of the given kind. Callers grow the
// buffers they use (with grow) through the returned slice, which shares its
// elements with s; get the slots before starting goroutines that use them.
func (s *scratch) slots(kind scratchKind, n int) [][]float32 {
	if len(s.bufs[kind]) < n {
		s.bufs[kind] = append(s.bufs[kind], make([][]float32, n-len(s.bufs[kind]))...)
	}
	return s.bufs[kind]
}

// scratchUser is a layer that takes its work buffers from a shared scratch.
type scratchUser interface {
	setScratch(s *scratch)
}
