package cpu

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/tengen-go/tengen/nets"
)

// ConvAlgo chooses how 3x3 convolutions are computed.
type ConvAlgo int

const (
	// ConvAuto picks per layer shape whichever algorithm measured faster
	// (see autoWinograd).
	ConvAuto ConvAlgo = iota
	// ConvIm2col lowers the input to a (C*9) x pixels matrix and runs one
	// GEMM per column block.
	ConvIm2col
	// ConvWinograd uses Winograd F(2x2, 3x3): 16 GEMMs on transformed
	// 4x4 tiles.
	ConvWinograd
)

func (a ConvAlgo) String() string {
	switch a {
	case ConvAuto:
		return "auto"
	case ConvIm2col:
		return "im2col"
	case ConvWinograd:
		return "winograd"
	}
	return fmt.Sprintf("ConvAlgo(%d)", int(a))
}

// Options configures a Backend.
type Options struct {
	// MaxBatch is the largest n Forward accepts; buffers are sized for it
	// once, in New. Default 16.
	MaxBatch int
	// Threads is the number of goroutines a Forward uses (the caller's
	// included). Default runtime.GOMAXPROCS(0).
	Threads int
	// Conv3x3 picks the 3x3 convolution algorithm. Default ConvAuto.
	// Convolutions in BF16 or Int8 use im2col.
	Conv3x3 ConvAlgo
	// Precision is the trunk convolutions' arithmetic. Default FP32; a
	// precision this CPU lacks the instructions for runs as FP32 (see
	// Precision.Resolve and Backend.Precision).
	Precision Precision
	// Calibration holds the int8 activation ranges (from Calibrate, or a
	// backend's Calibration). Nil: an Int8 backend calibrates itself in
	// New on CalibrationInputs (random-play positions). Ignored by the
	// other precisions.
	Calibration *Calibration
}

// EnsureDefaults fills zero fields with their defaults.
func (o *Options) EnsureDefaults() {
	if o.MaxBatch == 0 {
		o.MaxBatch = 16
	}
	if o.Threads == 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
}

// Validate reports whether the options are usable (after EnsureDefaults).
func (o Options) Validate() error {
	if o.MaxBatch < 1 {
		return fmt.Errorf("cpu: MaxBatch %d < 1", o.MaxBatch)
	}
	if o.Threads < 1 {
		return fmt.Errorf("cpu: Threads %d < 1", o.Threads)
	}
	if o.Conv3x3 < ConvAuto || o.Conv3x3 > ConvWinograd {
		return fmt.Errorf("cpu: unknown Conv3x3 %v", o.Conv3x3)
	}
	if o.Precision < FP32 || o.Precision > PrecisionAuto {
		return fmt.Errorf("cpu: unknown Precision %v", o.Precision)
	}
	return nil
}

// ErrClosed is returned by Forward after Close.
var ErrClosed = errors.New("cpu: backend closed")

// Backend is the fast CPU implementation of nets.Backend. Forward calls
// are serialised by a mutex; one Forward uses Options.Threads cores.
type Backend struct {
	// Fixed at construction.
	spec    nets.Spec
	opts    Options
	inLen   int // values per encoded position
	moves   int
	ops     []op
	chunk   int         // positions per pass through ops
	act     [][]float32 // activation buffers, each MaxBatch * the largest layer
	qact    [][]byte    // Int8: u8 maps (qLayout), each MaxBatch * the largest
	qstep   []float32   // Int8: per position of a chunk, the int16 input's step
	scratch []*scratch  // per worker

	precision  Precision      // in effect
	int8Layers int            // convolutions Int8 quantises (non-negative inputs)
	calib      *Calibration   // Int8 only
	recorder   *calibRecorder // set by Calibrate

	// Per Forward (guarded by mu).
	mu     sync.Mutex
	closed bool
	n      int // positions in the current chunk
	in     []float32
	policy []float32
	value  []float32
	own    []float32 // nil: not wanted
	score  []float32 // nil: not wanted

	// Worker goroutines: started by the first multi-threaded Forward,
	// stopped by Close.
	jobs    []chan int // per worker (index 1..Threads-1): op index to run
	done    sync.WaitGroup
	running sync.WaitGroup
}

var _ nets.HeadsBackend = (*Backend)(nil)

