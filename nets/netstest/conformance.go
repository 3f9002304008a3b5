package netstest

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/nets"
)

// Tolerance is the largest relative error Conformance accepts per output
// tensor of a batch: ||out - ref|| / ||ref|| (Euclidean norms). An
// absolute floor of 1e-7 per value keeps an all-zero reference from
// demanding exact zeros.
const Tolerance = 1e-4

// Sizes and BatchSizes are the board and batch sizes Conformance runs.
var (
	Sizes      = []int{5, 9, 19}
	BatchSizes = []int{1, 3, 8}
)

// SingleLayerSpecs returns one net per trunk layer kind (and variant: conv
// kernels 1, 3 and 5, LRN with default and strong parameters, max pooling
// stride 1 and 2, batchnorm after a conv), each with the given policy head
// kind where it is valid. The dense layers are exercised by the heads.
func SingleLayerSpecs(size int, policyKind string) []nets.Spec {
	trunks := map[string][]nets.Layer{
		"conv1":      {{Kind: nets.KindConv, Filters: 3, Kernel: 1}},
		"conv3":      {{Kind: nets.KindConv, Filters: 4, Kernel: 3}},
		"conv5":      {{Kind: nets.KindConv, Filters: 2, Kernel: 5}},
		"relu":       {{Kind: nets.KindReLU}},
		"tanh":       {{Kind: nets.KindTanh}},
		"lrn":        {{Kind: nets.KindLRN}},
		"lrn-strong": {{Kind: nets.KindLRN, N: 3, K: 1, Alpha: 0.5, Beta: 0.9}},
		"maxpool":    {{Kind: nets.KindMaxPool}},
		"maxpool5":   {{Kind: nets.KindMaxPool, Size: 5, Stride: 1}},
		"maxpool-s2": {{Kind: nets.KindMaxPool, Size: 3, Stride: 2}},
		"dropout":    {{Kind: nets.KindDropout, Rate: 0.5}},
		"batchnorm":  {{Kind: nets.KindConv, Filters: 3, Kernel: 3}, {Kind: nets.KindBatchNorm}},
	}
	var specs []nets.Spec
	for _, name := range []string{"conv1", "conv3", "conv5", "relu", "tanh", "lrn", "lrn-strong", "maxpool", "maxpool5", "maxpool-s2", "dropout", "batchnorm"} {
		s := nets.Spec{
			Name:      fmt.Sprintf("%s-%s-%d", name, policyKind, size),
			BoardSize: size,
			Features:  nets.FeaturesV1,
			Trunk:     trunks[name],
			Policy:    nets.PolicyHead{Kind: policyKind, Filters: 2},
			Value:     nets.ValueHead{Filters: 2, Hidden: 8},
		}
		if s.Validate() == nil {
			specs = append(specs, s)
		}
	}
	return specs
}

// Conformance runs the suite every backend must pass, as subtests of t
// named after name. For each spec (SingleLayerSpecs with both head kinds,
// several RandomSpecs, HeadSpecs and random specs WithHeads) at each of
// Sizes, with random weights, it runs batches of BatchSizes random inputs
// (MixedInputs) through newBackend and reference and requires, per batch:
//
//   - Forward returns nil on both (ForwardOutputs with the ownership and
//     score buffers for a spec with those heads: both backends must then
//     be nets.HeadsBackends);
//   - every output value written (buffers are poisoned with NaN) and
//     finite, values and ownerships in [-1, 1];
//   - the input left unchanged;
//   - policy, value, ownership and score each within Tolerance of the
//     reference.
//
// It also requires that Forward returns an error, without panicking, for
// a cancelled context, a negative batch size and input, policy or value
// buffers that are too short (and for a HeadsBackend, ownership and score
// buffers too short or asked of a network without the head), and that
// Spec() returns the weights' spec. Both backends are closed at the end of
// each case.
func Conformance(t *testing.T, name string, newBackend, reference func(*nets.Weights) (nets.Backend, error)) {
	t.Helper()
	ConformanceTolerance(t, name, Tolerance, newBackend, reference)
}

