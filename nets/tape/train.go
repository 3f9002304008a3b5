package tape

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/internal/optim"
)

// TrainOptions configures a Trainer.
type TrainOptions struct {
	// BatchSize is the number of samples of every Step.
	BatchSize int
	// Optimizer is SGD (with Momentum) or Adam (with Beta1, Beta2,
	// Epsilon).
	Optimizer    string
	LearningRate float64 // initial; see Trainer.SetLearningRate
	Momentum     float64 // SGD
	Beta1, Beta2 float64 // Adam
	Epsilon      float64 // Adam
	// WeightDecay is the L2 coefficient c: the loss includes c times the
	// sum of the squares of every weight tensor (".w"; not biases or batch
	// norm parameters).
	WeightDecay float64
	// ValueWeight multiplies the value loss in the total.
	ValueWeight float64
	// OwnershipWeight and ScoreWeight multiply the ownership and score
	// losses (networks with those heads; see Loss).
	OwnershipWeight float64
	ScoreWeight     float64
	// BatchNormMomentum is the weight of each batch in the running batch
	// norm statistics: running = (1-m)*running + m*batch, with the batch
	// variance unbiased (times count/(count-1)).
	BatchNormMomentum float64
	// Seed seeds the dropout masks: the same seed, weights and data give
	// the same training run.
	Seed uint64
	// LRScale multiplies the learning rate of the parameters whose names
	// start with a key (the longest matching key wins; others: 1), e.g.
	// {"value.": 10} to train a new value head faster than a trained
	// trunk. Nil: every parameter at the learning rate.
	LRScale map[string]float64
}

// LRFactor returns the learning-rate factor of the parameter name under
// o.LRScale: the value of the longest key that prefixes name, or 1.
func (o TrainOptions) LRFactor(name string) float64 {
	f, best := 1.0, -1
	for k, v := range o.LRScale {
		if strings.HasPrefix(name, k) && len(k) > best {
			f, best = v, len(k)
		}
	}
	return f
}

// DefaultTrainOptions returns SGD with momentum 0.9 at learning rate 0.01,
// batch 64, weight decay 1e-4, value, ownership and score weights 1, batch
// norm momentum 0.1, and Adam's usual betas and epsilon should Optimizer
// be switched to Adam.
func DefaultTrainOptions() TrainOptions {
	return TrainOptions{
		BatchSize:         64,
		Optimizer:         SGD,
		LearningRate:      0.01,
		Momentum:          0.9,
		Beta1:             0.9,
		Beta2:             0.999,
		Epsilon:           1e-8,
		WeightDecay:       1e-4,
		ValueWeight:       1,
		OwnershipWeight:   1,
		ScoreWeight:       1,
		BatchNormMomentum: 0.1,
		Seed:              1,
	}
}

// Validate reports the first bad option.
func (o TrainOptions) Validate() error {
	switch {
	case o.BatchSize < 1:
		return fmt.Errorf("tape: batch size %d < 1", o.BatchSize)
	case o.Optimizer != SGD && o.Optimizer != Adam:
		return fmt.Errorf("tape: optimizer %q (want %s or %s)", o.Optimizer, SGD, Adam)
	case !(o.LearningRate > 0):
		return fmt.Errorf("tape: learning rate %v must be positive", o.LearningRate)
	case o.Momentum < 0 || o.Momentum >= 1:
		return fmt.Errorf("tape: momentum %v outside [0, 1)", o.Momentum)
	case o.Optimizer == Adam && (o.Beta1 < 0 || o.Beta1 >= 1 || o.Beta2 < 0 || o.Beta2 >= 1 || !(o.Epsilon > 0)):
		return fmt.Errorf("tape: Adam needs betas in [0, 1) and epsilon > 0, have %v, %v, %v", o.Beta1, o.Beta2, o.Epsilon)
	case o.WeightDecay < 0 || o.ValueWeight < 0:
		return fmt.Errorf("tape: weight decay %v and value weight %v must not be negative", o.WeightDecay, o.ValueWeight)
	case o.OwnershipWeight < 0 || o.ScoreWeight < 0:
		return fmt.Errorf("tape: ownership weight %v and score weight %v must not be negative", o.OwnershipWeight, o.ScoreWeight)
	case o.BatchNormMomentum < 0 || o.BatchNormMomentum > 1:
		return fmt.Errorf("tape: batch norm momentum %v outside [0, 1]", o.BatchNormMomentum)
	}
	for k, v := range o.LRScale {
		if k == "" || !(v >= 0) || math.IsInf(v, 0) {
			return fmt.Errorf("tape: learning-rate scale %q=%v: want a name prefix and a finite factor >= 0", k, v)
		}
	}
	return nil
}

