package gtp

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tengen-go/tengen/board"
)

// Player is the engine behind a Server: it chooses moves and analyses
// positions. The Server owns the game (board, history, komi, handicap,
// clocks) and passes it to every call, so a Player that keeps a search
// tree compares the game with its tree's line (board.Game.Moves, the
// position hash) and reuses what it can. The Player must treat g as read
// only and must not keep it after the call returns; the Server changes it
// between calls and never during one.
type Player interface {
	// GenMove chooses a move for c in g within opts (time budget,
	// cleanup, avoid/allow; opts.Report, when not nil, receives analysis
	// every opts.Interval). It returns the point (board.Pass to pass), or
	// resign true to resign. The Server plays the move on its game.
	GenMove(ctx context.Context, g *board.Game, c board.Color, opts SearchOptions) (pt board.Point, resign bool, err error)
	// Analyze analyses g with c to move, calling opts.Report every
	// opts.Interval, until ctx ends; ending by ctx is not an error.
	// Report must not be called after Analyze returns.
	Analyze(ctx context.Context, g *board.Game, c board.Color, opts SearchOptions) error
}

// Ponderer is a Player that can think on the opponent's time. With
// ServerConfig.Ponder set, the Server calls Ponder after each generated
// move until the next command line arrives, which cancels ctx.
type Ponderer interface {
	Ponder(ctx context.Context, g *board.Game, c board.Color) error
}

// OwnershipEstimator is a Player with its own ownership estimate (a value
// network, say). final_score and final_status_list use it instead of
// random playouts when the Player implements it. The slice is indexed like
// board.Points(g.Size()), +1 Black owns the point, -1 White. A nil slice
// without error means no estimate for this game (no network for its size,
// say): the random playouts judge.
type OwnershipEstimator interface {
	Ownership(ctx context.Context, g *board.Game) ([]float32, error)
}

// SearchOptions is what one GenMove or Analyze call is asked to respect.
type SearchOptions struct {
	// Budget is the thinking time for this move from the time controls;
	// 0 means no time limit (the Player's visit or playout limits apply;
	// this is the case when the controller never sent time settings, as
	// Sabaki does).
	Budget time.Duration
	// MaxBudget is the most the move may take without risk to the clock
	// (TimeControl.MaxBudget): a Player may think up to it on a hard
	// move. 0: Budget is the limit.
	MaxBudget time.Duration
	// NoSaving says that the time left of Budget when the move is chosen
	// is lost (TimeControl.Saves is false: a byo-yomi period, the last
	// stone of a Canadian block), so a Player gains nothing by stopping
	// its search before the budget.
	NoSaving bool
	// Cleanup is set by kgs-genmove_cleanup: keep playing (do not pass)
	// until the opponent's dead stones are captured.
	Cleanup bool
	// Avoid lists moves not to consider, Allow the only moves to consider
	// (lz-analyze avoid/allow); each applies to its colour up to its depth.
	Avoid, Allow []MoveFilter
	// MinMoves asks Report to show at least this many root moves
	// (lz-analyze minmoves); 0: the Player's choice.
	MinMoves int
	// Interval is how often to call Report; Report is nil when nobody
	// listens (plain genmove).
	Interval time.Duration
	Report   func(Analysis)
}

// MoveFilter is one lz-analyze avoid or allow clause: Moves for Color, in
// the first UntilDepth plies of the search (1: the root move only, if
// Color is to move).
type MoveFilter struct {
	Color      board.Color
	Moves      []board.Point
	UntilDepth int
}

// MoveStat is the analysis of one root move, as lz-analyze and
// kata-analyze show it. Its fields match mcts.MoveStat, so an adapter
// converts with gtp.MoveStat(ms).
type MoveStat struct {
	Move    board.Point
	Visits  int
	Winrate float64 // for the side to move at the root, 0..1
	// ScoreLead is the expected final score after the move in points for
	// the side to move at the root (komi included), and ScoreStdev its
	// spread; valid when HasScore.
	ScoreLead  float64
	ScoreStdev float64
	HasScore   bool
	Prior      float64
	LCB        float64 // lower confidence bound of the winrate
	Order      int     // rank by visits, from 0
	PV         []board.Point
}

