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
