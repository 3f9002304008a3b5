package match

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/gtp"
)

// Run plays the match c describes and returns its summary. It starts both
// engines (checking that they answer "name"), plays the games one after
// another, calls progress (when not nil) after each game from Run's own
// goroutine, and closes the engines before returning. With c.SGFDir set,
// it records the match there (Config.SGFDir) after each game.
//
// With c.Resume, Run continues the match recorded in c.SGFDir: it refuses
// a Config that disagrees with the saved one (an error wrapping
// ErrMismatch, before anything is changed), counts the games of the
// results file in the summary without replaying them (nor calling
// progress for them), discards the records of games without a result,
// and plays the games after them with the colours and openings of their
// game numbers, as the uninterrupted match would have. When every game
// has been played it returns the summary without starting the engines
// (the names are the ones recorded with the last game).
//
// Engine misbehaviour during a game is a result, not an error: the engine
// loses that game (see Reason) and is restarted if it is no longer
// running. Run returns an error, with the summary of the games finished so
// far, when c is invalid, an engine cannot be started or does not answer
// "name" at start-up, a restart fails, a record cannot be written or read
// back, or ctx ends (the error then wraps ctx.Err()).
func Run(ctx context.Context, c Config, progress func(GameResult)) (Summary, error) {
	var sum Summary
	if err := c.Validate(); err != nil {
		return sum, err
	}
	if _, err := board.NewGame(c.Size, c.Komi, c.Rules); err != nil {
		return sum, fmt.Errorf("match: %w", err)
	}
	var lines []resultLine // of the results file
	if c.Resume {
		done, saved, err := resumeDir(&c)
		if err != nil {
			return sum, err
		}
		for _, r := range done {
			sum.Add(r)
		}
		if sum.sprt(c.SPRT) {
			return sum, nil
		}
		lines = saved
		if len(done) == c.Games {
			if n := len(lines); n > 0 {
				sum.NameA, sum.NameB = lines[n-1].NameA, lines[n-1].NameB
			}
			return sum, nil
		}
	}
	a, err := startEngine(ctx, &c, c.A, "A")
	if err != nil {
		return sum, err
	}
	defer a.client.Close()
	b, err := startEngine(ctx, &c, c.B, "B")
	if err != nil {
		return sum, err
	}
	defer b.client.Close()
	sum.NameA, sum.NameB = a.name, b.name
	if c.SGFDir != "" && !c.Resume {
		if err := startDir(&c); err != nil {
			return sum, err
		}
	}
	for n := len(lines) + 1; n <= c.Games; n++ {
		r, err := playGame(ctx, &c, n, a, b)
		if err != nil {
			return sum, err
		}
		sum.Add(r)
		if c.SGFDir != "" {
			lines = append(lines, newResultLine(r, a.name, b.name))
			if err := writeResults(c.SGFDir, lines); err != nil {
				return sum, err
			}
		}
		if progress != nil {
			progress(r)
		}
		if sum.sprt(c.SPRT) {
			break
		}
	}
	return sum, nil
}

// sprt updates the summary's test and reports whether it has decided.
func (s *Summary) sprt(t SPRT) bool {
	if !t.On() {
		return false
	}
	s.LLR = t.LLR(s.WinsA, s.WinsB, s.Draws)
	s.SPRT = t.Decide(s.WinsA, s.WinsB, s.Draws)
	return s.SPRT != ""
}

// engine is a running engine of the match.
type engine struct {
	label   string // "A" or "B"
	name    string // for reports
	cleanup bool   // lists kgs-genmove_cleanup
	client  *gtp.Client
}

// startEngine starts e and asks its name, version and commands.
func startEngine(ctx context.Context, c *Config, e Engine, label string) (*engine, error) {
	cl, err := gtp.Start(e.GTP)
	if err != nil {
		return nil, fmt.Errorf("match: engine %s: %w", label, err)
	}
	en := &engine{label: label, name: e.Name, client: cl}
	send := func(cmd string) (string, error) {
		cctx, cancel := context.WithTimeout(ctx, c.commandTimeout())
		defer cancel()
		return cl.Send(cctx, cmd)
	}
	name, err := send("name")
	if err != nil {
		cl.Close()
		return nil, fmt.Errorf("match: engine %s (%s): %w", label, e.GTP.Path, err)
	}
	if en.name == "" {
		en.name = name
		if v, err := send("version"); err == nil && v != "" {
			en.name += " " + v
		}
	}
	if list, err := send("list_commands"); err == nil {
		en.cleanup = slices.Contains(strings.Fields(list), "kgs-genmove_cleanup")
	}
	if ctx.Err() != nil {
		cl.Close()
		return nil, fmt.Errorf("match: engine %s: %w", label, ctx.Err())
	}
	return en, nil
}

