package match

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/internal/atomicfile"
)

// Files of a match directory (Config.SGFDir) besides the game records.
const (
	// ConfigFile holds the match's Config as JSON (see LoadConfig).
	ConfigFile = "match.json"
	// ResultsFile holds one JSON object per finished game, one a line, in
	// game order (see ReadResults).
	ResultsFile = "results.jsonl"
)

// configVersion is the version of ConfigFile's form.
const configVersion = 1

// ErrMismatch is wrapped by the errors of a resume whose Config disagrees
// with the match directory's.
var ErrMismatch = errors.New("match: settings disagree with the match being resumed")

// savedConfig is ConfigFile's form. Engines are saved as command lines
// (JoinCommand); their environment, standard error and quit time-out are
// the caller's business and not saved.
type savedConfig struct {
	Version        int         `json:"version"`
	A              savedEngine `json:"engine_a"`
	B              savedEngine `json:"engine_b"`
	Games          int         `json:"games"`
	Alternate      bool        `json:"alternate"`
	Size           int         `json:"size"`
	Komi           float64     `json:"komi"`
	Rules          string      `json:"rules"`
	Ko             string      `json:"ko"`
	MoveTime       string      `json:"move_time"` // Go durations: "1.5s"; "0s" for none
	MoveTimeout    string      `json:"move_timeout"`
	CommandTimeout string      `json:"command_timeout"`
	MaxMoves       int         `json:"max_moves"`
	Openings       int         `json:"openings"`
	Seed           uint64      `json:"seed"`
}

type savedEngine struct {
	Name    string `json:"name,omitempty"`
	Command string `json:"command"`
	Dir     string `json:"dir,omitempty"`
}

func saveEngine(e Engine) savedEngine {
	return savedEngine{Name: e.Name, Command: JoinCommand(append([]string{e.GTP.Path}, e.GTP.Args...)...), Dir: e.GTP.Dir}
}

func (s savedEngine) engine() (Engine, error) {
	e, err := EngineFromCommand(s.Command)
	e.Name, e.GTP.Dir = s.Name, s.Dir
	return e, err
}

// writeConfig writes c to dir/ConfigFile atomically.
func writeConfig(dir string, c *Config) error {
	s := savedConfig{
		Version: configVersion,
		A:       saveEngine(c.A), B: saveEngine(c.B),
		Games: c.Games, Alternate: c.Alternate,
		Size: c.Size, Komi: c.Komi, Rules: c.Rules.Name, Ko: c.Rules.Ko.String(),
		MoveTime: c.MoveTime.String(), MoveTimeout: c.MoveTimeout.String(), CommandTimeout: c.CommandTimeout.String(),
		MaxMoves: c.MaxMoves, Openings: c.Openings, Seed: c.Seed,
	}
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return fmt.Errorf("match: %w", err)
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, ConfigFile), append(data, '\n')); err != nil {
		return fmt.Errorf("match: %w", err)
	}
	return nil
}

