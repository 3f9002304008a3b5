package cpu

import (
	"fmt"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/internal/fuse"
	"github.com/tengen-go/tengen/nets/internal/qgemm"
	"github.com/tengen-go/tengen/nets/internal/sgemm"
)

// op is one step of a forward pass. run does worker w's share (of t
// workers) of the step for the batch in b.n; shares write disjoint memory.
type op interface {
	run(b *Backend, w, t int)
}

// actKind is an activation fused into a bias pass (fuse.Act's values).
type actKind = fuse.Act

const (
	actNone = fuse.None
	actReLU = fuse.ReLU
	actTanh = fuse.Tanh
)

// Work block sizes: columns (pixels) per im2col GEMM and tiles per
// Winograd GEMM batch, chosen so one worker's blocks stay in L2.
const (
	colBlock  = 256
	tileBlock = 64
)

// scratch is one worker's private working memory.
type scratch struct {
	col []float32 // im2col block: (C*k*k) x colBlock
	v   []float32 // Winograd input tiles: 16 x C x tileBlock
	m   []float32 // Winograd products: 16 x F x tileBlock
	tmp []float32 // pooling rows, LRN sums

	rows  []float32 // Winograd input: 4 padded rows
	zeros []float32 // Winograd input: a row of zeros
	off   []int     // Winograd tile offsets
	wtmp  []float32 // Winograd output: 12 x tileBlock
	inner []bool    // Winograd tile away from the border
	segs  []winoSeg // Winograd (AVX-512): runs of tiles

	qrow   []float32 // Int8: a row of output pixels, channel-last
	qscale []float32 // Int8: the kernel's scales for one position

	gemm  gemmFunc       // this worker's GEMM
	pgemm packedGemmFunc // and with A packed ahead, or nil
	q     qgemm.Context  // this worker's bf16 and int8 GEMMs
}

// newPackedGemm returns a worker's packed-A GEMM, or nil where the BLAS
// has none.
func newPackedGemm() packedGemmFunc {
	if gemmImpl.newPacked == nil {
		return nil
	}
	return gemmImpl.newPacked()
}

// autoWinograd reports whether ConvAuto uses Winograd for a 3x3
// convolution of c to f channels on an h x w map. BenchmarkConv3x3AB on
// the 64 -> 64 layer measured Winograd 1.1x to 1.5x faster than im2col on
// 19x19 at batches 1 to 128 and on 9x9 from batch 8, and even (0.97x to
// 1.03x) on 9x9 at batch 1 (docs/perf.md). With few channels the GEMMs
// are too small to pay for the transforms, so those stay with im2col.
func autoWinograd(c, f, h, w int) bool {
	return c >= 32 && f >= 32 && h >= 4 && w >= 4
}

// chunkFloats is the activation size (values per buffer) a chunk of
// positions aims at: 2 buffers of 192K floats (1.5 MiB) fit the L2 caches
// of current x86 cores. A var so tests can force small chunks.
var chunkFloats = 192 << 10

// sizes tracks the largest buffers the plan needs.
type sizes struct {
	act, col, v, m, tmp, rows int
	q, qrow, qscale           int // Int8: u8 map bytes per position, a float32 row of output pixels, per-position scales
}

func (s *sizes) grow(p *int, n int) { *p = max(*p, n) }

