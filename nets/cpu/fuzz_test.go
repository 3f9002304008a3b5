package cpu

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/nets/netstest"
)

// FuzzForward compares random networks (netstest.RandomSpec: every layer
// kind, both heads, stride-2 pooling), board sizes, batch sizes, thread
// counts, chunkings and 3x3 algorithms with the naive reference. The
// tolerance is looser than the conformance suite's, which fixes its
// cases: indexing bugs give errors of order 1, while float32 rounding on
// an output near 0 can exceed 1e-4 of it on some random seeds.
func FuzzForward(f *testing.F) {
	for _, s := range []uint64{1, 2, 3, 42, 1 << 40} {
		f.Add(s, uint8(9), uint8(3), uint8(2), uint8(0))
	}
	f.Add(uint64(7), uint8(19), uint8(1), uint8(3), uint8(2))
	f.Add(uint64(8), uint8(2), uint8(5), uint8(1), uint8(1))
	f.Fuzz(func(t *testing.T, seed uint64, size, batch, threads, algo uint8) {
		rng := rand.New(rand.NewPCG(seed, 11))
		bs := 2 + int(size)%18
		n := 1 + int(batch)%6
		spec := netstest.RandomSpec(rng, bs)
		w, err := netstest.RandomWeights(spec, rng)
		if err != nil {
			t.Fatal(err)
		}
		in := netstest.MixedInputs(rng, spec, n)
		ref, err := netstest.NewNaive(w)
		if err != nil {
			t.Fatal(err)
		}
		rp, rv := make([]float32, n*spec.Moves()), make([]float32, n)
		if err := ref.Forward(context.Background(), in, n, rp, rv); err != nil {
			t.Fatal(err)
		}
		defer func(cf int) { chunkFloats = cf }(chunkFloats)
		if seed%2 == 1 {
			chunkFloats = 1 // one position per chunk
		}
		b, err := New(w, Options{MaxBatch: n, Threads: 1 + int(threads)%4, Conv3x3: ConvAlgo(int(algo) % 3)})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		p, v := make([]float32, n*spec.Moves()), make([]float32, n)
		if err := b.Forward(context.Background(), in, n, p, v); err != nil {
			t.Fatal(err)
		}
		const tol = 1e-3
		if e := netstest.RelErr(p, rp); !(e <= tol) {
			t.Errorf("%s, batch %d: policy relative error %.3g", spec.Name, n, e)
		}
		if e := netstest.RelErr(v, rv); !(e <= tol) {
			t.Errorf("%s, batch %d: value relative error %.3g: %v vs %v", spec.Name, n, e, v, rv)
		}
	})
}
