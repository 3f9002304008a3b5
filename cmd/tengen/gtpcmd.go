package main

import (
	"context"
	"fmt"

	"io"
	"os"
	"time"

	"github.com/spf13/pflag"

	"github.com/tengen-go/tengen/gtp"
	"github.com/tengen-go/tengen/nets"
)

func init() {
	register(command{name: "gtp", summary: "play over GTP (Sabaki, Lizzie, KaTrain, tournaments)", run: runGTP})
}

// engineFlags registers the search and network flags shared by the
// commands that play.
func engineFlags(fs *pflag.FlagSet) *engineConfig {
	c := &engineConfig{}
	fs.StringArrayVar(&c.weights, "weights", nil, "network weights file (repeat for several board sizes); default: the embedded networks")
	fs.IntVar(&c.threads, "threads", 0, "search goroutines (0: the cores with playouts; 4 per core, at most 16, with a network, so that batches fill while some goroutines wait)")
	fs.IntVar(&c.visits, "visits", 0, "root visits per move (0: no limit)")
	fs.IntVar(&c.playouts, "playouts", 0, "new simulations per move (0: no limit)")
	fs.DurationVar(&c.perMove, "time", 0, "thinking time per move, e.g. 2s (0: no limit; time controls from the controller still apply); with none of --visits, --playouts, --time and no time_settings: 1s on 9x9, 2s on 19x19, in between by size, an average over the game (what early stops save goes to close decisions, at most 3 times that on one move)")
	fs.StringVar(&c.evaluator, "evaluator", "auto", "leaf evaluation: playouts (heavy playouts, RAVE), net (the network's value), hybrid (network priors, value mixed with playouts by --lambda); auto: net on 9x9 (and other sizes below 19x19 with a network), hybrid on 19x19, playouts on sizes without a network (docs/strength.md). kata-analyze's scoreLead and ownership are the playouts' final positions (playouts, and hybrid where it plays them: --expand-at or --lambda above 0); with net they are the network's score and ownership heads where every loaded network has them (the embedded networks do; kata-analyze is not offered where one does not)")
	fs.Float64Var(&c.rave, "rave", -1, "RAVE equivalence in visits (0: off; default 1000 with playouts)")
	fs.Float64Var(&c.cpuct, "cpuct", 0, "PUCT exploration constant c_init, the prior term's weight against values in [-1, 1] (AlphaZero's c(N) = c_init + log((1+N+19652)/19652); 0: the default, 1.25)")
	fs.StringVar(&c.policy, "rollout-policy", "heavy", "playout policy: heavy, light, or heavy-no-patterns, heavy-no-tactics, heavy-no-nakade, heavy-no-selfatari (ablation)")
	fs.StringVar(&c.lgrf, "lgrf", "off", "playouts: a last-good-reply table with forgetting (LGRF-2, Baier & Drake 2010) per board size, shared by the search goroutines and kept from move to move, whose replies (those that won recent playouts) are tried: first (before every rule), late (after the tactical rules: escape, capture, nakade, two liberties), or off (measured weaker at equal playouts on 9x9 and 19x19: docs/strength.md)")
	fs.StringVar(&c.priors, "priors", "knowledge", "playout evaluator's move priors: knowledge (captures, escapes, patterns) or uniform")
	fs.Float64Var(&c.scoreW, "score-weight", -1, "playout evaluator: weight of the score utility in the value, 0..1 (default 0.1; 0: results only)")
	fs.Float64Var(&c.resign, "resign", 0.05, "resign when the winrate stays below this for 3 moves (0: never)")
	fs.Uint64Var(&c.seed, "seed", uint64(time.Now().UnixNano()), "random seed")
	fs.IntVar(&c.rollouts, "rollouts", 1, "random playouts per leaf when searching without a network")
	fs.Float64Var(&c.lambda, "lambda", -1, "hybrid evaluator: weight of the playouts against the network's value (AlphaGo's lambda; default by board size): at every leaf, with the value of the deepest node on its path that the network refined (--expand-at > 0), or its own (--expand-at 0)")
	fs.Float64Var(&c.doomed, "doomed-prior", -1, "hybrid with --expand-at > 0: factor in (0, 1] on the network's prior of a doomed escape (extending a chain in atari that a ladder or a net still catches, as the playouts read it) at the nodes it refines, the rest renormalised (1: off; default 0.1)")
	fs.Float64Var(&c.stake, "stake-prior", -1, "hybrid with --expand-at > 0: at the nodes the network refines, a move that captures, saves or catches k stones (as the playouts read it) gets a prior of at least this times min(k, 10), the rest renormalised (0: off; default 0.01)")
	fs.IntVar(&c.expandAt, "expand-at", -1, "hybrid: a node gets the network's priors (and, with --lambda < 1, its value mixed into the node's playout mean) once it has this many visits (the root at once), the playouts' Go knowledge before (AlphaGo's expansion threshold; default 15; 0: the network evaluates every leaf)")
	fs.IntVar(&c.maxBatch, "batch", 16, "largest network batch")
	fs.IntVar(&c.featPlay, "feature-playouts", playFeaturePlayouts, fmt.Sprintf("playouts a position behind the playout input planes of v3 networks (the embedded 9x9 one), 1..1024: fewer encode faster, so the search makes more visits, from noisier planes than the %d the networks learnt on (0: %d; docs/perf.md)", nets.PlayoutsV3, nets.PlayoutsV3))
	fs.IntVar(&c.nodes, "nodes", 0, "search tree node limit (0: default 4,000,000); a full tree stops growing, the search goes on")
	fs.IntVar(&c.expandVis, "expand-visits", 0, "a leaf gets its children at this visit, earlier visits only evaluate it (Pachi's expand_p); 0: 2 for the playout and hybrid searches on boards over 13x13, else 1")
	c.backend.bind(fs, "backend", precisionPlay)
	return c
}

