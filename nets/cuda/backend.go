package cuda

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/internal/fuse"
)

// Backend is a nets.Backend on an NVIDIA GPU. It is safe for concurrent
// use: up to Options.Streams Forward calls run at once, each on its own
// stream and buffers; more wait for a free stream.
type Backend struct {
	// Fixed at construction.
	spec    nets.Spec
	opts    Options
	dev     device
	info    DeviceInfo
	in      nets.Shape // one encoded position
	inLen   int
	moves   int
	layers  []layer
	head    head
	actPer  int // values per position of the largest activation
	maxCKK  int // largest c*k*k of a k > 1 convolution (0: none)
	convHW  int // largest map of a k > 1 convolution's input
	weights []devPtr
	lanes   chan *lane // free lanes
	all     []*lane

	// Guarded by mu.
	mu     sync.Mutex
	closed bool
	active sync.WaitGroup // Forward calls past the closed check
}

var _ nets.HeadsBackend = (*Backend)(nil)

// layerKind is a trunk step.
type layerKind int

const (
	lConv layerKind = iota // convolution, bias, fused activation
	lAct                   // activation in place
	lLRN
	lPool
)

// layer is one trunk step with its weights on the device.
type layer struct {
	kind    layerKind
	in, out nets.Shape
	k, f    int    // conv
	w, b    devPtr // conv
	act     int    // conv (fused) and lAct
	n       int    // lrn
	lk      float32
	alphaN  float32
	beta    float64
	size    int // maxpool
	stride  int
}

// head is the heads' weights on the device.
type head struct {
	shape         nets.Shape // trunk output
	hw            int
	pf, vf, of    int // policy, value and ownership channels (of 0: no ownership head)
	hidden        int
	vk            int    // value features per position: vf*hw, or 2*vf pooled
	pool          bool   // pooled value head
	w, b          devPtr // 1x1 conv to pf+vf+of channels (policy, value, ownership)
	w1            devPtr // float64, hidden x vk
	b1, w2        devPtr
	b2            float32
	ow            devPtr // ownership head's output conv: of
	ob            float32
	sh            int    // score hidden units (0: no score head)
	sw1           devPtr // float64, sh x vk
	sb1, sw2      devPtr
	sb2           float32
	conv          bool   // "conv" policy head
	pw, passW     devPtr // conv head
	pb, passB     float32
	denseW, dense devPtr // dense head: moves x pf*hw, moves
}

// lane is one stream and the buffers of the batches it runs.
type lane struct {
	s       stream
	cap     int // positions the buffers hold
	colCols int // columns per im2col block
	hin     []float32
	hpol    []float32
	hval    []float32
	hown    []float32 // with an ownership head
	hscore  []float32 // with a score head
	din     devPtr
	act     [2]devPtr
	col     devPtr
	xp      devPtr // float32, n x pf*hw
	xv      devPtr // float64, n x vk
	h1      devPtr // float64, n x hidden
	sh1     devPtr // float64, n x sh
	pol     devPtr
	val     devPtr
	own     devPtr // float32, n x hw
	score   devPtr // float32, n
}

// colBudget is the most values of an im2col block: convolutions over
// larger batches run in column blocks (64 MiB by default; a var so that
// tests can force several blocks).
var colBudget = 1 << 24

// New builds a backend for w on GPU opts.Device: it loads the libraries
// (the first time), compiles the kernels for the device (once per process
// and architecture), uploads the weights with batch norms folded into the
// convolutions, and allocates Options.Streams streams with buffers for
// Options.MaxBatch positions each. Errors that mean this machine has no
// usable GPU match ErrUnavailable.
func New(w *nets.Weights, opts Options) (*Backend, error) {
	opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := w.Check(); err != nil {
		return nil, err
	}
	dev, err := openDevice(opts)
	if err != nil {
		return nil, err
	}
	b, err := newBackend(w, opts, dev, dev.info)
	if err != nil {
		dev.close()
		return nil, err
	}
	return b, nil
}

