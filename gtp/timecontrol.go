package gtp

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// TimeSystem is a kind of time control.
type TimeSystem uint8

// Time systems.
const (
	// NoTime: no time limit (also what a controller that never sends time
	// settings, such as Sabaki, gets).
	NoTime TimeSystem = iota
	// Absolute: Main for the whole game.
	Absolute
	// Byoyomi (Japanese): Main, then Periods periods of Period each; a move
	// made within a period keeps it.
	Byoyomi
	// Canadian: Main, then Stones moves in each Period.
	Canadian
)

func (t TimeSystem) String() string {
	switch t {
	case NoTime:
		return "none"
	case Absolute:
		return "absolute"
	case Byoyomi:
		return "byoyomi"
	case Canadian:
		return "canadian"
	}
	return fmt.Sprintf("TimeSystem(%d)", uint8(t))
}

// TimeControl is the time limit of a game, for each player.
type TimeControl struct {
	System  TimeSystem
	Main    time.Duration
	Period  time.Duration // byo-yomi period, Canadian overtime block
	Periods int           // byo-yomi periods
	Stones  int           // Canadian stones per block
}

// Clock is one player's time left.
type Clock struct {
	// Main is the main time left.
	Main time.Duration
	// Period is the time left in the current byo-yomi period or Canadian
	// block once Main is spent.
	Period time.Duration
	// Periods is the number of byo-yomi periods left (the current one
	// included); Stones the moves still to make in the current Canadian
	// block.
	Periods int
	Stones  int
}

// ErrTimeSettings is wrapped by errors of malformed time settings.
var ErrTimeSettings = errors.New("bad time settings")

// parseSeconds reads a non-negative number of seconds (GTP sends
// integers; fractions are accepted).
func parseSeconds(s string) (time.Duration, error) {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || f < 0 || f > 1e9 {
		return 0, fmt.Errorf("%w: %q is not a time in seconds", ErrTimeSettings, s)
	}
	return time.Duration(f * float64(time.Second)), nil
}

func parseCount(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 1e6 {
		return 0, fmt.Errorf("%w: %q is not a count", ErrTimeSettings, s)
	}
	return n, nil
}

// ParseTimeSettings reads the arguments of GTP time_settings: main time,
// byo-yomi time and byo-yomi stones, in Canadian form. Byo-yomi time 0
// means absolute time; stones 0 with byo-yomi time > 0 means no time
// limit (GTP 2, 6.3.9).
func ParseTimeSettings(args []string) (TimeControl, error) {
	if len(args) != 3 {
		return TimeControl{}, fmt.Errorf("%w: want main_time byo_yomi_time byo_yomi_stones", ErrTimeSettings)
	}
	main, err := parseSeconds(args[0])
	if err != nil {
		return TimeControl{}, err
	}
	byo, err := parseSeconds(args[1])
	if err != nil {
		return TimeControl{}, err
	}
	stones, err := parseCount(args[2])
	if err != nil {
		return TimeControl{}, err
	}
	switch {
	case byo == 0:
		return TimeControl{System: Absolute, Main: main}, nil
	case stones == 0:
		return TimeControl{System: NoTime}, nil
	}
	return TimeControl{System: Canadian, Main: main, Period: byo, Stones: stones}, nil
}

// ParseKGSTimeSettings reads the arguments of kgs-time_settings:
// "none", "absolute main", "byoyomi main period periods" or "canadian main
// period stones".
func ParseKGSTimeSettings(args []string) (TimeControl, error) {
	if len(args) == 0 {
		return TimeControl{}, fmt.Errorf("%w: missing system", ErrTimeSettings)
	}
	want := map[string]int{"none": 0, "absolute": 1, "byoyomi": 3, "canadian": 3}
	sys := strings.ToLower(args[0])
	n, ok := want[sys]
	if !ok {
		return TimeControl{}, fmt.Errorf("%w: unknown system %q", ErrTimeSettings, args[0])
	}
	if len(args) != n+1 {
		return TimeControl{}, fmt.Errorf("%w: %s takes %d arguments", ErrTimeSettings, sys, n)
	}
	if sys == "none" {
		return TimeControl{System: NoTime}, nil
	}
	main, err := parseSeconds(args[1])
	if err != nil {
		return TimeControl{}, err
	}
	if sys == "absolute" {
		return TimeControl{System: Absolute, Main: main}, nil
	}
	period, err := parseSeconds(args[2])
	if err != nil {
		return TimeControl{}, err
	}
	count, err := parseCount(args[3])
	if err != nil {
		return TimeControl{}, err
	}
	switch {
	case count == 0 || period == 0:
		return TimeControl{System: Absolute, Main: main}, nil
	case sys == "byoyomi":
		return TimeControl{System: Byoyomi, Main: main, Period: period, Periods: count}, nil
	}
	return TimeControl{System: Canadian, Main: main, Period: period, Stones: count}, nil
}

// NewClock returns a clock at the start of a game under tc.
func (tc TimeControl) NewClock() Clock {
	return Clock{Main: tc.Main, Period: tc.Period, Periods: tc.Periods, Stones: tc.Stones}
}

