package netstest

import (
	"fmt"
	"math/rand/v2"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/nets"
)

// RandomSpec returns a small random network for a board size that uses
// every trunk layer kind at least once (conv, batchnorm right after a conv,
// relu, tanh, lrn with default or random parameters, maxpool, dropout) in
// a random order, either policy head kind, and sometimes a stride-2 max
// pooling (only with the dense policy head, which does not need a
// board-sized trunk). Filters are 1 to 8, kernels 1, 3 or 5.
func RandomSpec(rng *rand.Rand, size int) nets.Spec {
	kind := "dense"
	if rng.IntN(2) == 0 {
		kind = "conv"
	}
	return randomSpec(rng, size, kind, kind == "dense" && rng.IntN(2) == 0)
}

// randomSpec is RandomSpec with the policy head kind and the use of a
// stride-2 pooling chosen by the caller.
func randomSpec(rng *rand.Rand, size int, policyKind string, stride2 bool) nets.Spec {
	conv := func() nets.Layer {
		return nets.Layer{Kind: nets.KindConv, Filters: 1 + rng.IntN(8), Kernel: []int{1, 3, 3, 5}[rng.IntN(4)]}
	}
	// Blocks are shuffled; a batchnorm block carries its conv with it.
	blocks := [][]nets.Layer{
		{conv()},
		{conv(), {Kind: nets.KindBatchNorm}},
		{{Kind: nets.KindReLU}},
		{{Kind: nets.KindTanh}},
		{randomLRN(rng)},
		{randomPool(rng, false)},
		{{Kind: nets.KindDropout, Rate: 0.5 * rng.Float64()}},
	}
	if stride2 {
		blocks = append(blocks, []nets.Layer{randomPool(rng, true)})
	}
	for range rng.IntN(3) {
		blocks = append(blocks, []nets.Layer{conv()}, []nets.Layer{{Kind: nets.KindReLU}})
	}
	rng.Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
	var trunk []nets.Layer
	for _, b := range blocks {
		trunk = append(trunk, b...)
	}
	return nets.Spec{
		Name:      fmt.Sprintf("random-%s-%d", policyKind, size),
		BoardSize: size,
		Features:  nets.FeaturesV1,
		Trunk:     trunk,
		Policy:    nets.PolicyHead{Kind: policyKind, Filters: 1 + rng.IntN(3), Dropout: 0.3 * rng.Float64()},
		Value:     nets.ValueHead{Filters: 1 + rng.IntN(2), Hidden: 1 + rng.IntN(16), Dropout: 0.5 * rng.Float64()},
	}
}

func randomLRN(rng *rand.Rand) nets.Layer {
	if rng.IntN(2) == 0 {
		return nets.Layer{Kind: nets.KindLRN} // AlexNet's defaults
	}
	return nets.Layer{Kind: nets.KindLRN, N: 1 + 2*rng.IntN(3), K: 0.5 + rng.Float64(), Alpha: 0.01 + rng.Float64(), Beta: 0.25 + rng.Float64()}
}

func randomPool(rng *rand.Rand, stride2 bool) nets.Layer {
	l := nets.Layer{Kind: nets.KindMaxPool, Size: []int{0, 1, 3, 3, 5}[rng.IntN(5)]}
	if stride2 {
		l.Stride = 2
	}
	return l
}

// RandomWeights returns weights for spec: He/Glorot weights as
// nets.NewWeights makes them, plus random biases (N(0, 0.1^2)) and batch
// norm parameters (gamma in [0.5, 1.5), beta and mean N(0, 0.3^2), var in
// [0.5, 2)) so that every parameter matters.
func RandomWeights(spec nets.Spec, rng *rand.Rand) (*nets.Weights, error) {
	w, err := nets.NewWeights(spec, rng)
	if err != nil {
		return nil, err
	}
	for i := range w.Tensors {
		t := &w.Tensors[i]
		for j := range t.Data {
			var v float64
			switch suffix(t.Name) {
			case "w":
				continue
			case "b":
				v = 0.1 * rng.NormFloat64()
			case "gamma":
				v = 0.5 + rng.Float64()
			case "beta", "mean":
				v = 0.3 * rng.NormFloat64()
			case "var":
				v = 0.5 + 1.5*rng.Float64()
			}
			t.Data[j] = float32(v)
		}
	}
	w.Meta["source"] = "netstest.RandomWeights"
	return w, nil
}

