package netstest

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/nets"
)

// Hand-computed cases for single layers.
func TestNaiveLayerGolden(t *testing.T) {
	seq := func(n int, f func(i int) float32) []float32 {
		s := make([]float32, n)
		for i := range s {
			s[i] = f(i)
		}
		return s
	}
	one9 := seq(9, func(i int) float32 { return float32(i + 1) })
	neg := func(s []float32) []float32 { return seq(len(s), func(i int) float32 { return -s[i] }) }
	pow := func(x, y float64) float32 { return float32(math.Pow(x, y)) }
	tests := []struct {
		name    string
		l       nets.Layer
		params  map[string][]float32
		in      []float32
		inShape nets.Shape
		want    []float32
		outSh   nets.Shape
	}{
		{
			// out[y,x] = in[y, x+1] + 0.5: the kernel is applied as a
			// correlation (not flipped), zero outside the board.
			name: "conv 3x3 shift right", l: nets.Layer{Kind: nets.KindConv, Filters: 1, Kernel: 3},
			params: map[string][]float32{"w": {0, 0, 0, 0, 0, 1, 0, 0, 0}, "b": {0.5}},
			in:     one9, inShape: nets.Shape{C: 1, H: 3, W: 3},
			want:  []float32{2.5, 3.5, 0.5, 5.5, 6.5, 0.5, 8.5, 9.5, 0.5},
			outSh: nets.Shape{C: 1, H: 3, W: 3},
		},
		{
			// Filter 0: box sum of channel 0. Filter 1: 1 + in1[y-1,x-1]
			// - 2*in1[y+1,x+1] with channel 1 all ones.
			name: "conv 3x3 two channels", l: nets.Layer{Kind: nets.KindConv, Filters: 2, Kernel: 3},
			params: map[string][]float32{
				"w": {
					1, 1, 1, 1, 1, 1, 1, 1, 1 /* f0 c1 */, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					/* f1 c0 */ 0, 0, 0, 0, 0, 0, 0, 0, 0 /* f1 c1 */, 1, 0, 0, 0, 0, 0, 0, 0, -2,
				},
				"b": {0, 1},
			},
			in:      append(append([]float32(nil), one9...), 1, 1, 1, 1, 1, 1, 1, 1, 1),
			inShape: nets.Shape{C: 2, H: 3, W: 3},
			want: []float32{
				12, 21, 16, 27, 45, 33, 24, 39, 28,
				-1, -1, 1, -1, 0, 2, 1, 2, 2,
			},
			outSh: nets.Shape{C: 2, H: 3, W: 3},
		},
		{
			// N=3, Alpha/N = 1, K = 1, Beta = 1: in/(1 + window sum of squares).
			name: "lrn 5 channels", l: nets.Layer{Kind: nets.KindLRN, N: 3, K: 1, Alpha: 3, Beta: 1},
			in: []float32{1, 2, 3, 4, 5}, inShape: nets.Shape{C: 5, H: 1, W: 1},
			want:  []float32{1.0 / 6, 2.0 / 15, 3.0 / 30, 4.0 / 51, 5.0 / 42},
			outSh: nets.Shape{C: 5, H: 1, W: 1},
		},
		{
			// Defaults N=5, K=2, Alpha=1e-4, Beta=0.75; windows 0-2, 0-3,
			// 0-4, 1-4, 2-4 hold 14, 30, 55, 54, 50.
			name: "lrn 5 channels defaults", l: nets.Layer{Kind: nets.KindLRN},
			in: []float32{1, 2, 3, 4, 5}, inShape: nets.Shape{C: 5, H: 1, W: 1},
			want: []float32{
				1 / pow(2+2e-5*14, 0.75), 2 / pow(2+2e-5*30, 0.75), 3 / pow(2+2e-5*55, 0.75),
				4 / pow(2+2e-5*54, 0.75), 5 / pow(2+2e-5*50, 0.75),
			},
			outSh: nets.Shape{C: 5, H: 1, W: 1},
		},
		{
			name: "maxpool 3 stride 1", l: nets.Layer{Kind: nets.KindMaxPool, Size: 3, Stride: 1},
			in: []float32{1, 5, 2, 7, 3, 9, 4, 8, 6}, inShape: nets.Shape{C: 1, H: 3, W: 3},
			want:  []float32{7, 9, 9, 8, 9, 9, 8, 9, 9},
			outSh: nets.Shape{C: 1, H: 3, W: 3},
		},
		{
			// All negative: zero padding would give 0 at the edges.
			name: "maxpool stride 1 negative (defaults)", l: nets.Layer{Kind: nets.KindMaxPool},
			in: neg(one9), inShape: nets.Shape{C: 1, H: 3, W: 3},
			want:  []float32{-1, -1, -2, -1, -1, -2, -4, -4, -5},
			outSh: nets.Shape{C: 1, H: 3, W: 3},
		},
		{
			// in[y][x] = 5y + x; windows rows/cols {-1..1}, {1..3}, {3..5}.
			name: "maxpool 3 stride 2 on 5x5", l: nets.Layer{Kind: nets.KindMaxPool, Size: 3, Stride: 2},
			in: seq(25, func(i int) float32 { return float32(i) }), inShape: nets.Shape{C: 1, H: 5, W: 5},
			want:  []float32{6, 8, 9, 16, 18, 19, 21, 23, 24},
			outSh: nets.Shape{C: 1, H: 3, W: 3},
		},
		{
			name: "maxpool 3 stride 2 on 5x5 negative", l: nets.Layer{Kind: nets.KindMaxPool, Size: 3, Stride: 2},
			in: seq(25, func(i int) float32 { return -1 - float32(i) }), inShape: nets.Shape{C: 1, H: 5, W: 5},
			want:  []float32{-1, -2, -4, -6, -7, -9, -16, -17, -19},
			outSh: nets.Shape{C: 1, H: 3, W: 3},
		},
		{
			// 4x4 -> 2x2, two channels (the second the negated first).
			name: "maxpool 3 stride 2 on 4x4", l: nets.Layer{Kind: nets.KindMaxPool, Size: 3, Stride: 2},
			in:      append(seq(16, func(i int) float32 { return float32(i) }), seq(16, func(i int) float32 { return -float32(i) })...),
			inShape: nets.Shape{C: 2, H: 4, W: 4},
			want:    []float32{5, 7, 13, 15, 0, -1, -4, -5},
			outSh:   nets.Shape{C: 2, H: 2, W: 2},
		},
		{
			name: "batchnorm", l: nets.Layer{Kind: nets.KindBatchNorm, Epsilon: 1},
			params: map[string][]float32{"gamma": {2, 1}, "beta": {0.5, -1}, "mean": {1, 2}, "var": {3, 0}},
			in:     []float32{1, 3, 2, 5}, inShape: nets.Shape{C: 2, H: 1, W: 2},
			want:  []float32{0.5, 2.5, -1, 2},
			outSh: nets.Shape{C: 2, H: 1, W: 2},
		},
		{
			name: "dense", l: nets.Layer{Kind: nets.KindDense, Units: 2},
			params: map[string][]float32{"w": {1, 0, 0, 0, 0.5, -1, 0, 2}, "b": {0, 1}},
			in:     []float32{1, 2, 3, 4}, inShape: nets.Shape{C: 2, H: 1, W: 2},
			want:  []float32{1, 7.5},
			outSh: nets.Shape{C: 2, H: 1, W: 1},
		},
		{
			name: "relu", l: nets.Layer{Kind: nets.KindReLU},
			in: []float32{-2, 0, 3}, inShape: nets.Shape{C: 3, H: 1, W: 1},
			want: []float32{0, 0, 3}, outSh: nets.Shape{C: 3, H: 1, W: 1},
		},
		{
			name: "tanh", l: nets.Layer{Kind: nets.KindTanh},
			in: []float32{-1, 0, 0.5}, inShape: nets.Shape{C: 1, H: 1, W: 3},
			want: []float32{float32(math.Tanh(-1)), 0, float32(math.Tanh(0.5))}, outSh: nets.Shape{C: 1, H: 1, W: 3},
		},
		{
			name: "dropout is the identity", l: nets.Layer{Kind: nets.KindDropout, Rate: 0.5},
			in: []float32{-1, 2, 3}, inShape: nets.Shape{C: 1, H: 3, W: 1},
			want: []float32{-1, 2, 3}, outSh: nets.Shape{C: 1, H: 3, W: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := append([]float32(nil), tc.in...)
			got, sh := NaiveLayer(tc.l, tc.params, in, tc.inShape)
			if sh != tc.outSh {
				t.Fatalf("shape %v; want %v", sh, tc.outSh)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("%d values; want %d", len(got), len(tc.want))
			}
			for i := range got {
				if math.Abs(float64(got[i]-tc.want[i])) > 1e-6*max(1, math.Abs(float64(tc.want[i]))) {
					t.Fatalf("NaiveLayer = %v; want %v", got, tc.want)
				}
			}
			for i := range in {
				if in[i] != tc.in[i] {
					t.Fatalf("input modified")
				}
			}
		})
	}
}

