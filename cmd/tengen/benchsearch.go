package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync"
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
	Size      int    `json:"size"`
	Evaluator string `json:"evaluator"` // "network", "hybrid" or "playouts"
	Threads   int    `json:"threads"`   // cores: GOMAXPROCS and the backend's threads
	// Goroutines is the number of search goroutines.
	Goroutines int `json:"goroutines"`
	// Backends is the number of network backends the batcher runs at once
	// (1: one backend using every core; more: one single-threaded backend
	// per core).
	Backends  int     `json:"backends,omitempty"`
	Precision string  `json:"precision,omitempty"` // network rows: the backend's arithmetic
	Visits    int     `json:"visits"`
	Seconds   float64 `json:"seconds"`
	VisitsPS  float64 `json:"visits_per_s"`
	MeanBatch float64 `json:"mean_batch,omitempty"`
	// RawPS is the network's own throughput at the same batch size,
	// measured in this run; Overhead = RawPS / VisitsPS.
	RawPS    float64 `json:"raw_pos_per_s,omitempty"`
	Overhead float64 `json:"overhead,omitempty"`
	// ExpandVisits is the playout rows' mcts.Config.ExpandVisits (1: every
	// leaf expands at its first visit) and NodesPerVisit the tree's
	// nodes over its visits at the end.
	ExpandVisits  int     `json:"expand_visits,omitempty"`
	NodesPerVisit float64 `json:"nodes_per_visit,omitempty"`
}

type searchTable struct {
	Rows []searchRow `json:"rows"`
}

func (t searchTable) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%5s %-9s %-9s %6s %7s %10s %8s %10s %10s %12s %9s\n", "size", "evaluator", "precision", "expand", "threads", "goroutines", "backends", "visits/s", "mean batch", "raw pos/s", "overhead")
	for _, r := range t.Rows {
		raw, over := "-", "-"
		if r.RawPS > 0 {
			raw, over = fmt.Sprintf("%.1f", r.RawPS), fmt.Sprintf("%.2fx", r.Overhead)
		}
		prec := r.Precision
		if prec == "" {
			prec = "-"
		}
		expand := "-"
		if r.ExpandVisits > 0 {
			expand = fmt.Sprint(r.ExpandVisits)
		}
		fmt.Fprintf(&b, "%2dx%-2d %-9s %-9s %6s %7d %10d %8d %10.1f %10.2f %12s %9s\n", r.Size, r.Size, r.Evaluator, prec, expand, r.Threads, r.Goroutines, r.Backends, r.VisitsPS, r.MeanBatch, raw, over)
	}
	return b.String()
}

// benchSearch measures search visits/s with the default network (random
// weights: speed does not depend on them) in each --precision, and with
// the playout evaluator, on 1 and 2 cores (GOMAXPROCS). Network rows: one
// search goroutine per core over one backend using every core (the
// baseline), as many goroutines as tengen gtp uses (defaultThreads) over
// that backend, and over tengen gtp's pool of one single-threaded backend
// per core (nets.NewBatcherPool); each with the raw throughput of the
// same backends at the mean batch size the search achieved, all in the
// same run.
func benchSearch(ctx context.Context, e env, o benchOptions) (any, error) {
	var t searchTable
	dur := time.Duration(o.seconds * float64(time.Second))
	procs := runtime.GOMAXPROCS(0)
	defer runtime.GOMAXPROCS(procs)
	cores := []int{1, 2}
	for _, size := range o.sizes {
		w, err := nets.NewWeights(nets.DefaultSpec(size), rand.New(rand.NewPCG(o.seed, 1)))
		if err != nil {
			return nil, err
		}
		for pi, p := range o.backend.precisions() {
			for _, threads := range cores {
				runtime.GOMAXPROCS(threads)
				one, err := cpu.New(w, cpu.Options{MaxBatch: 16, Threads: threads, Precision: p})
				if err != nil {
					return nil, err
				}
				pool := []nets.Backend{one}
				if threads > 1 {
					single, err := cpu.New(w, cpu.Options{MaxBatch: 16, Threads: 1, Precision: p, Calibration: one.Calibration()})
					if err == nil {
						pool, err = cpuPool(w, 16, threads, single)
					}
					if err != nil {
						one.Close()
						return nil, err
					}
				}
				release := func() {
					if len(pool) > 1 {
						closeAll(pool)
					}
					one.Close()
				}
				type setup struct {
					bes        []nets.Backend
					goroutines int
					kind       string
				}
				setups := []setup{{[]nets.Backend{one}, threads, "network"}, {[]nets.Backend{one}, defaultThreads("network"), "network"}}
				if len(pool) > 1 {
					setups = append(setups, setup{pool, defaultThreads("network"), "network"})
				}
				if pi == 0 {
					setups = append(setups, setup{pool, defaultThreads("hybrid"), "hybrid"})
				}
				for _, st := range setups {
					row, err := searchSpeed(ctx, st.bes, size, st.goroutines, dur, o.seed, st.kind)
					if err == nil && st.kind == "network" {
						batch := max(1, int(row.MeanBatch+0.5))
						row.RawPS, err = rawThroughput(ctx, st.bes, batch, dur)
						row.Overhead = row.RawPS / row.VisitsPS
					}
					if err != nil {
						release()
						return nil, err
					}
					row.Threads, row.Backends, row.Precision = threads, len(st.bes), one.Precision().String()
					t.Rows = append(t.Rows, row)
				}
				release()
			}
		}
		for _, threads := range cores {
			runtime.GOMAXPROCS(threads)
			// Every leaf expanded at its first visit (the baseline), and
			// tengen gtp's default where it differs (defaultExpandVisits).
			ks := []int{1}
			if k := defaultExpandVisits("playouts", size); k != 1 {
				ks = append(ks, k)
			}
			for _, k := range ks {
				row, err := playoutSearchSpeed(ctx, size, threads, k, dur, o.seed)
				if err != nil {
					return nil, err
				}
				t.Rows = append(t.Rows, row)
			}
		}
	}
	return t, nil
}

