// Package bundle reads and writes mlabel model bundles: one self-describing
// file holding a model's architecture and weights, its label vocabulary and
// preprocessing, its fitted decision rules and validation metrics, and the
// configuration and history of the training run that made it.
//
// The file layout is:
//
//	magic     8 bytes  "MLABELB\x00"
//	version   uint32   little-endian format version
//	hdrLen    uint64   length of the JSON header
//	header    JSON     everything but the weights (see Header)
//	wLen      uint64   length of the weights blob
//	weights   blob     nn.WriteWeights encoding
//	checksum  32 bytes SHA-256 of all bytes before it
//
// Bundles are written atomically, so an interrupted write never leaves a
// damaged bundle in place of a good one.
//
// The header's sections are the types of the packages that own them:
// imageio's preprocessing, decide's rules and tiled rules, metrics' summary
// and pixel figures, shift's validation reference and recalibration
// records. bundle sits on top of them and of the engine; none of them
// imports it. The golden headers in testdata (one per format version, each
// with the program that wrote it) pin the JSON those types encode: a change
// that alters it raises FormatVersion and adds the older version's
// migration to readHeader.
package bundle

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"mlabel/atomicfile"
	"mlabel/decide"
	"mlabel/imageio"
	"mlabel/metrics"
	"mlabel/nn"
	"mlabel/shift"
	"mlabel/tensor"
)

// FormatVersion is the bundle format this package writes. Read also reads
// every version from MinFormatVersion on.
//
// Version 2 encodes every field version 1 wrote as version 1 did (it
// changed the types behind the header, not their JSON); the sections added
// since (tiled rules, a segmenter's pixel figures) are optional. Version 1
// therefore migrates unchanged.
const FormatVersion = 2

// MinFormatVersion is the oldest bundle format Read reads.
const MinFormatVersion = 1

var magic = [8]byte{'M', 'L', 'A', 'B', 'E', 'L', 'B', 0}

// maxHeader bounds the JSON header so that a foreign file cannot make the
// reader allocate without limit.
const maxHeader = 256 << 20

// ErrFormat is wrapped by every error about a file that is not a valid bundle.
var ErrFormat = errors.New("not a valid mlabel bundle")

// Kind is what a bundle holds, which decides who may use it.
type Kind string

// The kinds of bundle. A reader keeps a kind it does not know, so that its
// users can name it when they refuse it.
const (
	// KindClassifier is a trained multi-label classifier with its labels,
	// decision rules and metrics.
	KindClassifier Kind = "classifier"
	// KindBackbone is an imported network to cut and give a new head.
	KindBackbone Kind = "backbone"
	// KindDetector is an imported detector with its heads in Extra.
	KindDetector Kind = "detector"
	// KindCheckpoint is a training run's state, to resume it.
	KindCheckpoint Kind = "checkpoint"
	// KindSegmenter is a trained segmentation network: one logit per pixel
	// and label, with the labels, decision rules on area fractions, metrics
	// and Segment.
	KindSegmenter Kind = "segmenter"
)

// Epoch records one epoch of training.
type Epoch struct {
	Epoch     int     `json:"epoch"`
	TrainLoss float64 `json:"train_loss"`
	ValLoss   float64 `json:"val_loss"`
	ValMAP    float64 `json:"val_map"`
	ValF2     float64 `json:"val_f2"`
	// ValMIoU is the validation mean pixel IoU of a segmentation run.
	ValMIoU float64 `json:"val_miou,omitempty"`
	LR      float64 `json:"lr"`
	Seconds float64 `json:"seconds"`
	// Unvalidated marks an epoch of a run without a validation set (the
	// refit on training and validation images); its Val figures are zero.
	Unvalidated bool `json:"unvalidated,omitempty"`
}

