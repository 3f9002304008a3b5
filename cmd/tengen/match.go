package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	iofs "io/fs"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/match"
)

func init() {
	register(command{name: "match", summary: "play engine-vs-engine games over GTP and rate them in Elo", run: runMatch})
}

// matchReport is what "tengen match --json" prints; its form is stable.
// Infinite Elo values (one engine won every game) are null.
type matchReport struct {
	EngineA   string       `json:"engine_a"` // names
	EngineB   string       `json:"engine_b"`
	CommandA  string       `json:"command_a"`
	CommandB  string       `json:"command_b"`
	Games     int          `json:"games"`
	WinsA     int          `json:"wins_a"`
	WinsB     int          `json:"wins_b"`
	Draws     int          `json:"draws"`
	WinsBlack int          `json:"wins_black"`
	WinsWhite int          `json:"wins_white"`
	ForfeitsA int          `json:"forfeits_a"` // games lost by illegal move, time-out, crash, error
	ForfeitsB int          `json:"forfeits_b"`
	Score     float64      `json:"score"` // A's score fraction, a draw counting half
	Elo       *float64     `json:"elo"`   // A over B
	EloLow    *float64     `json:"elo_low"`
	EloHigh   *float64     `json:"elo_high"`
	Results   []gameReport `json:"results"`
	// With --sprt: the test's log likelihood ratio and decision ("H1":
	// A is at least ELO1 better, "H0": at most ELO0; "" undecided).
	LLR  *float64 `json:"llr,omitempty"`
	SPRT *string  `json:"sprt,omitempty"`
}

type gameReport struct {
	Game    int     `json:"game"`
	Black   string  `json:"black"`  // "A" or "B"
	White   string  `json:"white"`  // "A" or "B"
	Winner  string  `json:"winner"` // "A", "B" or "" for a draw
	Result  string  `json:"result"` // "B+3.5", "W+R", "W+T", "B+F", "0"
	Score   float64 `json:"score"`  // Black minus White, komi included (score and cap only)
	Margin  float64 `json:"margin"`
	Moves   int     `json:"moves"`
	Reason  string  `json:"reason"` // score, cap, resign, illegal, timeout, crash, error
	Detail  string  `json:"detail,omitempty"`
	SGF     string  `json:"sgf,omitempty"`
	Seconds float64 `json:"seconds"`
}

