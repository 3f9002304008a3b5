package match

import (
	"math"
	"strconv"
	"time"

	"github.com/tengen-go/tengen/board"
)

// Reason says how a game ended.
type Reason string

// Reasons a game ends.
const (
	// ReasonScore: two passes (and, if needed, a cleanup phase), then area
	// scoring.
	ReasonScore Reason = "score"
	// ReasonCap: the move cap was reached; the board was scored by area
	// as it stood.
	ReasonCap Reason = "cap"
	// ReasonResign: the loser resigned.
	ReasonResign Reason = "resign"
	// ReasonIllegal: the loser answered genmove with a move that is
	// illegal under the match rules, or unreadable.
	ReasonIllegal Reason = "illegal"
	// ReasonTimeout: the loser did not answer a command within its hard
	// time-out.
	ReasonTimeout Reason = "timeout"
	// ReasonCrash: the loser's process died or closed its output.
	ReasonCrash Reason = "crash"
	// ReasonError: the loser refused a command it must accept (boardsize,
	// clear_board, play of a legal move, genmove) or broke the protocol.
	ReasonError Reason = "error"
)

// Forfeit reports whether r is a loss by misbehaviour (illegal move,
// time-out, crash, error) rather than by play.
func (r Reason) Forfeit() bool {
	switch r {
	case ReasonIllegal, ReasonTimeout, ReasonCrash, ReasonError:
		return true
	}
	return false
}

// GameResult is the outcome of one game.
type GameResult struct {
	// Game is the 1-based game number.
	Game int
	// BlackA is true when engine A played Black.
	BlackA bool
	// Winner is board.Black, board.White, or board.Empty for a draw.
	Winner board.Color
	// Score is the area score, Black minus White with komi, for games
	// ended by ReasonScore or ReasonCap; 0 otherwise.
	Score float64
	// Moves counts the moves played, passes included (not an illegal move
	// that ended the game).
	Moves int
	// Reason says how the game ended; Detail adds what happened in words
	// (the illegal move, the engine's error, the dead stones).
	Reason Reason
	Detail string
	// SGF is the path of the game record, "" if none was written.
	SGF string
	// Duration is the wall time of the game.
	Duration time.Duration
}

// ScoreA returns engine A's score in the game: 1 for a win, 0.5 for a
// draw, 0 for a loss.
func (r GameResult) ScoreA() float64 {
	switch {
	case r.Winner == board.Empty:
		return 0.5
	case (r.Winner == board.Black) == r.BlackA:
		return 1
	}
	return 0
}

// Margin returns the winning margin in points (|Score|); 0 for games not
// decided by the score.
func (r GameResult) Margin() float64 { return math.Abs(r.Score) }

// SGFResult returns the result as SGF writes it (RE): "B+3.5", "W+R"
// (resignation), "B+T" (time-out), "W+F" (forfeit: illegal move, crash,
// error), "0" (draw).
func (r GameResult) SGFResult() string {
	if r.Winner == board.Empty {
		return "0"
	}
	w := r.Winner.String() + "+"
	switch r.Reason {
	case ReasonScore, ReasonCap:
		return w + strconv.FormatFloat(r.Margin(), 'f', -1, 64)
	case ReasonResign:
		return w + "R"
	case ReasonTimeout:
		return w + "T"
	}
	return w + "F"
}

// Summary totals a match. Add results to the zero value with Add.
type Summary struct {
	// NameA and NameB are the engines' names (Engine.Name, or what they
	// answered to "name" and "version"); Run sets them.
	NameA, NameB        string
	Games               int // games played
	WinsA, WinsB, Draws int
	WinsBlack           int // games won by Black (either engine)
	WinsWhite           int
	ForfeitsA           int // games A lost by forfeit (Reason.Forfeit)
	ForfeitsB           int
	// Elo is A's rating over B, with the 95% interval [EloLow, EloHigh]
	// (see the function Elo), updated by Add; all zero before the first
	// game.
	Elo, EloLow, EloHigh float64
	// Results holds every game, in the order added.
	Results []GameResult
	// LLR and SPRT are the sequential test's log likelihood ratio and
	// decision ("H1", "H0", or "" undecided) when Config.SPRT is on.
	LLR  float64
	SPRT string
}

// Add counts r and updates the Elo estimate.
func (s *Summary) Add(r GameResult) {
	s.Games++
	switch r.ScoreA() {
	case 1:
		s.WinsA++
	case 0:
		s.WinsB++
	default:
		s.Draws++
	}
	switch r.Winner {
	case board.Black:
		s.WinsBlack++
	case board.White:
		s.WinsWhite++
	}
	if r.Reason.Forfeit() {
		if r.ScoreA() == 0 {
			s.ForfeitsA++
		} else {
			s.ForfeitsB++
		}
	}
	s.Results = append(s.Results, r)
	s.Elo, s.EloLow, s.EloHigh = Elo(s.WinsA, s.WinsB, s.Draws)
}

// Score returns A's score fraction: (wins + draws/2) / games, or 0.5
// before any game.
func (s *Summary) Score() float64 {
	if s.Games == 0 {
		return 0.5
	}
	return (float64(s.WinsA) + 0.5*float64(s.Draws)) / float64(s.Games)
}

// z95 is the two-sided 95% quantile of the standard normal distribution.
const z95 = 1.959963984540054

// EloFromScore converts an expected score in [0, 1] into an Elo
// difference: -400*log10(1/s - 1); -Inf at 0 and +Inf at 1.
func EloFromScore(s float64) float64 {
	switch {
	case s <= 0:
		return math.Inf(-1)
	case s >= 1:
		return math.Inf(1)
	}
	if s == 0.5 {
		return 0 // not -0
	}
	return -400 * math.Log10(1/s-1)
}

// Elo rates a player who won wins, lost losses and drew draws games
// against one opponent. diff is EloFromScore of the score fraction (a
// draw counts half); [low, high] is the 95% Wilson score interval of the
// fraction, converted the same way. The Wilson interval stays inside
// (0, 1) unless the fraction is 0 or 1, so a player who won every game
// gets diff = high = +Inf and a finite lower bound low (and the mirror
// image for one who lost every game). Counting a draw as half a win of
// one game makes the interval a little wider than the draws warrant. With
// no games, diff is 0 and the interval is (-Inf, +Inf). Negative counts
// are treated as zero.
func Elo(wins, losses, draws int) (diff, low, high float64) {
	wins, losses, draws = max(wins, 0), max(losses, 0), max(draws, 0)
	n := float64(wins + losses + draws)
	if n == 0 {
		return 0, math.Inf(-1), math.Inf(1)
	}
	p := (float64(wins) + 0.5*float64(draws)) / n
	lo, hi := wilson(p, n, z95)
	return EloFromScore(p), EloFromScore(lo), EloFromScore(hi)
}

// wilson returns the Wilson score interval of a proportion p observed
// in n trials, at the normal quantile z.
func wilson(p, n, z float64) (lo, hi float64) {
	z2n := z * z / n
	centre := (p + z2n/2) / (1 + z2n)
	half := z * math.Sqrt(p*(1-p)/n+z2n/(4*n)) / (1 + z2n)
	lo, hi = centre-half, centre+half
	// Exact at the ends: rounding must not turn a bound into 0 or 1.
	if p == 0 {
		lo = 0
	}
	if p == 1 {
		hi = 1
	}
	return max(lo, 0), min(hi, 1)
}
