package onnx

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"mlabel/internal/debpkg"
	"mlabel/onnx/onnxpb"
	"mlabel/tensor"
)

// testdataDir is where Debian's libonnx-testdata installs ONNX's backend
// test cases.
const testdataDir = "/usr/share/libonnx-testdata/data"

// Tolerances are ONNX's backend-test defaults (rtol 1e-3, atol 1e-7):
// |got-want| <= atol + rtol*|want|.
const (
	confRtol = 1e-3
	confAtol = 1e-7
)

// confCase is the outcome of one backend test case.
type confCase struct {
	name   string
	status string // "pass", "fail", "unsupported op", "unsupported"
	detail string
}

// TestConformance runs ONNX's per-operator backend tests (and the
// pytorch-converted module tests) for every case whose operators the
// importer supports. A case passes when the engine's outputs match ONNX's
// reference outputs; a case the importer refuses with an error is listed as
// unsupported, and a case it accepts but gets wrong fails the test.
func TestConformance(t *testing.T) {
	if _, err := os.Stat(testdataDir); err != nil {
		debpkg.Missing(t, "libonnx-testdata", err)
	}
	var dirs []string
	for _, sub := range []string{"node", "pytorch-converted", "pytorch-operator"} {
		m, err := filepath.Glob(filepath.Join(testdataDir, sub, "test_*"))
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, m...)
	}
	sort.Strings(dirs)
	results := map[string][]confCase{}
	for _, dir := range dirs {
		c := runConfCase(dir)
		results[c.status] = append(results[c.status], c)
	}
	passed := map[string]bool{}
	var names []string
	for _, c := range results["pass"] {
		passed[c.name] = true
		names = append(names, c.name)
	}
	t.Logf("passing (%d): %s", len(names), strings.Join(names, " "))
	for _, c := range results["unsupported"] {
		t.Logf("unsupported: %s: %s", c.name, c.detail)
	}
	byOp := map[string][]string{}
	for _, c := range results["unsupported op"] {
		byOp[c.detail] = append(byOp[c.detail], c.name)
	}
	t.Logf("%d cases use operators the importer does not map (%d operators):", len(results["unsupported op"]), len(byOp))
	ops := make([]string, 0, len(byOp))
	for op := range byOp {
		ops = append(ops, op)
	}
	sort.Strings(ops)
	for _, op := range ops {
		t.Logf("unsupported operator %s: %s", op, strings.Join(byOp[op], " "))
	}
	for _, c := range results["fail"] {
		t.Errorf("FAIL %s: %s", c.name, c.detail)
	}
	for _, name := range wantPassing {
		if !passed[name] {
			t.Errorf("%s should pass but did not", name)
		}
	}
	t.Logf("summary: %d passed, %d failed, %d unsupported, %d with unmapped operators",
		len(results["pass"]), len(results["fail"]), len(results["unsupported"]), len(results["unsupported op"]))
}

// runConfCase imports and runs one backend test directory.
func runConfCase(dir string) confCase {
	c := confCase{name: filepath.Base(filepath.Dir(dir)) + "/" + filepath.Base(dir)}
	mp, err := readModelProto(filepath.Join(dir, "model.onnx"))
	if err != nil {
		c.status, c.detail = "fail", err.Error()
		return c
	}
	for _, n := range mp.GetGraph().GetNode() {
		if _, ok := handlers[n.GetOpType()]; !ok || n.GetDomain() != "" && n.GetDomain() != "ai.onnx" {
			c.status, c.detail = "unsupported op", n.GetOpType()
			return c
		}
	}
	sets, err := filepath.Glob(filepath.Join(dir, "test_data_set_*"))
	if err != nil || len(sets) == 0 {
		c.status, c.detail = "fail", fmt.Sprintf("no test data sets (%v)", err)
		return c
	}
	for _, set := range sets {
		status, detail := runConfSet(mp, set)
		if status != "pass" {
			c.status, c.detail = status, filepath.Base(set)+": "+detail
			return c
		}
	}
	c.status = "pass"
	return c
}