// New builds a backend for w: it checks the weights, folds batch norms into
// the convolutions, transforms Winograd weights and allocates every buffer
// for batches of up to opts.MaxBatch. It starts no goroutines.
func New(w *nets.Weights, opts Options) (*Backend, error) {
	opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := w.Check(); err != nil {
		return nil, err
	}
	if fw := w.Clone(); fw.FlushDenormals() > 0 {
		w = fw // subnormal weights cost a microcode assist per use
	}
	b := &Backend{spec: w.Spec, opts: opts, moves: w.Spec.Moves(), precision: opts.Precision.Resolve()}
	if forceQuantized && (opts.Precision == BF16 || opts.Precision == Int8) {
		b.precision = opts.Precision
	}
	if b.precision == Int8 {
		b.calib = opts.Calibration
		if b.calib == nil {
			in, err := CalibrationInputs(w.Spec, calibrationPositions, 1)
			if err != nil {
				return nil, err
			}
			if b.calib, err = Calibrate(w, in, calibrationPositions, opts.Threads); err != nil {
				return nil, err
			}
		}
	}
	if err := b.compile(w); err != nil {
		return nil, err
	}
	return b, nil
}

// Spec returns the network's spec.
func (b *Backend) Spec() nets.Spec { return b.spec }

// Options returns the options in effect (defaults filled in).
func (b *Backend) Options() Options { return b.opts }

// Precision returns the precision in effect: Options.Precision resolved
// for this CPU.
func (b *Backend) Precision() Precision { return b.precision }

// Calibration returns the int8 activation ranges in use (nil unless the
// precision is Int8): keep it with the network to skip calibrating again.
func (b *Backend) Calibration() *Calibration { return b.calib }

// Forward evaluates n positions (see nets.Backend). It returns an error if
// n is outside [1, MaxBatch], a buffer is too short, ctx is done (checked
// between layers) or the backend is closed.
func (b *Backend) Forward(ctx context.Context, in []float32, n int, policy, value []float32) error {
	return b.ForwardOutputs(ctx, in, n, nets.Outputs{Policy: policy, Value: value})
}

// ForwardOutputs is Forward with the ownership and score heads
// (nets.HeadsBackend).
func (b *Backend) ForwardOutputs(ctx context.Context, in []float32, n int, out nets.Outputs) error {
	policy, value := out.Policy, out.Value
	if n < 1 || n > b.opts.MaxBatch {
		return fmt.Errorf("cpu: batch of %d outside [1, %d]", n, b.opts.MaxBatch)
	}
	if len(in) < n*b.inLen || len(policy) < n*b.moves || len(value) < n {
		return fmt.Errorf("cpu: buffers too short for %d positions: in %d (want %d), policy %d (want %d), value %d",
			n, len(in), n*b.inLen, len(policy), n*b.moves, len(value))
	}
	if err := b.spec.CheckOutputs(n, out); err != nil {
		return fmt.Errorf("cpu: %w", err)
	}
	area := b.spec.Area()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return ErrClosed
	}
	defer func() { b.in, b.policy, b.value, b.own, b.score = nil, nil, nil, nil, nil }()
	if b.opts.Threads > 1 && b.jobs == nil {
		b.startWorkers()
	}
	for p0 := 0; p0 < n; p0 += b.chunk {
		m := min(b.chunk, n-p0)
		b.n = m
		b.in = in[p0*b.inLen : (p0+m)*b.inLen]
		b.policy = policy[p0*b.moves : (p0+m)*b.moves]
		b.value = value[p0 : p0+m]
		b.own, b.score = nil, nil
		if out.Ownership != nil {
			b.own = out.Ownership[p0*area : (p0+m)*area]
		}
		if out.Score != nil {
			b.score = out.Score[p0 : p0+m]
		}
		for i := range b.ops {
			if err := ctx.Err(); err != nil {
				return err
			}
			b.runOp(i)
		}
	}
	return nil
}

// runOp runs b.ops[i] on every worker, the caller being worker 0, and
// waits for all of them.
func (b *Backend) runOp(i int) {
	t := b.opts.Threads
	if t == 1 {
		b.ops[i].run(b, 0, 1)
		return
	}
	b.done.Add(t - 1)
	for w := 1; w < t; w++ {
		b.jobs[w] <- i
	}
	b.ops[i].run(b, 0, t)
	b.done.Wait()
}

func (b *Backend) startWorkers() {
	t := b.opts.Threads
	b.jobs = make([]chan int, t)
	b.running.Add(t - 1)
	for w := 1; w < t; w++ {
		ch := make(chan int)
		b.jobs[w] = ch
		go b.worker(w, ch)
	}
}

func (b *Backend) worker(w int, jobs <-chan int) {
	defer b.running.Done()
	t := b.opts.Threads
	for i := range jobs {
		b.ops[i].run(b, w, t)
		b.done.Done()
	}
}

// Close stops the worker goroutines and waits for them. Forward fails
// afterwards. Close is idempotent.
func (b *Backend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return nil
	}
	b.closed = true
	for _, ch := range b.jobs {
		if ch != nil {
			close(ch)
		}
	}
	b.running.Wait()
	b.jobs = nil
	return nil
}

// span returns worker w's share [lo, hi) of total items split among t.
func span(total, w, t int) (lo, hi int) {
	return total * w / t, total * (w + 1) / t
}