// LoadConfig reads the Config of the match in dir (DIR/match.json, as
// written by Run) and returns it with SGFDir = dir and Resume set, ready
// for Run to continue the match. The engines run with the caller's
// environment. An error wraps fs.ErrNotExist when dir holds no match.
func LoadConfig(dir string) (Config, error) {
	path := filepath.Join(dir, ConfigFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("match: no match to resume: %w", err)
	}
	var s savedConfig
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return Config{}, fmt.Errorf("match: %s: %w", path, err)
	}
	if s.Version != configVersion {
		return Config{}, fmt.Errorf("match: %s: version %d; this tengen reads version %d", path, s.Version, configVersion)
	}
	c := Config{Games: s.Games, Alternate: s.Alternate, Size: s.Size, Komi: s.Komi,
		MaxMoves: s.MaxMoves, Openings: s.Openings, Seed: s.Seed, SGFDir: dir, Resume: true}
	var errs []error
	if c.A, err = s.A.engine(); err != nil {
		errs = append(errs, fmt.Errorf("engine A: %w", err))
	}
	if c.B, err = s.B.engine(); err != nil {
		errs = append(errs, fmt.Errorf("engine B: %w", err))
	}
	c.Rules.Name = s.Rules
	switch s.Ko {
	case board.KoSimple.String():
		c.Rules.Ko = board.KoSimple
	case board.KoPositional.String():
		c.Rules.Ko = board.KoPositional
	case board.KoSituational.String():
		c.Rules.Ko = board.KoSituational
	default:
		errs = append(errs, fmt.Errorf("unknown ko rule %q", s.Ko))
	}
	for _, d := range []struct {
		p    *time.Duration
		s    string
		name string
	}{{&c.MoveTime, s.MoveTime, "move_time"}, {&c.MoveTimeout, s.MoveTimeout, "move_timeout"}, {&c.CommandTimeout, s.CommandTimeout, "command_timeout"}} {
		if *d.p, err = time.ParseDuration(d.s); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.name, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Config{}, fmt.Errorf("match: %s: %w", path, err)
	}
	if err := c.Validate(); err != nil {
		return Config{}, fmt.Errorf("%w (in %s)", err, path)
	}
	return c, nil
}

// CheckResume reports whether c may continue the match saved with the
// Config saved (as LoadConfig returns it): the engines (name, program,
// arguments, working directory), colours, board size, komi, rules, move
// time, move cap, openings and seed must be the same, and c.Games at least
// saved.Games. The hard time-outs (MoveTimeout, CommandTimeout) may
// differ, as may what is not saved (the engines' environment, standard
// error and quit time-out). The error wraps ErrMismatch and names every
// difference.
func (c Config) CheckResume(saved Config) error {
	var diffs []string
	differ := func(what string, given, was any) {
		diffs = append(diffs, fmt.Sprintf("%s %v differs from %s's %v", what, given, ConfigFile, was))
	}
	for _, e := range []struct {
		label      string
		given, was Engine
	}{{"A", c.A, saved.A}, {"B", c.B, saved.B}} {
		g, w := e.given, e.was
		if g.GTP.Path != w.GTP.Path || !slices.Equal(g.GTP.Args, w.GTP.Args) {
			differ("engine "+e.label+" command", strconv.Quote(JoinCommand(append([]string{g.GTP.Path}, g.GTP.Args...)...)),
				strconv.Quote(JoinCommand(append([]string{w.GTP.Path}, w.GTP.Args...)...)))
		}
		if g.Name != w.Name {
			differ("engine "+e.label+" name", strconv.Quote(g.Name), strconv.Quote(w.Name))
		}
		if g.GTP.Dir != w.GTP.Dir {
			differ("engine "+e.label+" directory", strconv.Quote(g.GTP.Dir), strconv.Quote(w.GTP.Dir))
		}
	}
	if c.Games < saved.Games {
		diffs = append(diffs, fmt.Sprintf("games %d < %s's %d (a match can be extended, not shortened)", c.Games, ConfigFile, saved.Games))
	}
	if c.Alternate != saved.Alternate {
		colours := map[bool]string{true: "alternating", false: "fixed (A Black)"}
		differ("colours", colours[c.Alternate], colours[saved.Alternate])
	}
	if c.Size != saved.Size {
		differ("board size", c.Size, saved.Size)
	}
	if c.Komi != saved.Komi {
		differ("komi", c.Komi, saved.Komi)
	}
	if !strings.EqualFold(c.Rules.Name, saved.Rules.Name) || c.Rules.Ko != saved.Rules.Ko {
		differ("rules", fmt.Sprintf("%s (%s ko)", c.Rules.Name, c.Rules.Ko), fmt.Sprintf("%s (%s ko)", saved.Rules.Name, saved.Rules.Ko))
	}
	if c.MoveTime != saved.MoveTime {
		differ("move time", c.MoveTime, saved.MoveTime)
	}
	if c.MaxMoves != saved.MaxMoves {
		differ("move cap", c.MaxMoves, saved.MaxMoves)
	}
	if c.Openings != saved.Openings {
		differ("openings", c.Openings, saved.Openings)
	}
	if c.Seed != saved.Seed {
		differ("seed", c.Seed, saved.Seed)
	}
	if len(diffs) > 0 {
		return fmt.Errorf("%w in %s: %s", ErrMismatch, saved.SGFDir, strings.Join(diffs, "; "))
	}
	return nil
}

