package tape

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/netstest"
)

// batchData is one training batch.
type batchData struct {
	in, policy, value, mask []float32
}

// randomBatch returns n samples with one-hot or soft policy targets and
// value targets, about a quarter of them masked out.
func randomBatch(spec nets.Spec, n int, rng *rand.Rand) batchData {
	moves := spec.Moves()
	b := batchData{in: randomInput(spec, n, rng), policy: make([]float32, n*moves), value: make([]float32, n), mask: make([]float32, n)}
	for s := range n {
		if s%3 == 2 {
			for i := range moves {
				b.policy[s*moves+i] = float32(rng.IntN(5)) // visit counts
			}
		} else {
			b.policy[s*moves+rng.IntN(moves)] = 1
		}
		b.value[s] = float32(rng.IntN(3) - 1)
		if rng.IntN(4) != 0 {
			b.mask[s] = 1
		}
	}
	return b
}

func newTestTrainer(t *testing.T, spec nets.Spec, o TrainOptions) *Trainer {
	t.Helper()
	tr, err := NewTrainer(randomWeights(t, spec, 31), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tr.Close() })
	return tr
}

func TestTrainOverfits(t *testing.T) {
	for _, opt := range []string{SGD, Adam} {
		for name, spec := range netstest.TinySpecs() {
			t.Run(opt+"/"+name, func(t *testing.T) {
				o := DefaultTrainOptions()
				o.BatchSize = 4
				o.Optimizer = opt
				o.LearningRate = 0.05
				if opt == Adam {
					o.LearningRate = 0.01
				}
				tr := newTestTrainer(t, spec, o)
				b := randomBatch(spec, 4, rand.New(rand.NewPCG(1, 2)))
				var first, last Loss
				for i := range 100 {
					l, err := tr.Step(b.in, b.policy, b.value, b.mask)
					if err != nil {
						t.Fatal(err)
					}
					if i == 0 {
						first = l
					}
					last = l
					if got := l.Policy + o.ValueWeight*l.Value + l.L2; math.Abs(got-l.Total) > 1e-4*math.Abs(l.Total) {
						t.Fatalf("step %d: total %v != policy+value+l2 %v", i, l.Total, got)
					}
				}
				if !(last.Total < 0.7*first.Total) || !(last.Policy < first.Policy) {
					t.Fatalf("no progress on a fixed batch: first %+v, last %+v", first, last)
				}
				t.Logf("first %+v\nlast  %+v", first, last)
				if tr.Steps() != 100 {
					t.Errorf("Steps() = %d; want 100", tr.Steps())
				}
			})
		}
	}
}

// TestLossValues checks a step's reported losses against the naive forward
// pass on a spec without dropout or batch norm (so training and inference
// graphs agree).
func TestLossValues(t *testing.T) {
	spec := netstest.TinySpecs()["densehead"]
	spec.Trunk = spec.Trunk[:5] // conv, relu, lrn, maxpool s2, conv
	o := DefaultTrainOptions()
	o.BatchSize = 3
	o.WeightDecay = 1e-3
	o.ValueWeight = 0.5
	w := randomWeights(t, spec, 41)
	tr, err := NewTrainer(w, o)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	b := randomBatch(spec, 3, rand.New(rand.NewPCG(5, 6)))
	b.mask = []float32{1, 0, 2} // weights, not just 0/1
	clear(b.policy[spec.Moves() : 2*spec.Moves()])
	b.policy[spec.Moves()+4] = 3 // unnormalised one-hot
	l, err := tr.Step(b.in, b.policy, b.value, b.mask)
	if err != nil {
		t.Fatal(err)
	}
	logits, values := naiveForward(w, b.in, 3)
	moves := spec.Moves()
	var pol, val, l2 float64
	hits := 0
	for s := range 3 {
		row := logits[s*moves : (s+1)*moves]
		m := math.Inf(-1)
		for _, v := range row {
			m = math.Max(m, v)
		}
		var z float64
		for _, v := range row {
			z += math.Exp(v - m)
		}
		var sum float64
		for i := range moves {
			sum += float64(b.policy[s*moves+i])
		}
		best, top := 0, 0
		for i := range moves {
			pol -= float64(b.policy[s*moves+i]) / sum * (row[i] - m - math.Log(z)) / 3
			if b.policy[s*moves+i] > b.policy[s*moves+best] {
				best = i
			}
			if row[i] > row[top] {
				top = i
			}
		}
		if best == top {
			hits++
		}
	}
	val = (1*sq(values[0]-float64(b.value[0])) + 2*sq(values[2]-float64(b.value[2]))) / 3
	for _, tn := range w.Tensors {
		if len(tn.Name) > 2 && tn.Name[len(tn.Name)-2:] == ".w" {
			for _, v := range tn.Data {
				l2 += 1e-3 * float64(v) * float64(v)
			}
		}
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"policy", l.Policy, pol}, {"value", l.Value, val}, {"l2", l.L2, l2},
		{"total", l.Total, pol + 0.5*val + l2}, {"accuracy", l.Accuracy, float64(hits) / 3},
	} {
		if !closeTo(c.got, c.want, 1e-4) {
			t.Errorf("%s loss = %v; want %v", c.name, c.got, c.want)
		}
	}
}

