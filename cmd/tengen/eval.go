package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/tengen-go/tengen/dataset"
	"github.com/tengen-go/tengen/internal/movepred"
	"github.com/tengen-go/tengen/nets"
)

func init() {
	register(command{name: "eval", summary: "move prediction: top-1/3/5 of a network on SGF games", run: runEval})
}

func runEval(ctx context.Context, e env) error {
	fs := newFlags("eval", "[--sgf PATH]... [PATH...] [--list FILE] [--weights W]... [--symmetries 1|8] [--max-games N] [--json] [--positions-out F.jsonl]", e.stdout)
	var sgfs, weights []string
	fs.StringArrayVar(&sgfs, "sgf", nil, "SGF file, directory or archive (repeatable; positional paths too)")
	list := fs.String("list", "", "evaluate only the games named in this file (one game ID per line, e.g. validation.txt)")
	fs.StringArrayVar(&weights, "weights", nil, "network weights file (repeat for several board sizes); default: the embedded networks")
	syms := fs.Int("symmetries", 1, "1, or 8 to average the policy and value over the board symmetries")
	maxGames := fs.Int("max-games", 0, "stop after this many games, in path order (0: all)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	positionsOut := fs.String("positions-out", "", "write one JSON line per ranked position to this file")
	batch := fs.Int("batch", 32, "largest network batch")
	workers := fs.Int("workers", 0, "goroutines encoding and evaluating positions, one in flight each (default 2 x batch)")
	threads := fs.Int("threads", 0, "threads of the network backend (0: one single-threaded backend per core, running batches side by side)")
	final := fs.Bool("final", false, "measure ownership and score against the count of games played to a counted end (on by default for networks with an ownership or score head)")
	finalLead := fs.Int("final-lead", 40, "with --final: measure the position this many moves before the end")
	baseline := fs.Int("baseline-playouts", 100, "with --final: light playouts of the playout baseline (board ownership; 0: none)")
	valuePlayouts := fs.Int("value-playouts", 0, "light playouts per position of a playout value baseline per bucket (0: none; slow)")
	finalPlayouts := fs.Int("final-playouts", dataset.DefaultFinalConfig().Playouts, "heavy playouts that judge dead stones when counting final positions")
	featPlay := fs.Int("feature-playouts", 0, fmt.Sprintf("playouts a position behind the playout input planes of v3 networks, 1..1024 (0: the %d they learnt on)", nets.PlayoutsV3))
	quiet := fs.Bool("quiet", false, "no progress on stderr")
	var bf backendFlags
	bf.bind(fs, "backend", precisionReference)
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	paths := append(sgfs, fs.Args()...)
	if len(paths) == 0 {
		return usageError("eval: no SGF path given (--sgf PATH or positional paths)")
	}
	cfg := movepred.Config{Paths: paths, Symmetries: *syms, MaxGames: *maxGames, MaxBatch: *batch, Workers: *workers,
		Final: *final, FinalLead: *finalLead, BaselinePlayouts: *baseline, ValuePlayouts: *valuePlayouts,
		FinalConfig: dataset.FinalConfig{Playouts: *finalPlayouts}, Seed: 1, FeaturePlayouts: *featPlay}
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return usageError("eval: %v", err)
	}
	if *threads < 0 {
		return usageError("eval: --threads %d < 0", *threads)
	}
	if *finalPlayouts < 1 {
		return usageError("eval: --final-playouts %d < 1", *finalPlayouts)
	}
	if err := bf.validate(); err != nil {
		return err
	}
	if *list != "" {
		only, err := readGameList(*list)
		if err != nil {
			return err
		}
		cfg.Only = only
	}
	ws, err := loadNetworks(weights, e.stderr)
	if err != nil {
		return err
	}
	for _, w := range ws {
		if (w.Spec.HasOwnership() || w.Spec.HasScore()) && !fs.Changed("final") {
			cfg.Final = true
		}
	}
	var pools [][]nets.Backend // one per network
	defer func() {
		for _, p := range pools {
			closeAll(p)
		}
	}()
	chooser := bf.chooser(e.stderr)
	for _, w := range ws {
		var bes []nets.Backend
		var err error
		if *threads == 0 { // one single-threaded backend per core
			bes, err = chooser.openPool(w, cfg.MaxBatch)
		} else {
			var be nets.Backend
			be, err = chooser.open(w, cfg.MaxBatch, *threads)
			bes = []nets.Backend{be}
		}
		if err != nil {
			return fmt.Errorf("eval: %dx%d network: %w", w.Spec.BoardSize, w.Spec.BoardSize, err)
		}
		pools = append(pools, bes)
	}

	if *positionsOut != "" {
		f, err := os.Create(*positionsOut)
		if err != nil {
			return fmt.Errorf("eval: %w", err)
		}
		defer f.Close()
		bw := bufio.NewWriter(f)
		enc := json.NewEncoder(bw)
		cfg.Positions = func(p *movepred.Position) error { return enc.Encode(p) }
		defer func() {
			if err := bw.Flush(); err != nil {
				fmt.Fprintf(e.stderr, "tengen: eval: %s: %v\n", *positionsOut, err)
			}
		}()
	}
	var last time.Time
	progress := false
	// On a terminal one line redrawn twice a second; into a log file a
	// line every 30 seconds.
	tty := isTerminal(e.stderr)
	every, format := 30*time.Second, "eval: %d games, %d positions, %.0f positions/s, top-1 %.1f%%, top-5 %.1f%%, %d errors\n"
	if tty {
		every, format = 500*time.Millisecond, "\reval: %d games, %d positions, %.0f positions/s, top-1 %.1f%%, top-5 %.1f%%, %d errors   "
	}
	if !*quiet {
		last = time.Now()
		cfg.Progress = func(r *movepred.Report) {
			if time.Since(last) < every {
				return
			}
			last = time.Now()
			progress = tty
			fmt.Fprintf(e.stderr, format, r.Games, r.Positions, r.PositionsPerS, 100*r.Top1, 100*r.Top5, r.Errors)
		}
	}
	rep, err := movepred.RunPools(ctx, cfg, pools)
	if progress {
		fmt.Fprintln(e.stderr)
	}
	if err != nil {
		return fmt.Errorf("eval: %w", err)
	}
	if !*quiet {
		for _, fe := range rep.ErrorList {
			fmt.Fprintf(e.stderr, "eval: %s: %s\n", fe.Name, fe.Message)
		}
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	printEval(e.stdout, rep)
	return nil
}

// loadNetworks loads the weights files, or the embedded networks when
// none is given, and says on stderr which network serves which size.
func loadNetworks(paths []string, stderr io.Writer) ([]*nets.Weights, error) {
	var ws []*nets.Weights
	sizes := map[int]string{}
	for _, p := range paths {
		w, err := nets.Load(p)
		if err != nil {
			return nil, err
		}
		size := w.Spec.BoardSize
		if prev, dup := sizes[size]; dup {
			return nil, usageError("two networks for %dx%d: %s and %s", size, size, prev, p)
		}
		sizes[size] = p
		ws = append(ws, w)
		fmt.Fprintf(stderr, "tengen: %dx%d network %s from %s\n", size, size, w.Spec.Name, p)
	}
	if len(paths) == 0 {
		var err error
		if ws, err = embeddedNets(); err != nil {
			return nil, err
		}
		for _, w := range ws {
			fmt.Fprintf(stderr, "tengen: %dx%d network %s (embedded)\n", w.Spec.BoardSize, w.Spec.BoardSize, w.Spec.Name)
		}
	}
	if len(ws) == 0 {
		return nil, usageError("no network: give --weights (no network is embedded in this binary)")
	}
	return ws, nil
}

// readGameList reads one game ID per line (blank lines ignored).
func readGameList(path string) (map[string]bool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	only := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		if id := strings.TrimSpace(line); id != "" {
			only[id] = true
		}
	}
	return only, nil
}