// handNet returns hand-set weights on a 2x2 board with an empty trunk (see
// TestNaiveGoldenNet for the arithmetic) and two inputs.
func handNet(t *testing.T, policyKind string) (*nets.Weights, []float32) {
	t.Helper()
	spec := nets.Spec{
		Name: "hand", BoardSize: 2, Features: nets.FeaturesV1,
		Policy: nets.PolicyHead{Kind: policyKind, Filters: 1},
		Value:  nets.ValueHead{Filters: 1, Hidden: 2, Dropout: 0.5},
	}
	w, err := nets.NewWeights(spec, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	for i := range w.Tensors {
		clear(w.Tensors[i].Data)
	}
	set := func(name string, vals ...float32) {
		tt := w.Tensor(name)
		if tt == nil {
			t.Fatalf("no tensor %s", name)
		}
		if len(vals) == 1 && len(tt.Data) > 1 {
			t.Fatalf("%s: short", name)
		}
		copy(tt.Data, vals)
	}
	pc := w.Tensor("policy.conv.w").Data
	pc[nets.PlaneOwn], pc[nets.PlaneOnes] = 1, 0.5
	set("policy.conv.b", -1)
	if policyKind == "dense" {
		d := w.Tensor("policy.dense.w").Data
		for o := range 5 {
			for i := range 4 {
				d[o*4+i] = float32(o + i)
			}
		}
		set("policy.dense.b", 0, 0.1, 0.2, 0.3, 0.4)
	} else {
		set("policy.point.w", 2)
		set("policy.point.b", 0.1)
		set("policy.pass.w", 1, 2, 3, 4)
		set("policy.pass.b", -1)
	}
	vc := w.Tensor("value.conv.w").Data
	vc[nets.PlaneOwn], vc[nets.PlaneOnes] = -1, 1
	set("value.fc1.w", 1, 1, 1, 1, 0, -1, 0, 0)
	set("value.fc1.b", 0, 0.25)
	set("value.fc2.w", 0.25, 5)
	set("value.fc2.b", -0.2)
	if err := w.Check(); err != nil {
		t.Fatal(err)
	}
	const area = 4
	in := make([]float32, 2*nets.NumPlanesV1*area)
	copy(in[nets.PlaneOwn*area:], []float32{1, 0, 0, 1})
	for _, off := range []int{0, nets.NumPlanesV1 * area} {
		copy(in[off+nets.PlaneOnes*area:], []float32{1, 1, 1, 1})
	}
	return w, in
}

// TestNaiveGoldenNet: whole-network cases computed by hand.
//
// Position 0 (own stones on the diagonal): policy conv = own + 0.5 - 1 =
// [.5 -.5 -.5 .5], ReLU [.5 0 0 .5]. Dense head: logit o = 0.1o +
// .5(o+0) + .5(o+3) = 1.1o + 1.5. Conv head: points 2*relu + .1 =
// [1.1 .1 .1 1.1], pass .5*1 + .5*4 - 1 = 1.5. Value conv = 1 - own =
// [0 1 1 0]; fc1 = [2, -.75] -> ReLU [2 0]; fc2 = .5 - .2 = .3; tanh.
//
// Position 1 (empty board): policy ReLU is all 0, so logits are the
// biases: dense [0 .1 .2 .3 .4], conv [.1 .1 .1 .1 -1]. Value conv all 1;
// fc1 = [4, -.75] -> [4 0]; fc2 = 1 - .2 = .8; tanh.
func TestNaiveGoldenNet(t *testing.T) {
	tests := []struct {
		kind   string
		policy []float32
	}{
		{"dense", []float32{1.5, 2.6, 3.7, 4.8, 5.9, 0, 0.1, 0.2, 0.3, 0.4}},
		{"conv", []float32{1.1, 0.1, 0.1, 1.1, 1.5, 0.1, 0.1, 0.1, 0.1, -1}},
	}
	wantValue := []float32{float32(math.Tanh(0.3)), float32(math.Tanh(0.8))}
	for _, tc := range tests {
		t.Run(tc.kind, func(t *testing.T) {
			w, in := handNet(t, tc.kind)
			b, err := NewNaive(w)
			if err != nil {
				t.Fatal(err)
			}
			policy, value := poisoned(10), poisoned(2)
			if err := b.Forward(context.Background(), in, 2, policy, value); err != nil {
				t.Fatal(err)
			}
			for i := range policy {
				if math.Abs(float64(policy[i]-tc.policy[i])) > 1e-6 {
					t.Fatalf("policy = %v; want %v", policy, tc.policy)
				}
			}
			for i := range value {
				if math.Abs(float64(value[i]-wantValue[i])) > 1e-6 {
					t.Fatalf("value = %v; want %v", value, wantValue)
				}
			}
		})
	}
}

func TestNewNaiveRejectsBadWeights(t *testing.T) {
	w, _ := handNet(t, "dense")
	w.Tensors[0].Data[0] = float32(math.NaN())
	if _, err := NewNaive(w); err == nil {
		t.Error("NewNaive accepted a NaN weight")
	}
	w, _ = handNet(t, "dense")
	w.Tensors = w.Tensors[1:]
	if _, err := NewNaive(w); err == nil {
		t.Error("NewNaive accepted a missing tensor")
	}
}

// TestNaiveBatchIndependent: a position's outputs do not depend on its
// neighbours in the batch.
func TestNaiveBatchIndependent(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	spec := RandomSpec(rng, 7)
	w, err := RandomWeights(spec, rng)
	if err != nil {
		t.Fatal(err)
	}
	b, err := NewNaive(w)
	if err != nil {
		t.Fatal(err)
	}
	const n = 4
	in := MixedInputs(rng, spec, n)
	moves, inLen := spec.Moves(), len(in)/n
	policy, value := poisoned(n*moves), poisoned(n)
	if err := b.Forward(context.Background(), in, n, policy, value); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		p, v := poisoned(moves), poisoned(1)
		if err := b.Forward(context.Background(), in[i*inLen:(i+1)*inLen], 1, p, v); err != nil {
			t.Fatal(err)
		}
		if RelErr(p, policy[i*moves:(i+1)*moves]) != 0 || v[0] != value[i] {
			t.Fatalf("position %d differs alone and in a batch", i)
		}
	}
}

