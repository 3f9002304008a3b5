package tape

import (
	"fmt"
	"math"

	"github.com/tengen-go/tengen/nets"
)

// naiveForward is a deliberately plain float64 implementation of the
// inference semantics in nets/doc.go, written from the documentation and
// not from the graph code, for checking the backend.
func naiveForward(w *nets.Weights, in []float32, n int) (policy, value []float64) {
	policy, value, _, _ = naiveForwardHeads(w, in, n)
	return policy, value
}

// naiveForwardHeads is naiveForward with the ownership (n*H*W) and score
// (n) outputs, nil without the heads.
func naiveForwardHeads(w *nets.Weights, in []float32, n int) (policy, value, own, score []float64) {
	spec := w.Spec
	shapes, err := spec.TrunkShapes()
	if err != nil {
		panic(err)
	}
	tensor := func(name string) []float64 {
		t := w.Tensor(name)
		if t == nil {
			panic("no tensor " + name)
		}
		out := make([]float64, len(t.Data))
		for i, v := range t.Data {
			out[i] = float64(v)
		}
		return out
	}
	inLen := shapes[0].Len()
	for s := range n {
		x := make([]float64, inLen)
		for i := range x {
			x[i] = float64(in[s*inLen+i])
		}
		for i, l := range spec.Trunk {
			sh := shapes[i]
			l = l.WithDefaults()
			switch l.Kind {
			case nets.KindConv:
				x = naiveConv(x, sh, tensor(fmt.Sprintf("trunk.%d.w", i)), tensor(fmt.Sprintf("trunk.%d.b", i)), l.Filters, l.Kernel)
			case nets.KindReLU:
				for j := range x {
					x[j] = math.Max(0, x[j])
				}
			case nets.KindTanh:
				for j := range x {
					x[j] = math.Tanh(x[j])
				}
			case nets.KindLRN:
				x = naiveLRN(x, sh, l)
			case nets.KindMaxPool:
				x = naiveMaxPool(x, sh, l.Size, l.Stride)
			case nets.KindDropout:
			case nets.KindBatchNorm:
				g, b := tensor(fmt.Sprintf("trunk.%d.gamma", i)), tensor(fmt.Sprintf("trunk.%d.beta", i))
				m, v := tensor(fmt.Sprintf("trunk.%d.mean", i)), tensor(fmt.Sprintf("trunk.%d.var", i))
				area := sh.H * sh.W
				for c := range sh.C {
					for j := range area {
						k := c*area + j
						x[k] = (x[k]-m[c])/math.Sqrt(v[c]+l.Epsilon)*g[c] + b[c]
					}
				}
			}
		}
		t := shapes[len(shapes)-1]
		relu := func(v []float64) []float64 {
			for j := range v {
				v[j] = math.Max(0, v[j])
			}
			return v
		}
		ph := relu(naiveConv(x, t, tensor("policy.conv.w"), tensor("policy.conv.b"), spec.Policy.Filters, 1))
		if spec.Policy.Kind == "dense" {
			policy = append(policy, naiveDense(ph, tensor("policy.dense.w"), tensor("policy.dense.b"))...)
		} else {
			pt := naiveConv(ph, nets.Shape{C: spec.Policy.Filters, H: t.H, W: t.W}, tensor("policy.point.w"), tensor("policy.point.b"), 1, 1)
			policy = append(policy, pt...)
			policy = append(policy, naiveDense(ph, tensor("policy.pass.w"), tensor("policy.pass.b"))...)
		}
		vh := relu(naiveConv(x, t, tensor("value.conv.w"), tensor("value.conv.b"), spec.Value.Filters, 1))
		feat := vh
		if spec.Value.Kind == nets.ValuePool {
			// means, then maxima, per channel
			area := t.H * t.W
			feat = make([]float64, 2*spec.Value.Filters)
			for c := range spec.Value.Filters {
				m := math.Inf(-1)
				for _, v := range vh[c*area : (c+1)*area] {
					feat[c] += v / float64(area)
					m = math.Max(m, v)
				}
				feat[spec.Value.Filters+c] = m
			}
		}
		hid := relu(naiveDense(feat, tensor("value.fc1.w"), tensor("value.fc1.b")))
		out := naiveDense(hid, tensor("value.fc2.w"), tensor("value.fc2.b"))
		value = append(value, math.Tanh(out[0]))
		if spec.HasOwnership() {
			oh := relu(naiveConv(x, t, tensor("ownership.conv.w"), tensor("ownership.conv.b"), spec.Ownership.Filters, 1))
			o := naiveConv(oh, nets.Shape{C: spec.Ownership.Filters, H: t.H, W: t.W}, tensor("ownership.out.w"), tensor("ownership.out.b"), 1, 1)
			for _, v := range o {
				own = append(own, math.Tanh(v))
			}
		}
		if spec.HasScore() {
			sh := relu(naiveDense(feat, tensor("score.fc1.w"), tensor("score.fc1.b")))
			score = append(score, naiveDense(sh, tensor("score.fc2.w"), tensor("score.fc2.b"))[0])
		}
	}
	return policy, value, own, score
}

func naiveConv(x []float64, in nets.Shape, w, b []float64, filters, k int) []float64 {
	out := make([]float64, filters*in.H*in.W)
	for f := range filters {
		for y := range in.H {
			for xx := range in.W {
				s := b[f]
				for c := range in.C {
					for i := range k {
						for j := range k {
							yy, xc := y+i-k/2, xx+j-k/2
							if yy < 0 || yy >= in.H || xc < 0 || xc >= in.W {
								continue
							}
							s += w[((f*in.C+c)*k+i)*k+j] * x[(c*in.H+yy)*in.W+xc]
						}
					}
				}
				out[(f*in.H+y)*in.W+xx] = s
			}
		}
	}
	return out
}

func naiveDense(x, w, b []float64) []float64 {
	out := make([]float64, len(b))
	for o := range out {
		s := b[o]
		for i, v := range x {
			s += w[o*len(x)+i] * v
		}
		out[o] = s
	}
	return out
}

func naiveLRN(x []float64, sh nets.Shape, l nets.Layer) []float64 {
	out := make([]float64, len(x))
	area := sh.H * sh.W
	for c := range sh.C {
		for p := range area {
			s := 0.0
			for j := max(0, c-l.N/2); j <= min(sh.C-1, c+l.N/2); j++ {
				s += x[j*area+p] * x[j*area+p]
			}
			out[c*area+p] = x[c*area+p] / math.Pow(l.K+l.Alpha/float64(l.N)*s, l.Beta)
		}
	}
	return out
}

func naiveMaxPool(x []float64, sh nets.Shape, size, stride int) []float64 {
	oh, ow := (sh.H+stride-1)/stride, (sh.W+stride-1)/stride
	out := make([]float64, sh.C*oh*ow)
	for c := range sh.C {
		for y := range oh {
			for xx := range ow {
				m := math.Inf(-1)
				for i := range size {
					for j := range size {
						yy, xc := y*stride+i-size/2, xx*stride+j-size/2
						if yy < 0 || yy >= sh.H || xc < 0 || xc >= sh.W {
							continue
						}
						m = math.Max(m, x[(c*sh.H+yy)*sh.W+xc])
					}
				}
				out[(c*oh+y)*ow+xx] = m
			}
		}
	}
	return out
}