// compile turns the weights into ops and allocates every buffer.
func (b *Backend) compile(w *nets.Weights) error {
	spec := w.Spec
	shapes, err := spec.TrunkShapes()
	if err != nil {
		return err
	}
	tensor := func(name string) []float32 {
		return append([]float32(nil), w.Tensor(name).Data...)
	}
	var sz sizes
	in := shapes[0]
	b.inLen = in.Len()
	sz.grow(&sz.act, in.Len())
	layers, err := fuse.Trunk(w)
	if err != nil {
		return fmt.Errorf("cpu: %w", err)
	}
	// Int8 quantises the network's input itself when the first layer is
	// a convolution: its float32 copy is not needed.
	if b.precision != Int8 || len(layers) == 0 || layers[0].Kind != nets.KindConv {
		b.ops = append(b.ops, &inputOp{out: 0, shape: in})
	}
	cur := 0
	nonNeg := false // the current activations are >= 0 (Int8 can take them)
	atInput := true // the current activations are the network's input
	qcur := 0       // Int8: the u8 buffer the next convolution reads
	qReady := false // Int8: the previous convolution wrote it
	for li, l := range layers {
		sIn := l.In
		sz.grow(&sz.act, l.Out.Len())
		switch l.Kind {
		case nets.KindConv:
			qi := -1
			if nonNeg || atInput {
				qi = b.int8Layers
				b.int8Layers++
			}
			if b.precision == Int8 && qi >= 0 {
				var next *nets.Layer
				if li+1 < len(layers) && layers[li+1].Kind == nets.KindConv && actKind(l.Act) == actReLU {
					next = &layers[li+1].Layer
				}
				op, qop, err := b.qconvOps(cur, qcur, qReady, atInput && !nonNeg, sIn, l.Filters, l.Kernel, l.W, l.B, actKind(l.Act), qi, next, &sz)
				if err != nil {
					return err
				}
				if qop != nil {
					b.ops = append(b.ops, qop)
				}
				b.ops = append(b.ops, op)
				if qReady = op.outU8; qReady {
					qcur = 1 - qcur
				} else {
					cur = 1 - cur
				}
			} else {
				op, err := b.convOp(cur, 1-cur, sIn, l.Filters, l.Kernel, l.W, l.B, actKind(l.Act), qi, &sz)
				if err != nil {
					return err
				}
				b.ops = append(b.ops, op)
				cur = 1 - cur
			}
			nonNeg = actKind(l.Act) == actReLU
		case nets.KindReLU:
			b.ops = append(b.ops, &actOp{buf: cur, c: sIn.C, hw: sIn.H * sIn.W, act: actReLU})
			nonNeg = true
		case nets.KindTanh:
			nonNeg = false
			b.ops = append(b.ops, &actOp{buf: cur, c: sIn.C, hw: sIn.H * sIn.W, act: actTanh})
		case nets.KindLRN:
			b.ops = append(b.ops, &lrnOp{in: cur, out: 1 - cur, c: sIn.C, hw: sIn.H * sIn.W,
				n: l.N, k: float32(l.K), alphaN: float32(l.Alpha / float64(l.N)), beta: l.Beta, f32: b.precision != FP32})
			sz.grow(&sz.tmp, colBlock)
			cur = 1 - cur
		case nets.KindMaxPool:
			b.ops = append(b.ops, &poolOp{in: cur, out: 1 - cur, inShape: sIn, outShape: l.Out, size: l.Size, stride: l.Stride})
			sz.grow(&sz.tmp, sIn.H*l.Out.W)
			cur = 1 - cur
		}
		atInput = false
	}

	// Heads: one 1x1 convolution computes the policy, value and
	// ownership head channels together; then the value (and score) head
	// per position, the ownership, then the policy logits.
	t := shapes[len(shapes)-1]
	hw := t.H * t.W
	pf, vf, of := spec.Policy.Filters, spec.Value.Filters, spec.Ownership.Filters
	hwt := append(tensor("policy.conv.w"), w.Tensor("value.conv.w").Data...)
	hb := append(tensor("policy.conv.b"), w.Tensor("value.conv.b").Data...)
	if of > 0 {
		hwt = append(hwt, w.Tensor("ownership.conv.w").Data...)
		hb = append(hb, w.Tensor("ownership.conv.b").Data...)
	}
	sz.grow(&sz.act, (pf+vf+of)*hw)
	headConv, err := b.convOp(cur, 1-cur, t, pf+vf+of, 1, hwt, hb, actReLU, -2, &sz)
	if err != nil {
		return err
	}
	b.ops = append(b.ops, headConv)
	cur = 1 - cur
	// Positions run through the network in chunks small enough for a
	// chunk's activations to stay in cache from one layer to the next.
	b.chunk = max(1, min(b.opts.MaxBatch, chunkFloats/sz.act))
	mb := b.chunk
	vk := vf * hw
	if spec.Value.Pooled() {
		vk = 2 * vf
	}
	h := &headOp{
		in: cur, hw: hw, pf: pf, vf: vf, hidden: spec.Value.Hidden, vk: vk, pool: spec.Value.Pooled(),
		xp: make([]float32, mb*pf*hw), xv: make([]float32, mb*vk), xv64: make([]float64, mb*vk), h1: make([]float32, mb*spec.Value.Hidden),
		w1: tensor("value.fc1.w"), b1: tensor("value.fc1.b"), w2: tensor("value.fc2.w"), b2: w.Tensor("value.fc2.b").Data[0],
	}
	if of > 0 {
		h.of = of
		h.ow = tensor("ownership.out.w")
		h.ob = w.Tensor("ownership.out.b").Data[0]
	}
	if sh := spec.Score.Hidden; sh > 0 {
		h.sh = sh
		h.sh1 = make([]float32, mb*sh)
		h.sw1, h.sb1, h.sw2 = tensor("score.fc1.w"), tensor("score.fc1.b"), tensor("score.fc2.w")
		h.sb2 = w.Tensor("score.fc2.b").Data[0]
	}
	b.ops = append(b.ops, h)
	if spec.Policy.Kind == "dense" {
		b.ops = append(b.ops, &policyDenseOp{head: h, k: pf * hw, w: tensor("policy.dense.w"), bias: tensor("policy.dense.b")})
	} else {
		h.convPolicy = true
		h.pw = tensor("policy.point.w")
		h.pb = w.Tensor("policy.point.b").Data[0]
		h.passW = tensor("policy.pass.w")
		h.passB = w.Tensor("policy.pass.b").Data[0]
	}

	if b.precision == Int8 && len(b.calib.Max) != b.int8Layers {
		return fmt.Errorf("cpu: the calibration has %d ranges for %d int8 convolutions", len(b.calib.Max), b.int8Layers)
	}
	b.act = [][]float32{make([]float32, mb*sz.act), make([]float32, mb*sz.act)}
	if sz.q > 0 {
		b.qact = [][]byte{make([]byte, mb*sz.q), make([]byte, mb*sz.q)}
		b.qstep = make([]float32, mb)
	}
	for range b.opts.Threads {
		b.scratch = append(b.scratch, &scratch{
			col: make([]float32, sz.col), v: make([]float32, sz.v), m: make([]float32, sz.m), tmp: make([]float32, sz.tmp),
			rows: make([]float32, sz.rows), zeros: make([]float32, sz.rows),
			off: make([]int, tileBlock), wtmp: make([]float32, 12*tileBlock), inner: make([]bool, tileBlock), segs: make([]winoSeg, tileBlock), gemm: gemmImpl.newGemm(),
			pgemm: newPackedGemm(),
			qrow:  make([]float32, sz.qrow), qscale: make([]float32, sz.qscale),
		})
	}
	return nil
}

