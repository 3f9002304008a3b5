package optim

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Optimizer names.
const (
	SGD  = "sgd"  // stochastic gradient descent with momentum
	Adam = "adam" // Adam (Kingma and Ba), with bias correction
)

// Config chooses an optimizer and its constants.
type Config struct {
	Optimizer    string  // SGD or Adam
	Momentum     float64 // SGD
	Beta1, Beta2 float64 // Adam
	Epsilon      float64 // Adam
}

// Optimizer updates parameters from their gradients. Its state is a list
// of slots per parameter (velocity; first and second moments) plus a step
// count.
type Optimizer interface {
	// Update applies one step with learning rate lr to parameter i;
	// len(g) >= len(w) == the parameter's size.
	Update(i int, lr float64, w, g []float32)
	// EndStep is called once after every parameter was updated.
	EndStep()
	Slots() [][][]float32 // per parameter, per slot; live, not copies
	Steps() int64
	SetSteps(int64)
	Name() string // SGD or Adam
}

// New returns an optimizer for parameters of the given sizes.
func New(c Config, sizes []int) (Optimizer, error) {
	switch c.Optimizer {
	case SGD:
		s := &momentum{mu: float32(c.Momentum)}
		for _, n := range sizes {
			s.v = append(s.v, make([]float32, n))
		}
		return s, nil
	case Adam:
		a := &adam{beta1: c.Beta1, beta2: c.Beta2, eps: float32(c.Epsilon)}
		for _, n := range sizes {
			a.m = append(a.m, make([]float32, n))
			a.v = append(a.v, make([]float32, n))
		}
		return a, nil
	}
	return nil, fmt.Errorf("unknown optimizer %q (want %s or %s)", c.Optimizer, SGD, Adam)
}

// momentum is SGD with heavy-ball momentum, gorgonia's Momentum solver:
// v = mu*v - lr*g; w += v.
type momentum struct {
	mu float32
	v  [][]float32
	t  int64
}

func (s *momentum) Update(i int, lr float64, w, g []float32) {
	v := s.v[i][:len(w)]
	g = g[:len(w)]
	eta := float32(lr)
	for j := range w {
		v[j] = flush(s.mu*v[j] - eta*g[j])
		w[j] = flush(w[j] + v[j])
	}
}

func (s *momentum) EndStep() { s.t++ }

// flush returns x, or zero for a subnormal x: weight decay and the
// moments' decay would otherwise leave many weights subnormal, and every
// multiplication that reads one takes a microcode assist on x86 (Go
// cannot set FTZ/DAZ).
func flush(x float32) float32 {
	if math.Float32bits(x)&0x7f800000 == 0 {
		return 0
	}
	return x
}

func (s *momentum) Slots() [][][]float32 {
	out := make([][][]float32, len(s.v))
	for i := range s.v {
		out[i] = [][]float32{s.v[i]}
	}
	return out
}

func (s *momentum) Steps() int64     { return s.t }
func (s *momentum) SetSteps(t int64) { s.t = t }
func (s *momentum) Name() string     { return SGD }

// adam is Adam with bias correction, gorgonia's AdamSolver:
// m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
// w -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps).
type adam struct {
	beta1, beta2 float64
	eps          float32
	m, v         [][]float32
	t            int64 // completed steps
}

func (a *adam) Update(i int, lr float64, w, g []float32) {
	t := float64(a.t + 1)
	c1 := float32(1 / (1 - math.Pow(a.beta1, t)))
	c2 := float32(1 / (1 - math.Pow(a.beta2, t)))
	b1, b2 := float32(a.beta1), float32(a.beta2)
	eta := float32(lr)
	m, v := a.m[i][:len(w)], a.v[i][:len(w)]
	g = g[:len(w)]
	for j := range w {
		gj := g[j]
		m[j] = flush(b1*m[j] + (1-b1)*gj)
		v[j] = flush(b2*v[j] + (1-b2)*gj*gj)
		w[j] = flush(w[j] - eta*(m[j]*c1)/(float32(math.Sqrt(float64(v[j]*c2)))+a.eps))
	}
}

func (a *adam) EndStep() { a.t++ }

func (a *adam) Slots() [][][]float32 {
	out := make([][][]float32, len(a.m))
	for i := range a.m {
		out[i] = [][]float32{a.m[i], a.v[i]}
	}
	return out
}

func (a *adam) Steps() int64     { return a.t }
func (a *adam) SetSteps(t int64) { a.t = t }
func (a *adam) Name() string     { return Adam }

// State is an optimizer's state and the trainer's dropout generator,
// which with the weights let a new trainer continue a run exactly. The
// learning rate is not part of it: schedules set it per step.
type State struct {
	Optimizer string  `json:"optimizer"`
	Steps     int64   `json:"steps"`
	Slots     []Slots `json:"slots"`
	RNG       []byte  `json:"rng"` // the dropout generator (math/rand/v2 PCG)
}

// Slots is the optimizer state of one trainable parameter: SGD's velocity,
// or Adam's first and second moments.
type Slots struct {
	Name string      `json:"name"`
	Data [][]float32 `json:"data"`
}

// ErrState is wrapped by Restore's errors.
var ErrState = errors.New("optimizer state does not fit")

// Snapshot returns a copy of o's state and pcg's; names[k] names
// parameter k.
func Snapshot(o Optimizer, names []string, pcg *rand.PCG) (State, error) {
	rng, err := pcg.MarshalBinary()
	if err != nil {
		return State{}, err
	}
	st := State{Optimizer: o.Name(), Steps: o.Steps(), RNG: rng}
	for k, sl := range o.Slots() {
		s := Slots{Name: names[k]}
		for _, d := range sl {
			s.Data = append(s.Data, append([]float32(nil), d...))
		}
		st.Slots = append(st.Slots, s)
	}
	return st, nil
}

// Restore replaces o's and pcg's state with st, which must come from the
// same optimizer over the same parameters (names[k] names parameter k).
// On error (wrapping ErrState) nothing changes.
func Restore(o Optimizer, names []string, pcg *rand.PCG, st State) error {
	if st.Optimizer != o.Name() {
		return fmt.Errorf("%w: optimizer %q, trainer uses %q", ErrState, st.Optimizer, o.Name())
	}
	cur := o.Slots()
	if len(st.Slots) != len(cur) {
		return fmt.Errorf("%w: %d parameters, trainer has %d", ErrState, len(st.Slots), len(cur))
	}
	for k, s := range st.Slots {
		if s.Name != names[k] || len(s.Data) != len(cur[k]) {
			return fmt.Errorf("%w: slot %d is %s with %d arrays, want %s with %d", ErrState, k, s.Name, len(s.Data), names[k], len(cur[k]))
		}
		for j := range s.Data {
			if len(s.Data[j]) != len(cur[k][j]) {
				return fmt.Errorf("%w: %s: %d values, want %d", ErrState, names[k], len(s.Data[j]), len(cur[k][j]))
			}
		}
	}
	gen := new(rand.PCG)
	if err := gen.UnmarshalBinary(st.RNG); err != nil {
		return fmt.Errorf("%w: generator: %v", ErrState, err)
	}
	for k, s := range st.Slots {
		for j := range s.Data {
			copy(cur[k][j], s.Data[j])
		}
	}
	o.SetSteps(st.Steps)
	*pcg = *gen
	return nil
}