// Header is everything a bundle holds except the weights. FormatVersion is
// the version of the file it was read from; Write sets it to FormatVersion.
type Header struct {
	FormatVersion int                `json:"format_version"`
	Created       time.Time          `json:"created"`
	Kind          Kind               `json:"kind"` // what the bundle holds: KindClassifier, ...
	Arch          string             `json:"arch,omitempty"`
	Spec          *nn.Spec           `json:"spec"`
	Labels        []string           `json:"labels,omitempty"`
	Preprocess    imageio.Preprocess `json:"preprocess"`
	// View is the nature of the images the model was trained on,
	// "overhead" or "ground"; it selects test-time augmentation.
	View    string           `json:"view,omitempty"`
	Rules   *decide.Rules    `json:"rules,omitempty"`
	Metrics *metrics.Summary `json:"metrics,omitempty"`
	Config  json.RawMessage  `json:"config,omitempty"`
	History []Epoch          `json:"history,omitempty"`
	// Split names the images of the training run's splits, with their
	// content hashes; bundles written before it was recorded lack it.
	Split *Split `json:"split,omitempty"`
	// Reference describes the validation predictions (calibration,
	// prevalences, hit rates, score distributions) for recalibrating the
	// thresholds to a new batch; bundles written before it was recorded
	// lack it.
	Reference *shift.Reference `json:"shift_reference,omitempty"`
	// Recalibrations lists the recalibrations that set Rules, oldest first.
	Recalibrations []shift.Record `json:"recalibrations,omitempty"`
	// Tiles are the decision rules fitted for images scored tile by tile;
	// a bundle without them (any written before them, or trained without
	// tiles) decides tiled scores with Rules.
	Tiles *decide.Tiled `json:"tiles,omitempty"`
	// Segment is a segmenter's pixel threshold and pixel figures: a pixel
	// shows a label when its probability exceeds the threshold, and Rules
	// decide the labels' area fractions.
	Segment *metrics.Segmentation `json:"segment,omitempty"`
	// Extra holds importer-specific data, such as detector anchors.
	Extra json.RawMessage `json:"extra,omitempty"`
}

// Bundle is a model with everything needed to use it.
type Bundle struct {
	Header
	Weights map[string]*tensor.Tensor
}

// Write encodes b to w.
func (b *Bundle) Write(w io.Writer) error {
	h := b.Header
	h.FormatVersion = FormatVersion
	if h.Created.IsZero() {
		h.Created = time.Now().UTC()
	}
	hdr, err := json.Marshal(&h)
	if err != nil {
		return fmt.Errorf("bundle: encode header: %w", err)
	}
	var wbuf bytes.Buffer
	if err := nn.WriteWeights(&wbuf, b.Weights); err != nil {
		return fmt.Errorf("bundle: encode weights: %w", err)
	}
	sum := sha256.New()
	mw := io.MultiWriter(w, sum)
	var n [8]byte
	parts := [][]byte{magic[:], binary.LittleEndian.AppendUint32(nil, FormatVersion)}
	binary.LittleEndian.PutUint64(n[:], uint64(len(hdr)))
	parts = append(parts, append([]byte(nil), n[:]...), hdr)
	binary.LittleEndian.PutUint64(n[:], uint64(wbuf.Len()))
	parts = append(parts, append([]byte(nil), n[:]...), wbuf.Bytes())
	for _, p := range parts {
		if _, err := mw.Write(p); err != nil {
			return fmt.Errorf("bundle: write: %w", err)
		}
	}
	if _, err := w.Write(sum.Sum(nil)); err != nil {
		return fmt.Errorf("bundle: write checksum: %w", err)
	}
	return nil
}

// Save writes b to path atomically.
func (b *Bundle) Save(path string) error {
	return atomicfile.Write(path, b.Write)
}