func sq(x float64) float64 { return x * x }

// TestResumeExact checks that weights plus State continue a run bit for
// bit, dropout included.
func TestResumeExact(t *testing.T) {
	for _, opt := range []string{SGD, Adam} {
		t.Run(opt, func(t *testing.T) {
			spec := netstest.TinySpecs()["convhead"]
			o := DefaultTrainOptions()
			o.BatchSize, o.Optimizer = 4, opt
			rng := rand.New(rand.NewPCG(9, 9))
			batches := make([]batchData, 5)
			for i := range batches {
				batches[i] = randomBatch(spec, 4, rng)
			}
			step := func(tr *Trainer, b batchData) {
				if _, err := tr.Step(b.in, b.policy, b.value, b.mask); err != nil {
					t.Fatal(err)
				}
			}
			a := newTestTrainer(t, spec, o)
			for _, b := range batches[:3] {
				step(a, b)
			}
			w, st := a.Weights(), mustState(t, a)
			for _, b := range batches[3:] {
				step(a, b)
			}
			r, err := NewTrainer(w, o)
			if err != nil {
				t.Fatal(err)
			}
			defer r.Close()
			if err := r.SetState(st); err != nil {
				t.Fatal(err)
			}
			for _, b := range batches[3:] {
				step(r, b)
			}
			wa, wr := a.Weights(), r.Weights()
			for i := range wa.Tensors {
				for j, v := range wa.Tensors[i].Data {
					if math.Float32bits(v) != math.Float32bits(wr.Tensors[i].Data[j]) {
						t.Fatalf("%s[%d]: resumed %v, straight run %v", wa.Tensors[i].Name, j, wr.Tensors[i].Data[j], v)
					}
				}
			}
			if r.Steps() != 5 {
				t.Errorf("resumed Steps() = %d; want 5", r.Steps())
			}
			// a state for another optimizer or spec does not fit
			bad := st
			bad.Optimizer = map[string]string{SGD: Adam, Adam: SGD}[opt]
			if err := r.SetState(bad); !errors.Is(err, ErrState) {
				t.Errorf("SetState(other optimizer) = %v", err)
			}
			bad = st
			bad.Slots = bad.Slots[1:]
			if err := r.SetState(bad); !errors.Is(err, ErrState) {
				t.Errorf("SetState(missing slot) = %v", err)
			}
		})
	}
}

