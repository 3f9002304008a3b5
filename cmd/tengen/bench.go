package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/tengen-go/tengen/board"
)

func init() {
	register(command{name: "bench", summary: "measure speed: playouts (more to come)", run: runBench})
}

// benchmarks is the table of "tengen bench" targets.
var benchmarks = map[string]func(ctx context.Context, e env, o benchOptions) (any, error){
	"playouts": benchPlayouts,
}

type benchOptions struct {
	seconds float64
	seed    uint64
	sizes   []int
	batches []int
	// batchesSet says --batches was given (targets may default otherwise).
	batchesSet bool
	backend    backendFlags
}

func runBench(ctx context.Context, e env) error {
	fs := newFlags("bench", "<target> [flags]\n\ntargets: "+strings.Join(benchNames(), ", "), e.stdout)
	seconds := fs.Float64("seconds", 2, "time to spend on each measurement")
	asJSON := fs.Bool("json", false, "print one JSON object instead of a table")
	seed := fs.Uint64("seed", 1, "random seed")
	sizes := fs.IntSlice("sizes", []int{9, 19}, "board sizes")
	batches := fs.IntSlice("batches", []int{1, 8, 32, 128}, "batch sizes (nets; with --backend cuda or auto: 1, 8, 32, 128, 256)")
	var bf backendFlags
	bf.bind(fs, "backend")
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	if err := bf.validate(); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return usageError("bench needs one target: %s", strings.Join(benchNames(), ", "))
	}
	target, ok := benchmarks[fs.Arg(0)]
	if !ok {
		return usageError("unknown bench target %q (have %s)", fs.Arg(0), strings.Join(benchNames(), ", "))
	}
	if *seconds <= 0 {
		return usageError("--seconds must be positive")
	}
	res, err := target(ctx, e, benchOptions{seconds: *seconds, seed: *seed, sizes: *sizes, batches: *batches,
		batchesSet: fs.Changed("batches"), backend: bf})
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(res)
	}
	if t, ok := res.(fmt.Stringer); ok {
		fmt.Fprint(e.stdout, t.String())
	}
	return nil
}

func benchNames() []string {
	var names []string
	for n := range benchmarks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// playoutRow is one board size's light-playout speed on one goroutine.
type playoutRow struct {
	Size            int     `json:"size"`
	Playouts        int     `json:"playouts"`
	Seconds         float64 `json:"seconds"`
	PlayoutsPerSec  float64 `json:"playouts_per_s"`
	MovesPerSec     float64 `json:"moves_per_s"`
	MovesPerPlayout float64 `json:"moves_per_playout"`
}

type playoutTable struct {
	Threads int          `json:"threads"`
	Rows    []playoutRow `json:"rows"`
}

func (t playoutTable) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "light random playouts, %d goroutine\n", t.Threads)
	fmt.Fprintf(&b, "%5s %12s %14s %12s\n", "size", "playouts/s", "moves/s", "moves/game")
	for _, r := range t.Rows {
		fmt.Fprintf(&b, "%2dx%-2d %12.0f %14.0f %12.1f\n", r.Size, r.Size, r.PlayoutsPerSec, r.MovesPerSec, r.MovesPerPlayout)
	}
	return b.String()
}

func benchPlayouts(ctx context.Context, e env, o benchOptions) (any, error) {
	t := playoutTable{Threads: 1}
	for _, size := range o.sizes {
		empty, err := board.NewPosition(size)
		if err != nil {
			return nil, err
		}
		rng := rand.New(rand.NewPCG(o.seed, uint64(size)))
		deadline := time.Now().Add(time.Duration(o.seconds * float64(time.Second)))
		start := time.Now()
		n, moves := 0, 0
		for time.Now().Before(deadline) {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			for range 64 {
				p := *empty
				moves += p.Playout(board.Black, rng, 7.5, 0).Moves
				n++
			}
		}
		s := time.Since(start).Seconds()
		t.Rows = append(t.Rows, playoutRow{
			Size: size, Playouts: n, Seconds: s,
			PlayoutsPerSec: float64(n) / s, MovesPerSec: float64(moves) / s,
			MovesPerPlayout: float64(moves) / float64(n),
		})
	}
	return t, nil
}