// ParseTimeLeft reads time_left's "time stones" for a player under tc:
// stones 0 means time is main time left; otherwise time is left in the
// current Canadian block for that many stones, or (byo-yomi, as KGS sends
// it) in the current period with stones periods left.
func (tc TimeControl) ParseTimeLeft(args []string) (Clock, error) {
	if len(args) != 2 {
		return Clock{}, fmt.Errorf("%w: want time stones", ErrTimeSettings)
	}
	t, err := parseSeconds(args[0])
	if err != nil {
		return Clock{}, err
	}
	n, err := parseCount(args[1])
	if err != nil {
		return Clock{}, err
	}
	c := tc.NewClock()
	switch {
	case n == 0:
		c.Main = t
	case tc.System == Byoyomi:
		c.Main, c.Period, c.Periods = 0, t, n
	default:
		c.Main, c.Period, c.Stones = 0, t, n
	}
	return c, nil
}

// Spend takes d of thinking off the clock, moving into overtime as the
// rules say. It reports false when the player has lost on time.
func (tc TimeControl) Spend(c *Clock, d time.Duration) bool {
	switch tc.System {
	case NoTime:
		return true
	case Absolute:
		c.Main -= d
		return c.Main >= 0
	}
	if c.Main > 0 {
		if d <= c.Main {
			c.Main -= d
			return true
		}
		d -= c.Main
		c.Main = 0
		c.Period = tc.Period
		c.Periods, c.Stones = tc.Periods, tc.Stones
	}
	switch tc.System {
	case Byoyomi:
		for d > c.Period {
			d -= c.Period
			c.Periods--
			c.Period = tc.Period
			if c.Periods <= 0 {
				return false
			}
		}
		c.Period = tc.Period // a move within the period keeps it whole
		return true
	default: // Canadian
		c.Period -= d
		if c.Period < 0 {
			return false
		}
		if c.Stones--; c.Stones <= 0 {
			c.Period, c.Stones = tc.Period, tc.Stones
		}
		return true
	}
}

// minBudget is the least time a move gets, even when the clock says less.
const minBudget = 10 * time.Millisecond

// Budget returns the thinking time for the next move of a player with
// clock c, expecting movesLeft more moves of his (see MovesLeft), keeping
// lag in reserve for what a move costs outside the thinking. 0 means no
// limit (NoTime). The budget never loses on time when each move costs at
// most budget + lag: in byo-yomi it is the period minus lag, in a
// Canadian block the time per remaining stone minus lag; in main time it
// is the main time over movesLeft plus what overtime gives for free (the
// whole byo-yomi period, one stone's share of a Canadian block), minus
// lag. Only absolute time can run out, in a game far longer than
// movesLeft foresaw.
func (tc TimeControl) Budget(c Clock, movesLeft int, lag time.Duration) time.Duration {
	if tc.System == NoTime {
		return 0
	}
	movesLeft = max(movesLeft, 1)
	var b time.Duration
	switch {
	case c.Main > 0 || tc.System == Absolute:
		b = c.Main/time.Duration(movesLeft) - lag
		switch tc.System {
		case Byoyomi:
			b += tc.Period
		case Canadian:
			b += tc.Period / time.Duration(max(tc.Stones, 1))
		}
	case tc.System == Byoyomi:
		b = c.Period - lag
	case tc.System == Canadian:
		b = c.Period/time.Duration(max(c.Stones, 1)) - lag
	}
	return max(b, minBudget)
}

// Saves reports whether time a player with clock c leaves unspent on his
// next move is kept for later moves: in main time, absolute time and a
// Canadian block with more stones to play, yes; in a byo-yomi period
// (every move gets the whole period again) or on the last stone of a
// Canadian block, no: there a move that stops before its budget throws
// the rest away (Leela Zero prunes its search early only where time can
// be accumulated, for the same reason). Without time controls, yes (the
// Player's own time keeping decides).
func (tc TimeControl) Saves(c Clock) bool {
	if tc.System == NoTime || tc.System == Absolute || c.Main > 0 {
		return true
	}
	if tc.System == Canadian {
		return c.Stones > 1
	}
	return false
}

// MovesLeft estimates how many more moves a player will make in a game
// with empty empty points on a board of size x size points: a third of
// the empty points, and at least a tenth of the board (the endgame lasts).
func MovesLeft(empty, points int) int {
	return max(empty/3, points/10, 1)
}

// MaxBudget returns the most the next move may take when the position is
// hard (a Player extends its budget when its search is undecided): in
// main time up to three budgets but at most a third of the main time
// left; in byo-yomi periods and Canadian blocks (no main time left) the
// budget itself, which is all that is safe. 0 means no limit (NoTime).
func (tc TimeControl) MaxBudget(c Clock, movesLeft int, lag time.Duration) time.Duration {
	b := tc.Budget(c, movesLeft, lag)
	if b == 0 || c.Main <= 0 {
		return b
	}
	return max(b, min(3*b, c.Main/3-lag))
}