func TestRandomSpecValid(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	kinds := map[string]int{}
	for i := range 200 {
		size := []int{2, 3, 5, 9, 13, 19}[i%6]
		s := RandomSpec(rng, size)
		if err := s.Validate(); err != nil {
			t.Fatalf("RandomSpec(%d) = %+v: %v", size, s, err)
		}
		for _, l := range s.Trunk {
			kinds[l.Kind]++
			if l.Kind == nets.KindMaxPool && l.Stride == 2 {
				kinds["stride2"]++
			}
		}
		kinds["head-"+s.Policy.Kind]++
	}
	for _, k := range []string{nets.KindConv, nets.KindBatchNorm, nets.KindReLU, nets.KindTanh, nets.KindLRN, nets.KindMaxPool, nets.KindDropout, "stride2", "head-dense", "head-conv"} {
		if kinds[k] == 0 {
			t.Errorf("no %s in 200 random specs", k)
		}
	}
}

func TestEncodedInputs(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	const size, n = 9, 5
	in := EncodedInputs(rng, size, n)
	area := size * size
	for i := range n {
		pos := in[i*nets.NumPlanesV1*area:]
		for p := range area {
			own, opp, empty := pos[nets.PlaneOwn*area+p], pos[nets.PlaneOpp*area+p], pos[nets.PlaneEmpty*area+p]
			if own+opp+empty != 1 {
				t.Fatalf("position %d point %d: own %v opp %v empty %v", i, p, own, opp, empty)
			}
			if pos[nets.PlaneOnes*area+p] != 1 {
				t.Fatalf("position %d: ones plane not set", i)
			}
		}
	}
}

func nanValue() float64 { return math.NaN() }
