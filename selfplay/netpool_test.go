package selfplay

import (
	"context"
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/nets"
)

// TestEngineFeaturePlayouts checks that Engine.FeaturePlayouts reaches
// the evaluators of v3 networks, leaves other networks alone, and that a
// count outside 0..1024 is refused before a network starts.
func TestEngineFeaturePlayouts(t *testing.T) {
	v3 := tinySpec(5)
	v3.Features = nets.FeaturesV3
	w3, err := nets.NewWeights(v3, rand.New(rand.NewPCG(3, 1)))
	if err != nil {
		t.Fatal(err)
	}
	w1, err := nets.NewWeights(tinySpec(5), rand.New(rand.NewPCG(4, 1)))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		w        *nets.Weights
		fp, want int
	}{
		{w3, 0, nets.PlayoutsV3},
		{w3, 8, 8},
		{w3, 1, 1},
		{w1, 8, 0},
		{w1, 0, 0},
	} {
		n, err := Engine{FeaturePlayouts: tc.fp}.start(context.Background(), "n", "id", tc.w, 1)
		if err != nil {
			t.Fatalf("%s, %d playouts: %v", tc.w.Spec.Features, tc.fp, err)
		}
		ev, err := n.evaluator(1)
		if err != nil {
			n.close()
			t.Fatalf("%s, %d playouts: evaluator: %v", tc.w.Spec.Features, tc.fp, err)
		}
		if got := ev.FeaturePlayouts(); got != tc.want {
			t.Errorf("%s with Engine.FeaturePlayouts %d: the evaluator reads %d playouts; want %d", tc.w.Spec.Features, tc.fp, got, tc.want)
		}
		n.close()
	}
	for _, fp := range []int{-1, 1025} {
		if n, err := (Engine{FeaturePlayouts: fp}).start(context.Background(), "n", "id", w3, 1); err == nil {
			n.close()
			t.Errorf("Engine.FeaturePlayouts %d: started; want an error", fp)
		}
	}
}
