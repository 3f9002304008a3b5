package nets_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/netstest"
)

func conv(f, k int) nets.Layer { return nets.Layer{Kind: nets.KindConv, Filters: f, Kernel: k} }

var relu = nets.Layer{Kind: nets.KindReLU}

// deepenSpecs returns a small network with every head and the same
// network with extra layers after its trunk.
func deepenSpecs(extra ...nets.Layer) (shallow, deep nets.Spec) {
	shallow = nets.Spec{
		BoardSize: 7, Features: nets.FeaturesV2,
		Trunk:     []nets.Layer{conv(8, 5), relu, {Kind: nets.KindLRN}, conv(8, 3), relu},
		Policy:    nets.PolicyHead{Kind: "conv", Filters: 4},
		Value:     nets.ValueHead{Kind: "pool", Filters: 4, Hidden: 8},
		Ownership: nets.OwnershipHead{Filters: 4},
		Score:     nets.ScoreHead{Hidden: 8},
	}
	deep = shallow
	deep.Trunk = append(slices.Clone(shallow.Trunk), extra...)
	return shallow, deep
}

// outputs runs every head of w on n random positions.
func outputs(t *testing.T, w *nets.Weights, in []float32, n int) nets.Outputs {
	t.Helper()
	b, err := netstest.NewNaive(w)
	if err != nil {
		t.Fatal(err)
	}
	s := w.Spec
	out := nets.Outputs{
		Policy: make([]float32, n*s.Moves()), Value: make([]float32, n),
		Ownership: make([]float32, n*s.Area()), Score: make([]float32, n),
	}
	if err := nets.ForwardOutputs(context.Background(), b, in, n, out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestDeepen: a network deepened by identity convolutions computes what
// the shallow one did, bit for bit, whatever the random weights of the
// deep one were before.
func TestDeepen(t *testing.T) {
	shallowSpec, deepSpec := deepenSpecs(conv(8, 3), relu, conv(8, 3), relu, conv(8, 1))
	rng := rand.New(rand.NewPCG(7, 7))
	src, err := netstest.RandomWeights(shallowSpec, rng)
	if err != nil {
		t.Fatal(err)
	}
	dst, err := netstest.RandomWeights(deepSpec, rng)
	if err != nil {
		t.Fatal(err)
	}
	added, err := nets.Deepen(dst, src)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"trunk.5.w", "trunk.7.w", "trunk.9.w"}; !slices.Equal(added, want) {
		t.Fatalf("added %v, want %v", added, want)
	}
	const n = 3
	in, err := deepSpec.InputShape()
	if err != nil {
		t.Fatal(err)
	}
	x := make([]float32, n*in.C*in.H*in.W)
	for i := range x {
		if rng.IntN(3) == 0 {
			x[i] = 1
		}
	}
	want, got := outputs(t, src, x, n), outputs(t, dst, x, n)
	for _, c := range []struct {
		name      string
		got, want []float32
	}{{"policy", got.Policy, want.Policy}, {"value", got.Value, want.Value}, {"ownership", got.Ownership, want.Ownership}, {"score", got.Score, want.Score}} {
		if !slices.Equal(c.got, c.want) {
			t.Errorf("%s differs after deepening: got %v..., want %v...", c.name, c.got[:min(4, len(c.got))], c.want[:min(4, len(c.want))])
		}
	}
	// The deep network's own random trunk computed something else: the
	// test would see a deepening that did not take.
	fresh, err := netstest.RandomWeights(deepSpec, rand.New(rand.NewPCG(8, 8)))
	if err != nil {
		t.Fatal(err)
	}
	if slices.Equal(outputs(t, fresh, x, n).Policy, want.Policy) {
		t.Fatal("a random deep network computes the shallow one's policy")
	}
}

func TestDeepenRejects(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	shallowSpec, _ := deepenSpecs()
	src, err := netstest.RandomWeights(shallowSpec, rng)
	if err != nil {
		t.Fatal(err)
	}
	noRelu := shallowSpec
	noRelu.Trunk = shallowSpec.Trunk[:len(shallowSpec.Trunk)-1]
	srcNoRelu, err := netstest.RandomWeights(noRelu, rng)
	if err != nil {
		t.Fatal(err)
	}
	middle := shallowSpec
	middle.Trunk = slices.Insert(slices.Clone(shallowSpec.Trunk), 2, conv(8, 3), relu) // before the LRN
	for _, c := range []struct {
		name string
		src  *nets.Weights
		spec nets.Spec
		want string
	}{
		{"no new layer", src, shallowSpec, "not more"},
		{"inserted in the middle", src, middle, "differs"},
		{"wider", src, func() nets.Spec { _, d := deepenSpecs(conv(16, 3), relu); return d }(), "identity"},
		{"even kernel", src, func() nets.Spec { _, d := deepenSpecs(conv(8, 2)); return d }(), "identity"},
		{"lrn added", src, func() nets.Spec { _, d := deepenSpecs(conv(8, 3), nets.Layer{Kind: nets.KindLRN}); return d }(), "identity"},
		{"old trunk ends without relu", srcNoRelu, func() nets.Spec {
			d := noRelu
			d.Trunk = append(slices.Clone(noRelu.Trunk), conv(8, 3))
			return d
		}(), "not relu"},
	} {
		dst, err := nets.NewWeights(c.spec, rng)
		if err != nil {
			if c.name == "even kernel" {
				continue // refused earlier as an invalid spec: as good
			}
			t.Fatalf("%s: %v", c.name, err)
		}
		before := dst.Clone()
		_, err = nets.Deepen(dst, c.src)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err %v, want one saying %q", c.name, err, c.want)
		}
		for i := range dst.Tensors {
			if !slices.Equal(dst.Tensors[i].Data, before.Tensors[i].Data) {
				t.Errorf("%s: refused, yet %s changed", c.name, dst.Tensors[i].Name)
				break
			}
		}
	}
}
