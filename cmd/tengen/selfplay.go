package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/pflag"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/selfplay"
)

func init() {
	register(command{name: "selfplay", summary: "play self-play games with the best network into a shared directory", run: runSelfplay})
}

// gameFlags are the search and game settings of self-play and gating;
// auto values (-1) depend on the board size and are resolved by config.
type gameFlags struct {
	visits, fastVisits, decidedVisits int
	fullShare                         float64
	tempMoves                         int
	temperature                       float64
	noiseAlpha, noiseEpsilon          float64
	resign                            resignValue
	resignMoves, resignMinMove        int
	resignOff                         float64
	resignWindow, resignEvery         int
	maxMoves                          int
	komi                              float64
	komiStdev, komiShare              float64
	rules                             string
	evaluator                         string
	lambda                            float64
	expandAt                          int
	forcedPlayouts                    float64
}

// bind defines the flags with the given name prefix ("" or "gate-");
// gate leaves out the self-play-only ones (noise, playout cap,
// no-resignation share).
func (f *gameFlags) bind(fs *pflag.FlagSet, prefix string, gate bool) {
	d := selfplay.DefaultGameConfig(19)
	p := func(name string) string { return prefix + name }
	what := "self-play"
	if gate {
		what = "gating"
	}
	fs.IntVar(&f.visits, p("visits"), d.Visits, what+": root visits per move (full searches)")
	auto := "an eighth of the board's points"
	if gate {
		auto = "2"
	}
	fs.IntVar(&f.tempMoves, p("temp-moves"), -1, "opening moves chosen in proportion to visits^(1/temperature) (-1: "+auto+")")
	fs.Float64Var(&f.temperature, p("temperature"), d.Temperature, "temperature of the opening moves")
	f.resign.v = d.ResignThreshold
	if gate {
		fs.Float64Var(&f.resign.v, p("resign"), d.ResignThreshold, "resign when the winrate stays below this (0: never)")
	} else {
		fs.Var(&f.resign, "resign", fmt.Sprintf("resign when the winrate stays below this (0: never); auto: the largest threshold whose false positives on the recent games without resignation have a 95%% upper bound of at most %.0f%% (%g until there is data)",
			100*selfplay.ResignMaxUpper, d.ResignThreshold))
		fs.IntVar(&f.resignWindow, "resign-window", selfplay.DefaultResignWindow, "--resign auto: the newest this many games of the directory are looked at")
		fs.IntVar(&f.resignEvery, "resign-every", selfplay.DefaultResignEvery, "--resign auto: recalibrate after this many of the worker's games")
	}
	fs.IntVar(&f.resignMoves, p("resign-moves"), d.ResignMoves, "consecutive own searches below --"+p("resign")+" before resigning")
	fs.IntVar(&f.resignMinMove, p("resign-min-move"), 0, "no resignation before this move (0: a quarter of the board's points)")
	fs.IntVar(&f.maxMoves, p("max-moves"), 0, "move cap; the board is then scored (0: 2*size*size)")
	if !gate {
		fs.StringVar(&f.evaluator, "evaluator", "net", "leaf evaluation: net (the network's priors and value), hybrid (network priors, value mixed with heavy playouts by --lambda, RAVE), playouts (heavy playouts with RAVE, no network: expert games)")
		fs.Float64Var(&f.lambda, "lambda", 0.5, "hybrid: weight of the playouts in the leaf value (AlphaGo's lambda)")
		fs.IntVar(&f.expandAt, "expand-at", 0, "hybrid: visits before a node gets the network's priors and value (AlphaGo's expansion threshold; the root at once); 0: the network at every leaf")
		fs.IntVar(&f.fastVisits, "fast-visits", 0, "playout-cap randomisation (KataGo): visits of the fast searches, which are not training positions (0: off)")
		fs.Float64Var(&f.fullShare, "full-share", d.FullShare, "playout-cap randomisation: share of moves searched fully")
		fs.Float64Var(&f.noiseAlpha, "noise-alpha", 0, "root Dirichlet noise alpha (0: 0.03*361/size^2)")
		fs.Float64Var(&f.noiseEpsilon, "noise-epsilon", d.NoiseEpsilon, "weight of the root noise")
		fs.Float64Var(&f.forcedPlayouts, "forced-playouts", 0, "forced playouts with this k in full searches (KataGo: 2; 0: off): a root move with a visit gets at least sqrt(k*prior*visits), and those visits are pruned from the policy target")
		fs.Float64Var(&f.resignOff, "resign-off", d.ResignOffShare, "share of games played out with resignation disabled (measures false positives)")
		fs.IntVar(&f.decidedVisits, "decided-visits", 0, "in games played out (--resign-off), once either side's resignation rule has fired every later search is a fast one of this many visits, not a training position (KataGo's fewer visits in decided positions; 0: off); the game's counted end still labels ownership and score")
		fs.Float64Var(&f.komi, "komi", d.Komi, "komi")
		fs.Float64Var(&f.komiStdev, "komi-stdev", 0, "vary the komi of self-play games (KataGo): --komi plus a normal draw of this standard deviation, rounded to a half point, so that the network learns what komi means (0: off; gating stays at --komi)")
		fs.Float64Var(&f.komiShare, "komi-share", d.KomiShare, "share of the self-play games whose komi varies by --komi-stdev")
		fs.StringVar(&f.rules, "rules", d.Rules, "rules: chinese/tromp-taylor (positional superko), aga/nz (situational), japanese (simple ko); scoring is by area")
	}
}