func runMatch(ctx context.Context, e env) error {
	fs := newFlags("match", "(--black CMD --white CMD | --engine CMD --opponent CMD) [flags]\n       tengen match --resume DIR [flags]", e.stdout)
	black := fs.String("black", "", "engine A's command line; A plays Black in every game")
	white := fs.String("white", "", "engine B's command line; B plays White in every game")
	engine := fs.String("engine", "", "engine A's command line (the engine under test); colours alternate")
	opponent := fs.String("opponent", "", "engine B's command line; colours alternate")
	games := fs.Int("games", 2, "games to play")
	size := fs.Int("size", 19, "board size")
	komi := fs.Float64("komi", 7.5, "komi")
	rules := fs.String("rules", "chinese", "rules refereeing legality: chinese/tromp-taylor (positional superko), aga/nz (situational), japanese (simple ko); scoring is by area")
	moveTime := fs.String("time", "0", `seconds per move ("5", "2.5", "500ms"), sent as time_settings 0 T 1; the hard time-out is 3*T+1s; 0: no time settings`)
	moveTimeout := fs.Duration("move-timeout", 0, "hard time-out of a genmove (0: from --time, or 60s)")
	sgfDir := fs.String("sgf-dir", "", "record the match in `DIR`: game-NNNN.sgf per game, results.jsonl (one line per finished game) and match.json (the settings), so that --resume DIR can continue it")
	resume := fs.String("resume", "", "continue the interrupted match recorded in `DIR` (a former --sgf-dir) with its saved settings: finished games are counted, the next game number follows; match flags given with it must agree with DIR/match.json, except that --games may be raised to extend the match and --move-timeout may change")
	seed := fs.Uint64("seed", 0, "seed of the random opening moves")
	openings := fs.Int("openings", 0, "random opening moves played by the referee for both sides (same for both games of a colour-swapped pair)")
	maxMoves := fs.Int("max-moves", 0, "move cap; the board is then scored as it stands (0: 3*size*size)")
	asJSON := fs.Bool("json", false, "print one JSON object")
	engineStderr := fs.Bool("engine-stderr", false, "copy the engines' standard error to ours")
	quiet := fs.Bool("quiet", false, "no line per game on standard error")
	sprt := fs.String("sprt", "", "`ELO0,ELO1`: stop as soon as a sequential probability ratio test (alpha = beta = 0.05) accepts H0 (A is at most ELO0 Elo above B) or H1 (at least ELO1); --games is then the most played")
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageError("match: unexpected arguments %q", fs.Args())
	}
	resuming := *resume != ""
	// given reports whether a setting comes from its flag: always for a
	// new match, only when the flag is given for a resumed one.
	given := func(name string) bool { return !resuming || fs.Changed(name) }
	c := match.DefaultConfig()
	var saved match.Config
	if resuming {
		if fs.Changed("sgf-dir") && !samePath(*sgfDir, *resume) {
			return usageError("match: --sgf-dir %s and --resume %s name different directories", *sgfDir, *resume)
		}
		var err error
		if saved, err = match.LoadConfig(*resume); err != nil {
			if errors.Is(err, iofs.ErrNotExist) {
				return usageError("%v", err)
			}
			return err
		}
		c = saved
	}
	fixed := fs.Changed("black") || fs.Changed("white")
	alternate := fs.Changed("engine") || fs.Changed("opponent")
	switch {
	case fixed && alternate:
		return usageError("match: give either --black and --white, or --engine and --opponent")
	case resuming:
		// Engines not given are the saved ones.
	case *black != "" && *white != "" && *engine == "" && *opponent == "":
	case *engine != "" && *opponent != "" && *black == "" && *white == "":
	default:
		return usageError("match: give either --black and --white, or --engine and --opponent (or --resume DIR)")
	}
	cmdA := match.JoinCommand(append([]string{c.A.GTP.Path}, c.A.GTP.Args...)...)
	cmdB := match.JoinCommand(append([]string{c.B.GTP.Path}, c.B.GTP.Args...)...)
	for _, f := range []struct {
		flag  string
		value string
		label string
		cmd   *string
		eng   *match.Engine
	}{{"black", *black, "A", &cmdA, &c.A}, {"white", *white, "B", &cmdB, &c.B}, {"engine", *engine, "A", &cmdA, &c.A}, {"opponent", *opponent, "B", &cmdB, &c.B}} {
		if !fs.Changed(f.flag) {
			continue
		}
		en, err := match.EngineFromCommand(f.value)
		if err != nil {
			return usageError("match: engine %s: %v", f.label, err)
		}
		en.Name = f.eng.Name // only a saved match has one
		*f.eng, *f.cmd = en, f.value
	}
	if fixed || alternate {
		c.Alternate = alternate
	}
	if *engineStderr {
		c.A.GTP.Stderr, c.B.GTP.Stderr = e.stderr, e.stderr
	}
	var err error
	if given("rules") {
		if c.Rules, err = board.RulesByName(*rules); err != nil {
			return usageError("match: %v", err)
		}
	}
	if given("time") {
		if c.MoveTime, err = parseSeconds(*moveTime); err != nil {
			return usageError("match: --time: %v", err)
		}
	}
	for _, f := range []struct {
		flag string
		set  func()
	}{
		{"games", func() { c.Games = *games }},
		{"size", func() { c.Size = *size }},
		{"komi", func() { c.Komi = *komi }},
		{"move-timeout", func() { c.MoveTimeout = *moveTimeout }},
		{"seed", func() { c.Seed = *seed }},
		{"openings", func() { c.Openings = *openings }},
		{"max-moves", func() { c.MaxMoves = *maxMoves }},
	} {
		if given(f.flag) {
			f.set()
		}
	}
	if !resuming {
		c.SGFDir = *sgfDir
	}
	if *sprt != "" {
		var e0, e1 float64
		if _, err := fmt.Sscanf(*sprt, "%g,%g", &e0, &e1); err != nil || !(e1 > e0) {
			return usageError("match: --sprt %q: want ELO0,ELO1 with ELO1 > ELO0, e.g. 0,50", *sprt)
		}
		c.SPRT = match.SPRT{Elo0: e0, Elo1: e1}
	}
	if err := c.Validate(); err != nil {
		return usageError("%v", err)
	}
	if resuming {
		if err := c.CheckResume(saved); err != nil {
			return usageError("%v", err)
		}
		done, err := match.ReadResults(c.SGFDir)
		if err != nil {
			return err
		}
		if !*quiet {
			state := ""
			if len(done) == c.Games {
				state = " (finished)"
			}
			fmt.Fprintf(e.stderr, "match: resuming %s: %d of %d games recorded%s\n", c.SGFDir, len(done), c.Games, state)
		}
	} else if c.SGFDir != "" {
		if _, err := os.Stat(filepath.Join(c.SGFDir, match.ConfigFile)); err == nil {
			return usageError("match: %s already holds a match (continue it with --resume %s, or record this one in another --sgf-dir)", c.SGFDir, c.SGFDir)
		}
	}
	progress := func(r match.GameResult) {
		if !*quiet {
			fmt.Fprintf(e.stderr, "game %d/%d: %s\n", r.Game, c.Games, describeGame(r))
		}
	}
	sum, runErr := match.Run(ctx, c, progress)
	if sum.Games > 0 || runErr == nil {
		rep := newMatchReport(sum, cmdA, cmdB)
		if *asJSON {
			enc := json.NewEncoder(e.stdout)
			enc.SetIndent("", "  ")
			if err := enc.Encode(rep); err != nil {
				return err
			}
		} else {
			printMatchReport(e.stdout, rep)
		}
	}
	if runErr != nil && c.SGFDir != "" && ctx.Err() != nil {
		return fmt.Errorf("%w (continue with: tengen match --resume %s)", runErr, c.SGFDir)
	}
	return runErr
}

