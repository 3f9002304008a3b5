package optim

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func config(name string) Config {
	return Config{Optimizer: name, Momentum: 0.9, Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8}
}

// step applies one update of g to every parameter.
func step(o Optimizer, ws [][]float32, g []float32) {
	for i, w := range ws {
		o.Update(i, 0.01, w, g)
	}
	o.EndStep()
}

// A snapshot restored into a fresh optimizer continues exactly where the
// first one goes on.
func TestSnapshotRestoreContinues(t *testing.T) {
	names := []string{"conv1/w", "conv1/b"}
	g := []float32{0.5, -1, 2, 0.25}
	for _, name := range []string{SGD, Adam} {
		a, err := New(config(name), []int{4, 2})
		if err != nil {
			t.Fatal(err)
		}
		wa := [][]float32{{1, 2, 3, 4}, {5, 6}}
		pa := rand.NewPCG(1, 2)
		step(a, wa, g)
		st, err := Snapshot(a, names, pa)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := New(config(name), []int{4, 2})
		pb := rand.NewPCG(9, 9)
		if err := Restore(b, names, pb, st); err != nil {
			t.Fatal(err)
		}
		wb := [][]float32{slices.Clone(wa[0]), slices.Clone(wa[1])}
		step(a, wa, g)
		step(b, wb, g)
		if !slices.Equal(wa[0], wb[0]) || !slices.Equal(wa[1], wb[1]) || a.Steps() != 2 || b.Steps() != 2 {
			t.Errorf("%s: restored run %v (step %d); want %v (step %d)", name, wb, b.Steps(), wa, a.Steps())
		}
		if pa.Uint64() != pb.Uint64() {
			t.Errorf("%s: the generator was not restored", name)
		}
	}
}

// A state that does not fit is refused and changes nothing.
func TestRestoreRefusesMisfits(t *testing.T) {
	names := []string{"w"}
	o, _ := New(config(Adam), []int{3})
	w := [][]float32{{1, 2, 3}}
	step(o, w, []float32{1, 1, 1})
	pcg := rand.NewPCG(1, 2)
	good, err := Snapshot(o, names, pcg)
	if err != nil {
		t.Fatal(err)
	}
	bad := map[string]func(s *State){
		"optimizer": func(s *State) { s.Optimizer = SGD },
		"count":     func(s *State) { s.Slots = nil },
		"name":      func(s *State) { s.Slots[0].Name = "v" },
		"size":      func(s *State) { s.Slots[0].Data[1] = s.Slots[0].Data[1][:2] },
		"generator": func(s *State) { s.RNG = []byte("x") },
	}
	for what, spoil := range bad {
		st, _ := Snapshot(o, names, pcg)
		st.Steps = 99
		spoil(&st)
		if err := Restore(o, names, pcg, st); !errors.Is(err, ErrState) {
			t.Errorf("%s: Restore = %v; want ErrState", what, err)
		}
		if o.Steps() != good.Steps {
			t.Errorf("%s: a refused state changed the step count to %d", what, o.Steps())
		}
	}
	if _, err := New(config("rmsprop"), []int{1}); err == nil {
		t.Error("New accepted an unknown optimizer")
	}
}

// TestUpdateFlushesSubnormals: no weight or moment is left subnormal
// (each costs a microcode assist per multiplication on x86).
func TestUpdateFlushesSubnormals(t *testing.T) {
	for _, name := range []string{SGD, Adam} {
		o, err := New(config(name), []int{3})
		if err != nil {
			t.Fatal(err)
		}
		w := [][]float32{{1e-39, -2e-40, 0.5}}
		for range 3 {
			step(o, w, []float32{0, 1e-30, 0})
		}
		for i, v := range w[0] {
			if v != 0 && math.Abs(float64(v)) < 1.1754943508222875e-38 {
				t.Errorf("%s: w[%d] = %g is subnormal", name, i, v)
			}
		}
		for _, slot := range o.Slots() {
			for _, s := range slot {
				for i, v := range s {
					if v != 0 && math.Abs(float64(v)) < 1.1754943508222875e-38 {
						t.Errorf("%s: moment[%d] = %g is subnormal", name, i, v)
					}
				}
			}
		}
		if w[0][2] != 0.5 {
			t.Errorf("%s: an untouched weight changed: %g", name, w[0][2])
		}
	}
}
