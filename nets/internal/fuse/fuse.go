package fuse

import (
	"fmt"
	"math"

	"github.com/tengen-go/tengen/nets"
)

// Act is an activation fused into a convolution's bias pass.
type Act int

// The fused activations.
const (
	None Act = iota
	ReLU
	Tanh
)

// Layer is one inference layer: a convolution (with its fused batch norm
// and activation), ReLU, tanh, LRN or max-pooling.
type Layer struct {
	nets.Layer            // with defaults filled in
	Index      int        // position in the spec's trunk (a convolution's own)
	In, Out    nets.Shape // activations in and out
	W, B       []float32  // convolution only: weights [f, c, k, k] and bias, copies, batch norm folded in
	Act        Act        // convolution only: the activation fused after it
}

// Trunk lowers w's trunk. Spec validation guarantees that every batch
// norm follows a convolution; an unknown layer kind is an error.
func Trunk(w *nets.Weights) ([]Layer, error) {
	shapes, err := w.Spec.TrunkShapes()
	if err != nil {
		return nil, err
	}
	tensor := func(name string) []float32 { return append([]float32(nil), w.Tensor(name).Data...) }
	trunk := w.Spec.Trunk
	var out []Layer
	for i := 0; i < len(trunk); i++ {
		l := Layer{Layer: trunk[i].WithDefaults(), Index: i, In: shapes[i], Out: shapes[i+1]}
		switch l.Kind {
		case nets.KindConv:
			l.W = tensor(fmt.Sprintf("trunk.%d.w", i))
			l.B = tensor(fmt.Sprintf("trunk.%d.b", i))
			if i+1 < len(trunk) && trunk[i+1].Kind == nets.KindBatchNorm {
				i++
				bn := trunk[i].WithDefaults()
				foldBatchNorm(l.W, l.B,
					w.Tensor(fmt.Sprintf("trunk.%d.gamma", i)).Data, w.Tensor(fmt.Sprintf("trunk.%d.beta", i)).Data,
					w.Tensor(fmt.Sprintf("trunk.%d.mean", i)).Data, w.Tensor(fmt.Sprintf("trunk.%d.var", i)).Data, bn.Epsilon)
			}
			j := i + 1
			for j < len(trunk) && trunk[j].Kind == nets.KindDropout {
				j++
			}
			if j < len(trunk) {
				switch trunk[j].Kind {
				case nets.KindReLU:
					l.Act, i = ReLU, j
				case nets.KindTanh:
					l.Act, i = Tanh, j
				}
			}
		case nets.KindReLU, nets.KindTanh, nets.KindLRN, nets.KindMaxPool:
		case nets.KindDropout:
			continue
		default:
			return nil, fmt.Errorf("trunk layer %d: unsupported kind %q", i, l.Kind)
		}
		out = append(out, l)
	}
	return out, nil
}

// foldBatchNorm scales conv weights wt ([f, ...]) and bias so that the
// convolution computes batch norm (inference form) of its old output.
func foldBatchNorm(wt, bias, gamma, beta, mean, variance []float32, eps float64) {
	f := len(bias)
	per := len(wt) / f
	for o := range f {
		s := float64(gamma[o]) / math.Sqrt(float64(variance[o])+eps)
		for i := o * per; i < (o+1)*per; i++ {
			wt[i] = float32(float64(wt[i]) * s)
		}
		bias[o] = float32((float64(bias[o])-float64(mean[o]))*s + float64(beta[o]))
	}
}