// convOp returns the op for a k x k convolution of shape in to f channels.
// qi is the convolution's index among those Int8 quantises (inputs
// non-negative), -1 for another trunk convolution, -2 for the heads' (kept
// in FP32).
func (b *Backend) convOp(src, dst int, in nets.Shape, f, k int, wt, bias []float32, act actKind, qi int, sz *sizes) (op, error) {
	ckk := in.C * k * k
	o := &convOp{in: src, out: dst, c: in.C, f: f, h: in.H, w: in.W, k: k, wt: wt, bias: bias, act: act, qi: max(qi, -1)}
	switch {
	case b.precision == BF16 && qi >= -1:
		o.bf = qgemm.NewBF16Matrix(wt, f, ckk)
	case b.precision == Int8 && qi >= 0:
		if b.calib == nil || qi >= len(b.calib.Max) {
			return nil, fmt.Errorf("cpu: the calibration has no range for int8 convolution %d", qi)
		}
		o.q = qgemm.NewInt8Matrix(wt, f, ckk)
		o.qs = actScale(b.calib.Max[qi])
	}
	useWino := k == 3 && o.bf == nil && o.q == nil &&
		(b.opts.Conv3x3 == ConvWinograd || b.opts.Conv3x3 == ConvAuto && autoWinograd(in.C, f, in.H, in.W))
	if useWino {
		sz.grow(&sz.v, 16*winoStride(in.C, tileBlock))
		sz.grow(&sz.rows, 4*(in.W+3))
		sz.grow(&sz.m, 16*winoStride(f, tileBlock))
		return &winoOp{in: src, out: dst, c: in.C, f: f, h: in.H, w: in.W, u: winogradWeights(wt, f, in.C), bias: bias, act: act}, nil
	}
	if k > 1 {
		sz.grow(&sz.col, ckk*colBlock)
	}
	if o.bf == nil && o.q == nil && gemmImpl.newPacked != nil {
		// The weights packed once: the first 5x5 layer's were packed on
		// every block of colBlock columns (4% of a 19x19 forward pass).
		o.pa = sgemm.PackA(f, ckk, wt, ckk)
	}
	return o, nil
}