// newBackend builds a backend for w on dev, which it does not close on
// failure. opts has its defaults.
func newBackend(w *nets.Weights, opts Options, dev device, info DeviceInfo) (*Backend, error) {
	if err := w.Check(); err != nil {
		return nil, err
	}
	b := &Backend{spec: w.Spec, opts: opts, dev: dev, info: info, moves: w.Spec.Moves()}
	leave := dev.enter()
	defer leave()
	if err := b.compile(w); err != nil {
		b.release()
		return nil, err
	}
	b.lanes = make(chan *lane, opts.Streams)
	for range opts.Streams {
		s, err := dev.newStream()
		if err != nil {
			b.release()
			return nil, err
		}
		l := &lane{s: s}
		b.all = append(b.all, l)
		if err := b.allocLane(l, opts.MaxBatch); err != nil {
			b.release()
			return nil, err
		}
		b.lanes <- l
	}
	return b, nil
}

// Spec returns the network's spec.
func (b *Backend) Spec() nets.Spec { return b.spec }

// Options returns the options in effect (defaults filled in).
func (b *Backend) Options() Options { return b.opts }

// Device describes the GPU and the libraries loaded.
func (b *Backend) Device() DeviceInfo { return b.info }

// compile turns the weights into layers and uploads them, as nets/cpu
// compiles its ops: batch norm folded into the convolution before it, a
// following ReLU or tanh (past dropouts) fused into the bias pass, the two
// heads' 1x1 convolutions as one.
func (b *Backend) compile(w *nets.Weights) error {
	spec := w.Spec
	shapes, err := spec.TrunkShapes()
	if err != nil {
		return err
	}
	tensor := func(name string) []float32 { return append([]float32(nil), w.Tensor(name).Data...) }
	up := func(data []float32) (devPtr, error) {
		p, err := b.dev.alloc(4 * len(data))
		if err != nil {
			return 0, err
		}
		b.weights = append(b.weights, p)
		return p, uploadF32(b.dev, p, data)
	}
	b.in = shapes[0]
	b.inLen = b.in.Len()
	b.actPer = b.inLen
	layers, err := fuse.Trunk(w)
	if err != nil {
		return fmt.Errorf("nets/cuda: %w", err)
	}
	for _, l := range layers {
		sIn, sOut := l.In, l.Out
		b.actPer = max(b.actPer, sOut.Len())
		switch l.Kind {
		case nets.KindConv:
			ly := layer{kind: lConv, in: sIn, out: sOut, k: l.Kernel, f: l.Filters, act: actCode(l.Act)}
			if ly.w, err = up(l.W); err != nil {
				return err
			}
			if ly.b, err = up(l.B); err != nil {
				return err
			}
			if l.Kernel > 1 {
				b.maxCKK = max(b.maxCKK, sIn.C*l.Kernel*l.Kernel)
				b.convHW = max(b.convHW, sIn.H*sIn.W)
			}
			b.layers = append(b.layers, ly)
		case nets.KindReLU:
			b.layers = append(b.layers, layer{kind: lAct, in: sIn, out: sOut, act: actReLU})
		case nets.KindTanh:
			b.layers = append(b.layers, layer{kind: lAct, in: sIn, out: sOut, act: actTanh})
		case nets.KindLRN:
			b.layers = append(b.layers, layer{kind: lLRN, in: sIn, out: sOut,
				n: l.N, lk: float32(l.K), alphaN: float32(l.Alpha / float64(l.N)), beta: l.Beta})
		case nets.KindMaxPool:
			b.layers = append(b.layers, layer{kind: lPool, in: sIn, out: sOut, size: l.Size, stride: l.Stride})
		}
	}

	t := shapes[len(shapes)-1]
	h := head{shape: t, hw: t.H * t.W, pf: spec.Policy.Filters, vf: spec.Value.Filters, of: spec.Ownership.Filters,
		hidden: spec.Value.Hidden, pool: spec.Value.Pooled(), sh: spec.Score.Hidden}
	h.vk = h.vf * h.hw
	if h.pool {
		h.vk = 2 * h.vf
	}
	b.actPer = max(b.actPer, (h.pf+h.vf+h.of)*h.hw)
	hw := append(tensor("policy.conv.w"), w.Tensor("value.conv.w").Data...)
	hb := append(tensor("policy.conv.b"), w.Tensor("value.conv.b").Data...)
	if h.of > 0 {
		hw = append(hw, w.Tensor("ownership.conv.w").Data...)
		hb = append(hb, w.Tensor("ownership.conv.b").Data...)
	}
	if h.w, err = up(hw); err != nil {
		return err
	}
	if h.b, err = up(hb); err != nil {
		return err
	}
	up64 := func(name string) (devPtr, error) {
		data := w.Tensor(name).Data
		d := make([]float64, len(data))
		for i, v := range data {
			d[i] = float64(v)
		}
		p, err := b.dev.alloc(8 * len(d))
		if err != nil {
			return 0, err
		}
		b.weights = append(b.weights, p)
		return p, uploadF64(b.dev, p, d)
	}
	if h.w1, err = up64("value.fc1.w"); err != nil {
		return err
	}
	if h.b1, err = up(tensor("value.fc1.b")); err != nil {
		return err
	}
	if h.w2, err = up(tensor("value.fc2.w")); err != nil {
		return err
	}
	h.b2 = w.Tensor("value.fc2.b").Data[0]
	if h.of > 0 {
		if h.ow, err = up(tensor("ownership.out.w")); err != nil {
			return err
		}
		h.ob = w.Tensor("ownership.out.b").Data[0]
	}
	if h.sh > 0 {
		if h.sw1, err = up64("score.fc1.w"); err != nil {
			return err
		}
		if h.sb1, err = up(tensor("score.fc1.b")); err != nil {
			return err
		}
		if h.sw2, err = up(tensor("score.fc2.w")); err != nil {
			return err
		}
		h.sb2 = w.Tensor("score.fc2.b").Data[0]
	}
	if spec.Policy.Kind == "dense" {
		if h.denseW, err = up(tensor("policy.dense.w")); err != nil {
			return err
		}
		if h.dense, err = up(tensor("policy.dense.b")); err != nil {
			return err
		}
	} else {
		h.conv = true
		if h.pw, err = up(tensor("policy.point.w")); err != nil {
			return err
		}
		if h.passW, err = up(tensor("policy.pass.w")); err != nil {
			return err
		}
		h.pb = w.Tensor("policy.point.b").Data[0]
		h.passB = w.Tensor("policy.pass.b").Data[0]
	}
	b.head = h
	return nil
}