// RootInfo is the analysis of the position itself. Its fields match
// mcts.RootInfo, so an adapter converts with gtp.RootInfo(ri).
type RootInfo struct {
	Visits  int
	Winrate float64 // for the side to move, 0..1
	// ScoreLead and ScoreStdev are for the side to move, valid when
	// HasScore.
	ScoreLead  float64
	ScoreStdev float64
	HasScore   bool
	// Ownership is the expected final owner of every point
	// (board.Points order, row-major from the top left), +1 Black, -1
	// White; nil when the Player has no estimate.
	Ownership []float32
}

// Analysis is one analysis report: the root moves and the root.
type Analysis struct {
	Moves []MoveStat
	Root  RootInfo
}

// Estimator is a Player whose analysis carries score leads and
// ownership (RootInfo.HasScore, MoveStat.HasScore). Only such a Player
// gets kata-analyze and kata-genmove_analyze: KataGo's format has no way
// to say a score is unknown, and an invented number would mislead.
type Estimator interface {
	Estimates() bool
}

// ServerConfig configures a Server.
type ServerConfig struct {
	// Name and Version answer the name and version commands.
	Name, Version string
	// Size, Komi and Rules start each new game; boardsize and komi change
	// the first two. Zero values mean 19, 7.5 (with Chinese rules, or
	// Komi set via the komi command) and board.DefaultRules().
	Size  int
	Komi  float64
	Rules board.Rules
	// NoKomi makes a zero Komi mean 0 rather than the default 7.5.
	NoKomi bool
	// Ponder lets a Ponderer think while waiting for the next command.
	Ponder bool
	// Lag is the time a move costs outside the Player's thinking (the
	// server, the controller, the network); the time budget keeps it in
	// reserve on every move. Default 500ms.
	Lag time.Duration
	// OwnershipPlayouts is the number of random playouts behind the dead
	// stone estimate (default 500); Seed seeds them (same seed, same
	// answer).
	OwnershipPlayouts int
	Seed              uint64
	// ReadFile reads loadsgf's file and WriteFile writes printsgf's;
	// defaults: the OS, files up to 16 MiB. Set them to refuse for an
	// untrusted controller.
	ReadFile  func(name string) ([]byte, error)
	WriteFile func(name string, data []byte) error
	// Log, if not nil, receives errors that cannot be reported in a
	// reply (a Player failing in the middle of a streamed reply) and the
	// stacks of recovered panics (os.Stderr when nil).
	Log io.Writer
	// OnPanic, if not nil, is called after a panic inside a command (or
	// pondering) was recovered: the server answers "? internal error",
	// restores the game as it was before the command and goes on, but a
	// panic is still a bug, and tests set OnPanic to fail on it.
	OnPanic func(command string, value any, stack []byte)
}

// Default values of ServerConfig fields.
const (
	DefaultSize              = 19
	DefaultKomi              = 7.5
	DefaultLag               = 500 * time.Millisecond
	DefaultOwnershipPlayouts = 500
	maxSGFFile               = 16 << 20
	maxLine                  = 1 << 20
)

// EnsureDefaults fills in zero fields with their defaults.
func (c *ServerConfig) EnsureDefaults() {
	if c.Name == "" {
		c.Name = "tengen"
	}
	if c.Version == "" {
		c.Version = "0"
	}
	if c.Size == 0 {
		c.Size = DefaultSize
	}
	if c.Komi == 0 && !c.NoKomi {
		c.Komi = DefaultKomi
	}
	if c.Rules == (board.Rules{}) {
		c.Rules = board.DefaultRules()
	}
	if c.Lag == 0 {
		c.Lag = DefaultLag
	}
	if c.OwnershipPlayouts == 0 {
		c.OwnershipPlayouts = DefaultOwnershipPlayouts
	}
	if c.ReadFile == nil {
		c.ReadFile = readFileLimited
	}
	if c.WriteFile == nil {
		c.WriteFile = func(name string, data []byte) error { return os.WriteFile(name, data, 0o644) }
	}
}

