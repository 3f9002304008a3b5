package fasttrain

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/internal/optim"
	"github.com/tengen-go/tengen/nets/internal/sgemm"
	"github.com/tengen-go/tengen/nets/tape"
)

// Options are the fast path's own settings; the training hyperparameters
// are a [tape.TrainOptions].
type Options struct {
	// Threads is the number of goroutines a Step uses (the caller's
	// included). Default runtime.GOMAXPROCS(0).
	Threads int
}

// EnsureDefaults fills zero fields with their defaults.
func (o *Options) EnsureDefaults() {
	if o.Threads == 0 {
		o.Threads = runtime.GOMAXPROCS(0)
	}
}

// Validate reports whether the options are usable (after EnsureDefaults).
func (o Options) Validate() error {
	if o.Threads < 1 {
		return fmt.Errorf("fasttrain: Threads %d < 1", o.Threads)
	}
	return nil
}

// ErrClosed is returned by Step after Close.
var ErrClosed = errors.New("fasttrain: trainer closed")

// Trainer trains a network on the CPU with hand-written forward and
// backward passes over GEMMs. It has nets/tape.Trainer's methods and
// semantics (loss, optimizers, dropout draws, batch norm statistics,
// checkpoint state), so either can replace the other. It is not safe for
// concurrent use.
type Trainer struct {
	// Fixed at construction.
	opts    tape.TrainOptions
	spec    nets.Spec
	n       int // batch size
	inLen   int
	moves   int
	params  []*param // trainable, in Params order
	layers  []layer  // trunk, in forward order
	acts    []*act   // acts[0] is the input
	bns     []*bnLayer
	drops   []*dropMask // in nets/tape's draw order
	ph      *policyHead
	vh      *valueHead
	oh      *ownershipHead // nil without an ownership head
	scratch []*scratch     // per worker
	gemm    func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
	inputFn func(w, t int)

	// Mutable.
	pool   workers
	w      *nets.Weights // trainable tensors' Data are the live parameters
	lr     float64
	opt    optim.Optimizer
	pcg    *rand.PCG
	rng    *rand.Rand
	in     []float32 // the current Step's input, NCHW
	polT   []float32 // normalised policy targets, n x moves
	valT   []float32
	valW   []float32 // value mask / number of masked-in samples
	ownT   []float32 // ownership targets, n x area (zeros without)
	ownW   []float32 // ownership mask / masked-in samples / area
	scT    []float32 // score targets
	scW    []float32 // score mask / masked-in samples
	closed bool
}

// param is one trainable tensor and its gradient.
type param struct {
	name  string
	w, g  []float32
	decay bool    // a weight tensor (".w"): under the L2 penalty
	lrf   float64 // learning-rate factor (tape.TrainOptions.LRFactor)
}

// act is one activation map of the batch, channel-major (C x N*H*W), and
// its gradient (nil when nothing below it is trainable).
type act struct {
	shape nets.Shape
	x, g  []float32
}

// layer is one trunk layer. forward reads its input act and writes its
// output act; backward reads the output's gradient and writes the
// parameters' gradients and (when it exists) the input's gradient.
type layer interface {
	forward()
	backward()
}

// scratch is one worker's private working memory.
type scratch struct {
	col  []float32 // im2col block: (C*k*k) x the columns of a block of whole positions
	dcol []float32 // its gradient
	tmp  []float32 // LRN sums
	pv   []float32 // 3x3 pooling: row maxima
	pi   []int32   // and their indices
	gemm func(transA, transB bool, m, n, k int, alpha float32, a []float32, lda int, b []float32, ldb int, beta float32, c []float32, ldc int)
}

// colBlock is the number of columns (pixels) per im2col GEMM, rounded
// down to whole positions (at least one).
const colBlock = 512

// NewTrainer returns a trainer starting from (a copy of) w, using
// runtime.GOMAXPROCS(0) goroutines per step.
func NewTrainer(w *nets.Weights, opts tape.TrainOptions) (*Trainer, error) {
	return New(w, opts, Options{})
}

