package gtp

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tengen-go/tengen/board"
)

// handler answers one command: the reply text, or an error whose message
// becomes the "? message" reply.
type handler func(s *Server, ctx context.Context, x *exchange) (string, error)

// command is one entry of the command table.
type command struct {
	name string
	run  handler
	// interruptible commands run until the next input line arrives.
	interruptible bool
	// needs, when set, says whether the server's Player supports the
	// command; otherwise it is unknown (list_commands, known_command).
	needs func(*Server) bool
}

// commandTable is the one list of commands: dispatch, list_commands and
// known_command all read it. Set in init because list_commands refers to
// it.
var commandTable []command

func init() {
	commandTable = []command{
		{name: "protocol_version", run: func(*Server, context.Context, *exchange) (string, error) { return "2", nil }},
		{name: "name", run: func(s *Server, _ context.Context, _ *exchange) (string, error) { return s.cfg.Name, nil }},
		{name: "version", run: func(s *Server, _ context.Context, _ *exchange) (string, error) { return s.cfg.Version, nil }},
		{name: "known_command", run: cmdKnownCommand},
		{name: "list_commands", run: func(s *Server, _ context.Context, _ *exchange) (string, error) {
			return strings.Join(s.Commands(), "\n"), nil
		}},
		{name: "quit", run: func(*Server, context.Context, *exchange) (string, error) { return "", nil }},
		{name: "boardsize", run: cmdBoardsize},
		{name: "clear_board", run: func(s *Server, _ context.Context, _ *exchange) (string, error) {
			return "", s.newGame(s.game.Size())
		}},
		{name: "komi", run: cmdKomi},
		{name: "play", run: cmdPlay},
		{name: "genmove", run: func(s *Server, ctx context.Context, x *exchange) (string, error) {
			return s.genmove(ctx, x, genmoveMode{play: true})
		}},
		{name: "reg_genmove", run: func(s *Server, ctx context.Context, x *exchange) (string, error) {
			return s.genmove(ctx, x, genmoveMode{})
		}},
		{name: "kgs-genmove_cleanup", run: func(s *Server, ctx context.Context, x *exchange) (string, error) {
			return s.genmove(ctx, x, genmoveMode{play: true, cleanup: true})
		}},
		{name: "undo", run: cmdUndo},
		{name: "showboard", run: cmdShowboard},
		{name: "final_score", run: cmdFinalScore},
		{name: "final_status_list", run: cmdFinalStatusList},
		{name: "fixed_handicap", run: cmdFixedHandicap},
		{name: "place_free_handicap", run: cmdPlaceFreeHandicap},
		{name: "set_free_handicap", run: cmdSetFreeHandicap},
		{name: "time_settings", run: cmdTimeSettings},
		{name: "kgs-time_settings", run: cmdKGSTimeSettings},
		{name: "time_left", run: cmdTimeLeft},
		{name: "loadsgf", run: cmdLoadSGF},
		{name: "printsgf", run: cmdPrintSGF},
		{name: "is_legal", run: cmdIsLegal},
		{name: "all_legal", run: cmdAllLegal},
		{name: "list_stones", run: cmdListStones},
		{name: "lz-analyze", run: cmdLzAnalyze, interruptible: true},
		{name: "lz-genmove_analyze", run: cmdLzGenmoveAnalyze},
		{name: "kata-analyze", run: cmdKataAnalyze, interruptible: true, needs: estimates},
		{name: "kata-genmove_analyze", run: cmdKataGenmoveAnalyze, needs: estimates},
		{name: "gogui-analyze_commands", run: func(*Server, context.Context, *exchange) (string, error) {
			return strings.Join(goguiAnalyzeCommands, "\n"), nil
		}},
	}
}

// goguiAnalyzeCommands is the reply of gogui-analyze_commands: GoGui's
// analyze menu (type/label/command, %m the side to move).
var goguiAnalyzeCommands = []string{
	"plist/Dead stones/final_status_list dead",
	"plist/Alive stones/final_status_list alive",
	"plist/Seki stones/final_status_list seki",
	"string/Final score/final_score",
	"plist/All legal moves for %m/all_legal %m",
	"string/Show board/showboard",
}

// estimates reports whether the Player's analysis has scores and
// ownership (Estimator).
func estimates(s *Server) bool {
	e, ok := s.player.(Estimator)
	return ok && e.Estimates()
}

// lookup finds a command the server supports with its Player.
func (s *Server) lookup(name string) (command, bool) {
	for _, c := range commandTable {
		if c.name == name && (c.needs == nil || c.needs(s)) {
			return c, true
		}
	}
	return command{}, false
}