// runConfSet runs one test_data_set: the first graph input is fed to the
// engine, the others are bound as constants.
func runConfSet(mp *onnxpb.ModelProto, set string) (status, detail string) {
	inputs, err := readTensors(set, "input")
	if err != nil {
		return "unsupported", "test data: " + err.Error()
	}
	wants, err := readTensors(set, "output")
	if err != nil {
		return "unsupported", "test data: " + err.Error()
	}
	inits := map[string]bool{}
	for _, in := range mp.GetGraph().GetInitializer() {
		inits[in.GetName()] = true
	}
	opt := Options{Constants: map[string]*tensor.Tensor{}}
	var data *tensor.Tensor
	k := 0
	for _, in := range mp.GetGraph().GetInput() {
		if inits[in.GetName()] {
			continue
		}
		if k >= len(inputs) {
			return "fail", "fewer input files than graph inputs"
		}
		if k == 0 {
			data = inputs[0]
		} else {
			opt.Constants[in.GetName()] = inputs[k]
		}
		k++
	}
	m, err := importModel(mp, opt)
	if err != nil {
		return "unsupported", err.Error()
	}
	return runImported(m, data, wants)
}

// runImported runs the imported model and compares every output.
func runImported(m *Model, data *tensor.Tensor, wants []*tensor.Tensor) (status, detail string) {
	outs, err := forward(m, data)
	if err != nil {
		return "fail", err.Error()
	}
	if len(wants) != len(outs) {
		return "fail", fmt.Sprintf("%d reference outputs for %d graph outputs", len(wants), len(outs))
	}
	for i, got := range outs {
		if msg := compareTensors(got, wants[i]); msg != "" {
			return "fail", fmt.Sprintf("output %q: %s", m.Outputs[i].Name, msg)
		}
	}
	return "pass", ""
}

// compareTensors returns "" when got matches want within the tolerances.
func compareTensors(got, want *tensor.Tensor) string {
	if !slices.Equal(got.Shape, want.Shape) {
		return fmt.Sprintf("shape %v, want %v", got.Shape, want.Shape)
	}
	for i, w := range want.Data {
		g := got.Data[i]
		if math.IsNaN(float64(g)) != math.IsNaN(float64(w)) || math.Abs(float64(g-w)) > confAtol+confRtol*math.Abs(float64(w)) {
			return fmt.Sprintf("element %d is %g, want %g", i, g, w)
		}
	}
	return ""
}

func readModelProto(path string) (*onnxpb.ModelProto, error) {
	buf, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var mp onnxpb.ModelProto
	if err := proto.Unmarshal(buf, &mp); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &mp, nil
}

// readTensors reads prefix_0.pb, prefix_1.pb, ... as float tensors.
func readTensors(set, prefix string) ([]*tensor.Tensor, error) {
	var out []*tensor.Tensor
	for i := 0; ; i++ {
		buf, err := os.ReadFile(filepath.Join(set, fmt.Sprintf("%s_%d.pb", prefix, i)))
		if os.IsNotExist(err) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		var tp onnxpb.TensorProto
		if err := proto.Unmarshal(buf, &tp); err != nil {
			return nil, fmt.Errorf("%s_%d.pb: %w", prefix, i, err)
		}
		k, err := konstFromProto(&tp)
		if err != nil {
			return nil, fmt.Errorf("%s_%d.pb: %w", prefix, i, err)
		}
		out = append(out, &tensor.Tensor{Shape: k.dims, Data: k.float32s()})
	}
}

