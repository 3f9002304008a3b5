package fasttrain

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/netstest"
	"github.com/tengen-go/tengen/nets/tape"
)

// TestGradientsFiniteDifference checks the backward pass against central
// finite differences of the loss, independently of nets/tape: for every
// trainable tensor, the derivative along a random direction. The trainer
// computes in float32, so the step is large (h = 1e-2 along a unit
// direction, then 1e-3 and 1e-4 where a kink lies that close) and the
// tolerance is a few percent plus the rounding of the loss; a wrong
// derivative is off by far more at every step. Dropout masks and batch statistics are held fixed
// between evaluations (the masks are drawn once; batch statistics are a
// function of the weights, part of what is differentiated).
func TestGradientsFiniteDifference(t *testing.T) {
	for name, spec := range netstest.TinySpecs() {
		t.Run(name, func(t *testing.T) {
			w := randomWeights(t, spec, 9)
			o := tape.DefaultTrainOptions()
			o.BatchSize = 3
			o.WeightDecay = 0.01
			o.ValueWeight = 2
			o.OwnershipWeight, o.ScoreWeight = 1.5, 0.7
			tr, err := New(w, o, Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			rng := rand.New(rand.NewPCG(3, 4))
			b := randomBatch(spec, o.BatchSize, rng)
			if _, err := tr.prepare(b.tape()); err != nil {
				t.Fatal(err)
			}
			tr.drawMasks()
			tr.forward()
			tr.backward()
			for _, p := range tr.params {
				dir := make([]float64, len(p.w))
				var norm float64
				for i := range dir {
					dir[i] = rng.NormFloat64()
					norm += dir[i] * dir[i]
				}
				norm = math.Sqrt(norm)
				var analytic float64
				for i := range dir {
					dir[i] /= norm
					g := float64(p.g[i])
					if p.decay {
						g += 2 * o.WeightDecay * float64(p.w[i])
					}
					analytic += g * dir[i]
				}
				w0 := append([]float32(nil), p.w...)
				eval := func(h float64) float64 {
					for i := range p.w {
						p.w[i] = float32(float64(w0[i]) + h*dir[i])
					}
					l := tr.forward().Total
					copy(p.w, w0)
					return l
				}
				// A ReLU, a maximum or the Huber loss may bend within h of
				// the random point (ReLUs in the heads see small inputs):
				// smaller steps, with the float32 rounding of the loss in
				// the tolerance, must then agree.
				loss := math.Abs(eval(0))
				var tried []float64
				ok := false
				for _, h := range []float64{1e-2, 1e-3, 1e-4} {
					numeric := (eval(h) - eval(-h)) / (2 * h)
					tried = append(tried, numeric)
					if math.Abs(numeric-analytic) <= 2e-3+3e-2*math.Abs(numeric)+2*6e-8*loss/h {
						ok = true
						break
					}
				}
				if !ok {
					t.Errorf("%s: directional derivative %.6g; finite differences %.6g (steps 1e-2, 1e-3, 1e-4)", p.name, analytic, tried)
				}
			}
		})
	}
}

// TestLayerGradients checks single layers' backward passes against finite
// differences of a random linear function of their output, in isolation
// (input gradients included, which TestGradientsFiniteDifference sees
// only through the parameters below them).
func TestLayerGradients(t *testing.T) {
	layers := []nets.Layer{
		{Kind: nets.KindLRN},
		{Kind: nets.KindLRN, N: 3, K: 1, Alpha: 0.8, Beta: 0.6},
		{Kind: nets.KindMaxPool, Size: 3, Stride: 1},
		{Kind: nets.KindMaxPool, Size: 3, Stride: 2},
		{Kind: nets.KindMaxPool, Size: 5, Stride: 2},
		{Kind: nets.KindTanh},
		{Kind: nets.KindReLU},
		{Kind: nets.KindDropout, Rate: 0.4},
	}
	for _, l := range layers {
		t.Run(l.Kind, func(t *testing.T) {
			spec := nets.Spec{BoardSize: 5, Features: nets.FeaturesV1,
				Trunk:  []nets.Layer{{Kind: nets.KindConv, Filters: 6, Kernel: 3}, {Kind: nets.KindTanh}, l},
				Policy: nets.PolicyHead{Kind: "dense", Filters: 1}, Value: nets.ValueHead{Filters: 1, Hidden: 2}}
			o := tape.DefaultTrainOptions()
			o.BatchSize = 2
			tr, err := New(randomWeights(t, spec, 1), o, Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			rng := rand.New(rand.NewPCG(5, 6))
			b := randomBatch(spec, o.BatchSize, rng)
			if _, err := tr.prepare(b.tape()); err != nil {
				t.Fatal(err)
			}
			tr.drawMasks()
			tr.forward()
			ly := tr.layers[2]
			in, out := tr.acts[2], tr.acts[3]
			for i := range in.x {
				in.x[i] = float32(2 * rng.NormFloat64())
			}
			coef := make([]float32, len(out.x))
			for i := range coef {
				coef[i] = float32(rng.NormFloat64())
			}
			f := func() float64 {
				ly.forward()
				var s float64
				for i, v := range out.x {
					s += float64(coef[i]) * float64(v)
				}
				return s
			}
			f()
			copy(out.g, coef)
			ly.backward()
			grad := append([]float32(nil), in.g...)
			const h = 1e-3
			for _, i := range rng.Perm(len(in.x))[:40] {
				x0 := in.x[i]
				in.x[i] = x0 + h
				up := f()
				in.x[i] = x0 - h
				down := f()
				in.x[i] = x0
				num := (up - down) / (2 * h)
				if math.Abs(num-float64(grad[i])) > 2e-2+1e-2*math.Abs(num) {
					t.Errorf("d/dx[%d] = %.6g; finite difference %.6g", i, grad[i], num)
				}
			}
		})
	}
}