// allocLane gives l buffers for batches of up to n positions. On failure
// l holds none (and cap 0). Called with the device entered.
func (b *Backend) allocLane(l *lane, n int) error {
	h := b.head
	if int64(n)*int64(max(b.actPer, b.inLen, b.moves, h.pf*h.hw, h.vk)) > math.MaxInt32 {
		return fmt.Errorf("nets/cuda: a batch of %d positions is too large for this network", n)
	}
	var err error
	dev := func(bytes int) devPtr {
		if err != nil {
			return 0
		}
		var p devPtr
		p, err = b.dev.alloc(bytes)
		return p
	}
	host := func(floats int) []float32 {
		if err != nil {
			return nil
		}
		var s []float32
		s, err = b.dev.allocHost(floats)
		return s
	}
	l.cap = n
	l.din = dev(4 * n * b.inLen)
	l.act[0] = dev(4 * n * b.actPer)
	l.act[1] = dev(4 * n * b.actPer)
	if b.maxCKK > 0 {
		l.colCols = max(1, min(colBudget/b.maxCKK, n*b.convHW))
		l.col = dev(4 * b.maxCKK * l.colCols)
	}
	l.xp = dev(4 * n * h.pf * h.hw)
	l.xv = dev(8 * n * h.vk)
	l.h1 = dev(8 * n * h.hidden)
	l.pol = dev(4 * n * b.moves)
	l.val = dev(4 * n)
	l.hin = host(n * b.inLen)
	l.hpol = host(n * b.moves)
	l.hval = host(n)
	if h.of > 0 {
		l.own = dev(4 * n * h.hw)
		l.hown = host(n * h.hw)
	}
	if h.sh > 0 {
		l.sh1 = dev(8 * n * h.sh)
		l.score = dev(4 * n)
		l.hscore = host(n)
	}
	if err != nil {
		b.freeLane(l)
	}
	return err
}

