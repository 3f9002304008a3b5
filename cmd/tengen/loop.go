package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/tengen-go/tengen/selfplay"
)

func init() {
	register(command{name: "loop", summary: "self-play reinforcement learning: generate, train, gate, generation after generation", run: runLoop})
}

// loopTrainFlags are the training flags of tengen train that the loop
// takes too, with the loop's defaults.
var loopTrainFlags = map[string]string{
	"batch": "", "lr": "", "schedule": "", "lr-every": "", "lr-gamma": "", "lr-min": "", "warmup": "",
	"optimizer": "", "momentum": "", "weight-decay": "", "value-weight": "",
	"steps": "1000", "checkpoint-every": "250", "keep": "2", "buffer": "", "save-buffer": "", "log-every": "", "backend": "",
}

// bindTrainSubset adds the flags of loopTrainFlags as tengen train
// defines them (bound to a), with the loop's defaults where it has its own.
func bindTrainSubset(fs *pflag.FlagSet, a *trainArgs) {
	all := pflag.NewFlagSet("train", pflag.ContinueOnError)
	a.bind(all)
	all.VisitAll(func(f *pflag.Flag) {
		def, ok := loopTrainFlags[f.Name]
		if !ok {
			return
		}
		if def != "" {
			if err := f.Value.Set(def); err != nil {
				panic(err)
			}
			f.DefValue = def
		}
		f.Usage = "training: " + f.Usage
		fs.AddFlag(f)
	})
}

func runLoop(ctx context.Context, e env) error {
	fs := newFlags("loop", "--dir DIR [--weights W] [--generations N] [--games-per-gen N] [flags]", e.stdout)
	dir := fs.String("dir", "", "self-play directory (required); shared with tengen selfplay workers")
	weights := fs.String("weights", "", "start network (tengen net new), made generation 0 when DIR has none")
	gens := fs.Int("generations", 0, "stop after gating this generation (0: never)")
	perGen := fs.Int("games-per-gen", 500, "new self-play games before each training")
	local := fs.Bool("local", true, "play the games in this process (--local=false: wait for tengen selfplay workers)")
	stopWorkers := fs.Bool("stop-workers", true, "write DIR/stop when done, which ends the workers")
	parallel := fs.Int("parallel", 8, "self-play games at once")
	seed := fs.Uint64("seed", 1, "seed of self-play, training and gating")
	poll := fs.Duration("poll", 2*time.Second, "how often the game count and networks/best are re-read")
	noSGF := fs.Bool("no-sgf", false, "do not write an SGF file per self-play game")
	window := fs.Int("window", 10000, "training: the newest this many games")
	var gf gameFlags
	gf.bind(fs, "", false)
	var a trainArgs
	bindTrainSubset(fs, &a)
	var gt gateFlags
	gt.bind(fs, true)
	var nf netFlags
	nf.bind(fs, "net-backend")
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	if *dir == "" || fs.NArg() > 0 {
		return usageError("loop: --dir DIR is required and no arguments are taken")
	}
	if *window < 1 || *perGen < 1 || *gens < 0 {
		return usageError("loop: --window %d, --games-per-gen %d, --generations %d", *window, *perGen, *gens)
	}
	if err := gf.validateAuto(); err != nil {
		return err
	}
	if err := nf.backend.validate(); err != nil {
		return err
	}
	d, best, err := openDir(*dir, *weights, e.stderr)
	if err != nil {
		return err
	}
	size, err := boardSize(d, best)
	if err != nil {
		return err
	}
	sp := selfplay.DefaultConfig(size)
	sp.Game = gf.config(size, false, nil)
	sp.Parallel, sp.Seed, sp.Poll, sp.SGF, sp.Engine = *parallel, *seed, *poll, !*noSGF, nf.engine(e.stderr)
	sp.AutoResign = gf.autoResign(e.stderr)
	if err := sp.Validate(); err != nil {
		return usageError("%v", err)
	}
	a.Seed = *seed
	gen, err := selfplay.NextGeneration(d)
	if err != nil {
		return err
	}
	tc, err := selfplayTrainConfig(&a, d, gen, *window, e)
	if err != nil {
		return err
	}
	tc.Train.Terminal = false // the loop's lines interleave
	gt.seed = *seed
	gc := gt.config(size, &gf, nf.engine(e.stderr))
	if err := gc.Validate(); err != nil {
		return usageError("%v", err)
	}
	cfg := selfplay.LoopConfig{
		Generations: *gens, GamesPerGeneration: *perGen, Local: *local, SelfPlay: sp,
		Train: tc, Gate: gc, StopWorkers: *stopWorkers, Poll: *poll,
		AfterGate: func(l *selfplay.Ladder) error { return drawLadder(d, l) },
	}
	fmt.Fprintf(e.stderr, "loop in %s: %dx%d, best %s, %d games per generation (%s), window %d, %d training steps, gating %s\n",
		*dir, size, size, best.Name, *perGen, map[bool]string{true: "played here", false: "from workers"}[*local], *window, tc.Train.Steps, gc.Rule())
	if err := selfplay.Loop(ctx, d, cfg, e.stderr); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("loop: interrupted (run the same command to continue): %w", err)
		}
		return err
	}
	return nil
}
