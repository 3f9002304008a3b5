package selfplay

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/internal/movepred"
	"github.com/tengen-go/tengen/mcts"
)

// ResignRule is the resignation rule of GameConfig without its threshold:
// a side resigns when its winrate stays below the threshold for Moves of
// its searches in a row, not before move MinMove (0: a quarter of the
// board's points). The game loop and the replay on recorded games
// (Record.ResignAt) use the same rule (mcts.Resigner).
type ResignRule struct {
	Moves, MinMove int
}

// ResignRule returns c's resignation rule.
func (c GameConfig) ResignRule() ResignRule {
	return ResignRule{Moves: c.ResignMoves, MinMove: c.ResignMinMove}
}

// resigner returns the rule at threshold for a size x size game.
func (r ResignRule) resigner(threshold float64, size int) *mcts.Resigner {
	minMove := r.MinMove
	if minMove == 0 {
		minMove = size * size / 4
	}
	return &mcts.Resigner{Threshold: threshold, Moves: r.Moves, MinMove: minMove}
}

// ResignAt replays rule at threshold on the recorded winrates of r's
// movers and returns, for Black and White, the 1-based move number at
// which each side's rule first fires (0: never). The game loop applies
// the rule to the same recorded (rounded) winrates, so for a game played
// with resignation disabled it equals WouldResign at the threshold the
// game was played with; moves after the first side fires are still
// replayed, as such a game played on.
func (r *Record) ResignAt(rule ResignRule, threshold float64) [2]int {
	rs := [2]*mcts.Resigner{rule.resigner(threshold, r.Size), rule.resigner(threshold, r.Size)}
	var at [2]int
	for i, m := range r.Moves {
		side := int(m.Color - board.Black)
		if side < 0 || side > 1 {
			continue
		}
		if rs[side].Observe(m.Winrate, i+1) && at[side] == 0 {
			at[side] = i + 1
		}
	}
	return at
}

// resignOutcome reads a game's firing moves (WouldResign or ResignAt):
// whether a side's rule fired, and whether that was a false positive (the
// first side to fire, the one that would have resigned, did not lose).
func resignOutcome(at [2]int, winner board.Color) (would, falsePositive bool) {
	b, w := at[0], at[1]
	var c board.Color
	switch {
	case b > 0 && (w == 0 || b <= w):
		c = board.Black
	case w > 0:
		c = board.White
	default:
		return false, false
	}
	return true, winner != c.Opponent()
}

// Resignation calibration (CalibrateResign).
const (
	// ResignMinGames is the fewest would-resign games a threshold needs
	// to be chosen.
	ResignMinGames = 100
	// ResignMaxUpper is the default bound on the Wilson 95% upper bound
	// of the false-positive rate.
	ResignMaxUpper = 0.10
)

// ResignThresholds returns the thresholds CalibrateResign tries, in
// increasing order: 0.005 to 0.30 in steps of 0.005.
func ResignThresholds() []float64 {
	ts := make([]float64, 60)
	for i := range ts {
		ts[i] = float64(5*(i+1)) / 1000
	}
	return ts
}

// ResignRow is the resignation rule at one threshold replayed on games
// played without resignation.
type ResignRow struct {
	Threshold float64
	// Games are the would-resign games (a side's rule fired), and
	// FalsePositives those the first side to fire did not lose (a win or
	// a draw); Rate is their share, Low and High its Wilson 95% interval
	// ([0, 1] without games).
	Games, FalsePositives int
	Rate, Low, High       float64
}

// ResignCalibration is CalibrateResign's result.
type ResignCalibration struct {
	// NoResign is the number of games played without resignation that
	// were replayed (the others are not used).
	NoResign int
	// MaxUpper is the bound on the false-positive rate's upper bound.
	MaxUpper float64
	// OK: a threshold was chosen, Threshold, with its row in Chosen.
	// Without, Enough tells whether any threshold had ResignMinGames
	// would-resign games (then none was safe) or not (not enough data);
	// the caller keeps its threshold.
	OK, Enough bool
	Threshold  float64
	Chosen     ResignRow
	// Rows are every threshold tried (ResignThresholds), increasing.
	Rows []ResignRow
}

// CalibrateResign chooses a resignation threshold from the games played
// with resignation disabled (Record.NoResign; the others are ignored): at
// each threshold of ResignThresholds the rule is replayed on the movers'
// recorded winrates (Record.ResignAt); a game counts as would-resign when
// a side's rule fired, and as a false positive when the first side to
// fire, the one that would have resigned, did not lose. The chosen
// threshold is the largest with at least ResignMinGames would-resign
// games whose false-positive rate has a Wilson 95% upper bound at most
// maxUpper (0: ResignMaxUpper).
func CalibrateResign(games []*Record, rule ResignRule, maxUpper float64) ResignCalibration {
	if maxUpper <= 0 {
		maxUpper = ResignMaxUpper
	}
	c := ResignCalibration{MaxUpper: maxUpper}
	ts := ResignThresholds()
	c.Rows = make([]ResignRow, len(ts))
	for i, t := range ts {
		c.Rows[i].Threshold = t
	}
	for _, r := range games {
		if !r.NoResign {
			continue
		}
		c.NoResign++
		for i, t := range ts {
			would, fp := resignOutcome(r.ResignAt(rule, t), r.Winner)
			if would {
				c.Rows[i].Games++
			}
			if fp {
				c.Rows[i].FalsePositives++
			}
		}
	}
	for i := range c.Rows {
		row := &c.Rows[i]
		if row.Games > 0 {
			row.Rate = float64(row.FalsePositives) / float64(row.Games)
		}
		ci := movepred.Wilson(row.FalsePositives, row.Games, movepred.Z95)
		row.Low, row.High = ci[0], ci[1]
		if row.Games < ResignMinGames {
			continue
		}
		c.Enough = true
		if row.High <= maxUpper {
			c.OK, c.Threshold, c.Chosen = true, row.Threshold, *row
		}
	}
	return c
}

