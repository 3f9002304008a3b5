package fuse

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/nets"
)

func weights(t *testing.T, trunk []nets.Layer) *nets.Weights {
	t.Helper()
	spec := nets.Spec{BoardSize: 5, Features: nets.FeaturesV1, Trunk: trunk,
		Policy: nets.PolicyHead{Kind: "conv", Filters: 2}, Value: nets.ValueHead{Filters: 1, Hidden: 4}}
	w, err := nets.NewWeights(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	// Batch norm statistics and affine parameters away from the identity.
	for _, tn := range w.Tensors {
		for j := range tn.Data {
			switch {
			case strings.HasSuffix(tn.Name, ".var"):
				tn.Data[j] = 0.5 + float32(j)
			case strings.HasSuffix(tn.Name, ".mean"), strings.HasSuffix(tn.Name, ".beta"), strings.HasSuffix(tn.Name, ".b"):
				tn.Data[j] = 0.1 * float32(j+1)
			case strings.HasSuffix(tn.Name, ".gamma"):
				tn.Data[j] = 2 - 0.3*float32(j)
			}
		}
	}
	return w
}

func TestTrunkFoldsAndFuses(t *testing.T) {
	trunk := []nets.Layer{
		{Kind: nets.KindConv, Filters: 3, Kernel: 3},
		{Kind: nets.KindBatchNorm},
		{Kind: nets.KindDropout, Rate: 0.5},
		{Kind: nets.KindReLU},
		{Kind: nets.KindLRN},
		{Kind: nets.KindMaxPool, Size: 3, Stride: 1},
		{Kind: nets.KindConv, Filters: 2, Kernel: 1},
		{Kind: nets.KindTanh},
		{Kind: nets.KindConv, Filters: 2, Kernel: 1},
		{Kind: nets.KindReLU},
	}
	w := weights(t, trunk)
	got, err := Trunk(w)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		kind  string
		index int
		act   Act
	}{{nets.KindConv, 0, ReLU}, {nets.KindLRN, 4, None}, {nets.KindMaxPool, 5, None}, {nets.KindConv, 6, Tanh}, {nets.KindConv, 8, ReLU}}
	if len(got) != len(want) {
		t.Fatalf("%d layers; want %d: %+v", len(got), len(want), got)
	}
	for k, l := range got {
		if l.Kind != want[k].kind || l.Index != want[k].index || l.Act != want[k].act {
			t.Errorf("layer %d: %s at %d act %d; want %s at %d act %d", k, l.Kind, l.Index, l.Act, want[k].kind, want[k].index, want[k].act)
		}
	}
	// The folded convolution computes batch norm of the original one:
	// per output channel o, W' = W*s and B' = (B-mean)*s + beta with
	// s = gamma/sqrt(var+eps).
	wt, b := w.Tensor("trunk.0.w").Data, w.Tensor("trunk.0.b").Data
	gamma, beta := w.Tensor("trunk.1.gamma").Data, w.Tensor("trunk.1.beta").Data
	mean, vr := w.Tensor("trunk.1.mean").Data, w.Tensor("trunk.1.var").Data
	eps := trunk[1].WithDefaults().Epsilon
	per := len(wt) / 3
	for o := range 3 {
		s := float64(gamma[o]) / math.Sqrt(float64(vr[o])+eps)
		if d := math.Abs(float64(got[0].B[o]) - ((float64(b[o])-float64(mean[o]))*s + float64(beta[o]))); d > 1e-6 {
			t.Errorf("bias %d off by %g", o, d)
		}
		for i := o * per; i < (o+1)*per; i++ {
			if d := math.Abs(float64(got[0].W[i]) - float64(wt[i])*s); d > 1e-6 {
				t.Fatalf("weight %d off by %g", i, d)
			}
		}
	}
	// The weights themselves are untouched (the layers hold copies).
	if &got[0].W[0] == &wt[0] {
		t.Error("Trunk folded into the caller's weights")
	}
}
