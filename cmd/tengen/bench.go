package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/rollout"
)

func init() {
	register(command{name: "bench", summary: "measure speed: playouts (more to come)", run: runBench})
}

// benchmarks is the table of "tengen bench" targets.
var benchmarks = map[string]func(ctx context.Context, e env, o benchOptions) (any, error){
	"playouts": benchPlayouts,
}

type benchOptions struct {
	seconds  float64
	seed     uint64
	sizes    []int
	batches  []int
	policies []string // playout policies: light, heavy
	// featurePlayouts are bench play's --feature-playouts, the first the
	// baseline.
	featurePlayouts []int
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
	policies := fs.StringSlice("policies", []string{"light", "heavy"}, "playout policies (playouts): light, heavy")
	featPlay := fs.IntSlice("feature-playouts", []int{nets.PlayoutsV3, playFeaturePlayouts}, "play: playouts behind a v3 network's playout planes, one row each, the first the baseline (0: the network's own)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measurements to this file (go tool pprof)")
	var bf backendFlags
	bf.bind(fs, "backend", precisionReference)
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
	for _, n := range *featPlay {
		if n < 0 || n > 1024 {
			return usageError("--feature-playouts must be 0..1024, not %d", n)
		}
	}
	if len(*featPlay) == 0 {
		return usageError("--feature-playouts needs at least one count")
	}
	for _, name := range *policies {
		if _, ok := playoutPolicies[name]; !ok {
			return usageError("unknown playout policy %q (have light, heavy)", name)
		}
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	res, err := target(ctx, e, benchOptions{seconds: *seconds, seed: *seed, sizes: *sizes, batches: *batches,
		policies: *policies, featurePlayouts: *featPlay, batchesSet: fs.Changed("batches"), backend: bf})
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

// playoutPolicies are the playout policies "tengen bench playouts" knows.
var playoutPolicies = map[string]func() rollout.Policy{
	"light": rollout.LightPolicy,
	"heavy": rollout.DefaultPolicy,
}

// playoutRow is the speed of one playout policy on one board size, on one
// goroutine.
type playoutRow struct {
	Size            int     `json:"size"`
	Policy          string  `json:"policy"` // "light" or "heavy"
	Playouts        int     `json:"playouts"`
	Seconds         float64 `json:"seconds"`
	PlayoutsPerSec  float64 `json:"playouts_per_s"`
	MovesPerSec     float64 `json:"moves_per_s"`
	MovesPerPlayout float64 `json:"moves_per_playout"`
	// RatioToLight is PlayoutsPerSec over that of the light row of the
	// same size in the same run (absent when light was not measured).
	RatioToLight float64 `json:"ratio_to_light,omitempty"`
}

type playoutTable struct {
	Threads int          `json:"threads"`
	Rows    []playoutRow `json:"rows"`
}

func (t playoutTable) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "playouts (rollout policies), %d goroutine\n", t.Threads)
	fmt.Fprintf(&b, "%5s %-6s %12s %14s %12s %9s\n", "size", "policy", "playouts/s", "moves/s", "moves/game", "vs light")
	for _, r := range t.Rows {
		ratio := "-"
		if r.RatioToLight > 0 {
			ratio = fmt.Sprintf("%.3f", r.RatioToLight)
		}
		fmt.Fprintf(&b, "%2dx%-2d %-6s %12.0f %14.0f %12.1f %9s\n", r.Size, r.Size, r.Policy, r.PlayoutsPerSec, r.MovesPerSec, r.MovesPerPlayout, ratio)
	}
	return b.String()
}

// benchPlayouts measures each playout policy from the empty board of each
// size, one after the other on one goroutine, so that the rows of a run
// compare.
func benchPlayouts(ctx context.Context, e env, o benchOptions) (any, error) {
	t := playoutTable{Threads: 1}
	policies := o.policies
	if len(policies) == 0 {
		policies = []string{"light", "heavy"}
	}
	for _, size := range o.sizes {
		empty, err := board.NewPosition(size)
		if err != nil {
			return nil, err
		}
		light := 0.0
		first := len(t.Rows)
		for _, name := range policies {
			newPolicy, ok := playoutPolicies[name]
			if !ok {
				return nil, fmt.Errorf("bench: unknown playout policy %q", name)
			}
			pol := newPolicy()
			rng := rand.New(rand.NewPCG(o.seed, uint64(size)))
			deadline := time.Now().Add(time.Duration(o.seconds * float64(time.Second)))
			start := time.Now()
			n, moves := 0, 0
			for time.Now().Before(deadline) {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				for range 16 {
					p := *empty
					moves += pol.Playout(&p, board.Black, board.Pass, 7.5, 0, rng, nil).Moves
					n++
				}
			}
			s := time.Since(start).Seconds()
			row := playoutRow{
				Size: size, Policy: pol.Name(), Playouts: n, Seconds: s,
				PlayoutsPerSec: float64(n) / s, MovesPerSec: float64(moves) / s,
				MovesPerPlayout: float64(moves) / float64(n),
			}
			if row.Policy == "light" {
				light = row.PlayoutsPerSec
			}
			t.Rows = append(t.Rows, row)
		}
		if light > 0 {
			for i := first; i < len(t.Rows); i++ {
				t.Rows[i].RatioToLight = t.Rows[i].PlayoutsPerSec / light
			}
		}
	}
	return t, nil
}