// ScoreScale is the score error, in points, that the score loss counts as
// one: the loss is Huber(error/ScoreScale) with threshold 1, squared up to
// 10 points off and linear beyond, so that badly scored games do not
// dominate.
const ScoreScale = 10.0

// Loss is what one training step measured on its batch, before the
// update.
type Loss struct {
	Policy float64 // mean cross-entropy against the target distributions
	Value  float64 // mean squared error over samples with a value target
	// Ownership is the mean over samples with an ownership target of the
	// mean over the points of (ownership - target)^2; Score the mean over
	// samples with a score target of h((score - target)/ScoreScale), with
	// h(d) = d^2/2 for |d| <= 1 and |d| - 1/2 beyond (Huber). Zero for
	// networks without the heads.
	Ownership float64
	Score     float64
	L2        float64 // WeightDecay * sum of squared weights
	// Total is Policy + ValueWeight*Value + OwnershipWeight*Ownership +
	// ScoreWeight*Score + L2, the minimised loss.
	Total    float64
	Accuracy float64 // share of samples with a policy target whose top logit is the target's top move
}

// Batch is one training batch of BatchSize samples (n). The ownership and
// score parts may be nil (no sample has those targets); a network without
// the heads ignores them.
type Batch struct {
	// In holds the encoded positions (NCHW).
	In []float32
	// Policy holds n*Moves() values: per sample a distribution (one-hot
	// for game records, visit counts for self-play; rows are normalised,
	// and an all-zero row means no policy target).
	Policy []float32
	// Value holds n results in [-1, 1] for the side to move; ValueMask n
	// weights, 0 meaning no value target.
	Value, ValueMask []float32
	// Ownership holds n*size*size final owners in [-1, 1] (+1: the side
	// to move), in the frame of the input; OwnershipMask n weights.
	Ownership, OwnershipMask []float32
	// Score holds n final score margins for the side to move, in points;
	// ScoreMask n weights.
	Score, ScoreMask []float32
}

// Check returns the batch's problems for a trainer of n samples of inLen
// inputs and spec's outputs: sizes, ownership targets outside [-1, 1],
// scores not finite. Both trainers call it.
func (b *Batch) Check(spec nets.Spec, n, inLen int) error {
	moves, area := spec.Moves(), spec.Area()
	switch {
	case len(b.In) != n*inLen || len(b.Policy) != n*moves || len(b.Value) != n || len(b.ValueMask) != n:
		return fmt.Errorf("step wants %d samples: in %d (want %d), policy %d (want %d), value %d and mask %d (want %d)",
			n, len(b.In), n*inLen, len(b.Policy), n*moves, len(b.Value), len(b.ValueMask), n)
	case (b.Ownership == nil) != (b.OwnershipMask == nil) || b.Ownership != nil && (len(b.Ownership) != n*area || len(b.OwnershipMask) != n):
		return fmt.Errorf("ownership targets %d and mask %d; want %d and %d (or neither)", len(b.Ownership), len(b.OwnershipMask), n*area, n)
	case (b.Score == nil) != (b.ScoreMask == nil) || b.Score != nil && (len(b.Score) != n || len(b.ScoreMask) != n):
		return fmt.Errorf("score targets %d and mask %d; want %d each (or neither)", len(b.Score), len(b.ScoreMask), n)
	}
	for _, v := range b.Ownership {
		if !(v >= -1 && v <= 1) {
			return fmt.Errorf("ownership target %v outside [-1, 1]", v)
		}
	}
	for _, v := range b.Score {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("score target %v", v)
		}
	}
	return nil
}

