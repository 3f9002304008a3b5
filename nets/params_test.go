package nets

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

func TestTransplant(t *testing.T) {
	src, err := NewWeights(DefaultSpec(9), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	wider := DefaultSpec(9)
	wider.Value.Filters = 4 // value.conv.w, .b and value.fc1.w change shape
	dst, err := NewWeights(wider, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	before := dst.Clone()
	copied, kept, err := Transplant(dst, src, "policy.")
	if err != nil {
		t.Fatal(err)
	}
	if len(copied)+len(kept) != len(dst.Tensors) {
		t.Fatalf("%d copied + %d kept != %d tensors", len(copied), len(kept), len(dst.Tensors))
	}
	for i, d := range dst.Tensors {
		want := before.Tensors[i].Data // kept
		if slices.Contains(copied, d.Name) {
			want = src.Tensors[i].Data // same layout up to the heads
			if strings.HasPrefix(d.Name, "policy.") || strings.HasPrefix(d.Name, "value.conv") || d.Name == "value.fc1.w" {
				t.Errorf("%s copied", d.Name)
			}
		} else if strings.HasPrefix(d.Name, "trunk.") || d.Name == "value.fc2.w" {
			t.Errorf("%s not copied", d.Name)
		}
		if !slices.Equal(d.Data, want) {
			t.Errorf("%s: wrong values", d.Name)
		}
	}
	if _, _, err := Transplant(dst, mustWeights(t, DefaultSpec(7))); err == nil {
		t.Error("7x7 into 9x9: no error")
	}
}

func mustWeights(t *testing.T, s Spec) *Weights {
	t.Helper()
	w, err := NewWeights(s, rand.New(rand.NewPCG(3, 3)))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// TestFlushDenormals: subnormals of either sign become zero; zeros,
// the smallest normal and everything larger are kept.
func TestFlushDenormals(t *testing.T) {
	x := []float32{1e-39, -1e-40, 0, float32(math.Copysign(0, -1)), 1.1754944e-38, math.SmallestNonzeroFloat32, 1, -3e-38, float32(math.Inf(1))}
	want := []float32{0, 0, 0, float32(math.Copysign(0, -1)), 1.1754944e-38, 0, 1, -3e-38, float32(math.Inf(1))}
	if n := FlushDenormals(x); n != 3 {
		t.Errorf("flushed %d; want 3", n)
	}
	for i := range x {
		if math.Float32bits(x[i]) != math.Float32bits(want[i]) {
			t.Errorf("x[%d] = %g; want %g", i, x[i], want[i])
		}
	}
}

// TestAverage: the mean of three networks of one spec, tensor by tensor;
// the mean of one network with itself is itself; another spec, a changed
// tensor or no network at all is refused; the inputs are left alone.
func TestAverage(t *testing.T) {
	var ws []*Weights
	for seed := range uint64(3) {
		w, err := NewWeights(DefaultSpec(9), rand.New(rand.NewPCG(seed, 7)))
		if err != nil {
			t.Fatal(err)
		}
		ws = append(ws, w)
	}
	before := ws[0].Clone()
	avg, err := Average(ws...)
	if err != nil {
		t.Fatal(err)
	}
	for i, tn := range avg.Tensors {
		if tn.Name != ws[0].Tensors[i].Name || !slices.Equal(tn.Shape, ws[0].Tensors[i].Shape) {
			t.Fatalf("tensor %d is %s %v", i, tn.Name, tn.Shape)
		}
		for k, v := range tn.Data {
			want := (float64(ws[0].Tensors[i].Data[k]) + float64(ws[1].Tensors[i].Data[k]) + float64(ws[2].Tensors[i].Data[k])) / 3
			if math.Abs(float64(v)-want) > 1e-6 {
				t.Fatalf("%s[%d] = %v; want %v", tn.Name, k, v, want)
			}
		}
	}
	if !slices.EqualFunc(ws[0].Tensors, before.Tensors, func(a, b Tensor) bool { return slices.Equal(a.Data, b.Data) }) {
		t.Error("Average changed its input")
	}
	self, err := Average(ws[1], ws[1])
	if err != nil {
		t.Fatal(err)
	}
	for i := range self.Tensors {
		if !slices.Equal(self.Tensors[i].Data, ws[1].Tensors[i].Data) {
			t.Fatalf("the mean of a network with itself changed %s", self.Tensors[i].Name)
		}
	}
	other := DefaultSpec(9)
	other.Value.Hidden++
	wo, _ := NewWeights(other, rand.New(rand.NewPCG(9, 9)))
	if _, err := Average(ws[0], wo); err == nil || !strings.Contains(err.Error(), "another spec") {
		t.Errorf("another spec: %v", err)
	}
	bad := ws[1].Clone()
	bad.Tensors[0].Name = "renamed"
	if _, err := Average(ws[0], bad); err == nil || !strings.Contains(err.Error(), "tensor 0") {
		t.Errorf("a renamed tensor: %v", err)
	}
	if _, err := Average(); err == nil {
		t.Error("no network: no error")
	}
	// AddToMean, the running form: the mean of the first two, then the third.
	run := ws[0].Clone()
	for n, w := range ws[1:] {
		if err := AddToMean(run, w, int64(n+1)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range run.Tensors {
		for k, v := range run.Tensors[i].Data {
			if math.Abs(float64(v-avg.Tensors[i].Data[k])) > 1e-6 {
				t.Fatalf("running mean %s[%d] = %v; Average %v", run.Tensors[i].Name, k, v, avg.Tensors[i].Data[k])
			}
		}
	}
	if err := AddToMean(run, wo, 3); err == nil || !strings.Contains(err.Error(), "another spec") {
		t.Errorf("running mean with another spec: %v", err)
	}
	if err := AddToMean(run, ws[0], 0); err == nil {
		t.Error("a mean of 0 networks: no error")
	}
}
