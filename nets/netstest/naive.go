package netstest

import (
	"context"
	"fmt"
	"math"

	"github.com/tengen-go/tengen/nets"
)

// Naive is the obviously-correct backend: each layer is a plain loop over
// the formula in the nets package documentation, accumulating in float64.
// It is slow; it exists to be compared against. It is safe for concurrent
// use (Forward keeps no state between calls).
type Naive struct {
	spec   nets.Spec
	in     nets.Shape
	params map[string][]float32 // full tensor names -> data
}

var _ nets.HeadsBackend = (*Naive)(nil)

// NewNaive returns a Naive backend for w, which it copies. It fails if
// w.Check fails.
func NewNaive(w *nets.Weights) (*Naive, error) {
	if err := w.Check(); err != nil {
		return nil, fmt.Errorf("netstest: naive: %w", err)
	}
	in, err := w.Spec.InputShape()
	if err != nil {
		return nil, err
	}
	n := &Naive{spec: w.Spec, in: in, params: map[string][]float32{}}
	for _, t := range w.Tensors {
		n.params[t.Name] = append([]float32(nil), t.Data...)
	}
	return n, nil
}

// Spec returns the network's spec.
func (n *Naive) Spec() nets.Spec { return n.spec }

// Close does nothing.
func (n *Naive) Close() error { return nil }

// Forward evaluates count positions one at a time. It checks the buffer
// sizes and ctx (before each position).
func (n *Naive) Forward(ctx context.Context, in []float32, count int, policy, value []float32) error {
	return n.ForwardOutputs(ctx, in, count, nets.Outputs{Policy: policy, Value: value})
}

// ForwardOutputs is Forward with the ownership and score heads.
func (n *Naive) ForwardOutputs(ctx context.Context, in []float32, count int, out nets.Outputs) error {
	inLen, moves, area := n.in.Len(), n.spec.Moves(), n.spec.Area()
	switch {
	case count < 0:
		return fmt.Errorf("netstest: naive: negative batch size %d", count)
	case len(in) < count*inLen:
		return fmt.Errorf("netstest: naive: input has %d values, want %d", len(in), count*inLen)
	case len(out.Policy) < count*moves:
		return fmt.Errorf("netstest: naive: policy buffer has %d values, want %d", len(out.Policy), count*moves)
	case len(out.Value) < count:
		return fmt.Errorf("netstest: naive: value buffer has %d values, want %d", len(out.Value), count)
	case out.Ownership != nil && (!n.spec.HasOwnership() || len(out.Ownership) < count*area):
		return fmt.Errorf("netstest: naive: ownership buffer of %d values (head: %v)", len(out.Ownership), n.spec.HasOwnership())
	case out.Score != nil && (!n.spec.HasScore() || len(out.Score) < count):
		return fmt.Errorf("netstest: naive: score buffer of %d values (head: %v)", len(out.Score), n.spec.HasScore())
	}
	for i := range count {
		if err := ctx.Err(); err != nil {
			return err
		}
		r := n.forwardOne(in[i*inLen : (i+1)*inLen])
		copy(out.Policy[i*moves:(i+1)*moves], r.policy)
		out.Value[i] = r.value
		if out.Ownership != nil {
			copy(out.Ownership[i*area:(i+1)*area], r.own)
		}
		if out.Score != nil {
			out.Score[i] = r.score
		}
	}
	return ctx.Err()
}

// sub returns the parameters of one layer under their short names: the
// tensors called prefix+".w", prefix+".b" and so on.
func (n *Naive) sub(prefix string, short ...string) map[string][]float32 {
	m := map[string][]float32{}
	for _, s := range short {
		m[s] = n.params[prefix+"."+s]
	}
	return m
}

// result is one position's outputs.
type result struct {
	policy []float32
	value  float32
	own    []float32 // nil without an ownership head
	score  float32
}