// ConformanceTolerance is Conformance with another largest relative error
// per output tensor than Tolerance: for backends of reduced precision
// (bf16, int8), which state theirs.
func ConformanceTolerance(t *testing.T, name string, tol float64, newBackend, reference func(*nets.Weights) (nets.Backend, error)) {
	t.Helper()
	rng := rand.New(rand.NewPCG(0x7e9e9, uint64(len(name))))
	for _, size := range Sizes {
		var specs []nets.Spec
		specs = append(specs, SingleLayerSpecs(size, "dense")...)
		specs = append(specs, SingleLayerSpecs(size, "conv")...)
		for i := range 4 {
			kind := []string{"dense", "conv"}[i%2]
			s := randomSpec(rng, size, kind, i == 2)
			s.Name = fmt.Sprintf("random%d-%s-%d", i, kind, size)
			specs = append(specs, s)
		}
		for _, spec := range specs {
			seed := rng.Uint64()
			t.Run(name+"/"+spec.Name, func(t *testing.T) {
				conformOne(t, spec, seed, tol, newBackend, reference)
			})
		}
		// The heads of issue 14, from a generator of their own so that the
		// cases above keep their seeds.
		hrng := rand.New(rand.NewPCG(0x14, uint64(size)))
		specs = HeadSpecs(size)
		for i := range 3 {
			kind := []string{"dense", "conv"}[i%2]
			s := WithHeads(hrng, randomSpec(hrng, size, kind, i == 2))
			s.Name = fmt.Sprintf("random-heads%d-%s-%d", i, kind, size)
			specs = append(specs, s)
		}
		for _, spec := range specs {
			seed := hrng.Uint64()
			t.Run(name+"/"+spec.Name, func(t *testing.T) {
				conformOne(t, spec, seed, tol, newBackend, reference)
			})
		}
	}
	for _, e := range []struct {
		sub  string
		spec nets.Spec
	}{{"errors", randomSpec(rng, 9, "dense", true)}, {"errors-heads", HeadSpecs(9)[1]}} {
		t.Run(name+"/"+e.sub, func(t *testing.T) {
			w, err := RandomWeights(e.spec, rng)
			if err != nil {
				t.Fatal(err)
			}
			b, err := newBackend(w)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			CheckErrors(t, b)
		})
	}
}

// reporter is the part of testing.TB that conformOne uses; Fatalf must not
// return. (Tests of the suite itself pass a recorder.)
type reporter interface {
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
}