// samePath reports whether two paths name the same directory: the same
// file, or the same absolute path when one does not exist.
func samePath(a, b string) bool {
	ia, errA := os.Stat(a)
	ib, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(ia, ib)
	}
	absA, errA := filepath.Abs(a)
	absB, errB := filepath.Abs(b)
	return errA == nil && errB == nil && absA == absB
}

// parseSeconds reads a number of seconds ("5", "2.5") or a Go duration
// ("500ms", "1m").
func parseSeconds(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		if f < 0 || math.IsNaN(f) || f > 1e9 {
			return 0, fmt.Errorf("bad time %q", s)
		}
		return time.Duration(f * float64(time.Second)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad time %q: want seconds or a duration such as 500ms", s)
	}
	return d, nil
}

func labels(r match.GameResult) (black, white string) {
	if r.BlackA {
		return "A", "B"
	}
	return "B", "A"
}

func winnerLabel(r match.GameResult) string {
	switch r.ScoreA() {
	case 1:
		return "A"
	case 0:
		return "B"
	}
	return ""
}

func describeGame(r match.GameResult) string {
	b, w := labels(r)
	s := fmt.Sprintf("black %s, white %s: %s (%s, %d moves, %.1fs)", b, w, r.SGFResult(), r.Reason, r.Moves, r.Duration.Seconds())
	if r.Reason.Forfeit() && r.Detail != "" {
		s += ": " + r.Detail
	}
	return s
}