// Validate reports a configuration the Server cannot use.
func (c ServerConfig) Validate() error {
	switch {
	case c.Size < board.MinSize || c.Size > board.MaxSize:
		return fmt.Errorf("gtp: board size %d (allowed %d..%d)", c.Size, board.MinSize, board.MaxSize)
	case math.IsNaN(c.Komi) || math.IsInf(c.Komi, 0):
		return fmt.Errorf("gtp: bad komi %v", c.Komi)
	case c.Lag < 0:
		return fmt.Errorf("gtp: negative lag %v", c.Lag)
	case c.OwnershipPlayouts < 0:
		return fmt.Errorf("gtp: negative ownership playouts %d", c.OwnershipPlayouts)
	}
	return nil
}

func readFileLimited(name string) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSGFFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSGFFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxSGFFile)
	}
	return data, nil
}

// Server answers GTP version 2 for a Player. It owns the game state; one
// Serve runs at a time. The zero value is not usable: call NewServer.
type Server struct {
	// fixed
	cfg    ServerConfig
	player Player

	// game state, changed by commands
	game   *board.Game
	record []action // the game's history, for printsgf
	tc     TimeControl
	clocks [3]Clock // by colour
	ponder board.Color

	// per Serve
	w   *bufio.Writer
	wmu sync.Mutex
	err error // first write error
}

// NewServer returns a Server for p with a fresh game. It starts nothing.
func NewServer(p Player, cfg ServerConfig) (*Server, error) {
	if p == nil {
		return nil, errors.New("gtp: nil Player")
	}
	cfg.EnsureDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, player: p}
	g, err := board.NewGame(cfg.Size, cfg.Komi, cfg.Rules)
	if err != nil {
		return nil, err
	}
	s.game = g
	return s, nil
}

// Game returns the server's current game. It must not be changed, and not
// read while Serve runs.
func (s *Server) Game() *board.Game { return s.game }

// Commands returns the names of the commands every Player supports (a
// Player without optional capabilities: list_commands with
// gtptest.Player).
func Commands() []string {
	var names []string
	for _, c := range commandTable {
		if c.needs == nil {
			names = append(names, c.name)
		}
	}
	return names
}

// Commands returns the names of the commands this server supports with
// its Player, as list_commands shows them.
func (s *Server) Commands() []string {
	var names []string
	for _, c := range commandTable {
		if c.needs == nil || c.needs(s) {
			names = append(names, c.name)
		}
	}
	return names
}

// Serve reads GTP commands from r and writes the replies to w until quit,
// the end of r, or the end of ctx (whose error it returns). Commands may
// carry numeric ids and may be sent without waiting for replies
// (pipelining): r is read concurrently, commands are answered in order.
// A running lz-analyze (and pondering) ends as soon as any further line
// arrives. The returned error is nil after quit or at the end of r, else
// a read or write error or ctx.Err(). Serve starts a goroutine reading r
// into a queue; it ends when r returns an error or EOF (after quit it may
// still be blocked reading r: close r to end it).
func (s *Server) Serve(ctx context.Context, r io.Reader, w io.Writer) error {
	s.w = bufio.NewWriter(w)
	s.err = nil
	in := newLineReader(r)
	for {
		if s.ponder != board.Empty {
			c := s.ponder
			s.ponder = board.Empty
			if p, ok := s.player.(Ponderer); ok && s.cfg.Ponder {
				saved := s.save()
				panicked := false
				s.interruptible(ctx, in, func(ctx context.Context) {
					defer func() {
						if v := recover(); v != nil {
							panicked = true
							_ = s.recovered("ponder", v)
						}
					}()
					if err := p.Ponder(ctx, s.game, c); err != nil {
						s.logf("ponder: %v", err)
					}
				})
				if panicked {
					s.restore(saved)
				}
			}
		}
		line, err := in.next(ctx)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return s.err
			}
			return err
		}
		id, name, args, ok := parseLine(line)
		if !ok {
			continue
		}
		quit := s.dispatch(ctx, in, id, name, args)
		if s.err != nil {
			return s.err
		}
		if quit {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
}