// freeLane releases l's buffers (not its stream).
func (b *Backend) freeLane(l *lane) error {
	var errs []error
	for _, p := range []*devPtr{&l.din, &l.act[0], &l.act[1], &l.col, &l.xp, &l.xv, &l.h1, &l.sh1, &l.pol, &l.val, &l.own, &l.score} {
		errs = append(errs, b.dev.free(*p))
		*p = 0
	}
	for _, h := range []*[]float32{&l.hin, &l.hpol, &l.hval, &l.hown, &l.hscore} {
		errs = append(errs, b.dev.freeHost(*h))
		*h = nil
	}
	l.cap, l.colCols = 0, 0
	return errors.Join(errs...)
}

// release frees every lane, stream and weight. Called with the device
// entered.
func (b *Backend) release() error {
	var errs []error
	for _, l := range b.all {
		errs = append(errs, b.freeLane(l), l.s.destroy())
	}
	b.all = nil
	for _, p := range b.weights {
		errs = append(errs, b.dev.free(p))
	}
	b.weights = nil
	return errors.Join(errs...)
}

// Forward evaluates n positions (see nets.Backend). It returns an error if
// n < 1, a buffer is too short, ctx is done before the batch starts (or
// while it waits for a free stream), the backend is closed, or the device
// fails. Batches larger than the buffers grow them.
func (b *Backend) Forward(ctx context.Context, in []float32, n int, policy, value []float32) error {
	return b.ForwardOutputs(ctx, in, n, nets.Outputs{Policy: policy, Value: value})
}