// resultLine is one line of ResultsFile.
type resultLine struct {
	Game    int     `json:"game"`
	BlackA  bool    `json:"black_a"`
	Winner  string  `json:"winner"` // "B", "W", "" for a draw
	Result  string  `json:"result"` // as SGF's RE; for people, not read back
	Score   float64 `json:"score"`
	Moves   int     `json:"moves"`
	Reason  Reason  `json:"reason"`
	Detail  string  `json:"detail,omitempty"`
	SGF     string  `json:"sgf,omitempty"` // the record's name in the directory
	Seconds float64 `json:"seconds"`
	NameA   string  `json:"name_a"` // the engines' names in this game
	NameB   string  `json:"name_b"`
}

func newResultLine(r GameResult, nameA, nameB string) resultLine {
	l := resultLine{
		Game: r.Game, BlackA: r.BlackA, Result: r.SGFResult(), Score: r.Score, Moves: r.Moves,
		Reason: r.Reason, Detail: r.Detail, Seconds: r.Duration.Seconds(), NameA: nameA, NameB: nameB,
	}
	if r.Winner != board.Empty {
		l.Winner = r.Winner.String()
	}
	if r.SGF != "" {
		l.SGF = filepath.Base(r.SGF)
	}
	return l
}

// result returns the line's GameResult, its SGF path in dir.
func (l *resultLine) result(dir string) (GameResult, error) {
	r := GameResult{Game: l.Game, BlackA: l.BlackA, Score: l.Score, Moves: l.Moves, Reason: l.Reason, Detail: l.Detail,
		Duration: time.Duration(l.Seconds * float64(time.Second))}
	switch l.Winner {
	case "B":
		r.Winner = board.Black
	case "W":
		r.Winner = board.White
	case "":
	default:
		return r, fmt.Errorf("bad winner %q", l.Winner)
	}
	switch l.Reason {
	case ReasonScore, ReasonCap, ReasonResign, ReasonIllegal, ReasonTimeout, ReasonCrash, ReasonError:
	default:
		return r, fmt.Errorf("unknown reason %q", l.Reason)
	}
	if l.Game < 1 || l.Moves < 0 || l.Seconds < 0 {
		return r, errors.New("bad game, moves or seconds")
	}
	if l.SGF != "" {
		r.SGF = filepath.Join(dir, l.SGF)
	}
	return r, nil
}

// readResults reads dir's ResultsFile: the games in order (game 1, 2,
// ...) and each one's line. A last line that cannot be read (cut short
// by a crash) is left out, and dropped reports it; any other bad line is
// an error. A missing file holds no games.
func readResults(dir string) (games []GameResult, lines []resultLine, dropped bool, err error) {
	path := filepath.Join(dir, ResultsFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("match: %w", err)
	}
	text := strings.Split(string(data), "\n")
	last := len(text) - 1
	for last >= 0 && strings.TrimSpace(text[last]) == "" {
		last--
	}
	for i, s := range text[:last+1] {
		if strings.TrimSpace(s) == "" {
			continue
		}
		var l resultLine
		err := json.Unmarshal([]byte(s), &l)
		var r GameResult
		if err == nil {
			r, err = l.result(dir)
		}
		if err == nil && l.Game != len(games)+1 {
			err = fmt.Errorf("game %d; want game %d", l.Game, len(games)+1)
		}
		if err != nil {
			if i == last {
				return games, lines, true, nil
			}
			return nil, nil, false, fmt.Errorf("match: %s line %d: %w", path, i+1, err)
		}
		games, lines = append(games, r), append(lines, l)
	}
	return games, lines, false, nil
}

