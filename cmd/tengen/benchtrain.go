package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"time"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/fasttrain"
	"github.com/tengen-go/tengen/nets/tape"
)

func init() {
	benchmarks["train"] = benchTrain
}

// benchTrainBatch is the training batch size of "tengen bench train"
// (tests lower it).
var benchTrainBatch = 64

// trainRow is one board size's training speed with the gorgonia training
// graph, and with the fast CPU path (nets/fasttrain) on the same weights
// and batch.
type trainRow struct {
	Size         int     `json:"size"`
	Batch        int     `json:"batch"`
	Steps        int     `json:"steps"`
	Seconds      float64 `json:"seconds"`
	PosPerSec    float64 `json:"positions_per_s"`
	MsPerStep    float64 `json:"ms_per_step"`
	BuildSeconds float64 `json:"build_seconds"` // graph construction, not timed above
	Loss         float64 `json:"loss"`          // of the last step

	FastSteps     int     `json:"fast_steps"`
	FastPosPerSec float64 `json:"fast_positions_per_s"`
	FastMsPerStep float64 `json:"fast_ms_per_step"`
	FastLoss      float64 `json:"fast_loss"`
	Speedup       float64 `json:"speedup"` // fast positions/s over gorgonia's
}

// trainTable is the result of "tengen bench train".
type trainTable struct {
	Network   string     `json:"network"`
	Optimizer string     `json:"optimizer"`
	BLAS      string     `json:"blas"`
	Threads   int        `json:"threads"`
	Rows      []trainRow `json:"rows"`
}

func (t trainTable) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "training steps, %s network, %s, gorgonia tape (BLAS %s) vs nets/fasttrain, %d threads\n", t.Network, t.Optimizer, t.BLAS, t.Threads)
	fmt.Fprintf(&b, "%5s %5s %6s %12s %10s %9s %8s %12s %10s %8s\n", "size", "batch", "steps", "positions/s", "ms/step", "build s", "loss", "fast pos/s", "fast ms", "speedup")
	for _, r := range t.Rows {
		fmt.Fprintf(&b, "%2dx%-2d %5d %6d %12.1f %10.1f %9.2f %8.3f %12.1f %10.1f %7.1fx\n", r.Size, r.Size, r.Batch, r.Steps, r.PosPerSec, r.MsPerStep, r.BuildSeconds, r.Loss,
			r.FastPosPerSec, r.FastMsPerStep, r.Speedup)
	}
	return b.String()
}

// benchTrain measures training positions/s of the default network at
// batch 64 for each board size: SGD steps on random positions and targets
// for o.seconds after one untimed warm-up step.
func benchTrain(ctx context.Context, e env, o benchOptions) (any, error) {
	t := trainTable{Network: "default", Optimizer: tape.SGD, BLAS: tape.BLAS(), Threads: runtime.GOMAXPROCS(0)}
	for _, size := range o.sizes {
		spec := nets.DefaultSpec(size)
		if err := spec.Validate(); err != nil {
			return nil, usageError("board size %d: %v", size, err)
		}
		rng := rand.New(rand.NewPCG(o.seed, uint64(size)))
		w, err := nets.NewWeights(spec, rng)
		if err != nil {
			return nil, err
		}
		row, err := timeTraining(ctx, w, benchTrainBatch, o.seconds, rng)
		if err != nil {
			return nil, fmt.Errorf("bench train %dx%d: %w", size, size, err)
		}
		t.Rows = append(t.Rows, row)
	}
	return t, nil
}

func timeTraining(ctx context.Context, w *nets.Weights, batch int, seconds float64, rng *rand.Rand) (trainRow, error) {
	spec := w.Spec
	moves := spec.Moves()
	sh, err := spec.InputShape()
	if err != nil {
		return trainRow{}, err
	}
	x := make([]float32, batch*sh.Len())
	for i := range x {
		x[i] = float32(rng.IntN(2))
	}
	policy, value, mask := make([]float32, batch*moves), make([]float32, batch), make([]float32, batch)
	for s := range batch {
		policy[s*moves+rng.IntN(moves)] = 1
		value[s] = float32(2*rng.IntN(2) - 1)
		mask[s] = 1
	}
	o := tape.DefaultTrainOptions()
	o.BatchSize = batch
	start := time.Now()
	tr, err := tape.NewTrainer(w, o)
	if err != nil {
		return trainRow{}, err
	}
	defer tr.Close()
	if _, err := tr.Step(x, policy, value, mask); err != nil { // warm-up: first-run allocations
		return trainRow{}, err
	}
	row := trainRow{Size: spec.BoardSize, Batch: batch, BuildSeconds: time.Since(start).Seconds()}
	if row.Steps, row.Seconds, row.Loss, err = timeSteps(ctx, tr, seconds, x, policy, value, mask); err != nil {
		return trainRow{}, err
	}
	row.PosPerSec = float64(row.Steps*batch) / row.Seconds
	row.MsPerStep = 1000 * row.Seconds / float64(row.Steps)

	// The fast path on the same weights and batch.
	ft, err := fasttrain.NewTrainer(w, o)
	if err != nil {
		return trainRow{}, err
	}
	defer ft.Close()
	if _, err := ft.Step(x, policy, value, mask); err != nil { // warm-up: worker goroutines, page faults
		return trainRow{}, err
	}
	var fastSeconds float64
	if row.FastSteps, fastSeconds, row.FastLoss, err = timeSteps(ctx, ft, seconds, x, policy, value, mask); err != nil {
		return trainRow{}, err
	}
	row.FastPosPerSec = float64(row.FastSteps*batch) / fastSeconds
	row.FastMsPerStep = 1000 * fastSeconds / float64(row.FastSteps)
	row.Speedup = row.FastPosPerSec / row.PosPerSec
	return row, nil
}

// stepper is the training step both trainers offer.
type stepper interface {
	Step(in, policyTarget, valueTarget, valueMask []float32) (tape.Loss, error)
}

// timeSteps runs steps on one batch for at least seconds (and at least
// one step) and returns the steps, the time taken and the last loss.
func timeSteps(ctx context.Context, tr stepper, seconds float64, x, policy, value, mask []float32) (steps int, secs, loss float64, err error) {
	start := time.Now()
	deadline := start.Add(time.Duration(seconds * float64(time.Second)))
	for steps == 0 || time.Now().Before(deadline) {
		if err := ctx.Err(); err != nil {
			return 0, 0, 0, err
		}
		l, err := tr.Step(x, policy, value, mask)
		if err != nil {
			return 0, 0, 0, err
		}
		steps++
		loss = l.Total
	}
	return steps, time.Since(start).Seconds(), loss, nil
}
