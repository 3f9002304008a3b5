package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/internal/neteval"
	"github.com/tengen-go/tengen/mcts"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/cpu"
)

func init() { benchmarks["search"] = benchSearch }

// searchRow is one measurement of search speed.
type searchRow struct {
	Size      int     `json:"size"`
	Evaluator string  `json:"evaluator"` // "network", "hybrid" or "playouts"
	Threads   int     `json:"threads"`
	Visits    int     `json:"visits"`
	Seconds   float64 `json:"seconds"`
	VisitsPS  float64 `json:"visits_per_s"`
	MeanBatch float64 `json:"mean_batch,omitempty"`
	// RawPS is the network's own throughput at the same batch size,
	// measured in this run; Overhead = RawPS / VisitsPS.
	RawPS    float64 `json:"raw_pos_per_s,omitempty"`
	Overhead float64 `json:"overhead,omitempty"`
}

type searchTable struct {
	Rows []searchRow `json:"rows"`
}

func (t searchTable) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%5s %-9s %7s %10s %10s %12s %9s\n", "size", "evaluator", "threads", "visits/s", "mean batch", "raw pos/s", "overhead")
	for _, r := range t.Rows {
		raw, over := "-", "-"
		if r.RawPS > 0 {
			raw, over = fmt.Sprintf("%.1f", r.RawPS), fmt.Sprintf("%.2fx", r.Overhead)
		}
		fmt.Fprintf(&b, "%2dx%-2d %-9s %7d %10.1f %10.2f %12s %9s\n", r.Size, r.Size, r.Evaluator, r.Threads, r.VisitsPS, r.MeanBatch, raw, over)
	}
	return b.String()
}

// benchSearch measures search visits/s with the default network (random
// weights: speed does not depend on them) and with the playout evaluator,
// at 1 and 2 threads, and the raw batched network throughput at the mean
// batch size the search achieved, all in the same run.
func benchSearch(ctx context.Context, e env, o benchOptions) (any, error) {
	var t searchTable
	dur := time.Duration(o.seconds * float64(time.Second))
	for _, size := range o.sizes {
		w, err := nets.NewWeights(nets.DefaultSpec(size), rand.New(rand.NewPCG(o.seed, 1)))
		if err != nil {
			return nil, err
		}
		be, err := cpu.New(w, cpu.Options{MaxBatch: 16})
		if err != nil {
			return nil, err
		}
		for _, threads := range []int{1, 2} {
			row, err := searchSpeed(ctx, be, size, threads, dur, o.seed, "network")
			if err != nil {
				be.Close()
				return nil, err
			}
			batch := max(1, int(row.MeanBatch+0.5))
			row.RawPS, err = rawThroughput(ctx, be, batch, dur)
			if err != nil {
				be.Close()
				return nil, err
			}
			row.Overhead = row.RawPS / row.VisitsPS
			t.Rows = append(t.Rows, row)
		}
		for _, threads := range []int{1, 2} {
			row, err := searchSpeed(ctx, be, size, threads, dur, o.seed, "hybrid")
			if err != nil {
				be.Close()
				return nil, err
			}
			t.Rows = append(t.Rows, row)
		}
		be.Close()
		for _, threads := range []int{1, 2} {
			row, err := playoutSearchSpeed(ctx, size, threads, dur, o.seed)
			if err != nil {
				return nil, err
			}
			t.Rows = append(t.Rows, row)
		}
	}
	return t, nil
}

// searchSpeed measures a search over the network: kind "network" (its
// value) or "hybrid" (its priors, heavy playouts for the value, RAVE).
func searchSpeed(ctx context.Context, be nets.Backend, size, threads int, dur time.Duration, seed uint64, kind string) (searchRow, error) {
	opts := nets.DefaultBatcherOptions()
	opts.MaxBatch = 16
	b, err := nets.NewBatcher(be, opts)
	if err != nil {
		return searchRow{}, err
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- b.Run(runCtx) }()
	defer func() { stop(); <-done }()
	ev, err := neteval.New(b, -1, seed)
	if err != nil {
		return searchRow{}, err
	}
	var leaf mcts.Evaluator = ev
	if kind == "hybrid" {
		leaf = &mcts.MixedEvaluator{Net: ev, Playouts: mcts.NewPlayoutEvaluator(1, seed), Lambda: 1}
	}
	res, err := timedSearch(ctx, leaf, size, threads, dur, seed)
	if err != nil {
		return searchRow{}, err
	}
	st := b.Stats()
	return searchRow{Size: size, Evaluator: kind, Threads: threads, Visits: res.Playouts, Seconds: res.Elapsed.Seconds(),
		VisitsPS: float64(res.Playouts) / res.Elapsed.Seconds(), MeanBatch: st.MeanBatch()}, nil
}

func playoutSearchSpeed(ctx context.Context, size, threads int, dur time.Duration, seed uint64) (searchRow, error) {
	res, err := timedSearch(ctx, mcts.NewPlayoutEvaluator(1, seed), size, threads, dur, seed)
	if err != nil {
		return searchRow{}, err
	}
	return searchRow{Size: size, Evaluator: "playouts", Threads: threads, Visits: res.Playouts, Seconds: res.Elapsed.Seconds(),
		VisitsPS: float64(res.Playouts) / res.Elapsed.Seconds()}, nil
}

func timedSearch(ctx context.Context, ev mcts.Evaluator, size, threads int, dur time.Duration, seed uint64) (mcts.Result, error) {
	cfg := mcts.DefaultConfig()
	cfg.Threads = threads
	cfg.Seed = seed
	if _, ok := ev.(mcts.AMAFEvaluator); ok {
		cfg.RAVEEquiv = 1000 // as tengen gtp searches with playouts
	}
	s, err := mcts.NewSearcher(ev, cfg)
	if err != nil {
		return mcts.Result{}, err
	}
	g, err := board.NewGame(size, 7.5, board.DefaultRules())
	if err != nil {
		return mcts.Result{}, err
	}
	s.SetGame(g)
	return s.Search(ctx, mcts.Options{Limits: mcts.Limits{Time: dur}})
}

// rawThroughput measures the backend alone at one batch size.
func rawThroughput(ctx context.Context, be nets.Backend, batch int, dur time.Duration) (float64, error) {
	spec := be.Spec()
	in, _ := spec.InputShape()
	input := make([]float32, batch*in.Len())
	g, _ := board.NewGame(spec.BoardSize, 7.5, board.DefaultRules())
	for i := range batch {
		nets.Encode(g, nets.Symmetry(i%nets.NumSymmetries), input[i*in.Len():(i+1)*in.Len()])
	}
	policy := make([]float32, batch*spec.Moves())
	value := make([]float32, batch)
	start := time.Now()
	n := 0
	for time.Since(start) < dur || n == 0 {
		if err := be.Forward(ctx, input, batch, policy, value); err != nil {
			return 0, err
		}
		n += batch
	}
	return float64(n) / time.Since(start).Seconds(), nil
}