// parseLine cleans a command line as GTP asks (control characters other
// than tab dropped, tabs to spaces, comments removed) and splits it into
// an optional id, the command name and its arguments. ok is false for a
// line with nothing left.
func parseLine(line string) (id, name string, args []string, ok bool) {
	if i := strings.IndexByte(line, '#'); i >= 0 {
		line = line[:i]
	}
	line = strings.Map(func(r rune) rune {
		switch {
		case r == '\t':
			return ' '
		case r < 32 || r == 127:
			return -1
		}
		return r
	}, line)
	f := strings.Fields(line)
	if len(f) == 0 {
		return "", "", nil, false
	}
	if isID(f[0]) {
		id, f = f[0], f[1:]
	}
	if len(f) == 0 {
		return id, "", nil, true
	}
	return id, f[0], f[1:], true
}

func isID(s string) bool {
	if s == "" || len(s) > 18 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// dispatch runs one command and writes its reply. It reports quit.
func (s *Server) dispatch(ctx context.Context, in *lineReader, id, name string, args []string) (quit bool) {
	c, ok := s.lookup(name)
	if !ok {
		if name == "" {
			s.fail(id, "empty command")
		} else {
			s.fail(id, "unknown command")
		}
		return false
	}
	x := &exchange{s: s, id: id, args: args, in: in}
	var text string
	var err error
	saved := s.save()
	panicked := false
	run := func(ctx context.Context) {
		defer func() {
			if v := recover(); v != nil {
				panicked = true
				err = s.recovered(name, v)
			}
		}()
		text, err = c.run(s, ctx, x)
	}
	if c.interruptible {
		s.interruptible(ctx, in, run)
	} else {
		run(ctx)
	}
	if panicked {
		s.restore(saved)
		if x.streaming {
			s.endStream("")
			return false
		}
		s.fail(id, err.Error())
		return false
	}
	switch {
	case x.streaming && err != nil:
		s.logf("%s: %v", name, err)
		s.endStream(text)
	case x.streaming:
		s.endStream(text)
	case err != nil:
		s.fail(id, err.Error())
	default:
		s.ok(id, text)
	}
	return name == "quit" && err == nil
}

// interruptible runs f with a context that ends when the next input line
// (or the end of input) arrives, and waits for f.
func (s *Server) interruptible(ctx context.Context, in *lineReader, f func(ctx context.Context)) {
	ictx, cancel := context.WithCancel(ctx)
	defer cancel()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f(ictx)
	}()
	for !in.waiting() {
		select {
		case <-done:
			return
		case <-in.notify:
			continue
		case <-ctx.Done():
		}
		break
	}
	cancel()
	<-done
}

// exchange is one command being answered.
type exchange struct {
	s         *Server
	id        string
	args      []string
	in        *lineReader
	streaming bool
}

// startStream writes the status line of a streamed reply ("=id"); later
// lines follow with line, and the Server ends the reply.
func (x *exchange) startStream() {
	x.streaming = true
	x.s.write("=" + x.id + "\n")
}

// line writes one line of a streamed reply.
func (x *exchange) line(text string) {
	x.s.write(text + "\n")
}

func (s *Server) write(text string) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if s.err != nil {
		return
	}
	if _, err := s.w.WriteString(text); err != nil {
		s.err = err
		return
	}
	if err := s.w.Flush(); err != nil {
		s.err = err
	}
}

// ok writes a success reply. Empty lines inside text are dropped (they
// would end the reply early), as is trailing white space.
func (s *Server) ok(id, text string) {
	s.write("=" + id + body(text) + "\n\n")
}

// fail writes a failure reply; the message is one line.
func (s *Server) fail(id, msg string) {
	msg = strings.Join(strings.Fields(msg), " ")
	s.write("?" + id + body(msg) + "\n\n")
}

func (s *Server) endStream(text string) {
	text = strings.TrimSpace(body(text))
	if text != "" {
		text += "\n"
	}
	s.write(text + "\n")
}

// body formats a reply text: " text" for one line, "\nline\nline" for
// several (a leading newline kept), no empty lines, no trailing blanks.
func body(text string) string {
	lines := strings.Split(strings.TrimRight(text, " \t\r\n"), "\n")
	var out []string
	for i, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if l == "" && i > 0 {
			continue
		}
		out = append(out, l)
	}
	joined := strings.Join(out, "\n")
	if joined == "" {
		return ""
	}
	if joined[0] == '\n' {
		return joined
	}
	return " " + joined
}