// errArgs is the reply to a command with the wrong arguments.
var errArgs = errors.New("syntax error")

func wantArgs(x *exchange, n int) error {
	if len(x.args) != n {
		return fmt.Errorf("%w: want %d argument(s)", errArgs, n)
	}
	return nil
}

func cmdKnownCommand(s *Server, _ context.Context, x *exchange) (string, error) {
	if err := wantArgs(x, 1); err != nil {
		return "", err
	}
	_, ok := s.lookup(x.args[0])
	return strconv.FormatBool(ok), nil
}

// newGame starts an empty size x size game, keeping komi, rules and time
// settings; the clocks restart.
func (s *Server) newGame(size int) error {
	g, err := board.NewGame(size, s.game.Komi(), s.game.Rules())
	if err != nil {
		return err
	}
	s.game = g
	s.record = nil
	s.clocks[board.Black] = s.tc.NewClock()
	s.clocks[board.White] = s.tc.NewClock()
	s.ponder = board.Empty
	return nil
}

func cmdBoardsize(s *Server, _ context.Context, x *exchange) (string, error) {
	if err := wantArgs(x, 1); err != nil {
		return "", err
	}
	n, err := strconv.Atoi(x.args[0])
	if err != nil {
		return "", errors.New("boardsize not an integer")
	}
	if n < board.MinSize || n > board.MaxSize {
		return "", errors.New("unacceptable size")
	}
	return "", s.newGame(n)
}

func cmdKomi(s *Server, _ context.Context, x *exchange) (string, error) {
	if err := wantArgs(x, 1); err != nil {
		return "", err
	}
	k, err := strconv.ParseFloat(x.args[0], 64)
	if err != nil || math.IsNaN(k) || math.IsInf(k, 0) || math.Abs(k) > 1000 {
		return "", errors.New("komi not a float")
	}
	s.game.SetKomi(k)
	return "", nil
}

// parseMove reads "color vertex".
func (s *Server) parseMove(args []string) (board.Color, board.Point, error) {
	if len(args) != 2 {
		return 0, 0, errors.New("invalid color or coordinate")
	}
	c, err := board.ParseColor(args[0])
	if err != nil {
		return 0, 0, errors.New("invalid color or coordinate")
	}
	pt, err := board.ParseGTP(args[1], s.game.Size())
	if err != nil {
		return 0, 0, errors.New("invalid color or coordinate")
	}
	return c, pt, nil
}

func cmdPlay(s *Server, _ context.Context, x *exchange) (string, error) {
	c, pt, err := s.parseMove(x.args)
	if err != nil {
		return "", err
	}
	if err := s.play(c, pt); err != nil {
		return "", errors.New("illegal move")
	}
	return "", nil
}

// play plays a move on the game and the record.
func (s *Server) play(c board.Color, pt board.Point) error {
	if err := s.game.Play(c, pt); err != nil {
		return err
	}
	s.record = append(s.record, action{move: board.Move{Color: c, Point: pt}})
	return nil
}

// setup places setup stones on the game and the record.
func (s *Server) setup(c board.Color, pts []board.Point) error {
	if err := s.game.Setup(c, pts); err != nil {
		return err
	}
	s.record = append(s.record, action{setup: true, move: board.Move{Color: c}, pts: pts})
	return nil
}

func cmdUndo(s *Server, _ context.Context, x *exchange) (string, error) {
	if err := wantArgs(x, 0); err != nil {
		return "", err
	}
	if err := s.game.Undo(); err != nil {
		return "", errors.New("cannot undo")
	}
	if len(s.record) > 0 {
		s.record = s.record[:len(s.record)-1]
	}
	s.ponder = board.Empty
	return "", nil
}

// genmoveMode says what a genmove variant does.
type genmoveMode struct {
	play    bool // play the move on the board (not reg_genmove)
	cleanup bool // kgs-genmove_cleanup
}

// budget returns the time budget for c's next move.
func (s *Server) budget(c board.Color) time.Duration {
	pos := s.game.Position()
	return s.tc.Budget(s.clocks[c], MovesLeft(len(pos.EmptyPoints()), s.game.Size()*s.game.Size()), s.cfg.Lag)
}

// maxBudget returns the most c's next move may take on a hard position.
func (s *Server) maxBudget(c board.Color) time.Duration {
	pos := s.game.Position()
	return s.tc.MaxBudget(s.clocks[c], MovesLeft(len(pos.EmptyPoints()), s.game.Size()*s.game.Size()), s.cfg.Lag)
}

