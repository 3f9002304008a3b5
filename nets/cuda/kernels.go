package cuda

import (
	_ "embed"
	"fmt"
	"math"

	"github.com/tengen-go/tengen/nets/internal/fuse"
)

// kernelSource is the CUDA C of every kernel, compiled by NVRTC when the
// first backend for a device starts.
//
//go:embed kernels.cu
var kernelSource string

// kernelID names a kernel of kernels.cu.
type kernelID int

// The kernels, in the order of kernelTable.
const (
	kNCHWToCNHW kernelID = iota
	kIm2col
	kBiasAct
	kActivate
	kLRN
	kMaxPool
	kGatherHeads
	kFillRows
	kPolicyPoints
	kValueOut
	kPoolValue
	kScoreOut
	kOwnershipOut
	numKernels
)

// Parameter kinds of a kernel signature, one letter per parameter:
//
//	p float*   P const float*   q double*   Q const double*
//	i int      f float          d double
//
// kernels_test.go parses kernels.cu and requires each extern "C"
// __global__ function to have exactly these parameters.
type kernelSig struct {
	name   string
	params string
}

var kernelTable = [numKernels]kernelSig{
	kNCHWToCNHW:   {"nchw_to_cnhw", "Ppiii"},
	kIm2col:       {"im2col", "Piiiiiiip"},
	kBiasAct:      {"bias_act", "pPiii"},
	kActivate:     {"activate", "pii"},
	kLRN:          {"lrn", "Ppiiiffd"},
	kMaxPool:      {"maxpool", "Ppiiiiiiii"},
	kGatherHeads:  {"gather_heads", "Piiiipq"},
	kFillRows:     {"fill_rows", "pPii"},
	kPolicyPoints: {"policy_points", "PPffiiip"},
	kValueOut:     {"value_out", "QPPfiip"},
	kPoolValue:    {"pool_value", "Piiiiq"},
	kScoreOut:     {"score_out", "QPPfiip"},
	kOwnershipOut: {"ownership_out", "PiiiiPfp"},
}

func (k kernelID) String() string {
	if k < 0 || k >= numKernels {
		return fmt.Sprintf("kernel(%d)", int(k))
	}
	return kernelTable[k].name
}

// Activation codes of bias_act and activate.
const (
	actNone = 0
	actReLU = 1
	actTanh = 2
)

// actCode is the kernels' code of a fused activation.
func actCode(a fuse.Act) int {
	switch a {
	case fuse.ReLU:
		return actReLU
	case fuse.Tanh:
		return actTanh
	}
	return actNone
}

// karg is one kernel argument: its kind ('p' for any pointer, else as in
// kernelSig) and its bits: float32 in the low four bytes, an int as int64
// (checkArgs requires it to fit an int32, whose bytes are then the low four
// on a little-endian machine).
type karg struct {
	kind byte
	bits uint64
}

func argPtr(p devPtr) karg      { return karg{'p', uint64(p)} }
func argInt(v int) karg         { return karg{'i', uint64(int64(v))} }
func argF32(v float32) karg     { return karg{'f', uint64(math.Float32bits(v))} }
func argF64(v float64) karg     { return karg{'d', math.Float64bits(v)} }
func isPointerKind(k byte) bool { return k == 'p' || k == 'P' || k == 'q' || k == 'Q' }

// checkArgs reports whether args fit kernel k's parameters: the count, a
// pointer for each pointer parameter, and the scalar kinds, with every int
// argument within int32 (the caller's sizes must fit the kernels' ints).
func checkArgs(k kernelID, args []karg) error {
	if k < 0 || k >= numKernels {
		return fmt.Errorf("nets/cuda: unknown kernel %d", int(k))
	}
	sig := kernelTable[k]
	if len(args) != len(sig.params) {
		return fmt.Errorf("nets/cuda: kernel %s takes %d arguments, got %d", sig.name, len(sig.params), len(args))
	}
	for i, a := range args {
		want := sig.params[i]
		ok := a.kind == want || isPointerKind(want) && a.kind == 'p'
		if !ok {
			return fmt.Errorf("nets/cuda: kernel %s argument %d is %q, want %q", sig.name, i, a.kind, want)
		}
		if v := int64(a.bits); a.kind == 'i' && (v < math.MinInt32 || v > math.MaxInt32) {
			return fmt.Errorf("nets/cuda: kernel %s argument %d = %d does not fit an int", sig.name, i, v)
		}
	}
	return nil
}

// Launch geometry: one-dimensional blocks of blockSize threads, and as
// many blocks as cover the elements up to maxGrid (the kernels loop over
// the rest with a grid stride).
const blockSize = 256

// maxGrid caps the number of blocks of a launch (a var so that tests can
// exercise the grid-stride loops with a small cap).
var maxGrid = 1 << 16

// geometry returns the grid and block size of a launch over total
// elements; total must be positive and fit an int32, as the kernels' loop
// bounds are computed from int parameters.
func geometry(total int) (grid, block uint32, err error) {
	if total <= 0 || total > math.MaxInt32 {
		return 0, 0, fmt.Errorf("nets/cuda: launch over %d elements (want 1 to %d)", total, math.MaxInt32)
	}
	g := (total + blockSize - 1) / blockSize
	g = min(g, maxGrid)
	return uint32(g), blockSize, nil
}