// forfeit is an engine's loss by misbehaviour or resignation (or, when
// ctx has ended, the interruption of the game).
type forfeit struct {
	loser  board.Color
	reason Reason
	detail string
}

// game is one game in progress.
type game struct {
	c       *Config
	g       *board.Game
	players [3]*engine // indexed by board.Color
	rec     *record
}

// playGame plays game number n (1-based).
func playGame(ctx context.Context, c *Config, n int, a, b *engine) (GameResult, error) {
	start := time.Now()
	blackA := c.blackA(n)
	black, white := a, b
	if !blackA {
		black, white = b, a
	}
	for _, e := range []*engine{black, white} {
		if !e.client.Running() {
			if err := e.client.Restart(); err != nil {
				return GameResult{}, fmt.Errorf("match: game %d: restart engine %s: %w", n, e.label, err)
			}
		}
	}
	bg, err := board.NewGame(c.Size, c.Komi, c.Rules)
	if err != nil {
		return GameResult{}, fmt.Errorf("match: %w", err)
	}
	gm := &game{c: c, g: bg, rec: newRecord(c, n, black.name, white.name)}
	gm.players[board.Black], gm.players[board.White] = black, white

	res := GameResult{Game: n, BlackA: blackA}
	var ff *forfeit
	res.Score, res.Reason, res.Detail, ff = gm.play(ctx, n)
	if ff != nil {
		if err := ctx.Err(); err != nil {
			return GameResult{}, fmt.Errorf("match: game %d: %w", n, err)
		}
		res.Winner, res.Reason, res.Detail = ff.loser.Opponent(), ff.reason, ff.detail
	} else {
		switch {
		case res.Score > 0:
			res.Winner = board.Black
		case res.Score < 0:
			res.Winner = board.White
		}
	}
	res.Moves = bg.MoveNumber()
	res.Duration = time.Since(start)
	if c.SGFDir != "" {
		path, err := gm.rec.write(c.SGFDir, res)
		if err != nil {
			return GameResult{}, err
		}
		res.SGF = path
	}
	return res, nil
}

// play runs the game to its end: by score (ff == nil) or by a forfeit
// or resignation (ff != nil).
func (gm *game) play(ctx context.Context, n int) (score float64, reason Reason, detail string, ff *forfeit) {
	c := gm.c
	if ff := gm.setup(ctx); ff != nil {
		return 0, "", "", ff
	}
	var rng *rand.Rand
	if c.Openings > 0 {
		pair := uint64(n - 1)
		if c.Alternate {
			pair /= 2
		}
		rng = rand.New(rand.NewPCG(c.Seed, pair))
	}
	size := c.Size
	limit := c.maxMoves()
	cleanup := false
	passes := 0
	for {
		if gm.g.MoveNumber() >= limit {
			return gm.g.Score(), ReasonCap, fmt.Sprintf("move cap %d reached", limit), nil
		}
		col := gm.g.ToMove()
		var pt board.Point
		if !cleanup && gm.g.MoveNumber() < c.Openings {
			pt = randomMove(gm.g, col, rng)
			if err := gm.g.Play(col, pt); err != nil { // cannot happen: pt is legal
				panic(err)
			}
			gm.rec.add(col, pt)
			for _, e := range []board.Color{col, col.Opponent()} {
				if ff := gm.send(ctx, e, c.commandTimeout(), "play", colourArg(col), pt.GTP(size)); ff != nil {
					return 0, "", "", ff
				}
			}
		} else {
			var ff *forfeit
			pt, ff = gm.genmove(ctx, col, cleanup)
			if ff != nil {
				return 0, "", "", ff
			}
			if ff := gm.send(ctx, col.Opponent(), c.commandTimeout(), "play", colourArg(col), pt.GTP(size)); ff != nil {
				return 0, "", "", ff
			}
		}
		if pt != board.Pass {
			passes = 0
			continue
		}
		if passes++; passes < 2 {
			continue
		}
		if cleanup {
			return gm.g.Score(), ReasonScore, "scored as it stands after the cleanup phase", nil
		}
		dead, agreed, ff := gm.settle(ctx)
		if ff != nil {
			return 0, "", "", ff
		}
		if agreed {
			pos := *gm.g.Position()
			if err := pos.Place(board.Empty, dead); err != nil { // cannot happen: removing stones
				panic(err)
			}
			b, w := pos.AreaScore()
			gm.rec.dead = dead
			return float64(b-w) - c.Komi, ReasonScore, fmt.Sprintf("dead stones agreed: %d removed", len(dead)), nil
		}
		cleanup, passes = true, 0
		limit = gm.g.MoveNumber() + size*size
		gm.rec.note(fmt.Sprintf("dead stones disputed; cleanup phase from move %d", gm.g.MoveNumber()+1))
	}
}

