package tape

import (
	"testing"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/netstest"
)

// TestConformance runs the shared backend suite against the plain-loops
// reference.
func TestConformance(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("short or race")
	}
	netstest.Conformance(t, "tape",
		func(w *nets.Weights) (nets.Backend, error) { return New(w, 8) },
		func(w *nets.Weights) (nets.Backend, error) { return netstest.NewNaive(w) })
}