// ReadResults returns the finished games of the match in dir, in order,
// from its results file (none if there is none). A damaged last line (a
// crash while it was written) is left out: that game counts as not
// played.
func ReadResults(dir string) ([]GameResult, error) {
	games, _, _, err := readResults(dir)
	return games, err
}

// writeResults writes lines to dir/ResultsFile atomically.
func writeResults(dir string, lines []resultLine) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for _, l := range lines {
		if err := enc.Encode(l); err != nil {
			return fmt.Errorf("match: %w", err)
		}
	}
	if err := atomicfile.WriteBytes(filepath.Join(dir, ResultsFile), buf.Bytes()); err != nil {
		return fmt.Errorf("match: %w", err)
	}
	return nil
}

// startDir makes dir the record of a new match c: an empty results file,
// then the configuration.
func startDir(c *Config) error {
	if err := os.MkdirAll(c.SGFDir, 0o755); err != nil {
		return fmt.Errorf("match: %w", err)
	}
	if err := writeResults(c.SGFDir, nil); err != nil {
		return err
	}
	return writeConfig(c.SGFDir, c)
}

// resumeDir prepares c.SGFDir to continue the match c: it checks c
// against the saved configuration and the results against c's colours,
// drops a damaged last results line, removes the records of games
// without a result (interrupted) and temporary files left by a crash,
// and saves c when it extends the match or changes its time-outs. It
// returns the finished games and their lines.
func resumeDir(c *Config) ([]GameResult, []resultLine, error) {
	dir := c.SGFDir
	saved, err := LoadConfig(dir)
	if err != nil {
		return nil, nil, err
	}
	if err := c.CheckResume(saved); err != nil {
		return nil, nil, err
	}
	games, lines, dropped, err := readResults(dir)
	if err != nil {
		return nil, nil, err
	}
	if len(games) > saved.Games {
		return nil, nil, fmt.Errorf("match: %s: %s holds %d games, more than the %d of %s", dir, ResultsFile, len(games), saved.Games, ConfigFile)
	}
	for _, r := range games {
		if r.BlackA != c.blackA(r.Game) {
			return nil, nil, fmt.Errorf("%w in %s: %s says A played %s in game %d, not as the colours of %s have it",
				ErrMismatch, dir, ResultsFile, map[bool]string{true: "Black", false: "White"}[r.BlackA], r.Game, ConfigFile)
		}
	}
	if dropped {
		if err := writeResults(dir, lines); err != nil {
			return nil, nil, err
		}
	}
	if err := discardUnfinished(dir, len(games)); err != nil {
		return nil, nil, err
	}
	if c.Games != saved.Games || c.MoveTimeout != saved.MoveTimeout || c.CommandTimeout != saved.CommandTimeout {
		if err := writeConfig(dir, c); err != nil {
			return nil, nil, err
		}
	}
	return games, lines, nil
}

// discardUnfinished removes from dir the records game-NNNN.sgf of games
// after the first done (games interrupted, or left from another match)
// and the temporary files of the match's atomic writes.
func discardUnfinished(dir string, done int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("match: %w", err)
	}
	for _, e := range entries {
		name := e.Name()
		remove := false
		if atomicfile.IsTemp(name) {
			base := strings.TrimPrefix(name, ".")
			remove = strings.HasPrefix(base, "game-") || strings.HasPrefix(base, ResultsFile+".") || strings.HasPrefix(base, ConfigFile+".")
		} else if num, ok := strings.CutPrefix(name, "game-"); ok && strings.HasSuffix(num, ".sgf") && !e.IsDir() {
			n, err := strconv.Atoi(strings.TrimSuffix(num, ".sgf"))
			remove = err == nil && n > done
		}
		if remove {
			if err := os.Remove(filepath.Join(dir, name)); err != nil {
				return fmt.Errorf("match: discard an unfinished game: %w", err)
			}
		}
	}
	return nil
}