func finite(f float64) *float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return nil
	}
	return &f
}

func newMatchReport(s match.Summary, cmdA, cmdB string) matchReport {
	rep := matchReport{
		EngineA: s.NameA, EngineB: s.NameB, CommandA: cmdA, CommandB: cmdB,
		Games: s.Games, WinsA: s.WinsA, WinsB: s.WinsB, Draws: s.Draws,
		WinsBlack: s.WinsBlack, WinsWhite: s.WinsWhite,
		ForfeitsA: s.ForfeitsA, ForfeitsB: s.ForfeitsB,
		Score: s.Score(), Elo: finite(s.Elo), EloLow: finite(s.EloLow), EloHigh: finite(s.EloHigh),
		Results: []gameReport{},
	}
	if s.SPRT != "" || s.LLR != 0 {
		llr, dec := math.Round(s.LLR*1000)/1000, s.SPRT
		rep.LLR, rep.SPRT = &llr, &dec
	}
	for _, r := range s.Results {
		b, w := labels(r)
		rep.Results = append(rep.Results, gameReport{
			Game: r.Game, Black: b, White: w, Winner: winnerLabel(r), Result: r.SGFResult(),
			Score: r.Score, Margin: r.Margin(), Moves: r.Moves, Reason: string(r.Reason),
			Detail: r.Detail, SGF: r.SGF, Seconds: math.Round(r.Duration.Seconds()*1000) / 1000,
		})
	}
	return rep
}

// eloText describes the Elo estimate and its interval, with a bound
// when one engine won every game.
func eloText(rep matchReport) string {
	sign := func(p *float64) string { return fmt.Sprintf("%+.1f", *p) }
	switch {
	case rep.Games == 0:
		return "no games"
	case rep.Elo != nil:
		return fmt.Sprintf("%s (95%%: %s .. %s)", sign(rep.Elo), sign(rep.EloLow), sign(rep.EloHigh))
	case rep.EloLow != nil:
		return fmt.Sprintf("> %s (95%% lower bound; A won every game)", sign(rep.EloLow))
	case rep.EloHigh != nil:
		return fmt.Sprintf("< %s (95%% upper bound; B won every game)", sign(rep.EloHigh))
	}
	return "undefined"
}

func printMatchReport(w io.Writer, rep matchReport) {
	fmt.Fprintf(w, "A  %s  (%s)\n", rep.EngineA, rep.CommandA)
	fmt.Fprintf(w, "B  %s  (%s)\n", rep.EngineB, rep.CommandB)
	fmt.Fprintf(w, "games     %d: A %d, B %d, draws %d (A scores %.1f%%)\n", rep.Games, rep.WinsA, rep.WinsB, rep.Draws, 100*rep.Score)
	fmt.Fprintf(w, "colours   Black %d, White %d\n", rep.WinsBlack, rep.WinsWhite)
	fmt.Fprintf(w, "forfeits  A %d, B %d\n", rep.ForfeitsA, rep.ForfeitsB)
	fmt.Fprintf(w, "Elo A-B   %s\n", eloText(rep))
	if rep.LLR != nil {
		dec := *rep.SPRT
		if dec == "" {
			dec = "undecided"
		}
		fmt.Fprintf(w, "SPRT      LLR %.3f: %s\n", *rep.LLR, dec)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "game\tblack\twhite\tresult\twinner\tmargin\tmoves\treason\t")
	for _, r := range rep.Results {
		winner := r.Winner
		if winner == "" {
			winner = "draw"
		}
		margin := "-"
		if r.Reason == string(match.ReasonScore) || r.Reason == string(match.ReasonCap) {
			margin = strconv.FormatFloat(r.Margin, 'f', 1, 64)
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%d\t%s\t\n", r.Game, r.Black, r.White, r.Result, winner, margin, r.Moves, r.Reason)
	}
	tw.Flush()
}
