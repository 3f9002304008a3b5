package netstest

import (
	"testing"

	"github.com/tengen-go/tengen/nets"
)

func newNaive(w *nets.Weights) (nets.Backend, error) { return NewNaive(w) }

// TestConformanceNaive runs the suite with Naive against itself: it checks
// the suite's own plumbing (specs, inputs, NaN poisoning, error cases) and
// that Naive meets the contract it holds others to.
func TestConformanceNaive(t *testing.T) {
	if testing.Short() {
		Sizes = []int{5, 9}
		defer func() { Sizes = []int{5, 9, 19} }()
	}
	Conformance(t, "naive", newNaive, newNaive)
}

func TestRelErr(t *testing.T) {
	tests := []struct {
		got, want []float32
		ok        bool
	}{
		{[]float32{1, 2, 3}, []float32{1, 2, 3}, true},
		{[]float32{1, 2, 3.0001}, []float32{1, 2, 3}, true},
		{[]float32{1, 2, 3.01}, []float32{1, 2, 3}, false},
		{[]float32{0, 0}, []float32{0, 0}, true},
		{[]float32{1e-9, 0}, []float32{0, 0}, true},
		{[]float32{1e-3, 0}, []float32{0, 0}, false},
		{[]float32{1, 2}, []float32{1, 2, 3}, false},
	}
	for _, tc := range tests {
		if e := RelErr(tc.got, tc.want); (e <= Tolerance) != tc.ok {
			t.Errorf("RelErr(%v, %v) = %g; want ok=%v", tc.got, tc.want, e, tc.ok)
		}
	}
}
