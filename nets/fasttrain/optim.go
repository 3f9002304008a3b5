package fasttrain

import (
	"fmt"
	"math"

	"github.com/tengen-go/tengen/nets/tape"
)

// optimizer updates parameters from their gradients. Its state is a list
// of slots per parameter (velocity; first and second moments) plus a step
// count. The update rules are nets/tape's, operation for operation in
// float32, so both trainers take the same steps and share checkpoints.
type optimizer interface {
	// update applies one step with learning rate lr to param i.
	update(i int, lr float64, w, g []float32)
	// endStep is called once after every parameter was updated.
	endStep()
	slots() [][][]float32 // per parameter, per slot
	steps() int64
	setSteps(int64)
}

func newOptimizer(o tape.TrainOptions, sizes []int) (optimizer, error) {
	switch o.Optimizer {
	case tape.SGD:
		s := &momentum{mu: float32(o.Momentum)}
		for _, n := range sizes {
			s.v = append(s.v, make([]float32, n))
		}
		return s, nil
	case tape.Adam:
		a := &adam{beta1: o.Beta1, beta2: o.Beta2, eps: float32(o.Epsilon)}
		for _, n := range sizes {
			a.m = append(a.m, make([]float32, n))
			a.v = append(a.v, make([]float32, n))
		}
		return a, nil
	}
	return nil, fmt.Errorf("fasttrain: unknown optimizer %q", o.Optimizer)
}

// momentum is SGD with heavy-ball momentum: v = mu*v - lr*g; w += v.
type momentum struct {
	mu float32
	v  [][]float32
	t  int64
}

func (s *momentum) update(i int, lr float64, w, g []float32) {
	v := s.v[i][:len(w)]
	g = g[:len(w)]
	eta := float32(lr)
	for j := range w {
		v[j] = s.mu*v[j] - eta*g[j]
		w[j] += v[j]
	}
}

func (s *momentum) endStep() { s.t++ }

func (s *momentum) slots() [][][]float32 {
	out := make([][][]float32, len(s.v))
	for i := range s.v {
		out[i] = [][]float32{s.v[i]}
	}
	return out
}

func (s *momentum) steps() int64     { return s.t }
func (s *momentum) setSteps(t int64) { s.t = t }

// adam is Adam with bias correction:
// m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2;
// w -= lr * (m/(1-b1^t)) / (sqrt(v/(1-b2^t)) + eps).
type adam struct {
	beta1, beta2 float64
	eps          float32
	m, v         [][]float32
	t            int64 // completed steps
}

func (a *adam) update(i int, lr float64, w, g []float32) {
	t := float64(a.t + 1)
	c1 := float32(1 / (1 - math.Pow(a.beta1, t)))
	c2 := float32(1 / (1 - math.Pow(a.beta2, t)))
	b1, b2 := float32(a.beta1), float32(a.beta2)
	eta := float32(lr)
	m, v := a.m[i][:len(w)], a.v[i][:len(w)]
	g = g[:len(w)]
	for j := range w {
		gj := g[j]
		m[j] = b1*m[j] + (1-b1)*gj
		v[j] = b2*v[j] + (1-b2)*gj*gj
		w[j] -= eta * (m[j] * c1) / (float32(math.Sqrt(float64(v[j]*c2))) + a.eps)
	}
}

func (a *adam) endStep() { a.t++ }

func (a *adam) slots() [][][]float32 {
	out := make([][][]float32, len(a.m))
	for i := range a.m {
		out[i] = [][]float32{a.m[i], a.v[i]}
	}
	return out
}

func (a *adam) steps() int64     { return a.t }
func (a *adam) setSteps(t int64) { a.t = t }