// ForwardOutputs is Forward with the ownership and score heads
// (nets.HeadsBackend).
func (b *Backend) ForwardOutputs(ctx context.Context, in []float32, n int, out nets.Outputs) error {
	policy, value := out.Policy, out.Value
	if n < 1 {
		return fmt.Errorf("nets/cuda: batch of %d positions", n)
	}
	if len(in) < n*b.inLen || len(policy) < n*b.moves || len(value) < n {
		return fmt.Errorf("nets/cuda: buffers too short for %d positions: in %d (want %d), policy %d (want %d), value %d",
			n, len(in), n*b.inLen, len(policy), n*b.moves, len(value))
	}
	if err := b.spec.CheckOutputs(n, out); err != nil {
		return fmt.Errorf("nets/cuda: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return ErrClosed
	}
	b.active.Add(1)
	b.mu.Unlock()
	defer b.active.Done()
	var l *lane
	select {
	case l = <-b.lanes:
	case <-ctx.Done():
		return ctx.Err()
	}
	defer func() { b.lanes <- l }()
	leave := b.dev.enter()
	defer leave()
	wantOwn, wantScore := out.Ownership != nil, out.Score != nil
	if err := b.run(l, in, n, wantOwn, wantScore); err != nil {
		l.s.sync() // nothing of this batch may still use the buffers
		return err
	}
	copy(policy[:n*b.moves], l.hpol[:n*b.moves])
	copy(value[:n], l.hval[:n])
	if wantOwn {
		copy(out.Ownership[:n*b.head.hw], l.hown[:n*b.head.hw])
	}
	if wantScore {
		copy(out.Score[:n], l.hscore[:n])
	}
	return nil
}

// run computes a batch on lane l (the ownership and score heads when
// asked for) and waits for it.
func (b *Backend) run(l *lane, in []float32, n int, wantOwn, wantScore bool) error {
	if n > l.cap {
		if err := b.freeLane(l); err != nil {
			return err
		}
		if err := b.allocLane(l, max(n, 2*l.cap)); err != nil {
			return err
		}
	}
	s := l.s
	copy(l.hin, in[:n*b.inLen])
	if err := s.htod(l.din, l.hin[:n*b.inLen]); err != nil {
		return err
	}
	if err := launch(s, kNCHWToCNHW, n*b.inLen, argPtr(l.din), argPtr(l.act[0]), argInt(n), argInt(b.in.C), argInt(b.in.H*b.in.W)); err != nil {
		return err
	}
	cur := 0
	for i := range b.layers {
		ly := &b.layers[i]
		src, dst := l.act[cur], l.act[1-cur]
		c, hw := ly.in.C, ly.in.H*ly.in.W
		p := n * hw
		var err error
		switch ly.kind {
		case lConv:
			err = b.conv(l, n, src, dst, ly.in, ly.f, ly.k, ly.w, ly.b, ly.act)
			cur = 1 - cur
		case lAct:
			err = launch(s, kActivate, c*p, argPtr(src), argInt(c*p), argInt(ly.act))
		case lLRN:
			err = launch(s, kLRN, c*p, argPtr(src), argPtr(dst), argInt(c), argInt(p), argInt(ly.n),
				argF32(ly.lk), argF32(ly.alphaN), argF64(ly.beta))
			cur = 1 - cur
		case lPool:
			err = launch(s, kMaxPool, c*n*ly.out.H*ly.out.W, argPtr(src), argPtr(dst), argInt(c), argInt(n),
				argInt(ly.in.H), argInt(ly.in.W), argInt(ly.out.H), argInt(ly.out.W), argInt(ly.size), argInt(ly.stride))
			cur = 1 - cur
		}
		if err != nil {
			return fmt.Errorf("%w (trunk step %d)", err, i)
		}
	}
	if err := b.heads(l, n, l.act[cur], l.act[1-cur], wantOwn, wantScore); err != nil {
		return err
	}
	if err := s.dtoh(l.hpol[:n*b.moves], l.pol); err != nil {
		return err
	}
	if err := s.dtoh(l.hval[:n], l.val); err != nil {
		return err
	}
	if wantOwn {
		if err := s.dtoh(l.hown[:n*b.head.hw], l.own); err != nil {
			return err
		}
	}
	if wantScore {
		if err := s.dtoh(l.hscore[:n], l.score); err != nil {
			return err
		}
	}
	return s.sync()
}

// conv enqueues a k x k convolution of src (shape in, batch n) to f
// channels in dst, with bias and activation: one GEMM for k == 1, else
// im2col and a GEMM per block of l.colCols columns.
func (b *Backend) conv(l *lane, n int, src, dst devPtr, in nets.Shape, f, k int, w, bias devPtr, act int) error {
	s := l.s
	hw := in.H * in.W
	p := n * hw
	if k == 1 {
		// out (f x P) = W (f x c) * src (c x P)
		if err := sgemmRow(s, gemm{m: f, n: p, k: in.C, alpha: 1, a: w, lda: in.C, b: src, ldb: p, c: dst, ldc: p}); err != nil {
			return err
		}
	} else {
		ckk := in.C * k * k
		for c0 := 0; c0 < p; c0 += l.colCols {
			cnt := min(l.colCols, p-c0)
			if err := launch(s, kIm2col, ckk*cnt, argPtr(src), argInt(p), argInt(in.C), argInt(in.H), argInt(in.W),
				argInt(k), argInt(c0), argInt(cnt), argPtr(l.col)); err != nil {
				return err
			}
			// out[:, c0:c0+cnt] (f x cnt, row stride P) = W (f x ckk) * col (ckk x cnt)
			if err := sgemmRow(s, gemm{m: f, n: cnt, k: ckk, alpha: 1, a: w, lda: ckk, b: l.col, ldb: cnt, c: dst.f32(c0), ldc: p}); err != nil {
				return err
			}
		}
	}
	return launch(s, kBiasAct, f*p, argPtr(dst), argPtr(bias), argInt(f), argInt(p), argInt(act))
}

// heads enqueues the heads on the trunk output x, using tmp for the
// heads' 1x1 convolution; the ownership and score heads only when asked
// for.
func (b *Backend) heads(l *lane, n int, x, tmp devPtr, wantOwn, wantScore bool) error {
	s := l.s
	h := &b.head
	p := n * h.hw
	pk, vk := h.pf*h.hw, h.vk
	if err := b.conv(l, n, x, tmp, h.shape, h.pf+h.vf+h.of, 1, h.w, h.b, actReLU); err != nil {
		return fmt.Errorf("%w (head convolution)", err)
	}
	// The flat value head's channels are gathered with the policy's; the
	// pooled one's are pooled.
	gvf := h.vf
	if h.pool {
		gvf = 0
	}
	if err := launch(s, kGatherHeads, (h.pf+gvf)*p, argPtr(tmp), argInt(n), argInt(h.hw), argInt(h.pf), argInt(gvf), argPtr(l.xp), argPtr(l.xv)); err != nil {
		return err
	}
	if h.pool {
		if err := launch(s, kPoolValue, n*h.vf, argPtr(tmp), argInt(n), argInt(h.hw), argInt(h.pf), argInt(h.vf), argPtr(l.xv)); err != nil {
			return err
		}
	}
	// Value: h1 (n x hidden) = xv (n x vk) * w1^T in float64, then the
	// output layer and tanh.
	if err := dgemmRow(s, gemm{transB: true, m: n, n: h.hidden, k: vk, alpha: 1, a: l.xv, lda: vk, b: h.w1, ldb: vk, c: l.h1, ldc: h.hidden}); err != nil {
		return fmt.Errorf("%w (value head)", err)
	}
	if err := launch(s, kValueOut, n, argPtr(l.h1), argPtr(h.b1), argPtr(h.w2), argF32(h.b2), argInt(h.hidden), argInt(n), argPtr(l.val)); err != nil {
		return err
	}
	if wantScore {
		// Score: the same features, its own hidden layer, no tanh.
		if err := dgemmRow(s, gemm{transB: true, m: n, n: h.sh, k: vk, alpha: 1, a: l.xv, lda: vk, b: h.sw1, ldb: vk, c: l.sh1, ldc: h.sh}); err != nil {
			return fmt.Errorf("%w (score head)", err)
		}
		if err := launch(s, kScoreOut, n, argPtr(l.sh1), argPtr(h.sb1), argPtr(h.sw2), argF32(h.sb2), argInt(h.sh), argInt(n), argPtr(l.score)); err != nil {
			return err
		}
	}
	if wantOwn {
		if err := launch(s, kOwnershipOut, p, argPtr(tmp), argInt(n), argInt(h.hw), argInt(h.pf+h.vf), argInt(h.of), argPtr(h.ow), argF32(h.ob), argPtr(l.own)); err != nil {
			return err
		}
	}
	if h.conv {
		// Points and the pass bias, then pass += xp (n x pk) * passW^T.
		if err := launch(s, kPolicyPoints, n*b.moves, argPtr(l.xp), argPtr(h.pw), argF32(h.pb), argF32(h.passB),
			argInt(n), argInt(h.pf), argInt(h.hw), argPtr(l.pol)); err != nil {
			return err
		}
		if err := sgemmRow(s, gemm{transB: true, m: n, n: 1, k: pk, alpha: 1, beta: 1, a: l.xp, lda: pk, b: h.passW, ldb: pk, c: l.pol.f32(h.hw), ldc: b.moves}); err != nil {
			return fmt.Errorf("%w (pass logit)", err)
		}
		return nil
	}
	// Dense: logits = bias, then += xp (n x pk) * W^T (W: moves x pk).
	if err := launch(s, kFillRows, n*b.moves, argPtr(l.pol), argPtr(h.dense), argInt(n), argInt(b.moves)); err != nil {
		return err
	}
	if err := sgemmRow(s, gemm{transB: true, m: n, n: b.moves, k: pk, alpha: 1, beta: 1, a: l.xp, lda: pk, b: h.denseW, ldb: pk, c: l.pol, ldc: b.moves}); err != nil {
		return fmt.Errorf("%w (dense policy)", err)
	}
	return nil
}

// Close waits for running Forward calls, then frees the device memory,
// streams and module and releases the GPU context. Forward fails
// afterwards. Close is idempotent.
func (b *Backend) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	b.active.Wait()
	leave := b.dev.enter()
	err := b.release()
	leave()
	return errors.Join(err, b.dev.close())
}