func (s *Server) genmove(ctx context.Context, x *exchange, mode genmoveMode) (string, error) {
	if len(x.args) != 1 {
		return "", errors.New("invalid color")
	}
	c, err := parseColor(x.args[0])
	if err != nil {
		return "", err
	}
	opts := SearchOptions{Budget: s.budget(c), MaxBudget: s.maxBudget(c), NoSaving: !s.tc.Saves(s.clocks[c]), Cleanup: mode.cleanup}
	return s.think(ctx, c, opts, mode.play, nil)
}

// think asks the Player for c's move and plays it when play is set. With
// a reporter the reply is streamed (lz-genmove_analyze) and ends with a
// "play <vertex>" line.
func (s *Server) think(ctx context.Context, c board.Color, opts SearchOptions, play bool, rep *reporter) (string, error) {
	start := time.Now()
	pt, resign, err := s.player.GenMove(ctx, s.game, c, opts)
	if rep != nil {
		rep.close()
	}
	if err != nil {
		return "", fmt.Errorf("genmove failed: %v", err)
	}
	if s.tc.System != NoTime {
		s.tc.Spend(&s.clocks[c], time.Since(start))
	}
	vertex := "resign"
	if !resign {
		if play {
			if err := s.play(c, pt); err != nil {
				return "", fmt.Errorf("engine chose an illegal move: %v", err)
			}
			s.ponder = c.Opponent()
		} else if !s.game.Legal(c, pt) {
			return "", fmt.Errorf("engine chose an illegal move %s", pt.GTP(s.game.Size()))
		}
		vertex = pt.GTP(s.game.Size())
	}
	if rep != nil {
		return "play " + vertex, nil
	}
	return vertex, nil
}

// diagram draws the board with coordinates, captures, komi and the side
// to move.
func (s *Server) diagram() string {
	g := s.game
	pos := g.Position()
	n := g.Size()
	letters := "ABCDEFGHJKLMNOPQRSTUVWXYZ"[:n]
	var b strings.Builder
	header := "   " + strings.Join(strings.Split(letters, ""), " ")
	b.WriteString(header + "\n")
	last, hasLast := g.LastMove()
	for y := 0; y < n; y++ {
		row := strconv.Itoa(n - y)
		fmt.Fprintf(&b, "%2s", row)
		for x := 0; x < n; x++ {
			pt := board.PointAt(x, y)
			sep := byte(' ')
			if hasLast && last.Point == pt {
				sep = '('
			} else if hasLast && x > 0 && last.Point == board.PointAt(x-1, y) {
				sep = ')'
			}
			b.WriteByte(sep)
			b.WriteByte(".XO"[pos.At(pt)])
		}
		if hasLast && last.Point == board.PointAt(n-1, y) {
			b.WriteByte(')')
		}
		fmt.Fprintf(&b, " %s\n", row)
	}
	b.WriteString(header + "\n")
	fmt.Fprintf(&b, "Komi %g, %s to move, captures: X %d, O %d",
		g.Komi(), colorName(g.ToMove()), pos.Captures(board.Black), pos.Captures(board.White))
	return b.String()
}

func colorName(c board.Color) string {
	if c == board.White {
		return "White"
	}
	return "Black"
}

func cmdShowboard(s *Server, _ context.Context, x *exchange) (string, error) {
	if err := wantArgs(x, 0); err != nil {
		return "", err
	}
	return "\n" + s.diagram(), nil
}

// boardEmpty reports whether no stone was placed and no move played.
func (s *Server) boardEmpty() bool {
	p := s.game.Position()
	return p.Stones(board.Black)+p.Stones(board.White) == 0 && len(s.record) == 0
}

func (s *Server) handicapCount(x *exchange) (int, error) {
	if err := wantArgs(x, 1); err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(x.args[0])
	if err != nil {
		return 0, errors.New("number of stones not an integer")
	}
	if !s.boardEmpty() {
		return 0, errors.New("board not empty")
	}
	return n, nil
}

// placeHandicap puts black stones on pts and gives White the move.
func (s *Server) placeHandicap(pts []board.Point) (string, error) {
	if err := s.setup(board.Black, pts); err != nil {
		return "", fmt.Errorf("bad handicap: %v", err)
	}
	s.game.SetToMove(board.White)
	return s.vertices(pts), nil
}

func (s *Server) vertices(pts []board.Point) string {
	v := make([]string, len(pts))
	for i, pt := range pts {
		v[i] = pt.GTP(s.game.Size())
	}
	return strings.Join(v, " ")
}

func cmdFixedHandicap(s *Server, _ context.Context, x *exchange) (string, error) {
	n, err := s.handicapCount(x)
	if err != nil {
		return "", err
	}
	pts, err := board.FixedHandicapPoints(s.game.Size(), n)
	if err != nil {
		return "", errors.New("invalid number of stones")
	}
	return s.placeHandicap(pts)
}

