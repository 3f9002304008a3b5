package nets

import (
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
