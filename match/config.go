package match

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/gtp"
)

// Defaults used when the corresponding Config field is zero.
const (
	// DefaultMoveTimeout is the hard time-out of a genmove when
	// Config.MoveTime is zero (no time control sent).
	DefaultMoveTimeout = 60 * time.Second
	// DefaultCommandTimeout bounds every command other than genmove.
	DefaultCommandTimeout = 30 * time.Second
	// moveTimeoutSlack is added to MoveTimeoutFactor*MoveTime for the
	// default hard time-out (process start-up, scheduling).
	moveTimeoutSlack = time.Second
)

// MoveTimeoutFactor times Config.MoveTime (plus a second) is the default
// hard time-out of a genmove.
const MoveTimeoutFactor = 3

// Engine is one side of a match.
type Engine struct {
	// Name is shown in reports and SGF records; "" means the engine's own
	// GTP name and version.
	Name string
	// GTP says how to start the engine.
	GTP gtp.Config
}

// Config describes a match. Zero durations and MaxMoves mean the
// defaults documented on each field.
type Config struct {
	// A is the engine under test, B its opponent.
	A, B Engine
	// Games is the number of games to play (at least 1).
	Games int
	// Alternate makes colours alternate, A playing Black in games 1, 3,
	// 5, ...; otherwise A plays Black in every game.
	Alternate bool

	// Size is the board size (board.MinSize to board.MaxSize).
	Size int
	// Komi is given to White; any finite value.
	Komi float64
	// Rules referee the games (legality; scoring is always by area).
	Rules board.Rules

	// MoveTime, when positive, is sent as "time_settings 0 T 1" (byo-yomi
	// of T seconds a move, rounded up to whole seconds).
	MoveTime time.Duration
	// MoveTimeout is the hard limit on one genmove: an engine that has not
	// answered by then loses the game and is restarted. Zero means
	// MoveTimeoutFactor*MoveTime + 1s, or DefaultMoveTimeout without
	// MoveTime.
	MoveTimeout time.Duration
	// CommandTimeout is the hard limit on every other command (setup,
	// play, final_status_list); zero means DefaultCommandTimeout.
	CommandTimeout time.Duration

	// MaxMoves caps the moves of a game (passes included) before the
	// cleanup phase; zero means 3*Size*Size.
	MaxMoves int
	// Openings is the number of random opening moves the referee plays
	// for both sides (sent to both engines with play); 0 for none.
	Openings int
	// Seed seeds the opening moves: the same seed gives the same openings.
	// With Alternate, both games of a pair (1-2, 3-4, ...) share one.
	Seed uint64

	// SGFDir, when not "", is the match directory (created if missing):
	// it receives DIR/game-NNNN.sgf for every game, DIR/results.jsonl
	// (one line per finished game) and DIR/match.json (this Config), all
	// written atomically, which make the match resumable (see Resume). A
	// new match replaces the files of the same names.
	SGFDir string
	// Resume continues the match recorded in SGFDir (required) instead of
	// starting a new one: the games in its results file are counted, not
	// replayed, and play goes on from the next game number. The Config
	// must agree with DIR/match.json (see CheckResume); Games may be
	// raised to extend the match.
	Resume bool

	// SPRT, when set (Elo1 > Elo0), ends the match early once a
	// sequential probability ratio test decides between H0 (A is Elo0
	// above B) and H1 (Elo1 above) at error rates Alpha and Beta (0:
	// 0.05); Games is then the most it plays.
	SPRT SPRT
}

// SPRT is a sequential probability ratio test on A's results (Bernoulli,
// a draw counting half a win and half a loss), as Fishtest and Leela
// Zero's gating use it.
type SPRT struct {
	Elo0, Elo1  float64
	Alpha, Beta float64
}

// On reports whether the test is set.
func (t SPRT) On() bool { return t.Elo1 > t.Elo0 }

// LLR is the log likelihood ratio of H1 against H0 after wins, losses and
// draws.
func (t SPRT) LLR(wins, losses, draws int) float64 {
	p0, p1 := ScoreFromElo(t.Elo0), ScoreFromElo(t.Elo1)
	w, l := float64(wins)+float64(draws)/2, float64(losses)+float64(draws)/2
	return w*math.Log(p1/p0) + l*math.Log((1-p1)/(1-p0))
}

// Bounds returns the LLR bounds: at or below lower H0 is accepted, at or
// above upper H1.
func (t SPRT) Bounds() (lower, upper float64) {
	a, b := t.Alpha, t.Beta
	if a == 0 {
		a = 0.05
	}
	if b == 0 {
		b = 0.05
	}
	return math.Log(b / (1 - a)), math.Log((1 - b) / a)
}

// Decide returns "H1" or "H0" when the test has decided, else "".
func (t SPRT) Decide(wins, losses, draws int) string {
	if !t.On() {
		return ""
	}
	lower, upper := t.Bounds()
	switch llr := t.LLR(wins, losses, draws); {
	case llr >= upper:
		return "H1"
	case llr <= lower:
		return "H0"
	}
	return ""
}

// ScoreFromElo is the expected score of a player rated elo above the
// opponent: the inverse of EloFromScore.
func ScoreFromElo(elo float64) float64 { return 1 / (1 + math.Pow(10, -elo/400)) }

