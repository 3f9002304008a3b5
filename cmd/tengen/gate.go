package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/tengen-go/tengen/plot"
	"github.com/tengen-go/tengen/selfplay"
)

func init() {
	register(command{name: "gate", summary: "play a self-play candidate against the best network; promote or reject it", run: runGate})
}

// gateFlags are the gating rule's settings.
type gateFlags struct {
	games, parallel   int
	threshold         float64
	sprt              bool
	elo0, elo1        float64
	alpha, beta       float64
	seed              uint64
	game              gameFlags
	standaloneKomi    float64 // tengen gate's --komi and --rules
	standaloneRules   string
	standaloneBinding bool
}

// bind defines the gating flags; in the loop their names start with
// "gate-" where they would clash with self-play's.
func (f *gateFlags) bind(fs *pflag.FlagSet, inLoop bool) {
	d := selfplay.DefaultGateConfig(19)
	prefix := ""
	if inLoop {
		prefix = "gate-"
	}
	fs.IntVar(&f.games, prefix+"games", d.Games, "gating: most games played")
	fs.IntVar(&f.parallel, prefix+"parallel", d.Parallel, "gating: games at once")
	fs.Float64Var(&f.threshold, "threshold", d.Threshold, "gating: score share that promotes under the fixed rule (and when SPRT has not decided after the games)")
	fs.BoolVar(&f.sprt, "sprt", d.SPRT, "gating: stop early by SPRT (--sprt=false: the fixed rule only)")
	fs.Float64Var(&f.elo0, "elo0", d.Elo0, "SPRT: Elo of the null hypothesis")
	fs.Float64Var(&f.elo1, "elo1", d.Elo1, "SPRT: Elo of the alternative")
	fs.Float64Var(&f.alpha, "alpha", d.Alpha, "SPRT: false promotion rate")
	fs.Float64Var(&f.beta, "beta", d.Beta, "SPRT: false rejection rate")
	if !inLoop {
		fs.Uint64Var(&f.seed, "seed", d.Seed, "seed of the gating games")
		fs.Float64Var(&f.standaloneKomi, "komi", 7.5, "komi")
		fs.StringVar(&f.standaloneRules, "rules", "chinese", "rules (see tengen selfplay --help)")
		f.standaloneBinding = true
	}
	f.game.bind(fs, prefix, true)
}

// config returns the gating settings for a board size; selfPlay gives
// komi and rules in the loop.
func (f *gateFlags) config(size int, selfPlay *gameFlags, engine selfplay.Engine) selfplay.GateConfig {
	if f.standaloneBinding {
		selfPlay = &gameFlags{komi: f.standaloneKomi, rules: f.standaloneRules}
	}
	c := selfplay.DefaultGateConfig(size)
	c.Game = f.game.config(size, true, selfPlay)
	c.Games, c.Parallel, c.Threshold, c.SPRT = f.games, f.parallel, f.threshold, f.sprt
	c.Elo0, c.Elo1, c.Alpha, c.Beta = f.elo0, f.elo1, f.alpha, f.beta
	c.Seed = f.seed
	c.Engine = engine
	return c
}

// drawLadder writes DIR/gating.png from the ladder.
func drawLadder(d selfplay.Dir, l *selfplay.Ladder) error {
	var rungs []plot.Rung
	for _, g := range l.Generations {
		rungs = append(rungs, plot.Rung{Generation: g.Generation, Rating: g.Rating,
			Low: g.BestRating + g.EloLow, High: g.BestRating + g.EloHigh, Promoted: g.Promote})
	}
	if len(rungs) == 0 {
		return nil
	}
	return plot.EloLadder(rungs, d.LadderPNG())
}

func runGate(ctx context.Context, e env) error {
	fs := newFlags("gate", "--dir DIR [--generation N] [--games N] [--sprt=false --threshold 0.55] [flags]", e.stdout)
	dir := fs.String("dir", "", "self-play directory (required)")
	gen := fs.Int("generation", 0, "generation whose candidate (networks/gen-N.weights) to gate (0: the next one, as trained by tengen train --selfplay)")
	asJSON := fs.Bool("json", false, "print the ladder entry as JSON")
	quiet := fs.Bool("quiet", false, "no line per game")
	var gf gateFlags
	gf.bind(fs, false)
	var ef netFlags
	ef.bind(fs, "backend")
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	if *dir == "" || fs.NArg() > 0 {
		return usageError("gate: --dir DIR is required and no arguments are taken")
	}
	if err := ef.backend.validate(); err != nil {
		return err
	}
	d, best, err := openDir(*dir, "", e.stderr)
	if err != nil {
		return err
	}
	size, err := boardSize(d, best)
	if err != nil {
		return err
	}
	if *gen == 0 {
		if *gen, err = selfplay.NextGeneration(d); err != nil {
			return err
		}
	}
	cfg := gf.config(size, nil, ef.engine(e.stderr))
	if err := cfg.Validate(); err != nil {
		return usageError("%v", err)
	}
	var progress io.Writer = e.stderr
	if *quiet {
		progress = io.Discard
	}
	entry, err := selfplay.GateCandidate(ctx, d, *gen, cfg, progress)
	if err != nil {
		return err
	}
	l, err := selfplay.LoadLadder(d.LadderPath())
	if err == nil {
		err = drawLadder(d, l)
	}
	if err != nil {
		fmt.Fprintf(e.stderr, "gate: ladder picture: %v\n", err)
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(entry)
	}
	verdict := "rejected"
	if entry.Promote {
		verdict = "promoted"
	}
	fmt.Fprintf(e.stdout, "%s %s against %s: %d-%d-%d (%.1f%%), elo %+.0f [%+.0f, %+.0f]; %s; ladder %s\n",
		entry.Candidate, verdict, entry.Best, entry.Wins, entry.Losses, entry.Draws, 100*entry.Score,
		entry.Elo, entry.EloLow, entry.EloHigh, entry.Reason, d.LadderPath())
	return nil
}
