package fasttrain

import (
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/nets/netstest"
	"github.com/tengen-go/tengen/nets/tape"
)

// TestResumeExact checks that a trainer made from another's weights and
// State continues the run bit for bit, and that a nets/tape state (same
// format, same generator) is accepted.
func TestResumeExact(t *testing.T) {
	spec := netstest.TinySpecs()["convhead"] // dropout and batch norm: the generator and running stats matter
	for _, opt := range []string{tape.SGD, tape.Adam} {
		t.Run(opt, func(t *testing.T) {
			o := tape.DefaultTrainOptions()
			o.BatchSize = 4
			o.Optimizer = opt
			rng := rand.New(rand.NewPCG(1, 1))
			var batches []batch
			for range 4 {
				batches = append(batches, randomBatch(spec, o.BatchSize, rng))
			}
			step := func(tr *Trainer, b batch) tape.Loss {
				t.Helper()
				l, err := tr.StepBatch(b.tape())
				if err != nil {
					t.Fatal(err)
				}
				return l
			}
			w := randomWeights(t, spec, 2)
			whole, err := New(w, o, Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer whole.Close()
			first, err := New(w, o, Options{Threads: 3})
			if err != nil {
				t.Fatal(err)
			}
			for _, b := range batches[:2] {
				step(whole, b)
				step(first, b)
			}
			st, err := first.State()
			if err != nil {
				t.Fatal(err)
			}
			mid := first.Weights()
			first.Close()
			second, err := New(mid, o, Options{Threads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer second.Close()
			if err := second.SetState(st); err != nil {
				t.Fatal(err)
			}
			if second.Steps() != 2 {
				t.Errorf("Steps() = %d after SetState; want 2", second.Steps())
			}
			for i, b := range batches[2:] {
				lw, ls := step(whole, b), step(second, b)
				if lw != ls {
					t.Errorf("step %d: resumed loss %+v; uninterrupted %+v", i+2, ls, lw)
				}
			}
			ww, ws := whole.Weights(), second.Weights()
			for i := range ww.Tensors {
				for j, v := range ww.Tensors[i].Data {
					if ws.Tensors[i].Data[j] != v {
						t.Fatalf("%s[%d] = %v resumed; %v uninterrupted", ww.Tensors[i].Name, j, ws.Tensors[i].Data[j], v)
					}
				}
			}

			// A nets/tape trainer's state fits, and vice versa.
			ref, err := tape.NewTrainer(w, o)
			if err != nil {
				t.Fatal(err)
			}
			defer ref.Close()
			if _, err := ref.Step(batches[0].in, batches[0].policy, batches[0].value, batches[0].mask); err != nil {
				t.Fatal(err)
			}
			rs, err := ref.State()
			if err != nil {
				t.Fatal(err)
			}
			if err := second.SetState(rs); err != nil {
				t.Errorf("SetState(tape's state): %v", err)
			}
			fs, _ := second.State()
			if err := ref.SetState(fs); err != nil {
				t.Errorf("tape SetState(our state): %v", err)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	spec := netstest.TinySpecs()["densehead"]
	o := tape.DefaultTrainOptions()
	o.BatchSize = 2
	w := randomWeights(t, spec, 1)
	tr, err := New(w, o, Options{Threads: 2})
	if err != nil {
		t.Fatal(err)
	}
	b := randomBatch(spec, 2, rand.New(rand.NewPCG(1, 1)))
	negPolicy := append([]float32(nil), b.policy...)
	negPolicy[3] = -1
	nanPolicy := append([]float32(nil), b.policy...)
	nanPolicy[0] = float32(math.NaN())
	for _, tc := range []struct {
		name                    string
		in, policy, value, mask []float32
	}{
		{"short input", b.in[1:], b.policy, b.value, b.mask},
		{"short policy", b.in, b.policy[1:], b.value, b.mask},
		{"short value", b.in, b.policy, b.value[1:], b.mask},
		{"long mask", b.in, b.policy, b.value, append(b.mask, 1)},
		{"negative policy", b.in, negPolicy, b.value, b.mask},
		{"NaN policy", b.in, nanPolicy, b.value, b.mask},
		{"negative mask", b.in, b.policy, b.value, []float32{1, -1}},
	} {
		if _, err := tr.Step(tc.in, tc.policy, tc.value, tc.mask); err == nil {
			t.Errorf("%s: Step succeeded", tc.name)
		}
	}
	before := tr.Weights()
	bad := append([]float32(nil), b.in...)
	bad[0] = float32(math.Inf(1))
	if _, err := tr.Step(bad, b.policy, b.value, b.mask); err == nil {
		t.Error("Step with an infinite input succeeded")
	}
	after := tr.Weights()
	for i := range before.Tensors {
		for j, v := range before.Tensors[i].Data {
			if after.Tensors[i].Data[j] != v {
				t.Fatalf("%s changed by a failed step", before.Tensors[i].Name)
			}
		}
	}
	if err := tr.SetState(tape.TrainerState{Optimizer: tape.Adam}); !errors.Is(err, ErrState) {
		t.Errorf("SetState(other optimizer) = %v", err)
	}
	st, _ := tr.State()
	st.Slots = st.Slots[1:]
	if err := tr.SetState(st); !errors.Is(err, ErrState) {
		t.Errorf("SetState(short) = %v", err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tr.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := tr.StepBatch(b.tape()); !errors.Is(err, ErrClosed) {
		t.Errorf("Step after Close = %v", err)
	}
	o.BatchSize = 0
	if _, err := New(w, o, Options{}); err == nil {
		t.Error("New with batch 0 succeeded")
	}
	if _, err := New(w, tape.DefaultTrainOptions(), Options{Threads: -1}); err == nil {
		t.Error("New with -1 threads succeeded")
	}
	broken := w.Clone()
	broken.Tensors = broken.Tensors[1:]
	if _, err := New(broken, tape.DefaultTrainOptions(), Options{}); err == nil {
		t.Error("New with missing tensors succeeded")
	}
}

// TestStepDoesNotAllocate checks the steady state.
func TestStepDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("race")
	}
	for _, name := range []string{"convhead", "heads"} {
		spec := netstest.TinySpecs()[name]
		o := tape.DefaultTrainOptions()
		o.BatchSize = 4
		tr, err := New(randomWeights(t, spec, 1), o, Options{Threads: 3})
		if err != nil {
			t.Fatal(err)
		}
		b := randomBatch(spec, 4, rand.New(rand.NewPCG(1, 1)))
		if _, err := tr.StepBatch(b.tape()); err != nil {
			t.Fatal(err)
		}
		if a := testing.AllocsPerRun(20, func() {
			if _, err := tr.StepBatch(b.tape()); err != nil {
				t.Fatal(err)
			}
		}); a > 0 {
			t.Errorf("%s: Step allocates %v times", name, a)
		}
		tr.Close()
	}
}

// TestOverfits trains a fixed batch: the loss must fall.
func TestOverfits(t *testing.T) {
	for name, spec := range netstest.TinySpecs() {
		t.Run(name, func(t *testing.T) {
			o := tape.DefaultTrainOptions()
			o.BatchSize = 4
			o.LearningRate = 0.05
			tr, err := New(randomWeights(t, spec, 4), o, Options{Threads: 2})
			if err != nil {
				t.Fatal(err)
			}
			defer tr.Close()
			b := randomBatch(spec, 4, rand.New(rand.NewPCG(1, 2)))
			var first, last tape.Loss
			for i := range 100 {
				l, err := tr.StepBatch(b.tape())
				if err != nil {
					t.Fatal(err)
				}
				if i == 0 {
					first = l
				}
				last = l
			}
			if !(last.Total < 0.7*first.Total) {
				t.Errorf("no progress on a fixed batch: first %+v, last %+v", first, last)
			}
		})
	}
}