func (n *Naive) forwardOne(in []float32) result {
	x, sh := append([]float32(nil), in...), n.in
	for i, l := range n.spec.Trunk {
		prefix := fmt.Sprintf("trunk.%d", i)
		x, sh = NaiveLayer(l, n.sub(prefix, "w", "b", "gamma", "beta", "mean", "var"), x, sh)
	}
	relu := nets.Layer{Kind: nets.KindReLU}
	conv1 := func(filters int, prefix string, x []float32, sh nets.Shape) ([]float32, nets.Shape) {
		return NaiveLayer(nets.Layer{Kind: nets.KindConv, Filters: filters, Kernel: 1}, n.sub(prefix, "w", "b"), x, sh)
	}
	dense := func(units int, prefix string, x []float32, sh nets.Shape) ([]float32, nets.Shape) {
		return NaiveLayer(nets.Layer{Kind: nets.KindDense, Units: units}, n.sub(prefix, "w", "b"), x, sh)
	}

	// Policy head.
	p, psh := conv1(n.spec.Policy.Filters, "policy.conv", x, sh)
	p, psh = NaiveLayer(relu, nil, p, psh)
	var logits []float32
	if n.spec.Policy.Kind == "dense" {
		logits, _ = dense(n.spec.Moves(), "policy.dense", p, psh)
	} else {
		pts, _ := conv1(1, "policy.point", p, psh)
		pass, _ := dense(1, "policy.pass", p, psh)
		logits = append(pts, pass...)
	}

	// Value head, flat or pooled.
	v, vsh := conv1(n.spec.Value.Filters, "value.conv", x, sh)
	v, vsh = NaiveLayer(relu, nil, v, vsh)
	if n.spec.Value.Kind == "pool" {
		v, vsh = NaivePool(v, vsh)
	}
	pooled, psh := v, vsh
	v, vsh = dense(n.spec.Value.Hidden, "value.fc1", v, vsh)
	v, vsh = NaiveLayer(relu, nil, v, vsh)
	v, vsh = NaiveLayer(nets.Layer{Kind: nets.KindDropout, Rate: n.spec.Value.Dropout}, nil, v, vsh)
	v, vsh = dense(1, "value.fc2", v, vsh)
	v, _ = NaiveLayer(nets.Layer{Kind: nets.KindTanh}, nil, v, vsh)
	r := result{policy: logits, value: v[0]}

	// Ownership head: 1x1 conv, ReLU, 1x1 conv to one channel, tanh.
	if f := n.spec.Ownership.Filters; f > 0 {
		o, osh := conv1(f, "ownership.conv", x, sh)
		o, osh = NaiveLayer(relu, nil, o, osh)
		o, osh = conv1(1, "ownership.out", o, osh)
		r.own, _ = NaiveLayer(nets.Layer{Kind: nets.KindTanh}, nil, o, osh)
	}
	// Score head: on the value head's pooled features, dense, ReLU, dense.
	if h := n.spec.Score.Hidden; h > 0 {
		s, ssh := dense(h, "score.fc1", pooled, psh)
		s, ssh = NaiveLayer(relu, nil, s, ssh)
		s, _ = dense(1, "score.fc2", s, ssh)
		r.score = s[0]
	}
	return r
}

// NaivePool is the pooled value head's global pooling: for a map of shape
// sh, per channel the mean over the map, then per channel the maximum, as
// 2*C values (shape 2C x 1 x 1).
func NaivePool(in []float32, sh nets.Shape) ([]float32, nets.Shape) {
	hw := sh.H * sh.W
	out := make([]float32, 2*sh.C)
	for c := range sh.C {
		var sum float64
		m := math.Inf(-1)
		for _, v := range in[c*hw : (c+1)*hw] {
			sum += float64(v)
			m = max(m, float64(v))
		}
		out[c] = float32(sum / float64(hw))
		out[sh.C+c] = float32(m)
	}
	return out, nets.Shape{C: 2 * sh.C, H: 1, W: 1}
}

// defaults returns l with zero parameters replaced by the documented
// defaults. It is written out here rather than taken from package nets so
// that the reference does not share the code it checks.
func defaults(l nets.Layer) nets.Layer {
	switch l.Kind {
	case nets.KindLRN:
		if l.N == 0 {
			l.N = 5
		}
		if l.K == 0 {
			l.K = 2
		}
		if l.Alpha == 0 {
			l.Alpha = 1e-4
		}
		if l.Beta == 0 {
			l.Beta = 0.75
		}
	case nets.KindMaxPool:
		if l.Size == 0 {
			l.Size = 3
		}
		if l.Stride == 0 {
			l.Stride = 1
		}
	case nets.KindBatchNorm:
		if l.Epsilon == 0 {
			l.Epsilon = 1e-5
		}
	}
	return l
}