// Read decodes a bundle from data.
func Read(data []byte) (*Bundle, error) {
	const fixed = 8 + 4 + 8
	if len(data) < fixed+8+sha256.Size {
		return nil, fmt.Errorf("bundle: %w: file too short (%d bytes)", ErrFormat, len(data))
	}
	if !bytes.Equal(data[:8], magic[:]) {
		return nil, fmt.Errorf("bundle: %w: wrong magic bytes", ErrFormat)
	}
	version := binary.LittleEndian.Uint32(data[8:12])
	if version < MinFormatVersion || version > FormatVersion {
		return nil, fmt.Errorf("bundle: %w: format version %d, this mlabel reads versions %d to %d", ErrFormat, version, MinFormatVersion, FormatVersion)
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	hdrLen := binary.LittleEndian.Uint64(data[12:20])
	if hdrLen > maxHeader || hdrLen > uint64(len(body)-fixed-8) {
		return nil, fmt.Errorf("bundle: %w: truncated (header of %d bytes does not fit)", ErrFormat, hdrLen)
	}
	off := fixed + int(hdrLen)
	wLen := binary.LittleEndian.Uint64(body[off : off+8])
	if wLen != uint64(len(body)-off-8) {
		return nil, fmt.Errorf("bundle: %w: truncated or padded (weights declare %d bytes, %d present)", ErrFormat, wLen, len(body)-off-8)
	}
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, fmt.Errorf("bundle: %w: checksum mismatch (file damaged)", ErrFormat)
	}
	b := &Bundle{}
	if err := readHeader(version, body[fixed:off], &b.Header); err != nil {
		return nil, err
	}
	w, err := nn.ReadWeights(bytes.NewReader(body[off+8:]))
	if err != nil {
		return nil, fmt.Errorf("bundle: weights: %w", err)
	}
	b.Weights = w
	if b.Spec == nil {
		return nil, fmt.Errorf("bundle: %w: no architecture", ErrFormat)
	}
	if err := b.checkConsistency(); err != nil {
		return nil, err
	}
	if err := b.Spec.Validate(); err != nil {
		return nil, fmt.Errorf("bundle: architecture: %w", err)
	}
	return b, nil
}

// readHeader decodes a header of the given format version into h.
func readHeader(version uint32, data []byte, h *Header) error {
	if version < MinFormatVersion || version > FormatVersion {
		return fmt.Errorf("bundle: %w: no reader for format version %d", ErrFormat, version)
	}
	var probe struct {
		FormatVersion int `json:"format_version"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return fmt.Errorf("bundle: %w: header: %v", ErrFormat, err)
	}
	if probe.FormatVersion != int(version) {
		return fmt.Errorf("bundle: %w: header says format version %d, the file %d", ErrFormat, probe.FormatVersion, version)
	}
	for v := version; v < FormatVersion; v++ {
		up, err := migrations[v](data)
		if err != nil {
			return fmt.Errorf("bundle: %w: header of format version %d: %v", ErrFormat, v, err)
		}
		data = up
	}
	if err := json.Unmarshal(data, h); err != nil {
		return fmt.Errorf("bundle: %w: header: %v", ErrFormat, err)
	}
	h.FormatVersion = int(version)
	return nil
}

// migrations[v] rewrites a header of format version v as version v+1
// writes it, leaving format_version as it was. A version that changes the
// header's JSON adds its predecessor's entry here.
var migrations = map[uint32]func(header []byte) ([]byte, error){
	// Version 2 wrote version 1's JSON: a version-1 header is a version-2
	// one.
	1: func(h []byte) ([]byte, error) { return h, nil },
}

// MaxFileBytes bounds the bundle files Load reads: 4 GiB.
const MaxFileBytes = 4 << 30

// Load reads the bundle at path. What is not a regular file (a device, a
// named pipe) or is over MaxFileBytes is refused unread.
func Load(path string) (*Bundle, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("bundle: %s is not a regular file (mode %s)", path, fi.Mode())
	}
	if fi.Size() > MaxFileBytes {
		return nil, fmt.Errorf("bundle: %s is %d bytes, over the limit of %d", path, fi.Size(), int64(MaxFileBytes))
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	b, err := Read(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return b, nil
}

// Model builds the bundle's network with its weights loaded.
func (b *Bundle) Model() (*nn.Model, error) {
	m, err := nn.Load(b.Spec, b.Weights)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return m, b.checkOutputs(m)
}

// InferenceModel builds the bundle's network for prediction: batch norm
// folded into the convolutions and activations fused.
func (b *Bundle) InferenceModel() (*nn.Model, error) {
	spec, w, err := nn.Fuse(b.Spec, b.Weights)
	if err != nil {
		return nil, fmt.Errorf("bundle: fuse: %w", err)
	}
	m, err := nn.Load(spec, w)
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	if err := b.checkOutputs(m); err != nil {
		return nil, err
	}
	// Prediction needs only the outputs: let layers reuse activation buffers.
	if err := m.SetActivationReuse(true); err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	return m, nil
}
