package defaultnets

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/cpu"
	"github.com/tengen-go/tengen/nets/fasttrain"
	"github.com/tengen-go/tengen/nets/netstest"
	"github.com/tengen-go/tengen/nets/tape"
)

var update = flag.Bool("update", false, "rewrite testdata/pinned.json from the current code")

// pinned is one network's outputs on the pinned positions: an FNV-64a hash
// of the float32 bits of every policy logit and value, in order, and the
// values and first logits for a readable failure.
type pinned struct {
	Hash   string    `json:"hash"`
	Values []float32 `json:"values"`
	First  []float32 `json:"first_logits"`
}

// pinnedFile holds, per network and backend, the outputs captured from the
// code before the ownership, score and pooled value heads were added
// (issue 14), so that old weights files and specs keep giving the same
// numbers bit for bit. The networks are the ones embedded until then,
// kept in testdata/pre-heads (keyed by their old names, NxN.weights). The nets/cpu outputs depend on the SGEMM kernel the
// machine picks (its summation order), so they are compared exactly only
// where the kernel is the one they were captured with.
type pinnedFile struct {
	CPUKernel string             `json:"cpu_kernel"`
	Nets      map[string]*pinned `json:"nets"`
}

// pinnedInputs returns n positions of a fixed random game (after 0, 25, 50,
// ... moves), encoded with FeaturesV1 under symmetries 0, 3, 5, ...
func pinnedInputs(size, n int) []float32 {
	rng := rand.New(rand.NewPCG(14, uint64(size)))
	plane := nets.NumPlanesV1 * size * size
	out := make([]float32, n*plane)
	for i := range n {
		g := netstest.RandomGame(rng, size, 25*i)
		nets.Encode(g, nets.Symmetry((3*i)%nets.NumSymmetries), out[i*plane:(i+1)*plane])
	}
	return out
}