// setup sends each engine boardsize, clear_board, komi and time_settings.
// An engine found dead at boardsize (it died after the previous game) is
// restarted once. An engine that refuses komi or time_settings keeps
// playing (it just does not know them); one that refuses the board loses.
func (gm *game) setup(ctx context.Context) *forfeit {
	c := gm.c
	for _, col := range []board.Color{board.Black, board.White} {
		t := c.commandTimeout()
		_, err := gm.sendRaw(ctx, col, t, "boardsize", strconv.Itoa(c.Size))
		if errors.Is(err, gtp.ErrDied) || errors.Is(err, gtp.ErrNotRunning) {
			// It died after the last game: restart it once.
			if rerr := gm.players[col].client.Restart(); rerr == nil {
				_, err = gm.sendRaw(ctx, col, t, "boardsize", strconv.Itoa(c.Size))
			}
		}
		if err != nil {
			return gm.classify(ctx, col, err)
		}
		if ff := gm.send(ctx, col, t, "clear_board"); ff != nil {
			return ff
		}
		if ff := gm.sendOptional(ctx, col, t, "komi", strconv.FormatFloat(c.Komi, 'f', -1, 64)); ff != nil {
			return ff
		}
		if c.MoveTime > 0 {
			if ff := gm.sendOptional(ctx, col, t, "time_settings", "0", strconv.Itoa(c.byoyomiSeconds()), "1"); ff != nil {
				return ff
			}
		}
	}
	return nil
}

// genmove asks col's engine for a move and plays it on the referee's
// board. A resignation is a forfeit with ReasonResign.
func (gm *game) genmove(ctx context.Context, col board.Color, cleanup bool) (board.Point, *forfeit) {
	e := gm.players[col]
	cmd := "genmove"
	if cleanup && e.cleanup {
		cmd = "kgs-genmove_cleanup"
	}
	reply, ff := gm.sendReply(ctx, col, gm.c.moveTimeout(), cmd, colourArg(col))
	if ff != nil {
		return board.Pass, ff
	}
	if strings.EqualFold(reply, "resign") {
		gm.rec.note(fmt.Sprintf("%s resigns", col))
		return board.Pass, &forfeit{loser: col, reason: ReasonResign, detail: fmt.Sprintf("%s (%s) resigned", col, e.label)}
	}
	pt, err := board.ParseGTP(reply, gm.c.Size)
	if err == nil {
		err = gm.g.Play(col, pt)
	}
	if err != nil {
		d := fmt.Sprintf("%s (%s) played %q at move %d: %v", col, e.label, reply, gm.g.MoveNumber()+1, err)
		gm.rec.note(d)
		return board.Pass, &forfeit{loser: col, reason: ReasonIllegal, detail: d}
	}
	gm.rec.add(col, pt)
	return pt, nil
}

// settle asks both engines for their dead stones after two passes. agreed
// is true when both answered with the same valid set, dead.
func (gm *game) settle(ctx context.Context) (dead []board.Point, agreed bool, ff *forfeit) {
	var lists [2][]board.Point
	var notes []string
	ok := true
	for i, col := range []board.Color{board.Black, board.White} {
		t := max(gm.c.commandTimeout(), gm.c.moveTimeout())
		reply, err := gm.sendRaw(ctx, col, t, "final_status_list", "dead")
		var ee *gtp.EngineError
		if errors.As(err, &ee) { // no opinion: cleanup decides
			notes = append(notes, fmt.Sprintf("%s: %v", col, err))
			ok = false
			continue
		}
		if err != nil {
			return nil, false, gm.classify(ctx, col, err)
		}
		pts, err := parseDead(gm.g.Position(), reply)
		if err != nil {
			notes = append(notes, fmt.Sprintf("%s: %v", col, err))
			ok = false
			continue
		}
		lists[i] = pts
	}
	if ok && slices.Equal(lists[0], lists[1]) {
		return lists[0], true, nil
	}
	if ok {
		notes = append(notes, fmt.Sprintf("B says %s, W says %s", vertices(lists[0], gm.c.Size), vertices(lists[1], gm.c.Size)))
	}
	gm.rec.note("final_status_list dead: " + strings.Join(notes, "; "))
	return nil, false, nil
}