// serverState is the game state a command may change, saved before each
// command so that a panic inside it loses nothing.
type serverState struct {
	game   *board.Game
	record []action
	tc     TimeControl
	clocks [3]Clock
	ponder board.Color
}

func (s *Server) save() serverState {
	return serverState{game: s.game.Clone(), record: slices.Clone(s.record), tc: s.tc, clocks: s.clocks, ponder: s.ponder}
}

func (s *Server) restore(st serverState) {
	s.game, s.record, s.tc, s.clocks, s.ponder = st.game, st.record, st.tc, st.clocks, st.ponder
}

// recovered logs a panic recovered inside command name with its stack,
// tells OnPanic, and returns the error the command answers.
func (s *Server) recovered(name string, v any) error {
	stack := debug.Stack()
	w := s.cfg.Log
	if w == nil {
		w = os.Stderr
	}
	fmt.Fprintf(w, "gtp: panic in %s: %v\n%s", name, v, stack)
	if s.cfg.OnPanic != nil {
		s.cfg.OnPanic(name, v, stack)
	}
	return fmt.Errorf("internal error: %v", v)
}

func (s *Server) logf(format string, args ...any) {
	if s.cfg.Log != nil {
		fmt.Fprintf(s.cfg.Log, "gtp: "+format+"\n", args...)
	}
}

// lineReader reads lines in its own goroutine into a queue, so that
// commands can be pipelined and a running analysis sees that a new line
// arrived. Only the Serve goroutine takes lines and waits on notify.
type lineReader struct {
	mu     sync.Mutex
	queue  []string
	eof    bool
	err    error         // the read error that ended input (io.EOF included)
	notify chan struct{} // signalled after each line and at the end
}

func newLineReader(r io.Reader) *lineReader {
	l := &lineReader{notify: make(chan struct{}, 1)}
	go func() {
		br := bufio.NewReaderSize(r, 4096)
		for {
			line, err := readInputLine(br)
			l.mu.Lock()
			if err == nil || (line != "" && errors.Is(err, io.EOF)) {
				l.queue = append(l.queue, line)
			}
			if err != nil {
				l.eof, l.err = true, err
			}
			l.mu.Unlock()
			select {
			case l.notify <- struct{}{}:
			default:
			}
			if err != nil {
				return
			}
		}
	}()
	return l
}

// readInputLine reads one line without its end; an over-long line is
// truncated to maxLine bytes (and so answered as an error).
func readInputLine(br *bufio.Reader) (string, error) {
	var b []byte
	for {
		frag, err := br.ReadSlice('\n')
		if len(b) < maxLine {
			b = append(b, frag[:min(len(frag), maxLine-len(b))]...)
		}
		if err == bufio.ErrBufferFull {
			continue
		}
		if err != nil {
			return string(b), err
		}
		return strings.TrimSuffix(string(b), "\n"), nil
	}
}

// next returns the next line, io.EOF at the end of input (or the read
// error), or ctx's error.
func (l *lineReader) next(ctx context.Context) (string, error) {
	for {
		l.mu.Lock()
		if len(l.queue) > 0 {
			line := l.queue[0]
			l.queue[0] = ""
			l.queue = l.queue[1:]
			l.mu.Unlock()
			return line, nil
		}
		if l.eof {
			err := l.err
			l.mu.Unlock()
			if err == nil || errors.Is(err, io.EOF) {
				return "", io.EOF
			}
			return "", err
		}
		l.mu.Unlock()
		select {
		case <-l.notify:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
}

// waiting reports whether a line or the end of input is waiting.
func (l *lineReader) waiting() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.queue) > 0 || l.eof
}

// parseColor reads a GTP colour.
func parseColor(s string) (board.Color, error) {
	c, err := board.ParseColor(s)
	if err != nil {
		return board.Empty, errors.New("invalid color")
	}
	return c, nil
}

func parseInt(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("not an integer: %q", s)
	}
	return n, nil
}