// qconvOps returns the Int8 op of the k x k convolution qi (input shape in,
// f filters), reading u8 buffer qcur, and the quantOp that writes that
// buffer from activation buffer cur (or the network's input when
// fromInput) unless ready (the previous convolution wrote it). next, when
// not nil, is the convolution that follows this one (with ReLU between):
// then the op writes next's u8 map into the other u8 buffer; otherwise
// float32 activations into buffer 1-cur.
func (b *Backend) qconvOps(cur, qcur int, ready, fromInput bool, in nets.Shape, f, k int, wt, bias []float32, act actKind, qi int, next *nets.Layer, sz *sizes) (*qconvOp, op, error) {
	if b.calib == nil || qi >= len(b.calib.Max) || next != nil && qi+1 >= len(b.calib.Max) {
		return nil, nil, fmt.Errorf("cpu: the calibration has no range for int8 convolution %d", qi)
	}
	var conv *qgemm.ConvInt8
	var qin quantParams
	if fromInput {
		// int16: the input planes' 0 and 1 exactly, and int8 weights
		// on this layer cost 1% of top-1 agreement with FP32.
		conv = qgemm.NewConvInt16(wt, f, in.C, k, int16InputLevels)
		qin = quantParams{step: 1, wide: true, lim: conv.InMax} // per position
		sz.grow(&sz.qscale, conv.Fp)
	} else {
		conv = qgemm.NewConvInt8(wt, f, in.C, k)
		qin = quantFor(b.calib.Max[qi])
	}
	inLay := qLayout{h: in.H, w: in.W, pad: k / 2, cp: conv.Cp, wide: conv.Wide}
	sz.grow(&sz.q, inLay.posLen())
	var qop op
	if !ready {
		qop = &quantOp{src: cur, fromInput: fromInput, dst: qcur, c: in.C, lay: inLay, q: qin}
	}
	if next == nil {
		sz.grow(&sz.qrow, in.W*conv.Fp)
		return newQconvOp(qcur, inLay, conv, qin, bias, act, 1-cur, nil, qLayout{}), qop, nil
	}
	nq := quantFor(b.calib.Max[qi+1])
	outLay := qLayout{h: in.H, w: in.W, pad: next.Kernel / 2, cp: conv.Fp}
	sz.grow(&sz.q, outLay.posLen())
	return newQconvOp(qcur, inLay, conv, qin, bias, act, 1-qcur, &nq, outLay), qop, nil
}

// int16InputLevels is the int16 input range of the first layer: 0 and 1
// exact, and the weights get the most levels the int32 sums allow
// (about 5,800 for the default networks' 29 x 5 x 5 products).
const int16InputLevels = 511