func cmdPlaceFreeHandicap(s *Server, _ context.Context, x *exchange) (string, error) {
	n, err := s.handicapCount(x)
	if err != nil {
		return "", err
	}
	size := s.game.Size()
	if n < 2 || n >= size*size {
		return "", errors.New("invalid number of stones")
	}
	return s.placeHandicap(freeHandicapPoints(size, n))
}

// freeHandicapPoints chooses n handicap points: the fixed ones as far as
// they go, then points spread over the board (every other point of every
// other line, then the rest), leaving at least one point empty.
func freeHandicapPoints(size, n int) []board.Point {
	var pts []board.Point
	used := map[board.Point]bool{}
	for k := min(n, 9); k >= 2 && pts == nil; k-- {
		if fixed, err := board.FixedHandicapPoints(size, k); err == nil {
			pts = append(pts, fixed...)
		}
	}
	for _, pt := range pts {
		used[pt] = true
	}
	add := func(keep func(x, y int) bool) {
		for _, pt := range board.Points(size) {
			if len(pts) == n {
				return
			}
			if x, y := pt.XY(); !used[pt] && keep(x, y) {
				used[pt] = true
				pts = append(pts, pt)
			}
		}
	}
	add(func(x, y int) bool { return x%2 == 1 && y%2 == 1 })
	add(func(x, y int) bool { return (x+y)%2 == 1 })
	add(func(x, y int) bool { return true })
	return pts
}

func cmdSetFreeHandicap(s *Server, _ context.Context, x *exchange) (string, error) {
	if len(x.args) < 2 {
		return "", errors.New("invalid number of stones")
	}
	if !s.boardEmpty() {
		return "", errors.New("board not empty")
	}
	seen := map[board.Point]bool{}
	var pts []board.Point
	for _, a := range x.args {
		pt, err := board.ParseGTP(a, s.game.Size())
		if err != nil || pt == board.Pass || seen[pt] {
			return "", errors.New("bad vertex list")
		}
		seen[pt] = true
		pts = append(pts, pt)
	}
	if len(pts) >= s.game.Size()*s.game.Size() {
		return "", errors.New("invalid number of stones")
	}
	_, err := s.placeHandicap(pts)
	return "", err
}

func (s *Server) setTimeControl(tc TimeControl) {
	s.tc = tc
	s.clocks[board.Black] = tc.NewClock()
	s.clocks[board.White] = tc.NewClock()
}

func cmdTimeSettings(s *Server, _ context.Context, x *exchange) (string, error) {
	tc, err := ParseTimeSettings(x.args)
	if err != nil {
		return "", errors.New("syntax error")
	}
	s.setTimeControl(tc)
	return "", nil
}

func cmdKGSTimeSettings(s *Server, _ context.Context, x *exchange) (string, error) {
	tc, err := ParseKGSTimeSettings(x.args)
	if err != nil {
		return "", errors.New("syntax error")
	}
	s.setTimeControl(tc)
	return "", nil
}

func cmdTimeLeft(s *Server, _ context.Context, x *exchange) (string, error) {
	if len(x.args) != 3 {
		return "", errors.New("syntax error")
	}
	c, err := parseColor(x.args[0])
	if err != nil {
		return "", err
	}
	clk, err := s.tc.ParseTimeLeft(x.args[1:])
	if err != nil {
		return "", errors.New("syntax error")
	}
	s.clocks[c] = clk
	return "", nil
}

func cmdIsLegal(s *Server, _ context.Context, x *exchange) (string, error) {
	c, pt, err := s.parseMove(x.args)
	if err != nil {
		return "", err
	}
	if s.game.Legal(c, pt) {
		return "1", nil
	}
	return "0", nil
}

func cmdAllLegal(s *Server, _ context.Context, x *exchange) (string, error) {
	if err := wantArgs(x, 1); err != nil {
		return "", err
	}
	c, err := parseColor(x.args[0])
	if err != nil {
		return "", err
	}
	return s.vertices(s.game.LegalMoves(c, nil)), nil
}

func cmdListStones(s *Server, _ context.Context, x *exchange) (string, error) {
	if err := wantArgs(x, 1); err != nil {
		return "", err
	}
	c, err := parseColor(x.args[0])
	if err != nil {
		return "", err
	}
	var pts []board.Point
	pos := s.game.Position()
	for _, pt := range board.Points(s.game.Size()) {
		if pos.At(pt) == c {
			pts = append(pts, pt)
		}
	}
	return s.vertices(pts), nil
}