// config returns the settings for a board size; gating takes komi and
// rules from self-play's.
func (f *gameFlags) config(size int, gate bool, selfPlay *gameFlags) selfplay.GameConfig {
	c := selfplay.DefaultGameConfig(size)
	c.Visits, c.Temperature = f.visits, f.temperature
	c.ResignThreshold, c.ResignMoves, c.ResignMinMove = f.resign.v, f.resignMoves, f.resignMinMove
	c.MaxMoves = f.maxMoves
	src := f
	if gate {
		src = selfPlay
		c.ResignOffShare = 0
		c.TempMoves = 2
	} else {
		c.FastVisits, c.FullShare = f.fastVisits, f.fullShare
		c.NoiseAlpha, c.NoiseEpsilon = f.noiseAlpha, f.noiseEpsilon
		c.ResignOffShare = f.resignOff
		c.DecidedVisits = f.decidedVisits
		c.ForcedPlayouts = f.forcedPlayouts
		c.KomiStdev, c.KomiShare = f.komiStdev, f.komiShare
	}
	if f.tempMoves >= 0 {
		c.TempMoves = f.tempMoves
	}
	c.Komi, c.Rules = src.komi, src.rules
	c.Evaluator, c.Lambda, c.ExpandAt = src.evaluator, src.lambda, src.expandAt
	return c
}

// resignValue is --resign: a threshold, or auto.
type resignValue struct {
	v    float64 // the threshold; with auto where it starts
	auto bool
}

func (r *resignValue) String() string {
	if r.auto {
		return "auto"
	}
	return strconv.FormatFloat(r.v, 'g', -1, 64)
}

func (r *resignValue) Set(s string) error {
	if s == "auto" {
		r.auto = true
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return errors.New("want a winrate or auto")
	}
	r.v, r.auto = v, false
	return nil
}

func (r *resignValue) Type() string { return "winrate|auto" }

// autoResign returns the workers' AutoResign for --resign auto (nil
// without), which logs each new threshold to log.
func (f *gameFlags) autoResign(log io.Writer) *selfplay.AutoResign {
	if !f.resign.auto {
		return nil
	}
	return &selfplay.AutoResign{Window: f.resignWindow, Every: f.resignEvery,
		Report: func(c selfplay.ResignCalibration, threshold float64) {
			if c.OK {
				fmt.Fprintf(log, "%s\n", c)
				return
			}
			fmt.Fprintf(log, "%s; resignation threshold %.3f\n", c, threshold)
		}}
}