func printEval(w io.Writer, r *movepred.Report) {
	fmt.Fprintf(w, "games %d (skipped %d: no network for their size), files %d, errors %d\n", r.Games, r.SkippedGames, r.Files, r.Errors)
	if r.ListMissing > 0 {
		fmt.Fprintf(w, "listed games not found: %d\n", r.ListMissing)
	}
	fmt.Fprintf(w, "positions %d ranked among legal points, %d passes not ranked, %d symmetr%s\n", r.Positions, r.Passes, r.Symmetries, map[bool]string{true: "y", false: "ies"}[r.Symmetries == 1])
	fmt.Fprintln(w)
	pct := func(v float64, ci movepred.Interval) string {
		return fmt.Sprintf("%5.1f%% [%4.1f, %4.1f]", 100*v, 100*ci[0], 100*ci[1])
	}
	fmt.Fprintf(w, "%-8s %9s  %-20s  %-20s  %-20s\n", "moves", "positions", "top-1 [95% CI]", "top-3", "top-5")
	row := func(name string, a movepred.Accuracy) {
		fmt.Fprintf(w, "%-8s %9d  %-20s  %-20s  %-20s\n", name, a.Positions, pct(a.Top1, a.Top1CI), pct(a.Top3, a.Top3CI), pct(a.Top5, a.Top5CI))
	}
	for _, b := range r.Buckets {
		row(b.Moves, b.Accuracy)
	}
	row("all", r.Accuracy)
	fmt.Fprintf(w, "\nchance top-1 (a random legal point): %.2f%%\n", 100*r.ChanceTop1)
	fmt.Fprintf(w, "value: sign accuracy %s on %d positions of decided games; MSE %.4f on %d\n",
		pct(r.ValueAccuracy, r.ValueAccuracyCI), r.ValuePositions, r.ValueMSE, r.MSEPositions)
	for _, b := range r.Buckets {
		fmt.Fprintf(w, "  moves %-8s sign accuracy %s on %d, MSE %.4f", b.Moves, pct(b.ValueAccuracy, b.ValueAccuracyCI), b.ValuePositions, b.ValueMSE)
		if b.PlayoutValueAccuracy != nil {
			fmt.Fprintf(w, "; playouts %5.1f%%", 100*(*b.PlayoutValueAccuracy))
		}
		if b.PlayoutValueMSE != nil {
			fmt.Fprintf(w, ", MSE %.4f", *b.PlayoutValueMSE)
		}
		printHeadSigns(w, b.Signs)
	}
	for _, b := range r.ValueByEnd {
		if b.ValuePositions == 0 {
			continue
		}
		fmt.Fprintf(w, "  %-6s games, %-5s moves before the end: sign accuracy %s on %d", b.End, b.Before, pct(b.ValueAccuracy, b.ValueAccuracyCI), b.ValuePositions)
		printHeadSigns(w, b.Signs)
	}
	if r.FinalLead > 0 {
		fmt.Fprintf(w, "final (%d moves before the end of %d counted games, %d points with an owner; %d games whose count contradicted their result left out):\n",
			r.FinalLead, r.FinalGames, r.OwnershipPoints, r.FinalClashes)
		opt := func(v *float64, format string, scale float64) string {
			if v == nil {
				return "-"
			}
			return fmt.Sprintf(format, scale*(*v))
		}
		fmt.Fprintf(w, "  network: ownership accuracy %s, score MAE %s\n", opt(r.OwnershipAccuracy, "%.1f%%", 100), opt(r.ScoreMAE, "%.2f", 1))
		if r.BaselinePlayouts > 0 {
			fmt.Fprintf(w, "  playouts (%d): ownership accuracy %s, score MAE %s\n", r.BaselinePlayouts,
				opt(r.PlayoutOwnershipAccuracy, "%.1f%%", 100), opt(r.PlayoutScoreMAE, "%.2f", 1))
		}
	}
	fmt.Fprintf(w, "speed: %.1f positions/s (%d network evaluations in %.1f s, mean batch %.1f)\n",
		r.PositionsPerS, r.Evaluations, r.Seconds, r.MeanBatch)
}

// printHeadSigns ends a value line with the score head's and the
// ownership count's sign accuracies, where the network has those heads.
func printHeadSigns(w io.Writer, s movepred.Signs) {
	if s.ScoreSignAccuracy != nil {
		fmt.Fprintf(w, "; score head's sign %5.1f%%", 100*(*s.ScoreSignAccuracy))
	}
	if s.OwnershipSignAccuracy != nil {
		fmt.Fprintf(w, "; ownership count's sign %5.1f%%", 100*(*s.OwnershipSignAccuracy))
	}
	fmt.Fprintln(w)
}