// MaskWeights writes into dst the weights mask[s] / sum(mask) * scale (all
// zero when the sum is 0, or mask is nil); a negative mask is an error.
// Both trainers weight their masked losses with it.
func MaskWeights(mask []float32, scale float64, dst []float32) error {
	var sum float64
	for _, m := range mask {
		if m < 0 || math.IsNaN(float64(m)) {
			return fmt.Errorf("mask value %v", m)
		}
		sum += float64(m)
	}
	for s := range dst {
		dst[s] = 0
		if sum > 0 && s < len(mask) {
			dst[s] = float32(float64(mask[s]) / sum * scale)
		}
	}
	return nil
}

// Trainer trains a network with the training graph on a TapeMachine. It
// is not safe for concurrent use.
type Trainer struct {
	// Fixed at construction.
	opts  TrainOptions
	spec  nets.Spec
	inLen int
	ng    *netGraph
	vm    G.VM
	train []int     // indices in ng.infos of the trainable parameters
	lrf   []float64 // per trainable parameter: TrainOptions.LRFactor

	// Mutable.
	lr     float64
	w      *nets.Weights // running statistics and Meta; trainable values live in the graph
	opt    optim.Optimizer
	pcg    *rand.PCG
	rng    *rand.Rand
	polBuf []float32
	valBuf []float32
	ownBuf []float32 // ownership weights
	scBuf  []float32 // score weights
	zeros  []float32 // n*area zeros: targets of a batch without them
}

// NewTrainer returns a trainer starting from (a copy of) w.
func NewTrainer(w *nets.Weights, opts TrainOptions) (*Trainer, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	ng, err := buildGraph(w, graphOpts{batch: opts.BatchSize, train: true, dt: tensor.Float32, l2: opts.WeightDecay,
		vw: opts.ValueWeight, ow: opts.OwnershipWeight, sw: opts.ScoreWeight})
	if err != nil {
		return nil, err
	}
	vm, err := ng.trainMachine()
	if err != nil {
		return nil, err
	}
	in, _ := w.Spec.InputShape()
	t := &Trainer{opts: opts, spec: w.Spec, inLen: in.Len(), ng: ng, vm: vm, lr: opts.LearningRate, w: w.Clone()}
	var sizes []int
	for i, info := range ng.infos {
		if info.Trainable {
			t.train = append(t.train, i)
			t.lrf = append(t.lrf, opts.LRFactor(w.Tensors[i].Name))
			sizes = append(sizes, len(w.Tensors[i].Data))
		}
	}
	if t.opt, err = newOptimizer(opts, sizes); err != nil {
		return nil, err
	}
	t.pcg = rand.NewPCG(opts.Seed, 0x7461706574726e) // "tapetrn"
	t.rng = rand.New(t.pcg)
	t.polBuf = make([]float32, opts.BatchSize*w.Spec.Moves())
	t.valBuf = make([]float32, opts.BatchSize)
	t.ownBuf = make([]float32, opts.BatchSize)
	t.scBuf = make([]float32, opts.BatchSize)
	t.zeros = make([]float32, opts.BatchSize*w.Spec.Area())
	return t, nil
}

// trainMachine adds the gradient nodes of the cost with respect to every
// trainable parameter and returns a TapeMachine for the graph.
func (ng *netGraph) trainMachine() (vm G.VM, err error) {
	buildMu.Lock()
	defer buildMu.Unlock()
	defer func() {
		if r := recover(); r != nil {
			vm, err = nil, fmt.Errorf("tape: gradients: %v", r)
		}
	}()
	if _, err := G.Grad(ng.cost, ng.learnables()...); err != nil {
		return nil, fmt.Errorf("tape: gradients: %w", err)
	}
	// Values read after a run go through Read nodes: the tape reuses the
	// memory of intermediate nodes once their consumers ran, so Value()
	// of an intermediate node may hold something else by the end.
	ng.reads = map[*G.Node]*G.Value{}
	read := func(n *G.Node) {
		if n != nil {
			v := new(G.Value)
			G.Read(n, v)
			ng.reads[n] = v
		}
	}
	for _, n := range []*G.Node{ng.policy, ng.polLoss, ng.valLoss, ng.ownLoss, ng.scLoss, ng.l2Loss, ng.cost} {
		read(n)
	}
	for _, s := range ng.bnStats {
		read(s.mean)
		read(s.variance)
	}
	return G.NewTapeMachine(ng.g), nil
}