func mustState(t *testing.T, tr *Trainer) TrainerState {
	t.Helper()
	st, err := tr.State()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestWeightsRoundTrip checks that a trainer's weights before any step
// are the weights it was given (dense transposes undone).
func TestWeightsRoundTrip(t *testing.T) {
	for name, spec := range netstest.TinySpecs() {
		w := randomWeights(t, spec, 51)
		tr, err := NewTrainer(w, DefaultTrainOptions())
		if err != nil {
			t.Fatal(err)
		}
		got := tr.Weights()
		tr.Close()
		if err := got.Check(); err != nil {
			t.Fatal(err)
		}
		for i := range w.Tensors {
			for j, v := range w.Tensors[i].Data {
				if got.Tensors[i].Data[j] != v {
					t.Fatalf("%s: %s[%d] = %v; want %v", name, w.Tensors[i].Name, j, got.Tensors[i].Data[j], v)
				}
			}
		}
	}
}

// TestBatchNormRunningStats checks the running statistics after one step
// with momentum m against the batch statistics of the convolution before
// the batch norm layer.
func TestBatchNormRunningStats(t *testing.T) {
	spec := netstest.TinySpecs()["convhead"] // trunk: conv, batchnorm, ...
	o := DefaultTrainOptions()
	o.BatchSize = 3
	o.BatchNormMomentum = 0.25
	w := randomWeights(t, spec, 61)
	tr, err := NewTrainer(w, o)
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	b := randomBatch(spec, 3, rand.New(rand.NewPCG(7, 7)))
	if _, err := tr.Step(b.in, b.policy, b.value, b.mask); err != nil {
		t.Fatal(err)
	}
	in, _ := spec.InputShape()
	f := spec.Trunk[0].Filters
	area := in.H * in.W
	sum, sumSq := make([]float64, f), make([]float64, f)
	wt, bt := w.Tensor("trunk.0.w").Data, w.Tensor("trunk.0.b").Data
	w64 := func(d []float32) []float64 {
		o := make([]float64, len(d))
		for i, v := range d {
			o[i] = float64(v)
		}
		return o
	}
	for s := range 3 {
		x := w64(b.in[s*in.Len() : (s+1)*in.Len()])
		out := naiveConv(x, in, w64(wt), w64(bt), f, spec.Trunk[0].Kernel)
		for c := range f {
			for _, v := range out[c*area : (c+1)*area] {
				sum[c] += v
				sumSq[c] += v * v
			}
		}
	}
	nv := float64(3 * area)
	got := tr.Weights()
	for c := range f {
		mean := sum[c] / nv
		unbiased := (sumSq[c] - nv*mean*mean) / (nv - 1)
		wantM := 0.75*float64(w.Tensor("trunk.1.mean").Data[c]) + 0.25*mean
		wantV := 0.75*float64(w.Tensor("trunk.1.var").Data[c]) + 0.25*unbiased
		if gm := float64(got.Tensor("trunk.1.mean").Data[c]); !closeTo(gm, wantM, 1e-4) {
			t.Errorf("running mean[%d] = %v; want %v", c, gm, wantM)
		}
		if gv := float64(got.Tensor("trunk.1.var").Data[c]); !closeTo(gv, wantV, 1e-4) {
			t.Errorf("running var[%d] = %v; want %v", c, gv, wantV)
		}
	}
}

func TestTrainErrors(t *testing.T) {
	spec := netstest.TinySpecs()["densehead"]
	w := randomWeights(t, spec, 1)
	for _, mod := range []func(*TrainOptions){
		func(o *TrainOptions) { o.BatchSize = 0 },
		func(o *TrainOptions) { o.Optimizer = "lbfgs" },
		func(o *TrainOptions) { o.LearningRate = 0 },
		func(o *TrainOptions) { o.Momentum = 1 },
		func(o *TrainOptions) { o.Optimizer, o.Beta2 = Adam, 1 },
		func(o *TrainOptions) { o.WeightDecay = -1 },
		func(o *TrainOptions) { o.BatchNormMomentum = 2 },
	} {
		o := DefaultTrainOptions()
		mod(&o)
		if _, err := NewTrainer(w, o); err == nil {
			t.Errorf("NewTrainer(%+v) succeeded", o)
		}
	}
	o := DefaultTrainOptions()
	o.BatchSize = 2
	tr := newTestTrainer(t, spec, o)
	b := randomBatch(spec, 2, rand.New(rand.NewPCG(1, 1)))
	neg := append([]float32(nil), b.policy...)
	neg[0] = -1
	for name, args := range map[string][4][]float32{
		"short input":     {b.in[1:], b.policy, b.value, b.mask},
		"short policy":    {b.in, b.policy[1:], b.value, b.mask},
		"short value":     {b.in, b.policy, b.value[1:], b.mask},
		"short mask":      {b.in, b.policy, b.value, b.mask[1:]},
		"negative target": {b.in, neg, b.value, b.mask},
		"negative mask":   {b.in, b.policy, b.value, []float32{-1, 1}},
	} {
		before := tr.Weights()
		if _, err := tr.Step(args[0], args[1], args[2], args[3]); err == nil {
			t.Errorf("%s: Step succeeded", name)
		}
		if after := tr.Weights(); after.Tensors[0].Data[0] != before.Tensors[0].Data[0] {
			t.Errorf("%s: a failed step changed the weights", name)
		}
	}
}

// valueGrad is a gorgonia.ValueGrad over plain tensors.
type valueGrad struct{ v, g *tensor.Dense }

func (p valueGrad) Value() G.Value         { return p.v }
func (p valueGrad) Grad() (G.Value, error) { return p.g, nil }

// TestOptimizersMatchGorgonia runs our optimizers and gorgonia's solvers
// side by side on the same gradients.
func TestOptimizersMatchGorgonia(t *testing.T) {
	const n, lr = 50, 0.05
	for _, opt := range []string{SGD, Adam} {
		o := DefaultTrainOptions()
		o.Optimizer = opt
		ours, err := newOptimizer(o, []int{n})
		if err != nil {
			t.Fatal(err)
		}
		var solver G.Solver = G.NewMomentum(G.WithLearnRate(lr), G.WithMomentum(o.Momentum))
		if opt == Adam {
			solver = G.NewAdamSolver(G.WithLearnRate(lr), G.WithBeta1(o.Beta1), G.WithBeta2(o.Beta2), G.WithEps(o.Epsilon))
		}
		rng := rand.New(rand.NewPCG(1, 3))
		w := make([]float32, n)
		for i := range w {
			w[i] = float32(rng.NormFloat64())
		}
		theirs := tensor.New(tensor.WithShape(n), tensor.WithBacking(append([]float32(nil), w...)))
		for step := range 6 {
			g := make([]float32, n)
			for i := range g {
				g[i] = float32(rng.NormFloat64())
			}
			ours.Update(0, lr, w, g)
			ours.EndStep()
			if err := solver.Step([]G.ValueGrad{valueGrad{theirs, tensor.New(tensor.WithShape(n), tensor.WithBacking(append([]float32(nil), g...)))}}); err != nil {
				t.Fatal(err)
			}
			tw := theirs.Data().([]float32)
			for i := range w {
				if !closeTo(float64(w[i]), float64(tw[i]), 1e-5) {
					t.Fatalf("%s step %d: w[%d] = %v; gorgonia %v", opt, step, i, w[i], tw[i])
				}
			}
		}
	}
}

// headTargets returns ownership targets (-1, 0 or 1 per point) and score
// targets (points, some beyond the Huber threshold) for n samples.
func headTargets(spec nets.Spec, n int, rng *rand.Rand) (own, score []float32) {
	own = make([]float32, n*spec.Area())
	for i := range own {
		own[i] = float32(rng.IntN(3) - 1)
	}
	score = make([]float32, n)
	for s := range score {
		score[s] = float32(rng.NormFloat64() * 20)
	}
	return own, score
}

// TestHeadLossValues checks the ownership and score losses a step reports
// against the naive forward pass, with weighted masks, on specs without
// dropout or batch norm in what the heads see.
func TestHeadLossValues(t *testing.T) {
	for _, name := range []string{"flatown", "poolscore"} {
		t.Run(name, func(t *testing.T) {
			spec := netstest.TinySpecs()[name]
			o := DefaultTrainOptions()
			o.BatchSize = 3
			o.WeightDecay = 0
			o.ValueWeight, o.OwnershipWeight, o.ScoreWeight = 0.5, 0.7, 0.3
			w := randomWeights(t, spec, 43)
			tr, err := NewTrainer(w, o)
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			rng := rand.New(rand.NewPCG(7, 8))
			b := randomBatch(spec, 3, rng)
			own, score := headTargets(spec, 3, rng)
			bt := Batch{In: b.in, Policy: b.policy, Value: b.value, ValueMask: b.mask,
				Ownership: own, OwnershipMask: []float32{1, 0, 3}, Score: score, ScoreMask: []float32{2, 1, 0}}
			l, err := tr.StepBatch(bt)
			if err != nil {
				t.Fatal(err)
			}
			_, _, gotOwn, gotScore := naiveForwardHeads(w, b.in, 3)
			area := spec.Area()
			var wantOwn, wantScore float64
			if spec.HasOwnership() {
				for s, m := range bt.OwnershipMask {
					for i := range area {
						wantOwn += float64(m) / 4 * sq(gotOwn[s*area+i]-float64(own[s*area+i])) / float64(area)
					}
				}
			}
			if spec.HasScore() {
				for s, m := range bt.ScoreMask {
					d := math.Abs(gotScore[s]-float64(score[s])) / ScoreScale
					h := d * d / 2
					if d > 1 {
						h = d - 0.5
					}
					wantScore += float64(m) / 3 * h
				}
			}
			if !closeTo(l.Ownership, wantOwn, 1e-4) || !closeTo(l.Score, wantScore, 1e-4) {
				t.Errorf("ownership loss %v, score loss %v; want %v, %v", l.Ownership, l.Score, wantOwn, wantScore)
			}
			if want := l.Policy + 0.5*l.Value + 0.7*l.Ownership + 0.3*l.Score; !closeTo(l.Total, want, 1e-5) {
				t.Errorf("total %v; want %v", l.Total, want)
			}
		})
	}
}

// TestStepBatchRejects: targets of the wrong size or out of range.
func TestStepBatchRejects(t *testing.T) {
	spec := netstest.TinySpecs()["heads"]
	o := DefaultTrainOptions()
	o.BatchSize = 2
	tr := newTestTrainer(t, spec, o)
	rng := rand.New(rand.NewPCG(1, 2))
	b := randomBatch(spec, 2, rng)
	own, score := headTargets(spec, 2, rng)
	good := Batch{In: b.in, Policy: b.policy, Value: b.value, ValueMask: b.mask, Ownership: own, OwnershipMask: []float32{1, 1}, Score: score, ScoreMask: []float32{1, 0}}
	if _, err := tr.StepBatch(good); err != nil {
		t.Fatalf("good batch: %v", err)
	}
	for name, f := range map[string]func(b *Batch){
		"short ownership":         func(b *Batch) { b.Ownership = b.Ownership[1:] },
		"ownership without mask":  func(b *Batch) { b.OwnershipMask = nil },
		"ownership out of range":  func(b *Batch) { b.Ownership = append([]float32{2}, b.Ownership[1:]...) },
		"negative ownership mask": func(b *Batch) { b.OwnershipMask = []float32{-1, 1} },
		"short score":             func(b *Batch) { b.Score = b.Score[:1] },
		"NaN score":               func(b *Batch) { b.Score = []float32{float32(math.NaN()), 0} },
		"negative score mask":     func(b *Batch) { b.ScoreMask = []float32{1, -2} },
	} {
		bt := good
		f(&bt)
		if _, err := tr.StepBatch(bt); err == nil {
			t.Errorf("%s: StepBatch = nil error", name)
		}
	}
}