func conformOne(t reporter, spec nets.Spec, seed uint64, tol float64, newBackend, reference func(*nets.Weights) (nets.Backend, error)) {
	rng := rand.New(rand.NewPCG(seed, 2))
	w, err := RandomWeights(spec, rng)
	if err != nil {
		t.Fatalf("RandomWeights: %v", err)
	}
	b, err := newBackend(w.Clone())
	if err != nil {
		t.Fatalf("new backend: %v", err)
	}
	defer b.Close()
	ref, err := reference(w.Clone())
	if err != nil {
		t.Fatalf("new reference: %v", err)
	}
	defer ref.Close()
	if got := b.Spec(); got.Name != spec.Name || got.BoardSize != spec.BoardSize || len(got.Trunk) != len(spec.Trunk) {
		t.Fatalf("Spec() = %+v; want %+v", got, spec)
	}
	moves, area := spec.Moves(), spec.Area()
	heads := spec.HasOwnership() || spec.HasScore()
	for _, n := range BatchSizes {
		in := MixedInputs(rng, spec, n)
		saved := append([]float32(nil), in...)
		policy, value := poisoned(n*moves), poisoned(n)
		rpolicy, rvalue := poisoned(n*moves), poisoned(n)
		out := nets.Outputs{Policy: policy, Value: value}
		rout := nets.Outputs{Policy: rpolicy, Value: rvalue}
		if spec.HasOwnership() {
			out.Ownership, rout.Ownership = poisoned(n*area), poisoned(n*area)
		}
		if spec.HasScore() {
			out.Score, rout.Score = poisoned(n), poisoned(n)
		}
		if heads {
			if _, ok := b.(nets.HeadsBackend); !ok {
				t.Fatalf("%T is not a nets.HeadsBackend", b)
			}
			if _, ok := ref.(nets.HeadsBackend); !ok {
				t.Fatalf("reference %T is not a nets.HeadsBackend", ref)
			}
		}
		if err := safeForwardOutputs(b, context.Background(), in, n, out); err != nil {
			t.Fatalf("batch %d: Forward = %v", n, err)
		}
		if err := safeForwardOutputs(ref, context.Background(), saved, n, rout); err != nil {
			t.Fatalf("batch %d: reference Forward = %v", n, err)
		}
		for i := range in {
			if math.Float32bits(in[i]) != math.Float32bits(saved[i]) {
				t.Fatalf("batch %d: Forward modified its input at %d", n, i)
			}
		}
		if i := firstNonFinite(policy); i >= 0 {
			t.Fatalf("batch %d: policy[%d] = %v (not written or not finite)", n, i, policy[i])
		}
		if i := firstNonFinite(value); i >= 0 {
			t.Fatalf("batch %d: value[%d] = %v (not written or not finite)", n, i, value[i])
		}
		for i, v := range value {
			if v < -1 || v > 1 {
				t.Fatalf("batch %d: value[%d] = %v outside [-1, 1]", n, i, v)
			}
		}
		if e := RelErr(policy, rpolicy); !(e <= tol) {
			t.Errorf("batch %d: policy relative error %.3g > %g (first values %v, reference %v)", n, e, tol, head(policy), head(rpolicy))
		}
		if e := RelErr(value, rvalue); !(e <= tol) {
			t.Errorf("batch %d: value relative error %.3g > %g (values %v, reference %v)", n, e, tol, value, rvalue)
		}
		if out.Ownership != nil {
			if i := firstNonFinite(out.Ownership); i >= 0 {
				t.Fatalf("batch %d: ownership[%d] = %v (not written or not finite)", n, i, out.Ownership[i])
			}
			for i, v := range out.Ownership {
				if v < -1 || v > 1 {
					t.Fatalf("batch %d: ownership[%d] = %v outside [-1, 1]", n, i, v)
				}
			}
			if e := RelErr(out.Ownership, rout.Ownership); !(e <= tol) {
				t.Errorf("batch %d: ownership relative error %.3g > %g (first values %v, reference %v)", n, e, tol, head(out.Ownership), head(rout.Ownership))
			}
		}
		if out.Score != nil {
			if i := firstNonFinite(out.Score); i >= 0 {
				t.Fatalf("batch %d: score[%d] = %v (not written or not finite)", n, i, out.Score[i])
			}
			if e := RelErr(out.Score, rout.Score); !(e <= tol) {
				t.Errorf("batch %d: score relative error %.3g > %g (values %v, reference %v)", n, e, tol, out.Score, rout.Score)
			}
		}
		// Forward alone still gives the policy and value.
		if heads {
			p2, v2 := poisoned(n*moves), poisoned(n)
			if err := safeForward(b, context.Background(), saved, n, p2, v2); err != nil {
				t.Fatalf("batch %d: Forward without the heads = %v", n, err)
			}
			if RelErr(p2, policy) > tol || RelErr(v2, value) > tol {
				t.Errorf("batch %d: Forward gives other policy or value than ForwardOutputs", n)
			}
		}
	}
}

