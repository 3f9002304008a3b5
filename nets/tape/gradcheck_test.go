package tape

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/netstest"
)

// gradChecker compares a graph's symbolic gradients with central finite
// differences of its scalar cost, in float64.
type gradChecker struct {
	t    *testing.T
	vm   G.VM
	cost *G.Node
}

func (c *gradChecker) eval() float64 {
	c.t.Helper()
	if err := c.vm.RunAll(); err != nil {
		c.t.Fatal(err)
	}
	v := scalarOf(c.cost.Value())
	c.vm.Reset()
	return v
}

// check compares the gradient of the cost with respect to node, which the
// last RunAll computed, at up to maxChecks entries chosen by rng (all when
// the node is small).
func (c *gradChecker) check(node *G.Node, grad []float64, maxChecks int, rng *rand.Rand) {
	c.t.Helper()
	x := node.Value().Data().([]float64)
	idx := rng.Perm(len(x))
	if len(idx) > maxChecks {
		idx = idx[:maxChecks]
	}
	const h = 1e-5
	for _, i := range idx {
		old := x[i]
		x[i] = old + h
		up := c.eval()
		x[i] = old - h
		down := c.eval()
		x[i] = old
		num := (up - down) / (2 * h)
		if math.Abs(num-grad[i]) > 1e-6+1e-4*math.Max(math.Abs(num), math.Abs(grad[i])) {
			c.t.Errorf("d cost / d %s[%d] = %.8g; finite difference %.8g", node.Name(), i, grad[i], num)
		}
	}
}

// gradOf runs the graph once and returns a copy of node's gradient.
func gradOf(t *testing.T, vm G.VM, node *G.Node) []float64 {
	t.Helper()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	defer vm.Reset()
	g, err := node.Grad()
	if err != nil {
		t.Fatal(err)
	}
	return append([]float64(nil), g.Data().([]float64)...)
}

func normals(rng *rand.Rand, n int) []float64 {
	v := make([]float64, n)
	for i := range v {
		v[i] = rng.NormFloat64()
	}
	return v
}

// layerCheck builds cost = sum(layer(x) * r) for a random x of the given
// shape, compares layer(x) with want(x), and checks d cost / d x.
func layerCheck(t *testing.T, shape []int, outLen int, xform func(float64) float64, layer func(b *builder, x *G.Node) (*G.Node, error), want func(x []float64) []float64) {
	rng := rand.New(rand.NewPCG(11, 12))
	xv := normals(rng, tensor.Shape(shape).TotalSize())
	for i := range xv {
		xv[i] = xform(xv[i])
	}
	build := func() (x, y, cost *G.Node, err error) {
		buildMu.Lock()
		defer buildMu.Unlock()
		g := G.NewGraph()
		x = G.NewTensor(g, tensor.Float64, len(shape), G.WithShape(shape...), G.WithName("x"), G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(xv))))
		b := &builder{ng: &netGraph{g: g}, o: graphOpts{dt: tensor.Float64, batch: shape[0]}}
		if y, err = layer(b, x); err != nil {
			return
		}
		r := G.NewTensor(g, tensor.Float64, y.Shape().Dims(), G.WithShape(y.Shape()...), G.WithName("r"), G.WithValue(tensor.New(tensor.WithShape(y.Shape()...), tensor.WithBacking(normals(rng, y.Shape().TotalSize())))))
		var prod *G.Node
		if prod, err = G.HadamardProd(y, r); err != nil {
			return
		}
		if cost, err = G.Sum(prod); err != nil {
			return
		}
		_, err = G.Grad(cost, x)
		return
	}
	x, y, cost, err := build()
	if err != nil {
		t.Fatal(err)
	}
	c := &gradChecker{t: t, vm: G.NewTapeMachine(x.Graph()), cost: cost}
	defer c.vm.Close()
	c.run(x, y, xv, outLen, want, rng)
}

func (c *gradChecker) run(x, y *G.Node, xv []float64, outLen int, want func([]float64) []float64, rng *rand.Rand) {
	t := c.t
	if err := c.vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	got := append([]float64(nil), y.Value().Data().([]float64)...)
	c.vm.Reset()
	per := len(xv) / x.Shape()[0]
	for s := range x.Shape()[0] {
		w := want(xv[s*per : (s+1)*per])
		if len(w) != outLen {
			t.Fatalf("reference gave %d values, want %d", len(w), outLen)
		}
		for i, v := range w {
			if g := got[s*outLen+i]; math.Abs(g-v) > 1e-12*math.Max(1, math.Abs(v)) {
				t.Fatalf("sample %d: out[%d] = %v; want %v", s, i, g, v)
			}
		}
	}
	c.check(x, gradOf(t, c.vm, x), 1000, rng)
}

func TestLRNGradient(t *testing.T) {
	for _, l := range []nets.Layer{
		{Kind: nets.KindLRN, N: 5, K: 2, Alpha: 1e-4, Beta: 0.75},
		{Kind: nets.KindLRN, N: 3, K: 1, Alpha: 0.9, Beta: 0.75}, // strong normalisation
		{Kind: nets.KindLRN, N: 4, K: 0.5, Alpha: 2, Beta: 1.5},  // even window
	} {
		t.Run(fmt.Sprintf("n%d_alpha%g", l.N, l.Alpha), func(t *testing.T) {
			sh := nets.Shape{C: 6, H: 3, W: 2}
			layerCheck(t, []int{2, sh.C, sh.H, sh.W}, sh.Len(), func(v float64) float64 { return v },
				func(b *builder, x *G.Node) (*G.Node, error) { return b.lrn(x, l, sh.C) },
				func(x []float64) []float64 { return naiveLRN(x, sh, l) })
		})
	}
}