// LearningRate returns the current learning rate.
func (t *Trainer) LearningRate() float64 { return t.lr }

// SetLearningRate sets the learning rate of the following steps (for
// schedules). Precondition: lr > 0.
func (t *Trainer) SetLearningRate(lr float64) { t.lr = lr }

// Steps returns the number of steps taken (including those of an imported
// state).
func (t *Trainer) Steps() int64 { return t.opt.Steps() }

// Step trains on one batch of exactly BatchSize samples without ownership
// and score targets: StepBatch with the Batch of those fields.
func (t *Trainer) Step(in, policyTarget, valueTarget, valueMask []float32) (Loss, error) {
	return t.StepBatch(Batch{In: in, Policy: policyTarget, Value: valueTarget, ValueMask: valueMask})
}

// StepBatch trains on one batch of exactly BatchSize samples (see Batch)
// and returns the batch's loss before the update.
func (t *Trainer) StepBatch(bt Batch) (Loss, error) {
	n, moves := t.opts.BatchSize, t.spec.Moves()
	if err := bt.Check(t.spec, n, t.inLen); err != nil {
		return Loss{}, fmt.Errorf("tape: %w", err)
	}
	in, policyTarget, valueTarget, valueMask := bt.In, bt.Policy, bt.Value, bt.ValueMask
	ng := t.ng
	setData(ng.input, in)

	// Normalised policy targets.
	withPolicy := 0
	for s := range n {
		row, dst := policyTarget[s*moves:(s+1)*moves], t.polBuf[s*moves:(s+1)*moves]
		var sum float64
		for _, v := range row {
			if v < 0 || math.IsNaN(float64(v)) {
				return Loss{}, fmt.Errorf("tape: sample %d: policy target %v", s, v)
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
	setData(ng.polTarget, t.polBuf)
	setData(ng.valTarget, valueTarget)
	var masked float64
	for _, m := range valueMask {
		if m < 0 {
			return Loss{}, fmt.Errorf("tape: negative value mask %v", m)
		}
		masked += float64(m)
	}
	for s, m := range valueMask {
		t.valBuf[s] = 0
		if masked > 0 {
			t.valBuf[s] = float32(float64(m) / masked)
		}
	}
	setData(ng.valWeight, t.valBuf)
	if ng.own != nil {
		if err := MaskWeights(bt.OwnershipMask, 1/float64(t.spec.Area()), t.ownBuf); err != nil {
			return Loss{}, fmt.Errorf("tape: ownership %w", err)
		}
		setData(ng.ownWeight, t.ownBuf)
		if bt.Ownership != nil {
			setData(ng.ownTarget, bt.Ownership)
		} else {
			setData(ng.ownTarget, t.zeros)
		}
	}
	if ng.score != nil {
		if err := MaskWeights(bt.ScoreMask, 1, t.scBuf); err != nil {
			return Loss{}, fmt.Errorf("tape: score %w", err)
		}
		setData(ng.scWeight, t.scBuf)
		if bt.Score != nil {
			setData(ng.scTarget, bt.Score)
		} else {
			setData(ng.scTarget, t.zeros[:n])
		}
	}
	// Dropout masks: inverted dropout.
	for _, d := range ng.drops {
		mask := d.mask.Value().Data().([]float32)
		keep := float32(1 / (1 - d.rate))
		for i := range mask {
			if t.rng.Float64() < d.rate {
				mask[i] = 0
			} else {
				mask[i] = keep
			}
		}
	}

	defer t.vm.Reset()
	if err := t.vm.RunAll(); err != nil {
		return Loss{}, fmt.Errorf("tape: training step: %w", err)
	}
	loss := Loss{
		Policy: scalarOf(ng.read(ng.polLoss)),
		Value:  scalarOf(ng.read(ng.valLoss)),
		Total:  scalarOf(ng.read(ng.cost)),
	}
	if ng.l2Loss != nil {
		loss.L2 = scalarOf(ng.read(ng.l2Loss))
	}
	if ng.ownLoss != nil {
		loss.Ownership = scalarOf(ng.read(ng.ownLoss))
	}
	if ng.scLoss != nil {
		loss.Score = scalarOf(ng.read(ng.scLoss))
	}
	if math.IsNaN(loss.Total) || math.IsInf(loss.Total, 0) {
		return loss, fmt.Errorf("tape: loss is %v; weights left unchanged", loss.Total)
	}
	if withPolicy > 0 {
		logits := ng.read(ng.policy).Data().([]float32)
		hits := 0
		for s := range n {
			target := t.polBuf[s*moves : (s+1)*moves]
			if best := argmax(target); target[best] > 0 && best == argmax(logits[s*moves:(s+1)*moves]) {
				hits++
			}
		}
		loss.Accuracy = float64(hits) / float64(withPolicy)
	}

	// Update the parameters, then the running statistics.
	for k, i := range t.train {
		node := ng.params[i]
		gv, err := node.Grad()
		if err != nil {
			return loss, fmt.Errorf("tape: gradient of %s: %w", node.Name(), err)
		}
		g := gv.Data().([]float32)
		t.opt.Update(k, t.lr*t.lrf[k], node.Value().Data().([]float32), g)
	}
	t.opt.EndStep()
	m := float32(t.opts.BatchNormMomentum)
	for _, s := range ng.bnStats {
		mean, variance := ng.read(s.mean).Data().([]float32), ng.read(s.variance).Data().([]float32)
		rm, rv := t.w.Tensors[s.meanParam].Data, t.w.Tensors[s.varParam].Data
		unbias := float32(s.count) / float32(max(1, s.count-1))
		for c := range rm {
			rm[c] = (1-m)*rm[c] + m*mean[c]
			rv[c] = (1-m)*rv[c] + m*variance[c]*unbias
		}
	}
	return loss, nil
}

// read returns the value that n's Read node copied in the last run.
func (ng *netGraph) read(n *G.Node) G.Value { return *ng.reads[n] }

func scalarOf(v G.Value) float64 {
	switch v := v.Data().(type) {
	case float32:
		return float64(v)
	case float64:
		return v
	case []float32:
		return float64(v[0])
	case []float64:
		return v[0]
	}
	return math.NaN()
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

// Weights returns a copy of the current weights, batch norm running
// statistics included.
func (t *Trainer) Weights() *nets.Weights {
	w := t.w.Clone()
	for _, i := range t.train {
		info := t.ng.infos[i]
		data := w.Tensors[i].Data
		getData(t.ng.params[i], data)
		if isTransposed(info) {
			copy(data, transpose(data, info.Shape[1], info.Shape[0]))
		}
	}
	return w
}

// State returns a copy of the optimizer state.
func (t *Trainer) State() (TrainerState, error) {
	return optim.Snapshot(t.opt, t.paramNames(), t.pcg)
}

// SetState replaces the optimizer state with st, which must come from a
// trainer (this one's kind or nets/fasttrain's) of the same spec and
// optimizer.
func (t *Trainer) SetState(st TrainerState) error {
	if err := optim.Restore(t.opt, t.paramNames(), t.pcg, st); err != nil {
		return fmt.Errorf("tape: %w", err)
	}
	return nil
}

// paramNames names the trainable parameters in optimizer order.
func (t *Trainer) paramNames() []string {
	names := make([]string, len(t.train))
	for k, i := range t.train {
		names[k] = t.ng.infos[i].Name
	}
	return names
}

// Close releases the graph.
func (t *Trainer) Close() error { return t.vm.Close() }
