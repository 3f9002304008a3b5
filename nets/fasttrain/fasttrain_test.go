package fasttrain

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/netstest"
	"github.com/tengen-go/tengen/nets/tape"
)

// testSpecs returns the tiny specs and random ones from netstest.
func testSpecs() map[string]nets.Spec {
	specs := netstest.TinySpecs()
	for seed := range uint64(6) {
		rng := rand.New(rand.NewPCG(seed, 99))
		size := 4 + int(seed%3)
		specs[fmt.Sprintf("random%d", seed)] = netstest.RandomSpec(rng, size)
	}
	return specs
}

func randomWeights(t testing.TB, spec nets.Spec, seed uint64) *nets.Weights {
	t.Helper()
	w, err := netstest.RandomWeights(spec, rand.New(rand.NewPCG(seed, 5)))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// batch is one training batch.
type batch struct {
	in, policy, value, mask []float32
	own, ownMask            []float32 // for specs with an ownership head
	score, scoreMask        []float32 // for specs with a score head
}

// tape returns the batch as a tape.Batch.
func (b batch) tape() tape.Batch {
	return tape.Batch{In: b.in, Policy: b.policy, Value: b.value, ValueMask: b.mask,
		Ownership: b.own, OwnershipMask: b.ownMask, Score: b.score, ScoreMask: b.scoreMask}
}

// randomBatch returns n samples: mixed encoded and noise inputs, one-hot
// or soft policy targets (one in seven without one), value targets with
// about a quarter masked out.
func randomBatch(spec nets.Spec, n int, rng *rand.Rand) batch {
	moves := spec.Moves()
	b := batch{in: netstest.MixedInputs(rng, spec, n), policy: make([]float32, n*moves), value: make([]float32, n), mask: make([]float32, n)}
	for s := range n {
		switch s % 7 {
		case 2, 5:
			for i := range moves {
				b.policy[s*moves+i] = float32(rng.IntN(5)) // visit counts
			}
		case 6:
		default:
			b.policy[s*moves+rng.IntN(moves)] = 1
		}
		b.value[s] = float32(rng.IntN(3) - 1)
		if rng.IntN(4) != 0 {
			b.mask[s] = 1
		}
	}
	// Head targets after everything else, so that batches of specs
	// without the heads stay what they were.
	if spec.HasOwnership() {
		b.own, b.ownMask = make([]float32, n*spec.Area()), make([]float32, n)
		for i := range b.own {
			b.own[i] = float32(rng.IntN(3) - 1)
		}
		for s := range n {
			b.ownMask[s] = float32(rng.IntN(3)) // 0 (masked), 1 or 2
		}
	}
	if spec.HasScore() {
		b.score, b.scoreMask = make([]float32, n), make([]float32, n)
		for s := range n {
			b.score[s] = float32(25 * rng.NormFloat64()) // errors both sides of the Huber threshold
			b.scoreMask[s] = float32(rng.IntN(3))
		}
	}
	return b
}

func closeTo(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Max(1e-3, math.Abs(want))
}

// delta returns after - before.
func delta(after, before []float32) []float32 {
	d := make([]float32, len(after))
	for i := range d {
		d[i] = after[i] - before[i]
	}
	return d
}

// TestMatchesTape trains the same weights on the same batches with
// nets/tape's gorgonia trainer and with this package's and compares the
// losses of every step, the weights and their change after 3 steps (the
// first SGD step's change is -lr times the gradient), the batch norm
// running statistics and the optimizer state. Dropout is on: both
// trainers draw the same masks.
func TestMatchesTape(t *testing.T) {
	if raceEnabled && testing.Short() {
		t.Skip("race, short")
	}
	for name, spec := range testSpecs() {
		for _, opt := range []string{tape.SGD, tape.Adam} {
			t.Run(name+"/"+opt, func(t *testing.T) {
				w := randomWeights(t, spec, 3)
				o := tape.DefaultTrainOptions()
				o.BatchSize = 5
				o.Optimizer = opt
				o.LearningRate = 0.05
				if opt == tape.Adam {
					o.LearningRate = 0.003
				}
				o.WeightDecay = 1e-3
				o.ValueWeight = 0.7
				o.OwnershipWeight, o.ScoreWeight = 0.8, 0.6
				o.BatchNormMomentum = 0.2
				o.Seed = 11
				if opt == tape.SGD {
					// Per-tensor rates: both trainers apply the same factors.
					o.LRScale = map[string]float64{"trunk.": 0.5, "trunk.0.": 2, "value.": 3}
				}
				ref, err := tape.NewTrainer(w, o)
				if err != nil {
					t.Fatal(err)
				}
				defer ref.Close()
				fast, err := New(w, o, Options{Threads: 3})
				if err != nil {
					t.Fatal(err)
				}
				defer fast.Close()
				rng := rand.New(rand.NewPCG(7, 7))
				for step := range 3 {
					b := randomBatch(spec, o.BatchSize, rng)
					lr, err := ref.StepBatch(b.tape())
					if err != nil {
						t.Fatal(err)
					}
					lf, err := fast.StepBatch(b.tape())
					if err != nil {
						t.Fatal(err)
					}
					for _, c := range []struct {
						name      string
						got, want float64
					}{{"policy", lf.Policy, lr.Policy}, {"value", lf.Value, lr.Value}, {"ownership", lf.Ownership, lr.Ownership}, {"score", lf.Score, lr.Score},
						{"l2", lf.L2, lr.L2}, {"total", lf.Total, lr.Total}, {"accuracy", lf.Accuracy, lr.Accuracy}} {
						if !closeTo(c.got, c.want, 1e-4) {
							t.Errorf("step %d: loss %s = %.7g; tape %.7g", step, c.name, c.got, c.want)
						}
					}
				}
				gw, ww := fast.Weights(), ref.Weights()
				worst := 0.0
				for i := range ww.Tensors {
					name := ww.Tensors[i].Name
					if opt == tape.Adam && beforeBatchNorm(spec, name) {
						// The loss does not depend on the bias of a conv
						// before batch norm (nor on the running mean that
						// follows it): both trainers' gradients are rounding
						// noise, which Adam scales up to steps of lr. SGD
						// checks them.
						continue
					}
					got, want, init := gw.Tensors[i].Data, ww.Tensors[i].Data, w.Tensors[i].Data
					if e := netstest.RelErr(got, want); e > 1e-3 {
						t.Errorf("%s: relative error %.3g of the weights after 3 steps", name, e)
					}
					e := netstest.RelErr(delta(got, init), delta(want, init))
					worst = max(worst, e)
					if e > 1e-3 {
						t.Errorf("%s: relative error %.3g of the change in 3 steps (%v vs tape %v)", name, e, head(delta(got, init)), head(delta(want, init)))
					}
				}
				t.Logf("worst relative error of a tensor's change: %.3g", worst)
				sf, err := fast.State()
				if err != nil {
					t.Fatal(err)
				}
				sr, err := ref.State()
				if err != nil {
					t.Fatal(err)
				}
				if sf.Steps != sr.Steps || string(sf.RNG) != string(sr.RNG) || len(sf.Slots) != len(sr.Slots) {
					t.Fatalf("state: steps %d, %d slots; tape %d, %d slots (or generators differ)", sf.Steps, len(sf.Slots), sr.Steps, len(sr.Slots))
				}
				for k := range sf.Slots {
					if sf.Slots[k].Name != sr.Slots[k].Name {
						t.Errorf("slot %d: %s; tape %s", k, sf.Slots[k].Name, sr.Slots[k].Name)
					}
				}
			})
		}
	}
}

func head(s []float32) []float32 { return s[:min(len(s), 4)] }

// beforeBatchNorm reports whether name is the bias of a convolution
// followed by batch norm, or that batch norm's running mean.
func beforeBatchNorm(spec nets.Spec, name string) bool {
	for i, l := range spec.Trunk {
		if l.Kind == nets.KindBatchNorm && (name == fmt.Sprintf("trunk.%d.b", i-1) || name == fmt.Sprintf("trunk.%d.mean", i)) {
			return true
		}
	}
	return false
}

// trainer is the surface package train uses; both trainers have it, so
// switching is one constructor call.
type trainer interface {
	Step(in, policyTarget, valueTarget, valueMask []float32) (tape.Loss, error)
	SetLearningRate(lr float64)
	LearningRate() float64
	Steps() int64
	Weights() *nets.Weights
	State() (tape.TrainerState, error)
	SetState(st tape.TrainerState) error
	Close() error
}

var (
	_ trainer = (*Trainer)(nil)
	_ trainer = (*tape.Trainer)(nil)
)

// TestLRScaleFreezes checks that a learning-rate factor of 0 leaves the
// tensors it names as they were while the others train.
func TestLRScaleFreezes(t *testing.T) {
	spec := nets.DefaultSpec(5)
	w := randomWeights(t, spec, 4)
	o := tape.DefaultTrainOptions()
	o.BatchSize = 4
	o.WeightDecay = 1e-3
	o.LRScale = map[string]float64{"trunk.": 0}
	fast, err := New(w, o, Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer fast.Close()
	rng := rand.New(rand.NewPCG(5, 5))
	for range 2 {
		if _, err := fast.StepBatch(randomBatch(spec, o.BatchSize, rng).tape()); err != nil {
			t.Fatal(err)
		}
	}
	after := fast.Weights()
	var frozen, moved int
	for i, tn := range after.Tensors {
		same := slices.Equal(tn.Data, w.Tensors[i].Data)
		switch {
		case strings.HasPrefix(tn.Name, "trunk.") && strings.HasSuffix(tn.Name, ".w"):
			if !same {
				t.Errorf("%s changed with its learning rate scaled to 0", tn.Name)
			}
			frozen++
		case strings.HasPrefix(tn.Name, "value.") && strings.HasSuffix(tn.Name, ".w"):
			if !same {
				moved++
			}
		}
	}
	if frozen == 0 || moved == 0 {
		t.Errorf("frozen %d trunk tensors, moved %d value tensors: want both > 0", frozen, moved)
	}
}