// searchSpeed measures a search over the network on the backends with
// the given number of search goroutines: kind "network" (its value) or
// "hybrid" (its priors, heavy playouts for the value, RAVE).
func searchSpeed(ctx context.Context, bes []nets.Backend, size, goroutines int, dur time.Duration, seed uint64, kind string) (searchRow, error) {
	opts := nets.DefaultBatcherOptions()
	opts.MaxBatch = 16
	b, err := nets.NewBatcherPool(bes, opts)
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
	res, err := timedSearch(ctx, leaf, size, goroutines, dur, seed, 1)
	if err != nil {
		return searchRow{}, err
	}
	st := b.Stats()
	return searchRow{Size: size, Evaluator: kind, Goroutines: goroutines, Visits: res.Playouts, Seconds: res.Elapsed.Seconds(),
		VisitsPS: float64(res.Playouts) / res.Elapsed.Seconds(), MeanBatch: st.MeanBatch()}, nil
}

// playoutSearchSpeed measures the playout search (heavy playouts, RAVE)
// with leaves expanded at their expandVisits-th visit.
func playoutSearchSpeed(ctx context.Context, size, threads, expandVisits int, dur time.Duration, seed uint64) (searchRow, error) {
	res, err := timedSearch(ctx, mcts.NewPlayoutEvaluator(1, seed), size, threads, dur, seed, expandVisits)
	if err != nil {
		return searchRow{}, err
	}
	return searchRow{Size: size, Evaluator: "playouts", Threads: threads, Goroutines: threads, Visits: res.Playouts, Seconds: res.Elapsed.Seconds(),
		VisitsPS: float64(res.Playouts) / res.Elapsed.Seconds(), ExpandVisits: expandVisits, NodesPerVisit: float64(res.Nodes) / float64(max(res.Visits, 1))}, nil
}

func timedSearch(ctx context.Context, ev mcts.Evaluator, size, threads int, dur time.Duration, seed uint64, expandVisits int) (mcts.Result, error) {
	cfg := mcts.DefaultConfig()
	cfg.Threads = threads
	cfg.ExpandVisits = expandVisits
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

// rawThroughput measures the backends alone, each running batches of
// the given size on its own goroutine at the same time: positions/s of
// them all.
func rawThroughput(ctx context.Context, bes []nets.Backend, batch int, dur time.Duration) (float64, error) {
	spec := bes[0].Spec()
	in, _ := spec.InputShape()
	input := make([]float32, batch*in.Len())
	g, _ := board.NewGame(spec.BoardSize, 7.5, board.DefaultRules())
	for i := range batch {
		nets.Encode(g, nets.Symmetry(i%nets.NumSymmetries), input[i*in.Len():(i+1)*in.Len()])
	}
	counts := make([]int, len(bes))
	errs := make([]error, len(bes))
	var wg sync.WaitGroup
	start := time.Now()
	for i, be := range bes {
		wg.Go(func() {
			policy := make([]float32, batch*spec.Moves())
			value := make([]float32, batch)
			for time.Since(start) < dur || counts[i] == 0 {
				if err := be.Forward(ctx, input, batch, policy, value); err != nil {
					errs[i] = err
					return
				}
				counts[i] += batch
			}
		})
	}
	wg.Wait()
	el := time.Since(start).Seconds()
	n := 0
	for i := range bes {
		if errs[i] != nil {
			return 0, errs[i]
		}
		n += counts[i]
	}
	return float64(n) / el, nil
}