// DefaultConfig returns a Config for a 19x19 match of two games with
// alternating colours, komi 7.5 and Chinese rules. A and B must be set.
func DefaultConfig() Config {
	return Config{
		Games:     2,
		Alternate: true,
		Size:      19,
		Komi:      7.5,
		Rules:     board.DefaultRules(),
	}
}

// Validate reports whether c describes a match that can be played
// (engine programs are checked only when started).
func (c Config) Validate() error {
	var errs []error
	if err := c.A.GTP.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("engine A: %w", err))
	}
	if err := c.B.GTP.Validate(); err != nil {
		errs = append(errs, fmt.Errorf("engine B: %w", err))
	}
	if c.Games < 1 {
		errs = append(errs, fmt.Errorf("games %d < 1", c.Games))
	}
	if c.Size < board.MinSize || c.Size > board.MaxSize {
		errs = append(errs, fmt.Errorf("size %d out of range %d..%d", c.Size, board.MinSize, board.MaxSize))
	}
	if math.IsNaN(c.Komi) || math.IsInf(c.Komi, 0) {
		errs = append(errs, fmt.Errorf("bad komi %v", c.Komi))
	}
	if c.MoveTime < 0 || c.MoveTimeout < 0 || c.CommandTimeout < 0 {
		errs = append(errs, errors.New("negative time"))
	}
	if c.MaxMoves < 0 {
		errs = append(errs, fmt.Errorf("max moves %d < 0", c.MaxMoves))
	}
	if c.Openings < 0 {
		errs = append(errs, fmt.Errorf("openings %d < 0", c.Openings))
	}
	if c.Resume && c.SGFDir == "" {
		errs = append(errs, errors.New("resume without a match directory (SGFDir)"))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("match: %w", err)
	}
	return nil
}

// blackA reports whether engine A plays Black in game n (1-based).
func (c *Config) blackA(n int) bool { return !c.Alternate || n%2 == 1 }

// moveTimeout returns the hard time-out of a genmove.
func (c *Config) moveTimeout() time.Duration {
	switch {
	case c.MoveTimeout > 0:
		return c.MoveTimeout
	case c.MoveTime > 0:
		return MoveTimeoutFactor*c.MoveTime + moveTimeoutSlack
	}
	return DefaultMoveTimeout
}

func (c *Config) commandTimeout() time.Duration {
	if c.CommandTimeout > 0 {
		return c.CommandTimeout
	}
	return DefaultCommandTimeout
}

func (c *Config) maxMoves() int {
	if c.MaxMoves > 0 {
		return c.MaxMoves
	}
	return 3 * c.Size * c.Size
}

// byoyomiSeconds is MoveTime in whole seconds, rounded up, at least 1.
func (c *Config) byoyomiSeconds() int {
	s := int((c.MoveTime + time.Second - 1) / time.Second)
	return max(s, 1)
}

// ErrCommandLine is wrapped by SplitCommand's errors.
var ErrCommandLine = errors.New("match: bad command line")

// SplitCommand splits a command line into words the way a POSIX shell
// does, without expansions: words are separated by unquoted blanks (space,
// tab, newline); inside '...' every character is literal; inside "..." a
// backslash escapes only $, `, ", \ and newline; outside quotes a
// backslash makes the next character literal. It returns an error wrapping
// ErrCommandLine for an unterminated quote or a trailing backslash.
func SplitCommand(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(line); i++ {
		ch := line[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		case ch == '\\':
			if i+1 >= len(line) {
				return nil, fmt.Errorf("%w: trailing backslash in %q", ErrCommandLine, line)
			}
			i++
			if line[i] != '\n' { // backslash-newline joins lines
				cur.WriteByte(line[i])
			}
			inWord = true
		case ch == '\'':
			j := strings.IndexByte(line[i+1:], '\'')
			if j < 0 {
				return nil, fmt.Errorf("%w: unterminated ' in %q", ErrCommandLine, line)
			}
			cur.WriteString(line[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case ch == '"':
			i++
			for ; i < len(line) && line[i] != '"'; i++ {
				if line[i] == '\\' && i+1 < len(line) && strings.IndexByte("$`\"\\\n", line[i+1]) >= 0 {
					i++
					if line[i] == '\n' {
						continue
					}
				}
				cur.WriteByte(line[i])
			}
			if i >= len(line) {
				return nil, fmt.Errorf("%w: unterminated \" in %q", ErrCommandLine, line)
			}
			inWord = true
		default:
			cur.WriteByte(ch)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// JoinCommand returns a command line that SplitCommand splits into words:
// a word made only of letters, digits and the characters _-./:=,+@% is
// written as it is, any other (the empty word included) between single
// quotes, where a single quote in the word closes the quotes, is written
// with a backslash and reopens them.
func JoinCommand(words ...string) string {
	quoted := make([]string, len(words))
	for i, w := range words {
		if w != "" && strings.Trim(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=,+@%") == "" {
			quoted[i] = w
			continue
		}
		quoted[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(quoted, " ")
}

// EngineFromCommand returns an Engine that runs the command line (split
// by SplitCommand; the first word is the program). It fails for an empty
// line or bad quoting.
func EngineFromCommand(line string) (Engine, error) {
	words, err := SplitCommand(line)
	if err != nil {
		return Engine{}, err
	}
	if len(words) == 0 {
		return Engine{}, fmt.Errorf("%w: empty command", ErrCommandLine)
	}
	return Engine{GTP: gtp.Config{Path: words[0], Args: words[1:]}}, nil
}