func outputs(t *testing.T, b nets.Backend, in []float32, n int) *pinned {
	t.Helper()
	spec := b.Spec()
	p, v := make([]float32, n*spec.Moves()), make([]float32, n)
	if err := b.Forward(context.Background(), in, n, p, v); err != nil {
		t.Fatal(err)
	}
	h := fnv.New64a()
	var buf [4]byte
	for _, s := range [][]float32{p, v} {
		for _, x := range s {
			u := math.Float32bits(x)
			buf[0], buf[1], buf[2], buf[3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
			h.Write(buf[:])
		}
	}
	return &pinned{Hash: fmt.Sprintf("%016x", h.Sum64()), Values: v, First: p[:4]}
}

// preHeads reads the n x n network embedded before the heads existed
// (testdata/pre-heads/NxN.weights: FeaturesV1, no ownership or score head).
func preHeads(t *testing.T, n int) *nets.Weights {
	t.Helper()
	w, err := nets.Load(filepath.Join("testdata", "pre-heads", fmt.Sprintf("%dx%d.weights", n, n)))
	if err != nil {
		t.Fatal(err)
	}
	if w.Spec.Features != nets.FeaturesV1 || w.Spec.HasOwnership() {
		t.Fatalf("testdata/pre-heads/%dx%d.weights is not a pre-heads network", n, n)
	}
	return w
}

// TestPinnedOutputs: the networks embedded before the heads and the documented specs
// (docs/specs/*.json with weights from nets.NewWeights, seed 1) give the
// outputs they gave before the new heads existed, bit for bit, through the
// naive reference and nets/cpu (single-threaded, im2col). Rewrite with
// -update only for an intended change of the numbers.
func TestPinnedOutputs(t *testing.T) {
	const n = 3
	nw := map[string]*nets.Weights{}
	for _, size := range []int{9, 19} {
		nw[fmt.Sprintf("%dx%d.weights", size, size)] = preHeads(t, size)
	}
	specs, _ := filepath.Glob("../../docs/specs/*.json")
	for _, path := range specs {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		spec, err := nets.ParseSpec(data)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if spec.Features != nets.FeaturesV1 || spec.HasOwnership() || spec.Score.Hidden > 0 || spec.Value.Pooled() {
			continue // a spec newer than the pins (issue 14's heads or features)
		}
		w, err := nets.NewWeights(spec, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		nw[filepath.Base(path)] = w
	}
	got := pinnedFile{CPUKernel: cpu.BLAS(), Nets: map[string]*pinned{}}
	for name, w := range nw {
		if testing.Short() && w.Spec.BoardSize > 9 {
			continue
		}
		in := pinnedInputs(w.Spec.BoardSize, n)
		ref, err := netstest.NewNaive(w)
		if err != nil {
			t.Fatal(err)
		}
		got.Nets[name+"/naive"] = outputs(t, ref, in, n)
		b, err := cpu.New(w, cpu.Options{MaxBatch: n, Threads: 1, Conv3x3: cpu.ConvIm2col})
		if err != nil {
			t.Fatal(err)
		}
		got.Nets[name+"/cpu"] = outputs(t, b, in, n)
		b.Close()
	}
	// One training step of each trainer on the 9x9 network: the loss and
	// the weights after it (fasttrain's depend on the SGEMM kernel too).
	for _, tr := range []string{"fasttrain", "tape"} {
		got.Nets["9x9.weights/step-"+tr] = pinnedStep(t, tr)
	}
	path := filepath.Join("testdata", "pinned.json")
	if *update {
		data, _ := json.MarshalIndent(got, "", "  ")
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var want pinnedFile
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	sameKernel := want.CPUKernel == got.CPUKernel
	if !sameKernel {
		t.Logf("nets/cpu uses %s here, the pins were captured with %s: its outputs are compared to 1e-5", got.CPUKernel, want.CPUKernel)
	}
	for name, g := range got.Nets {
		w, ok := want.Nets[name]
		if !ok {
			t.Errorf("%s: no pinned outputs (run with -update?)", name)
			continue
		}
		exact := sameKernel || strings.HasSuffix(name, "/naive") || strings.HasSuffix(name, "/step-tape")
		if exact {
			if g.Hash != w.Hash {
				t.Errorf("%s: outputs hash %s, pinned %s (values %v, pinned %v; logits %v, pinned %v)", name, g.Hash, w.Hash, g.Values, w.Values, g.First, w.First)
			}
			continue
		}
		if e := netstest.RelErr(append(g.Values, g.First...), append(w.Values, w.First...)); e > 1e-5 {
			t.Errorf("%s: outputs differ from the pinned ones by %.3g (values %v, pinned %v)", name, e, g.Values, w.Values)
		}
	}
}

// pinnedStep trains the pre-heads 9x9 network for one step of batch 4 on
// the pinned positions with trainer and returns the loss terms' bits and a
// hash of the weights after it.
func pinnedStep(t *testing.T, name string) *pinned {
	t.Helper()
	w := preHeads(t, 9)
	const n = 4
	in := pinnedInputs(9, n)
	moves := w.Spec.Moves()
	pol, val, mask := make([]float32, n*moves), make([]float32, n), make([]float32, n)
	for s := range n {
		pol[s*moves+(7*s+3)%moves] = 1
		val[s] = float32(1 - 2*(s%2))
		mask[s] = float32(s % 3)
	}
	o := tape.DefaultTrainOptions()
	o.BatchSize = n
	var tr interface {
		Step(in, policyTarget, valueTarget, valueMask []float32) (tape.Loss, error)
		Weights() *nets.Weights
		Close() error
	}
	var err error
	switch name {
	case "fasttrain":
		tr, err = fasttrain.New(w, o, fasttrain.Options{Threads: 1})
	case "tape":
		tr, err = tape.NewTrainer(w, o)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	loss, err := tr.Step(in, pol, val, mask)
	if err != nil {
		t.Fatal(err)
	}
	h := fnv.New64a()
	for _, tn := range tr.Weights().Tensors {
		for _, x := range tn.Data {
			u := math.Float32bits(x)
			h.Write([]byte{byte(u), byte(u >> 8), byte(u >> 16), byte(u >> 24)})
		}
	}
	return &pinned{Hash: fmt.Sprintf("%016x", h.Sum64()), Values: []float32{float32(loss.Policy), float32(loss.Value), float32(loss.L2), float32(loss.Total)}}
}