func suffix(name string) string {
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			return name[i+1:]
		}
	}
	return name
}

// RandomGame returns a game of the given size after up to moves random
// legal moves (a pass when none is left or, rarely, by choice), with a
// random komi among 7.5, 6.5, 0.5 and -3.
// Precondition: size is a valid board size.
func RandomGame(rng *rand.Rand, size, moves int) *board.Game {
	komi := []float64{7.5, 6.5, 0.5, -3}[rng.IntN(4)]
	g, err := board.NewGame(size, komi, board.DefaultRules())
	if err != nil {
		panic(err)
	}
	var buf []board.Point
	for range moves {
		c := g.ToMove()
		buf = g.LegalMoves(c, buf)
		pt := board.Pass
		if len(buf) > 0 && rng.IntN(50) != 0 {
			pt = buf[rng.IntN(len(buf))]
		}
		if err := g.Play(c, pt); err != nil {
			panic(fmt.Sprintf("netstest: RandomGame: Play(%v) = %v", pt, err))
		}
	}
	return g
}

// EncodedInputs returns n positions encoded with nets.Encode (FeaturesV1)
// one after another: random games of 0 to 1.2*size*size moves, each under
// a random symmetry.
func EncodedInputs(rng *rand.Rand, size, n int) []float32 {
	return EncodedInputsOf(rng, nets.MustFeatureSet(nets.FeaturesV1), size, n)
}

// EncodedInputsOf is EncodedInputs with the feature set fs.
func EncodedInputsOf(rng *rand.Rand, fs nets.FeatureSet, size, n int) []float32 {
	plane := fs.Planes() * size * size
	out := make([]float32, n*plane)
	for i := range n {
		g := RandomGame(rng, size, rng.IntN(size*size*6/5+1))
		fs.Encode(g, nets.Symmetry(rng.IntN(nets.NumSymmetries)), out[i*plane:(i+1)*plane])
	}
	return out
}

// WithHeads returns spec with a random choice of the heads of issue 14
// where they fit: a pooled value head (half the time), an ownership head
// (when the trunk keeps the board size) and a score head (with a pooled
// value head), and the v2 features sometimes.
func WithHeads(rng *rand.Rand, spec nets.Spec) nets.Spec {
	if rng.IntN(2) == 0 {
		spec.Value.Kind = nets.ValuePool
		spec.Score.Hidden = rng.IntN(6) // 0: none
	}
	spec.Ownership.Filters = 1 + rng.IntN(3)
	if spec.Validate() != nil {
		spec.Ownership.Filters = 0
	}
	if rng.IntN(2) == 0 {
		spec.Features = nets.FeaturesV2
	}
	return spec
}

// NoiseInputs returns n inputs of shape sh filled with normal noise of a
// random scale per position (0.1 to 10), which reaches the negative and
// large values encoded positions never hold.
func NoiseInputs(rng *rand.Rand, sh nets.Shape, n int) []float32 {
	out := make([]float32, n*sh.Len())
	for i := range n {
		scale := []float64{0.1, 1, 3, 10}[rng.IntN(4)]
		for j := i * sh.Len(); j < (i+1)*sh.Len(); j++ {
			out[j] = float32(scale * rng.NormFloat64())
		}
	}
	return out
}

// MixedInputs returns n inputs for spec alternating encoded positions
// (even indices) and noise (odd indices).
func MixedInputs(rng *rand.Rand, spec nets.Spec, n int) []float32 {
	sh, err := spec.InputShape()
	if err != nil {
		panic(err)
	}
	fs := nets.MustFeatureSet(spec.Features)
	out := make([]float32, 0, n*sh.Len())
	for i := range n {
		if i%2 == 0 {
			out = append(out, EncodedInputsOf(rng, fs, spec.BoardSize, 1)...)
		} else {
			out = append(out, NoiseInputs(rng, sh, 1)...)
		}
	}
	return out
}