// CheckErrors requires that b.Forward returns an error, without
// panicking, for a cancelled context, a negative batch size and too short
// input, policy and value buffers.
func CheckErrors(t *testing.T, b nets.Backend) {
	t.Helper()
	spec := b.Spec()
	sh, err := spec.InputShape()
	if err != nil {
		t.Fatal(err)
	}
	const n = 3
	moves := spec.Moves()
	in := make([]float32, n*sh.Len())
	ok := func(l int) []float32 { return make([]float32, l) }
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	cases := []struct {
		name          string
		ctx           context.Context
		in            []float32
		n             int
		policy, value []float32
	}{
		{"cancelled context", cancelled, in, n, ok(n * moves), ok(n)},
		{"negative batch", bg, in, -1, ok(n * moves), ok(n)},
		{"short input", bg, in[:len(in)-1], n, ok(n * moves), ok(n)},
		{"short policy", bg, in, n, ok(n*moves - 1), ok(n)},
		{"short value", bg, in, n, ok(n * moves), ok(n - 1)},
		{"nil buffers", bg, nil, n, nil, nil},
	}
	for _, c := range cases {
		if err := safeForward(b, c.ctx, c.in, c.n, c.policy, c.value); err == nil {
			t.Errorf("Forward with %s = nil; want an error", c.name)
		}
	}
	if hb, isHeads := b.(nets.HeadsBackend); isHeads {
		area := spec.Area()
		full := nets.Outputs{Policy: ok(n * moves), Value: ok(n)}
		if spec.HasOwnership() {
			full.Ownership = ok(n * area)
		}
		if spec.HasScore() {
			full.Score = ok(n)
		}
		var bad []struct {
			name string
			out  nets.Outputs
		}
		add := func(name string, f func(o *nets.Outputs)) {
			o := full
			f(&o)
			bad = append(bad, struct {
				name string
				out  nets.Outputs
			}{name, o})
		}
		if spec.HasOwnership() {
			add("short ownership", func(o *nets.Outputs) { o.Ownership = ok(n*area - 1) })
		} else {
			add("ownership without the head", func(o *nets.Outputs) { o.Ownership = ok(n * area) })
		}
		if spec.HasScore() {
			add("short score", func(o *nets.Outputs) { o.Score = ok(n - 1) })
		} else {
			add("score without the head", func(o *nets.Outputs) { o.Score = ok(n) })
		}
		add("short policy", func(o *nets.Outputs) { o.Policy = ok(n*moves - 1) })
		for _, c := range bad {
			if err := safeForwardOutputs(hb, bg, in, n, c.out); err == nil {
				t.Errorf("ForwardOutputs with %s = nil; want an error", c.name)
			}
		}
		if err := safeForwardOutputs(hb, bg, in, n, full); err != nil {
			t.Errorf("ForwardOutputs after the bad calls = %v", err)
		}
	}
	// The backend still works afterwards.
	if err := safeForward(b, bg, in, n, ok(n*moves), ok(n)); err != nil {
		t.Errorf("Forward after the bad calls = %v", err)
	}
}

// safeForwardOutputs calls nets.ForwardOutputs and turns a panic into an
// error.
func safeForwardOutputs(b nets.Backend, ctx context.Context, in []float32, n int, out nets.Outputs) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("ForwardOutputs panicked: %v", r)
		}
	}()
	return nets.ForwardOutputs(ctx, b, in, n, out)
}

// safeForward calls Forward and turns a panic into an error.
func safeForward(b nets.Backend, ctx context.Context, in []float32, n int, policy, value []float32) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("Forward panicked: %v", r)
		}
	}()
	return b.Forward(ctx, in, n, policy, value)
}

// RelErr returns ||got - want|| / ||want||, with an absolute floor of
// 1e-7 per value added to the denominator's allowance (so an exact zero
// reference needs got within 1e-7*sqrt(len) of it); lengths must match
// (else +Inf).
func RelErr(got, want []float32) float64 {
	if len(got) != len(want) {
		return math.Inf(1)
	}
	var d, r float64
	for i := range got {
		e := float64(got[i]) - float64(want[i])
		d += e * e
		r += float64(want[i]) * float64(want[i])
	}
	floor := 1e-7 * math.Sqrt(float64(len(got))) / Tolerance
	return math.Sqrt(d) / max(math.Sqrt(r), floor)
}

func poisoned(n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(math.NaN())
	}
	return s
}

func firstNonFinite(s []float32) int {
	for i, v := range s {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return i
		}
	}
	return -1
}

func head(s []float32) []float32 { return s[:min(len(s), 6)] }