func (c *engineConfig) validate() error {
	switch {
	case c.threads < 0:
		return usageError("--threads must not be negative")
	case c.featPlay < 0 || c.featPlay > 1024:
		return usageError("--feature-playouts must be 0..1024, not %d", c.featPlay)
	case c.expandVis < 0:
		return usageError("--expand-visits must not be negative")
	case c.visits < 0 || c.playouts < 0 || c.perMove < 0:
		return usageError("--visits, --playouts and --time must not be negative")
	case !c.autoTime && c.visits == 0 && c.playouts == 0 && c.perMove == 0:
		return usageError("set at least one of --visits, --playouts, --time above 0 (or none: time by board size)")
	case c.priors != "knowledge" && c.priors != "uniform":
		return usageError("--priors must be knowledge or uniform, not %q", c.priors)
	case c.scoreW > 1 || c.scoreW < 0 && c.scoreW != -1:
		return usageError("--score-weight must be in [0, 1]")
	case c.evaluator != "auto" && c.evaluator != "playouts" && c.evaluator != "net" && c.evaluator != "hybrid":
		return usageError("--evaluator must be auto, playouts, net or hybrid, not %q", c.evaluator)
	case c.resign < 0 || c.resign >= 1:
		return usageError("--resign must be in [0, 1)")
	case c.lambda > 1 || c.lambda < 0 && c.lambda != -1:
		return usageError("--lambda must be in [0, 1]")
	case c.doomed > 1 || c.doomed <= 0 && c.doomed != -1:
		return usageError("--doomed-prior must be in (0, 1] (1: off)")
	case c.stake > 0.1 || c.stake < 0 && c.stake != -1:
		return usageError("--stake-prior must be in [0, 0.1]")
	case c.maxBatch < 1:
		return usageError("--batch must be at least 1")
	case c.cpuct < 0 || c.cpuct > 100:
		return usageError("--cpuct must be in (0, 100] (0: the default)")
	}
	if c.lgrf != "" && c.lgrf != "off" && c.lgrf != "first" && c.lgrf != "late" {
		return usageError("--lgrf must be off, first or late, not %q", c.lgrf)
	}
	if _, err := rolloutPolicy(c.policy); err != nil {
		return err
	}
	return c.backend.validate()
}

func runGTP(ctx context.Context, e env) error {
	fs := newFlags("gtp", "[flags]", e.stdout)
	ec := engineFlags(fs)
	ponder := fs.Bool("ponder", false, "think on the opponent's time")
	logFile := fs.String("log-file", "", "append the engine's log to this file instead of stderr")
	lag := fs.Duration("lag", gtp.DefaultLag, "time kept in reserve on every timed move for what it costs outside the search (the controller, the connection; Leela Zero's --lagbuffer); lower it for a local controller")
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("gtp takes no arguments, got %q", fs.Args())
	}
	if *lag < time.Millisecond {
		return usageError("--lag must be at least 1ms, got %v", *lag)
	}
	ec.autoTime = !fs.Changed("visits") && !fs.Changed("playouts") && !fs.Changed("time")
	if err := ec.validate(); err != nil {
		return err
	}
	logw := e.stderr
	if *logFile != "" {
		f, err := os.OpenFile(*logFile, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		logw = f
	}
	eng, err := newEngine(*ec, logw)
	if err != nil {
		return err
	}
	defer eng.Close()
	srv, err := gtp.NewServer(eng, gtp.ServerConfig{
		Name: "tengen", Version: version, Ponder: *ponder, Seed: ec.seed, Log: logw, Lag: *lag,
	})
	if err != nil {
		return err
	}
	return srv.Serve(ctx, stdinOr(e.stdin), e.stdout)
}

func stdinOr(r io.Reader) io.Reader {
	if r == nil {
		return os.Stdin
	}
	return r
}
