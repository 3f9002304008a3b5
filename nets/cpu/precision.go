package cpu

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/internal/qgemm"
)

// Precision is the arithmetic of the trunk's convolutions.
type Precision int

const (
	// FP32 is single precision throughout (the default).
	FP32 Precision = iota
	// BF16 rounds the trunk convolutions' weights and inputs to bfloat16
	// and accumulates in float32 (VDPBF16PS, AVX512_BF16); 3x3 layers
	// use im2col.
	BF16
	// Int8 quantises the weights of trunk convolutions whose inputs are
	// non-negative (after a ReLU: every trunk convolution but the first,
	// in the default networks) to int8 per output channel and their inputs
	// to uint8 per layer, with the activation scales of a Calibration;
	// products accumulate in int32 (VPDPBUSD, AVX512_VNNI) in a direct
	// convolution on byte maps (no im2col). A first convolution on the
	// input planes runs in int16 (VPDPWSSD), each position's inputs in
	// steps that keep 0 and 1 exact. Other layers stay FP32.
	Int8
	// PrecisionAuto is the fastest this CPU runs in assembly: Int8 with
	// AVX512_VNNI, else BF16 with AVX512_BF16, else FP32.
	PrecisionAuto
)

func (p Precision) String() string {
	switch p {
	case FP32:
		return "fp32"
	case BF16:
		return "bf16"
	case Int8:
		return "int8"
	case PrecisionAuto:
		return "auto"
	}
	return fmt.Sprintf("Precision(%d)", int(p))
}

// ParsePrecision parses "fp32", "bf16", "int8" or "auto".
func ParsePrecision(s string) (Precision, error) {
	for _, p := range []Precision{FP32, BF16, Int8, PrecisionAuto} {
		if strings.EqualFold(s, p.String()) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("cpu: unknown precision %q (want fp32, bf16, int8 or auto)", s)
}

// Supported reports whether this CPU runs p in assembly (FP32 and
// PrecisionAuto always).
func (p Precision) Supported() bool {
	switch p {
	case BF16:
		return qgemm.HasBF16()
	case Int8:
		return qgemm.HasInt8()
	}
	return true
}

// Resolve returns the precision a backend runs for p on this CPU: p when
// Supported, the fastest supported for PrecisionAuto, FP32 otherwise.
func (p Precision) Resolve() Precision {
	switch {
	case p == PrecisionAuto && qgemm.HasInt8():
		return Int8
	case p == PrecisionAuto && qgemm.HasBF16():
		return BF16
	case p == PrecisionAuto, !p.Supported():
		return FP32
	}
	return p
}

// forceQuantized makes New keep BF16 and Int8 on CPUs without the
// instructions (the pure-Go kernels), so that tests cover them everywhere.
var forceQuantized = false

// Calibration holds the activation ranges of an Int8 network: Max[i] is
// the largest input magnitude (over the calibration positions) of the
// i-th quantised convolution, in trunk order; its input is quantised in
// steps of Max[i]/255 (larger values clamp). A first convolution on the
// input planes counts (its range is recorded) but takes each position's
// own range instead.
type Calibration struct {
	Positions int       // how many positions it was measured on
	Max       []float32 // per int8 convolution
}

// Calibrate runs the FP32 network on the n encoded positions in (spec's
// input layout) and returns the input range of every convolution that the
// Int8 precision quantises. Keep it with the network (Options.Calibration)
// to skip the calibration New runs otherwise.
func Calibrate(w *nets.Weights, in []float32, n int, threads int) (*Calibration, error) {
	if n < 1 {
		return nil, fmt.Errorf("cpu: calibration on %d positions", n)
	}
	opts := Options{MaxBatch: min(n, 32), Threads: threads, Conv3x3: ConvIm2col, Precision: FP32}
	b, err := New(w, opts)
	if err != nil {
		return nil, err
	}
	defer b.Close()
	rec := &calibRecorder{max: make([]float32, b.int8Layers)}
	b.recorder = rec
	policy, value := make([]float32, opts.MaxBatch*b.moves), make([]float32, opts.MaxBatch)
	for p0 := 0; p0 < n; p0 += opts.MaxBatch {
		m := min(opts.MaxBatch, n-p0)
		if err := b.Forward(context.Background(), in[p0*b.inLen:(p0+m)*b.inLen], m, policy, value); err != nil {
			return nil, err
		}
	}
	return &Calibration{Positions: n, Max: rec.max}, nil
}

// calibRecorder collects the input maxima of the int8 convolutions.
type calibRecorder struct {
	mu  sync.Mutex
	max []float32
}

func (r *calibRecorder) record(i int, x []float32) {
	m := absMax(x)
	r.mu.Lock()
	r.max[i] = max(r.max[i], m)
	r.mu.Unlock()
}

// CalibrationInputs returns n encoded positions (spec's features) from
// games of random legal moves that do not fill the mover's own eyes, 8
// positions per game at random move numbers: what New calibrates an Int8 backend on
// when Options.Calibration is nil. Positions from real games (SGF or
// self-play) calibrate better.
func CalibrationInputs(spec nets.Spec, n int, seed uint64) ([]float32, error) {
	sh, err := spec.InputShape()
	if err != nil {
		return nil, err
	}
	fs := nets.MustFeatureSet(spec.Features)
	rng := rand.New(rand.NewPCG(seed, 0xca1))
	size := spec.BoardSize
	area := size * size
	out := make([]float32, n*sh.Len())
	const perGame = 8
	for i0 := 0; i0 < n; i0 += perGame {
		g, err := board.NewGame(size, 7.5, board.DefaultRules())
		if err != nil {
			return nil, err
		}
		cuts := make([]int, min(perGame, n-i0))
		for j := range cuts {
			cuts[j] = rng.IntN(area * 6 / 5)
		}
		slices.Sort(cuts)
		for j, cut := range cuts {
			for g.MoveNumber() < cut && !g.Over() {
				c := g.ToMove()
				pt := board.Pass
				for range 4 * area { // random tries, then pass
					q := nets.IndexMove(rng.IntN(area), size)
					if g.Legal(c, q) && !g.Position().IsEye(c, q) {
						pt = q
						break
					}
				}
				if err := g.Play(c, pt); err != nil {
					return nil, err
				}
			}
			i := i0 + j
			fs.Encode(g, nets.Symmetry(rng.IntN(8)), out[i*sh.Len():(i+1)*sh.Len()])
		}
	}
	return out, nil
}

// calibrationPositions is how many CalibrationInputs positions New
// calibrates an Int8 backend on.
const calibrationPositions = 256

// actScale is the int8 input step of a layer whose inputs reached m.
func actScale(m float32) float32 {
	if !(m > 0) || math.IsInf(float64(m), 0) {
		return 1
	}
	return m / 255
}