// validateAuto checks the --resign auto flags.
func (f *gameFlags) validateAuto() error {
	if f.resign.auto && (f.resignWindow < 1 || f.resignEvery < 1) {
		return usageError("--resign-window %d and --resign-every %d must be at least 1", f.resignWindow, f.resignEvery)
	}
	return nil
}

// netFlags configure how networks run.
type netFlags struct {
	batch, threads, cache int
	featPlay              int
	backend               backendFlags
	chooser               *backendChooser // made by the first engine call
}

// bind defines the flags; backendName is the name of the backend flag
// ("backend", or "net-backend" in the loop, where training has one).
func (f *netFlags) bind(fs *pflag.FlagSet, backendName string) {
	fs.IntVar(&f.batch, "batch-size", 0, "largest network batch (0: the games played at once)")
	fs.IntVar(&f.threads, "threads", 0, "CPU threads of one network evaluation (0: all cores, as one single-threaded backend per core whose batches run side by side)")
	fs.IntVar(&f.cache, "cache", 1<<15, "positions in the network's evaluation cache")
	fs.IntVar(&f.featPlay, "feature-playouts", 0, fmt.Sprintf("playouts a position behind the playout input planes of v3 networks in the searches, 1..1024 (0: the %d they learnt on); training encodes its examples with %d whatever this is (docs/selfplay.md)", nets.PlayoutsV3, nets.PlayoutsV3))
	f.backend.bind(fs, backendName, precisionReference)
}

// engine returns the network settings; every engine of one netFlags
// shares a backend chooser (one fallback line in all), which logs to log.
func (f *netFlags) engine(log io.Writer) selfplay.Engine {
	threads := f.threads
	if f.chooser == nil {
		f.chooser = f.backend.chooser(log)
	}
	c := f.chooser
	e := selfplay.Engine{
		MaxBatch: f.batch, CacheSize: max(f.cache, 1), FeaturePlayouts: f.featPlay,
		NewBackend: func(w *nets.Weights, maxBatch int) (nets.Backend, error) {
			return c.open(w, maxBatch, threads)
		},
	}
	if threads == 0 { // all cores: one single-threaded backend per core
		e.NewBackends = func(w *nets.Weights, maxBatch int) ([]nets.Backend, error) {
			return c.openPool(w, maxBatch)
		}
	}
	return e
}

// openDir returns a self-play directory with a best network: the one it
// has, or weights (when given) as generation 0.
func openDir(dir, weights string, log io.Writer) (selfplay.Dir, selfplay.Best, error) {
	d := selfplay.Dir(dir)
	best, err := d.ReadBest()
	switch {
	case err == nil:
		if weights != "" {
			fmt.Fprintf(log, "%s already has a best network (%s): --weights %s is not used\n", dir, best.Name, weights)
		}
	case errors.Is(err, selfplay.ErrNoBest) && weights != "":
		var created bool
		if best, created, err = d.Init(weights); err != nil {
			return d, best, err
		}
		if created {
			fmt.Fprintf(log, "%s: %s is generation 0 (%s)\n", dir, weights, best.ID)
		}
	case errors.Is(err, selfplay.ErrNoBest):
		return d, best, usageError("%s has no best network: start it with tengen selfplay or tengen loop --weights W (a start network from tengen net new)", dir)
	default:
		return d, best, err
	}
	return d, best, nil
}

// boardSize returns the size of the best network.
func boardSize(d selfplay.Dir, b selfplay.Best) (int, error) {
	w, err := nets.Load(d.BestWeights(b))
	if err != nil {
		return 0, err
	}
	return w.Spec.BoardSize, nil
}