// String is a one-line summary.
func (c ResignCalibration) String() string {
	switch {
	case c.OK:
		r := c.Chosen
		return fmt.Sprintf("resignation threshold %.3f: false positives %d of %d would-resign games (%.1f%%, 95%% interval %.1f%%-%.1f%%, at most %.0f%%) in %d games without resignation",
			r.Threshold, r.FalsePositives, r.Games, 100*r.Rate, 100*r.Low, 100*r.High, 100*c.MaxUpper, c.NoResign)
	case c.Enough:
		return fmt.Sprintf("resignation calibration: no threshold keeps the false positives' 95%% upper bound at most %.0f%% in %d games without resignation",
			100*c.MaxUpper, c.NoResign)
	}
	most := 0
	if len(c.Rows) > 0 {
		most = c.Rows[len(c.Rows)-1].Games
	}
	return fmt.Sprintf("resignation calibration: not enough data: %d games without resignation, at most %d would-resign games (%d needed)",
		c.NoResign, most, ResignMinGames)
}

// WriteTable writes the summary and a row per threshold with any
// would-resign game, leaving out a row with the same counts as the one
// before unless it is the chosen or the last.
func (c ResignCalibration) WriteTable(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, c.String())
	fmt.Fprintf(bw, "%9s %6s %6s %7s %16s\n", "threshold", "games", "fp", "rate", "95% interval")
	for i, r := range c.Rows {
		chosen := c.OK && r.Threshold == c.Threshold
		same := i > 0 && r.Games == c.Rows[i-1].Games && r.FalsePositives == c.Rows[i-1].FalsePositives
		if r.Games == 0 || same && !chosen && i < len(c.Rows)-1 {
			continue
		}
		mark := ""
		switch {
		case chosen:
			mark = "  <- chosen"
		case r.Games < ResignMinGames:
			mark = "  (too few)"
		case r.High > c.MaxUpper:
			mark = "  (unsafe)"
		}
		fmt.Fprintf(bw, "%9.3f %6d %6d %6.1f%% %6.1f%% - %5.1f%%%s\n",
			r.Threshold, r.Games, r.FalsePositives, 100*r.Rate, 100*r.Low, 100*r.High, mark)
	}
	return bw.Flush()
}

// ResignWindow reads the games played without resignation among a
// directory's newest games, for CalibrateResign. Chunks are written once
// and never changed, so it remembers what it read and a later Load reads
// only new files. It keeps of each game only what the replay needs (no
// visit distributions). Not safe for concurrent use.
type ResignWindow struct {
	Dir Dir
	// Window is how many of the newest games are looked at (<= 0: all).
	Window int

	seen map[string]resignFile
}

// resignFile is what one chunk holds for calibration.
type resignFile struct {
	games    int       // games in the chunk
	noResign []*Record // those played without resignation
}

// Load returns the games played without resignation among the newest
// Window games (unreadable chunks skipped), and how many games were
// looked at.
func (w *ResignWindow) Load(ctx context.Context) (games []*Record, looked int, err error) {
	files, err := w.Dir.ListGames()
	if err != nil {
		return nil, 0, err
	}
	seen := make(map[string]resignFile, len(w.seen))
	for _, f := range files {
		if w.Window > 0 && looked >= w.Window {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, 0, err
		}
		path := f.Path(w.Dir)
		rf, ok := w.seen[path]
		if !ok {
			if rf, ok = readResignFile(path); !ok {
				continue // unreadable now; tried again next time
			}
		}
		seen[path] = rf
		looked += rf.games
		games = append(games, rf.noResign...)
	}
	w.seen = seen
	return games, looked, nil
}

// readResignFile reads a chunk's games played without resignation.
func readResignFile(path string) (resignFile, bool) {
	f, err := os.Open(path)
	if err != nil {
		return resignFile{}, false
	}
	defer f.Close()
	recs, err := ReadChunk(bufio.NewReader(f))
	if err != nil {
		return resignFile{}, false
	}
	rf := resignFile{games: len(recs)}
	for _, r := range recs {
		if !r.NoResign {
			continue
		}
		for i := range r.Moves {
			r.Moves[i].Dist = nil
		}
		r.Owner = nil
		rf.noResign = append(rf.noResign, r)
	}
	return rf, true
}