// TestMaxPoolGradient also checks the forward pass on negative inputs,
// where zero padding would differ from the -inf padding nets specifies.
func TestMaxPoolGradient(t *testing.T) {
	for _, tc := range []struct{ size, stride, h, w int }{
		{3, 1, 5, 5}, {3, 2, 5, 5}, {3, 2, 4, 4}, {5, 1, 4, 3}, {3, 2, 9, 9},
	} {
		t.Run(fmt.Sprintf("%dx%d_s%d_%dx%d", tc.size, tc.size, tc.stride, tc.h, tc.w), func(t *testing.T) {
			sh := nets.Shape{C: 3, H: tc.h, W: tc.w}
			oh, ow := (tc.h+tc.stride-1)/tc.stride, (tc.w+tc.stride-1)/tc.stride
			layerCheck(t, []int{2, sh.C, sh.H, sh.W}, sh.C*oh*ow,
				func(v float64) float64 { return -math.Abs(v) - 0.1 }, // all negative: the padding must never win
				func(b *builder, x *G.Node) (*G.Node, error) { return maxPool(x, tc.size, tc.stride) },
				func(x []float64) []float64 { return naiveMaxPool(x, sh, tc.size, tc.stride) })
		})
	}
}

// TestNetGradient checks the training loss's gradient with respect to
// every parameter tensor of small networks that use every layer kind and
// every head (both policy heads, flat and pooled value heads, ownership
// and score), with dropout masks, masked value, ownership and score
// targets (score errors on both sides of the Huber threshold), soft
// policy targets and L2.
func TestNetGradient(t *testing.T) {
	for name, spec := range netstest.TinySpecs() {
		t.Run(name, func(t *testing.T) {
			w := randomWeights(t, spec, 21)
			const batch = 3
			ng, err := buildGraph(w, graphOpts{batch: batch, train: true, dt: tensor.Float64, l2: 1e-2, vw: 0.7, ow: 0.8, sw: 0.6})
			if err != nil {
				t.Fatal(err)
			}
			vm, err := ng.trainMachine()
			if err != nil {
				t.Fatal(err)
			}
			defer vm.Close()
			rng := rand.New(rand.NewPCG(3, 4))
			setData(ng.input, randomInput(spec, batch, rng))
			moves := spec.Moves()
			pt := make([]float32, batch*moves)
			for s := range batch {
				// one-hot, soft, and empty targets
				switch s {
				case 0:
					pt[rng.IntN(moves)] = 1
				case 1:
					var sum float32
					for i := range moves {
						pt[moves+i] = rng.Float32()
						sum += pt[moves+i]
					}
					for i := range moves {
						pt[moves+i] /= sum
					}
				}
			}
			setData(ng.polTarget, pt)
			setData(ng.valTarget, []float32{0.5, -1, 1})
			setData(ng.valWeight, []float32{0.5, 0, 0.5})
			if ng.own != nil {
				area := spec.Area()
				ot := make([]float32, batch*area)
				for i := range ot {
					ot[i] = float32(rng.IntN(3) - 1)
				}
				setData(ng.ownTarget, ot)
				setData(ng.ownWeight, []float32{0.5 / float32(area), 0.5 / float32(area), 0})
			}
			if ng.score != nil {
				// errors of a few points and of tens: both Huber regimes
				setData(ng.scTarget, []float32{3, -24, 37})
				setData(ng.scWeight, []float32{0.25, 0.25, 0.5})
			}
			if len(ng.drops) == 0 && name == "convhead" {
				t.Fatal("no dropout masks in the training graph")
			}
			for _, d := range ng.drops {
				m := d.mask.Value().Data().([]float64)
				for i := range m {
					if rng.Float64() >= d.rate {
						m[i] = 1 / (1 - d.rate)
					}
				}
			}
			c := &gradChecker{t: t, vm: vm, cost: ng.cost}
			first := map[string][]float64{}
			for i, info := range ng.infos {
				if info.Trainable {
					first[info.Name] = gradOf(t, vm, ng.params[i])
				}
			}
			for i, info := range ng.infos {
				if !info.Trainable {
					continue
				}
				// gradients are recomputed, not accumulated, run after run
				again := gradOf(t, vm, ng.params[i])
				for j := range again {
					if again[j] != first[info.Name][j] {
						t.Fatalf("%s: gradient changed between runs: %v then %v", info.Name, first[info.Name][j], again[j])
					}
				}
				c.check(ng.params[i], first[info.Name], 12, rng)
			}
		})
	}
}

// TestGlobalPoolGradient checks the pooled value head's pooling (means,
// then maxima, per channel) and its gradient.
func TestGlobalPoolGradient(t *testing.T) {
	for _, sh := range []nets.Shape{{C: 3, H: 5, W: 5}, {C: 2, H: 3, W: 3}, {C: 1, H: 2, W: 2}} {
		t.Run(fmt.Sprintf("%dx%dx%d", sh.C, sh.H, sh.W), func(t *testing.T) {
			layerCheck(t, []int{2, sh.C, sh.H, sh.W}, 2*sh.C, func(v float64) float64 { return v },
				func(b *builder, x *G.Node) (*G.Node, error) { return b.globalPool(x, sh) },
				func(x []float64) []float64 {
					out := make([]float64, 2*sh.C)
					hw := sh.H * sh.W
					for c := range sh.C {
						m := math.Inf(-1)
						for _, v := range x[c*hw : (c+1)*hw] {
							out[c] += v / float64(hw)
							m = max(m, v)
						}
						out[sh.C+c] = m
					}
					return out
				})
		})
	}
}