func runSelfplay(ctx context.Context, e env) error {
	fs := newFlags("selfplay", "--out DIR [--weights W] [--games N] [--parallel G] [flags]", e.stdout)
	out := fs.String("out", "", "self-play directory (shared by every worker; required)")
	weights := fs.String("weights", "", "start network, made generation 0 when DIR has no best network yet")
	games := fs.Int("games", 0, "stop when DIR holds this many games, every worker's counted (0: until interrupted or DIR/stop appears)")
	parallel := fs.Int("parallel", 8, "games played at once, sharing one batcher")
	seed := fs.Uint64("seed", 1, "seed mixed with each game's unique name")
	poll := fs.Duration("poll", 2*time.Second, "how often networks/best and the game count are re-read")
	noSGF := fs.Bool("no-sgf", false, "do not write an SGF file per game")
	quiet := fs.Bool("quiet", false, "no line per game")
	report := fs.Bool("resign-report", false, "print the resignation calibration of DIR's newest --resign-window games (as --resign auto sees it) and exit")
	var gf gameFlags
	gf.bind(fs, "", false)
	var ef netFlags
	ef.bind(fs, "backend")
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return usageError("selfplay: --out DIR is required and no arguments are taken")
	}
	if err := gf.validateAuto(); err != nil {
		return err
	}
	if *report {
		return resignReport(ctx, selfplay.Dir(*out), &gf, e.stdout)
	}
	if err := ef.backend.validate(); err != nil {
		return err
	}
	d, best, err := openDir(*out, *weights, e.stderr)
	if err != nil {
		return err
	}
	size, err := boardSize(d, best)
	if err != nil {
		return err
	}
	cfg := selfplay.DefaultConfig(size)
	cfg.Game = gf.config(size, false, nil)
	cfg.Games, cfg.Parallel, cfg.Seed, cfg.Poll, cfg.SGF = *games, *parallel, *seed, *poll, !*noSGF
	cfg.Engine = ef.engine(e.stderr)
	cfg.AutoResign = gf.autoResign(e.stderr)
	if err := cfg.Validate(); err != nil {
		return usageError("%v", err)
	}
	n, _ := d.CountGames()
	target := "until stopped"
	if *games > 0 {
		target = fmt.Sprintf("until %d games", *games)
	}
	fmt.Fprintf(e.stderr, "self-play in %s: %dx%d, %d games on disk, playing %s, %d at once, %d visits with %s\n",
		*out, size, size, n, target, *parallel, cfg.Game.Visits, best.Name)
	st, err := selfplay.Run(ctx, d, cfg, func(r *selfplay.Record, total selfplay.Stats, onDisk int) {
		if !*quiet {
			fmt.Fprintf(e.stderr, "game %s (%s): %s in %d moves; %d on disk, %.2f games/s, %.1f positions/s, resignation false positives %d/%d\n",
				r.ID, r.Network, r.Result, len(r.Moves), onDisk, total.GamesPerSecond(), total.PositionsPerSecond(), total.FalsePositives, total.WouldResign)
		}
	})
	fmt.Fprintf(e.stderr, "self-play: %s\n", st)
	if err != nil {
		return err
	}
	if ctx.Err() != nil {
		return fmt.Errorf("selfplay: interrupted after %d games (finished games are kept; run again to continue)", st.Games)
	}
	return nil
}

// resignReport prints the resignation calibration of d's newest games,
// reading only.
func resignReport(ctx context.Context, d selfplay.Dir, gf *gameFlags, w io.Writer) error {
	if _, err := os.Stat(d.Games()); err != nil {
		return fmt.Errorf("selfplay: %w", err)
	}
	win := selfplay.ResignWindow{Dir: d, Window: gf.resignWindow}
	games, looked, err := win.Load(ctx)
	if err != nil {
		return err
	}
	rule := selfplay.ResignRule{Moves: gf.resignMoves, MinMove: gf.resignMinMove}
	fmt.Fprintf(w, "%s: the newest %d games, %d of them without resignation; rule: %d searches in a row below the threshold, not before move %s\n",
		d, looked, len(games), max(rule.Moves, 1), map[bool]string{true: "size²/4", false: strconv.Itoa(rule.MinMove)}[rule.MinMove == 0])
	return selfplay.CalibrateResign(games, rule, 0).WriteTable(w)
}