// New returns a trainer starting from (a copy of) w with the fast path's
// options o. It allocates every buffer for opts.BatchSize and starts no
// goroutines.
func New(w *nets.Weights, opts tape.TrainOptions, o Options) (*Trainer, error) {
	o.EnsureDefaults()
	if err := o.Validate(); err != nil {
		return nil, err
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if err := w.Check(); err != nil {
		return nil, err
	}
	in, _ := w.Spec.InputShape()
	t := &Trainer{
		opts: opts, spec: w.Spec, n: opts.BatchSize, inLen: in.Len(), moves: w.Spec.Moves(),
		w: w.Clone(), lr: opts.LearningRate, pool: workers{t: o.Threads},
	}
	ctx := &sgemm.Context{Threads: o.Threads}
	t.gemm = ctx.Sgemm
	if err := t.build(); err != nil {
		return nil, err
	}
	var sizes []int
	for _, p := range t.params {
		sizes = append(sizes, len(p.w))
		p.lrf = opts.LRFactor(p.name)
	}
	var err error
	if t.opt, err = optim.New(opts.OptimConfig(), sizes); err != nil {
		return nil, fmt.Errorf("fasttrain: %w", err)
	}
	t.pcg = rand.NewPCG(opts.Seed, 0x7461706574726e) // nets/tape's stream: the same dropout masks
	t.rng = rand.New(t.pcg)
	t.polT = make([]float32, t.n*t.moves)
	t.valT = make([]float32, t.n)
	t.valW = make([]float32, t.n)
	t.ownT = make([]float32, t.n*w.Spec.Area())
	t.ownW = make([]float32, t.n)
	t.scT = make([]float32, t.n)
	t.scW = make([]float32, t.n)
	return t, nil
}

// LearningRate returns the current learning rate.
func (t *Trainer) LearningRate() float64 { return t.lr }

// SetLearningRate sets the learning rate of the following steps (for
// schedules). Precondition: lr > 0.
func (t *Trainer) SetLearningRate(lr float64) { t.lr = lr }

// Steps returns the number of steps taken (including those of an imported
// state).
func (t *Trainer) Steps() int64 { return t.opt.Steps() }

// Options returns the training options the trainer was made with.
func (t *Trainer) Options() tape.TrainOptions { return t.opts }

// Threads returns the number of goroutines a step uses.
func (t *Trainer) Threads() int { return t.pool.t }

// Step trains on one batch of exactly BatchSize samples and returns the
// batch's loss before the update, as nets/tape.Trainer.Step does: in
// holds the encoded positions (NCHW); policyTarget n*Moves() values, per
// sample a distribution (rows are normalised; an all-zero row means no
// policy target); valueTarget n results in [-1, 1] for the side to move;
// valueMask n weights, 0 meaning no value target. A non-finite loss is
// an error and leaves the weights unchanged.
func (t *Trainer) Step(in, policyTarget, valueTarget, valueMask []float32) (tape.Loss, error) {
	return t.StepBatch(tape.Batch{In: in, Policy: policyTarget, Value: valueTarget, ValueMask: valueMask})
}

// StepBatch is Step with ownership and score targets (see tape.Batch),
// as nets/tape.Trainer.StepBatch.
func (t *Trainer) StepBatch(b tape.Batch) (tape.Loss, error) {
	if t.closed {
		return tape.Loss{}, ErrClosed
	}
	withPolicy, err := t.prepare(b)
	if err != nil {
		return tape.Loss{}, err
	}
	t.drawMasks()
	loss := t.forward()
	t.in = nil
	if math.IsNaN(loss.Total) || math.IsInf(loss.Total, 0) {
		return loss, fmt.Errorf("fasttrain: loss is %v; weights left unchanged", loss.Total)
	}
	if withPolicy > 0 {
		loss.Accuracy = float64(t.hits()) / float64(withPolicy)
	}
	t.backward()
	t.update()
	return loss, nil
}

// prepare checks the batch, normalises the targets into the trainer's
// buffers and keeps in for the input phase. It returns the number of
// samples with a policy target.
func (t *Trainer) prepare(b tape.Batch) (int, error) {
	n, moves := t.n, t.moves
	if err := b.Check(t.spec, n, t.inLen); err != nil {
		return 0, fmt.Errorf("fasttrain: %w", err)
	}
	in, policyTarget, valueTarget, valueMask := b.In, b.Policy, b.Value, b.ValueMask
	withPolicy := 0
	for s := range n {
		row, dst := policyTarget[s*moves:(s+1)*moves], t.polT[s*moves:(s+1)*moves]
		var sum float64
		for _, v := range row {
			if v < 0 || math.IsNaN(float64(v)) {
				return 0, fmt.Errorf("fasttrain: sample %d: policy target %v", s, v)
			}
			sum += float64(v)
		}
		if sum == 0 {
			clear(dst)
			continue
		}
		withPolicy++
		for i, v := range row {
			dst[i] = float32(float64(v) / sum)
		}
	}
	var masked float64
	for _, m := range valueMask {
		if m < 0 {
			return 0, fmt.Errorf("fasttrain: negative value mask %v", m)
		}
		masked += float64(m)
	}
	for s, m := range valueMask {
		t.valW[s] = 0
		if masked > 0 {
			t.valW[s] = float32(float64(m) / masked)
		}
	}
	copy(t.valT, valueTarget)
	if err := tape.MaskWeights(b.OwnershipMask, 1/float64(t.spec.Area()), t.ownW); err != nil {
		return 0, fmt.Errorf("fasttrain: ownership %w", err)
	}
	if b.Ownership != nil {
		copy(t.ownT, b.Ownership)
	} else {
		clear(t.ownT)
	}
	if err := tape.MaskWeights(b.ScoreMask, 1, t.scW); err != nil {
		return 0, fmt.Errorf("fasttrain: score %w", err)
	}
	if b.Score != nil {
		copy(t.scT, b.Score)
	} else {
		clear(t.scT)
	}
	t.in = in
	return withPolicy, nil
}

// drawMasks fills every dropout mask from the trainer's generator in
// nets/tape's order (trunk layers, policy head, value head; within a
// mask, NCHW order), with 0 or 1/(1-rate).
func (t *Trainer) drawMasks() {
	for _, d := range t.drops {
		keep := float32(1 / (1 - d.rate))
		cs := t.n * d.hw
		for s := range t.n {
			for c := range d.c {
				row := d.mask[c*cs+s*d.hw:][:d.hw]
				for i := range row {
					if t.rng.Float64() < d.rate {
						row[i] = 0
					} else {
						row[i] = keep
					}
				}
			}
		}
	}
}

// forward runs the network on the prepared batch and returns the loss
// (without Accuracy); it leaves the gradients of the logits and values
// for backward.
func (t *Trainer) forward() tape.Loss {
	t.pool.run(t.inputFn)
	for _, l := range t.layers {
		l.forward()
	}
	t.ph.forward()
	t.vh.forward()
	if t.oh != nil {
		t.oh.forward()
	}
	return t.loss()
}

// inputPart copies the caller's NCHW positions into channel-major
// activations.
func (t *Trainer) inputPart(w, nt int) {
	sh := t.acts[0].shape
	hw, c := sh.H*sh.W, sh.C
	cs := t.n * hw
	dst := t.acts[0].x
	lo, hi := span(t.n*c, w, nt)
	for p := lo; p < hi; p++ {
		pos, ch := p/c, p%c
		copy(dst[ch*cs+pos*hw:][:hw], t.in[p*hw:(p+1)*hw])
	}
}

// loss computes the loss terms and the gradients of the total with
// respect to the policy logits and the values.
func (t *Trainer) loss() tape.Loss {
	n, moves := t.n, t.moves
	var l tape.Loss
	logits, dl := t.ph.logits, t.ph.dlogits
	var pol float64
	for s := range n {
		z := logits[s*moves:][:moves]
		tg := t.polT[s*moves:][:moves]
		d := dl[s*moves:][:moves]
		m := z[0]
		for _, v := range z {
			m = max(m, v)
		}
		var sum float64
		for _, v := range z {
			sum += math.Exp(float64(v - m))
		}
		lse := math.Log(sum)
		var tsum float64
		for i, v := range tg {
			if v != 0 {
				pol -= float64(v) * (float64(z[i]-m) - lse)
				tsum += float64(v)
			}
		}
		// d/dz of -sum(tg*logp)/n = (softmax*sum(tg) - tg)/n.
		scale := tsum / float64(n)
		for i, v := range z {
			d[i] = float32(math.Exp(float64(v-m)-lse)*scale - float64(tg[i])/float64(n))
		}
	}
	l.Policy = pol / float64(n)
	vw := t.opts.ValueWeight
	var val float64
	for s := range n {
		v := float64(t.vh.v[s])
		diff := v - float64(t.valT[s])
		val += float64(t.valW[s]) * diff * diff
		t.vh.dz[s] = float32(vw * 2 * float64(t.valW[s]) * diff * (1 - v*v))
	}
	l.Value = val
	if t.oh != nil {
		// d/dz of ow * sum w_s (tanh(z) - t)^2 = ow * 2 w_s (o - t)(1 - o^2).
		ow := t.opts.OwnershipWeight
		area := t.spec.Area()
		var own float64
		for s := range n {
			ws := float64(t.ownW[s])
			o := t.oh.own[s*area:][:area]
			tg := t.ownT[s*area:][:area]
			dz := t.oh.oz.g[s*area:][:area]
			for i, v := range o {
				d := float64(v) - float64(tg[i])
				own += ws * d * d
				dz[i] = float32(ow * 2 * ws * d * (1 - float64(v)*float64(v)))
			}
		}
		l.Ownership = own
	}
	if t.vh.sw1 != nil {
		// Huber on (score - target)/ScoreScale, threshold 1; its
		// derivative by the score is the clamped scaled error / ScoreScale.
		sw := t.opts.ScoreWeight
		var sc float64
		for s := range n {
			d := (float64(t.vh.score[s]) - float64(t.scT[s])) / tape.ScoreScale
			a := math.Abs(d)
			h := a * a / 2
			if a > 1 {
				h = a - 0.5
			}
			ws := float64(t.scW[s])
			sc += ws * h
			t.vh.dscore[s] = float32(sw * ws * max(-1, min(1, d)) / tape.ScoreScale)
		}
		l.Score = sc
	}
	if wd := t.opts.WeightDecay; wd > 0 {
		var sq float64
		for _, p := range t.params {
			if p.decay {
				for _, v := range p.w {
					sq += float64(v) * float64(v)
				}
			}
		}
		l.L2 = wd * sq
	}
	l.Total = l.Policy + vw*l.Value + t.opts.OwnershipWeight*l.Ownership + t.opts.ScoreWeight*l.Score + l.L2
	return l
}

// hits counts samples whose top logit is their policy target's top move.
func (t *Trainer) hits() int {
	hits, moves := 0, t.moves
	for s := range t.n {
		target := t.polT[s*moves : (s+1)*moves]
		if best := argmax(target); target[best] > 0 && best == argmax(t.ph.logits[s*moves:(s+1)*moves]) {
			hits++
		}
	}
	return hits
}

func argmax(v []float32) int {
	best := 0
	for i, x := range v {
		if x > v[best] {
			best = i
		}
	}
	return best
}

// backward computes every parameter's gradient of the loss (without the
// L2 term) from the gradients loss left.
func (t *Trainer) backward() {
	t.vh.backward()
	t.ph.backward()
	if t.oh != nil {
		t.oh.backward()
	}
	for i := len(t.layers) - 1; i >= 0; i-- {
		t.layers[i].backward()
	}
}

// update adds the L2 gradient, applies the optimizer and then updates
// the batch norm running statistics.
func (t *Trainer) update() {
	wd := float32(2 * t.opts.WeightDecay)
	for k, p := range t.params {
		if p.decay && wd != 0 {
			for i, v := range p.w {
				p.g[i] += wd * v
			}
		}
		t.opt.Update(k, t.lr*p.lrf, p.w, p.g)
	}
	t.opt.EndStep()
	m := float32(t.opts.BatchNormMomentum)
	for _, b := range t.bns {
		count := t.n * b.hw
		unbias := float32(count) / float32(max(1, count-1))
		for c := range b.runMean {
			b.runMean[c] = (1-m)*b.runMean[c] + m*b.mean[c]
			b.runVar[c] = (1-m)*b.runVar[c] + m*b.variance[c]*unbias
		}
	}
}

// Weights returns a copy of the current weights, batch norm running
// statistics included.
func (t *Trainer) Weights() *nets.Weights { return t.w.Clone() }

// State returns a copy of the optimizer state and the dropout generator
// in nets/tape's format: a state from either trainer resumes the other.
func (t *Trainer) State() (tape.TrainerState, error) {
	return optim.Snapshot(t.opt, t.paramNames(), t.pcg)
}

// ErrState is wrapped by SetState's errors (the same error as
// tape.ErrState).
var ErrState = optim.ErrState

// SetState replaces the optimizer state with st, which must come from a
// trainer (this one's kind or nets/tape's) of the same spec and optimizer.
func (t *Trainer) SetState(st tape.TrainerState) error {
	if err := optim.Restore(t.opt, t.paramNames(), t.pcg, st); err != nil {
		return fmt.Errorf("fasttrain: %w", err)
	}
	return nil
}

// paramNames names the trainable parameters in optimizer order.
func (t *Trainer) paramNames() []string {
	names := make([]string, len(t.params))
	for k, p := range t.params {
		names[k] = p.name
	}
	return names
}

// Close stops the worker goroutines. Step fails afterwards; Weights and
// State still work. Close is idempotent.
func (t *Trainer) Close() error {
	if !t.closed {
		t.closed = true
		t.pool.stop()
	}
	return nil
}