// parseDead reads a final_status_list reply: vertices separated by white
// space, each one a stone on pos. It returns them sorted, without
// duplicates.
func parseDead(pos *board.Position, reply string) ([]board.Point, error) {
	var pts []board.Point
	for _, f := range strings.Fields(reply) {
		pt, err := board.ParseGTP(f, pos.Size())
		if err != nil || pt == board.Pass {
			return nil, fmt.Errorf("bad vertex %q in final_status_list", f)
		}
		if pos.At(pt) == board.Empty {
			return nil, fmt.Errorf("final_status_list lists %s, which is empty", f)
		}
		pts = append(pts, pt)
	}
	slices.Sort(pts)
	return slices.Compact(pts), nil
}

func vertices(pts []board.Point, size int) string {
	if len(pts) == 0 {
		return "none"
	}
	s := make([]string, len(pts))
	for i, pt := range pts {
		s[i] = pt.GTP(size)
	}
	return strings.Join(s, " ")
}

// send sends a command to col's engine; any failure forfeits.
func (gm *game) send(ctx context.Context, col board.Color, timeout time.Duration, cmd string, args ...string) *forfeit {
	_, ff := gm.sendReply(ctx, col, timeout, cmd, args...)
	return ff
}

// sendOptional sends a command to col's engine; a '?' reply is ignored,
// other failures forfeit.
func (gm *game) sendOptional(ctx context.Context, col board.Color, timeout time.Duration, cmd string, args ...string) *forfeit {
	_, err := gm.sendRaw(ctx, col, timeout, cmd, args...)
	var ee *gtp.EngineError
	if err == nil || errors.As(err, &ee) {
		return nil
	}
	return gm.classify(ctx, col, err)
}

// sendReply sends a command to col's engine within timeout and returns
// the reply; a failure of any kind is a forfeit of col.
func (gm *game) sendReply(ctx context.Context, col board.Color, timeout time.Duration, cmd string, args ...string) (string, *forfeit) {
	reply, err := gm.sendRaw(ctx, col, timeout, cmd, args...)
	if err != nil {
		return "", gm.classify(ctx, col, err)
	}
	return reply, nil
}

func (gm *game) sendRaw(ctx context.Context, col board.Color, timeout time.Duration, cmd string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return gm.players[col].client.Send(ctx, cmd, args...)
}

// classify turns a Send error of col's engine into its forfeit.
func (gm *game) classify(ctx context.Context, col board.Color, err error) *forfeit {
	e := gm.players[col]
	reason := ReasonError
	switch {
	case ctx.Err() != nil:
		// The match is stopping; playGame reports ctx.Err().
	case errors.Is(err, context.DeadlineExceeded):
		reason = ReasonTimeout
	case errors.Is(err, gtp.ErrDied), errors.Is(err, gtp.ErrNotRunning):
		reason = ReasonCrash
	}
	d := fmt.Sprintf("%s (%s): %v", col, e.label, err)
	gm.rec.note(d)
	return &forfeit{loser: col, reason: reason, detail: d}
}

// randomMove returns a uniformly random legal move for col that does not
// fill one of col's single-point eyes, or Pass if there is none.
func randomMove(g *board.Game, col board.Color, rng *rand.Rand) board.Point {
	var cands []board.Point
	pos := g.Position()
	for _, pt := range g.LegalMoves(col, nil) {
		if !pos.IsEye(col, pt) {
			cands = append(cands, pt)
		}
	}
	if len(cands) == 0 {
		return board.Pass
	}
	return cands[rng.IntN(len(cands))]
}

func colourArg(c board.Color) string {
	if c == board.Black {
		return "b"
	}
	return "w"
}