// wantPassing lists the backend cases that must keep passing.
var wantPassing = []string{
	"node/test_add_bcast",
	"node/test_averagepool_2d_ceil",
	"node/test_averagepool_2d_default",
	"node/test_averagepool_2d_precomputed_pads",
	"node/test_averagepool_2d_precomputed_pads_count_include_pad",
	"node/test_averagepool_2d_precomputed_same_upper",
	"node/test_averagepool_2d_precomputed_strides",
	"node/test_averagepool_2d_same_lower",
	"node/test_averagepool_2d_same_upper",
	"node/test_averagepool_2d_strides",
	"node/test_basic_conv_with_padding",
	"node/test_basic_conv_without_padding",
	"node/test_batchnorm_epsilon",
	"node/test_batchnorm_example",
	"node/test_clip",
	"node/test_clip_default_inbounds",
	"node/test_clip_default_max",
	"node/test_clip_default_min",
	"node/test_clip_example",
	"node/test_clip_inbounds",
	"node/test_clip_outbounds",
	"node/test_clip_splitbounds",
	"node/test_constant_pad",
	"node/test_conv_with_autopad_same",
	"node/test_conv_with_strides_and_asymmetric_padding",
	"node/test_conv_with_strides_no_padding",
	"node/test_conv_with_strides_padding",
	"node/test_div_bcast",
	"node/test_dropout_default",
	"node/test_dropout_default_old",
	"node/test_dropout_default_ratio",
	"node/test_dropout_random_old",
	"node/test_flatten_axis1",
	"node/test_flatten_default_axis",
	"node/test_flatten_negative_axis3",
	"node/test_gemm_alpha",
	"node/test_gemm_beta",
	"node/test_gemm_default_no_bias",
	"node/test_gemm_default_scalar_bias",
	"node/test_gemm_default_single_elem_vector_bias",
	"node/test_gemm_default_vector_bias",
	"node/test_gemm_default_zero_bias",
	"node/test_gemm_transposeB",
	"node/test_globalaveragepool",
	"node/test_globalaveragepool_precomputed",
	"node/test_globalmaxpool",
	"node/test_globalmaxpool_precomputed",
	"node/test_hardsigmoid",
	"node/test_hardsigmoid_default",
	"node/test_hardsigmoid_example",
	"node/test_hardswish",
	"node/test_hardswish_expanded",
	"node/test_identity",
	"node/test_leakyrelu",
	"node/test_leakyrelu_default",
	"node/test_leakyrelu_example",
	"node/test_matmul_2d",
	"node/test_maxpool_2d_ceil",
	"node/test_maxpool_2d_default",
	"node/test_maxpool_2d_precomputed_pads",
	"node/test_maxpool_2d_precomputed_same_upper",
	"node/test_maxpool_2d_precomputed_strides",
	"node/test_maxpool_2d_same_lower",
	"node/test_maxpool_2d_same_upper",
	"node/test_maxpool_2d_strides",
	"node/test_mul_bcast",
	"node/test_relu",
	"node/test_sigmoid",
	"node/test_sigmoid_example",
	"node/test_sub_bcast",
	"node/test_transpose_all_permutations_0",
	"pytorch-converted/test_AvgPool2d",
	"pytorch-converted/test_AvgPool2d_stride",
	"pytorch-converted/test_BatchNorm2d_eval",
	"pytorch-converted/test_BatchNorm2d_momentum_eval",
	"pytorch-converted/test_ConstantPad2d",
	"pytorch-converted/test_Conv2d",
	"pytorch-converted/test_Conv2d_depthwise",
	"pytorch-converted/test_Conv2d_depthwise_padded",
	"pytorch-converted/test_Conv2d_depthwise_strided",
	"pytorch-converted/test_Conv2d_depthwise_with_multiplier",
	"pytorch-converted/test_Conv2d_dilated",
	"pytorch-converted/test_Conv2d_groups",
	"pytorch-converted/test_Conv2d_groups_thnn",
	"pytorch-converted/test_Conv2d_no_bias",
	"pytorch-converted/test_Conv2d_padding",
	"pytorch-converted/test_Conv2d_strided",
	"pytorch-converted/test_LeakyReLU",
	"pytorch-converted/test_LeakyReLU_with_negval",
	"pytorch-converted/test_Linear",
	"pytorch-converted/test_Linear_no_bias",
	"pytorch-converted/test_MaxPool2d",
	"pytorch-converted/test_ReLU",
	"pytorch-converted/test_Sigmoid",
	"pytorch-converted/test_ZeroPad2d",
	"pytorch-operator/test_operator_clip",
	"pytorch-operator/test_operator_conv",
	"pytorch-operator/test_operator_flatten",
	"pytorch-operator/test_operator_mm",
	"pytorch-operator/test_operator_view",
}