// NaiveLayer applies one layer (any kind, including dense; zero parameters
// mean the defaults) at inference to in, a map of inShape (C, H, W
// row-major), and returns a new output slice and its shape. params holds
// the layer's tensors under their short names: "w" and "b" for conv
// ([Filters, C, k, k] and [Filters]) and dense ([Units, C*H*W] and
// [Units]; the output shape is Units x 1 x 1), "gamma", "beta", "mean" and
// "var" ([C]) for batchnorm; other kinds take none (params may be nil).
// It panics on missing or wrongly sized parameters or input: it is a test
// helper.
func NaiveLayer(l nets.Layer, params map[string][]float32, in []float32, inShape nets.Shape) (out []float32, outShape nets.Shape) {
	l = defaults(l)
	C, H, W := inShape.C, inShape.H, inShape.W
	if len(in) != inShape.Len() {
		panic(fmt.Sprintf("netstest: NaiveLayer(%s): input has %d values, shape %v", l.Kind, len(in), inShape))
	}
	param := func(name string, n int) []float32 {
		p := params[name]
		if len(p) != n {
			panic(fmt.Sprintf("netstest: NaiveLayer(%s): parameter %q has %d values, want %d", l.Kind, name, len(p), n))
		}
		return p
	}
	at := func(c, y, x int) float64 { return float64(in[(c*H+y)*W+x]) }
	switch l.Kind {
	case nets.KindConv:
		F, k := l.Filters, l.Kernel
		w, b := param("w", F*C*k*k), param("b", F)
		outShape = nets.Shape{C: F, H: H, W: W}
		out = make([]float32, outShape.Len())
		for f := range F {
			for y := range H {
				for x := range W {
					s := float64(b[f])
					for c := range C {
						for i := range k {
							for j := range k {
								yy, xx := y+i-k/2, x+j-k/2
								if yy < 0 || yy >= H || xx < 0 || xx >= W {
									continue // zero padding
								}
								s += float64(w[((f*C+c)*k+i)*k+j]) * at(c, yy, xx)
							}
						}
					}
					out[(f*H+y)*W+x] = float32(s)
				}
			}
		}
	case nets.KindReLU:
		outShape = inShape
		out = make([]float32, len(in))
		for i, v := range in {
			out[i] = max(0, v)
		}
	case nets.KindTanh:
		outShape = inShape
		out = make([]float32, len(in))
		for i, v := range in {
			out[i] = float32(math.Tanh(float64(v)))
		}
	case nets.KindDropout:
		outShape = inShape
		out = append([]float32(nil), in...)
	case nets.KindLRN:
		outShape = inShape
		out = make([]float32, len(in))
		for c := range C {
			lo, hi := max(0, c-l.N/2), min(C-1, c+l.N/2)
			for y := range H {
				for x := range W {
					var sq float64
					for j := lo; j <= hi; j++ {
						sq += at(j, y, x) * at(j, y, x)
					}
					out[(c*H+y)*W+x] = float32(at(c, y, x) / math.Pow(l.K+l.Alpha/float64(l.N)*sq, l.Beta))
				}
			}
		}
	case nets.KindMaxPool:
		S, P := l.Stride, l.Size
		outShape = nets.Shape{C: C, H: (H + S - 1) / S, W: (W + S - 1) / S}
		out = make([]float32, outShape.Len())
		for c := range C {
			for y := range outShape.H {
				for x := range outShape.W {
					m := math.Inf(-1) // -inf padding
					for i := range P {
						for j := range P {
							yy, xx := y*S+i-P/2, x*S+j-P/2
							if yy < 0 || yy >= H || xx < 0 || xx >= W {
								continue
							}
							m = max(m, at(c, yy, xx))
						}
					}
					out[(c*outShape.H+y)*outShape.W+x] = float32(m)
				}
			}
		}
	case nets.KindBatchNorm:
		gamma, beta := param("gamma", C), param("beta", C)
		mean, vr := param("mean", C), param("var", C)
		outShape = inShape
		out = make([]float32, len(in))
		for c := range C {
			scale := float64(gamma[c]) / math.Sqrt(float64(vr[c])+l.Epsilon)
			for y := range H {
				for x := range W {
					out[(c*H+y)*W+x] = float32((at(c, y, x)-float64(mean[c]))*scale + float64(beta[c]))
				}
			}
		}
	case nets.KindDense:
		U, n := l.Units, len(in)
		w, b := param("w", U*n), param("b", U)
		outShape = nets.Shape{C: U, H: 1, W: 1}
		out = make([]float32, U)
		for o := range U {
			s := float64(b[o])
			for i := range n {
				s += float64(w[o*n+i]) * float64(in[i])
			}
			out[o] = float32(s)
		}
	default:
		panic(fmt.Sprintf("netstest: NaiveLayer: unknown layer kind %q", l.Kind))
	}
	return out, outShape
}
