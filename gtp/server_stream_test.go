package gtp_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/gtp"
	"github.com/tengen-go/tengen/gtp/gtptest"
)

// pipeServer runs a server on pipes; it returns the command writer, a
// reader of the server's output and a channel with Serve's result.
func pipeServer(t *testing.T, p gtp.Player, cfg gtp.ServerConfig) (io.WriteCloser, *bufio.Reader, <-chan error) {
	t.Helper()
	s, err := gtp.NewServer(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	done := make(chan error, 1)
	finished := make(chan struct{})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	go func() {
		defer close(finished)
		err := s.Serve(ctx, inR, outW)
		outW.Close()
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		inW.Close()
		go io.Copy(io.Discard, outR)
		<-finished
	})
	return inW, bufio.NewReader(outR), done
}

// readReply reads one reply (its lines, without the blank line).
func readReply(t *testing.T, r *bufio.Reader) []string {
	t.Helper()
	var lines []string
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("reading reply: %v (so far %q)", err, lines)
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			return lines
		}
		lines = append(lines, line)
	}
}

func write(t *testing.T, w io.Writer, s string) {
	t.Helper()
	if _, err := io.WriteString(w, s); err != nil {
		t.Fatal(err)
	}
}

// TestPipelinedWhileThinking: commands sent while genmove thinks are read
// at once but answered in order, after the move.
func TestPipelinedWhileThinking(t *testing.T) {
	w, r, _ := pipeServer(t, &gtptest.Player{Delay: 200 * time.Millisecond}, testConfig())
	write(t, w, "1 genmove b\n2 name\n3 list_stones b\n")
	got1 := readReply(t, r)
	if len(got1) != 1 || !strings.HasPrefix(got1[0], "=1 ") {
		t.Fatalf("genmove: %q", got1)
	}
	if got := readReply(t, r); len(got) != 1 || got[0] != "=2 tengen" {
		t.Fatalf("name: %q", got)
	}
	if got := readReply(t, r); len(got) != 1 || got[0] != "=3 "+strings.TrimPrefix(got1[0], "=1 ") {
		t.Fatalf("list_stones after genmove %q: %q", got1, got)
	}
}

// TestAnalysisStoppedByInput: lz-analyze reports every interval until a
// line arrives; then the reply ends and the new command is answered.
func TestAnalysisStoppedByInput(t *testing.T) {
	w, r, _ := pipeServer(t, &gtptest.Player{Periodic: true}, testConfig())
	write(t, w, "lz-analyze B 1\n")
	if line, _ := r.ReadString('\n'); line != "=\n" {
		t.Fatalf("status line %q", line)
	}
	for i := 0; i < 3; i++ { // the immediate report and two periodic ones
		line, err := r.ReadString('\n')
		if err != nil || !strings.HasPrefix(line, "info move ") {
			t.Fatalf("info line %d: %q, %v", i, line, err)
		}
	}
	write(t, w, "protocol_version\n")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		if line == "\n" {
			break
		}
		if !strings.HasPrefix(line, "info move ") {
			t.Fatalf("in analysis: %q", line)
		}
	}
	if got := readReply(t, r); len(got) != 1 || got[0] != "= 2" {
		t.Fatalf("after analysis: %q", got)
	}
}

// TestEndOfInputStopsAnalysis: Serve returns nil when input ends during
// an analysis, after ending the reply.
func TestEndOfInputStopsAnalysis(t *testing.T) {
	w, r, done := pipeServer(t, &gtptest.Player{}, testConfig())
	write(t, w, "lz-analyze 10\n")
	if line, _ := r.ReadString('\n'); line != "=\n" {
		t.Fatalf("status line %q", line)
	}
	w.Close()
	rest := readReply(t, r)
	for _, l := range rest {
		if !strings.HasPrefix(l, "info move ") {
			t.Errorf("in analysis: %q", l)
		}
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve at end of input: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve still running after the end of input")
	}
}

func TestQuitEndsServe(t *testing.T) {
	w, r, done := pipeServer(t, &gtptest.Player{}, testConfig())
	write(t, w, "quit\n")
	if got := readReply(t, r); len(got) != 1 || got[0] != "=" {
		t.Fatalf("quit: %q", got)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve after quit: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve still running after quit")
	}
}

// TestContextEndsServe: Serve returns ctx's error while waiting for
// input.
func TestContextEndsServe(t *testing.T) {
	s, err := gtp.NewServer(&gtptest.Player{}, testConfig())
	if err != nil {
		t.Fatal(err)
	}
	inR, inW := io.Pipe()
	defer inW.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Serve(ctx, inR, io.Discard); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Serve = %v; want deadline exceeded", err)
	}
}

// playerCalls serves the commands to a recording Player and returns the
// calls it received.
func playerCalls(t *testing.T, commands ...string) []gtptest.Call {
	t.Helper()
	p := &gtptest.Player{}
	serve(t, p, testConfig(), strings.Join(commands, "\n")+"\n")
	return p.Calls()
}

// TestSearchOptions: what the Player is told by time settings, cleanup,
// and lz-analyze's tags.
func TestSearchOptions(t *testing.T) {
	calls := playerCalls(t,
		"boardsize 9",
		"genmove b",
		"time_settings 300 30 5",
		"genmove w",
		"kgs-genmove_cleanup b",
		"lz-analyze w interval 25 avoid w e5,d4 1 allow b c3 2 minmoves 4",
		"lz-genmove_analyze w 50 allow w c7,g3 1",
	)
	if len(calls) != 5 {
		t.Fatalf("%d calls: %+v", len(calls), calls)
	}
	if c := calls[0]; c.Method != "GenMove" || c.Color != board.Black || c.Opts.Budget != 0 || c.Opts.Cleanup {
		t.Errorf("plain genmove without time settings: %+v", c)
	}
	if c := calls[1]; c.Color != board.White || c.Opts.Budget <= 0 || c.Opts.Budget > 35*time.Second {
		t.Errorf("genmove with time settings: %+v", c)
	}
	if c := calls[2]; !c.Opts.Cleanup || c.Moves != 2 {
		t.Errorf("kgs-genmove_cleanup: %+v", c)
	}
	e5, _ := board.ParseGTP("E5", 9)
	d4, _ := board.ParseGTP("D4", 9)
	c3, _ := board.ParseGTP("C3", 9)
	c := calls[3]
	if c.Method != "Analyze" || c.Color != board.White || c.Opts.Interval != 250*time.Millisecond || c.Opts.MinMoves != 4 ||
		len(c.Opts.Avoid) != 1 || c.Opts.Avoid[0].Color != board.White || c.Opts.Avoid[0].UntilDepth != 1 ||
		len(c.Opts.Avoid[0].Moves) != 2 || c.Opts.Avoid[0].Moves[0] != e5 || c.Opts.Avoid[0].Moves[1] != d4 ||
		len(c.Opts.Allow) != 1 || c.Opts.Allow[0].Color != board.Black || c.Opts.Allow[0].UntilDepth != 2 || c.Opts.Allow[0].Moves[0] != c3 {
		t.Errorf("lz-analyze: %+v", c)
	}
	if c := calls[4]; c.Method != "GenMove" || c.Opts.Interval != 500*time.Millisecond || len(c.Opts.Allow) != 1 || c.Opts.Budget <= 0 {
		t.Errorf("lz-genmove_analyze: %+v", c)
	}
}

// TestSearchOptionsNoSaving: NoSaving is set where the clock gives every
// move the same period (time_settings 0 2 1: one stone a block), for
// genmove and lz-genmove_analyze alike, and not in main time or without
// time settings.
func TestSearchOptionsNoSaving(t *testing.T) {
	calls := playerCalls(t,
		"boardsize 9",
		"genmove b",
		"time_settings 300 30 5",
		"genmove w",
		"time_settings 0 2 1",
		"genmove b",
		"lz-genmove_analyze w 50",
		"time_settings 0 60 10",
		"genmove b",
	)
	want := []bool{false, false, true, true, false}
	if len(calls) != len(want) {
		t.Fatalf("%d calls: %+v", len(calls), calls)
	}
	for i, c := range calls {
		if c.Opts.NoSaving != want[i] {
			t.Errorf("call %d (%s %v, budget %v): NoSaving %v; want %v", i, c.Method, c.Color, c.Opts.Budget, c.Opts.NoSaving, want[i])
		}
	}
}

// TestPlayerErrors: a failing Player gives "?" replies (or a cleanly ended
// stream), and a Player playing an illegal move is refused.
func TestPlayerErrors(t *testing.T) {
	out := serve(t, &gtptest.Player{Fail: errors.New("net broke")}, testConfig(),
		"genmove b\nlz-genmove_analyze b 10\nlz-analyze b 10\nname\n")
	want := "? genmove failed: net broke\n\n? genmove failed: net broke\n\n=\n\n= tengen\n\n"
	if out != want {
		t.Errorf("output %q; want %q", out, want)
	}
	out = serve(t, illegalPlayer{}, testConfig(), "play b d4\ngenmove w\nlist_stones w\n")
	if reps := replies(out); len(reps) != 3 || !strings.HasPrefix(reps[1], "? engine chose an illegal move") || reps[2] != "=" {
		t.Errorf("illegal move: %q", reps)
	}
}

// illegalPlayer always plays D4.
type illegalPlayer struct{}

func (illegalPlayer) GenMove(context.Context, *board.Game, board.Color, gtp.SearchOptions) (board.Point, bool, error) {
	pt, err := board.ParseGTP("D4", 19)
	return pt, false, err
}

func (illegalPlayer) Analyze(ctx context.Context, _ *board.Game, _ board.Color, _ gtp.SearchOptions) error {
	<-ctx.Done()
	return nil
}

// TestResign: a resigning Player gives "resign" and nothing is played.
func TestResign(t *testing.T) {
	out := serve(t, &gtptest.Player{ResignAfter: 1}, testConfig(), "play b d4\ngenmove w\nlz-genmove_analyze w 10\nlist_stones w\n")
	reps := replies(out)
	if len(reps) != 4 || reps[1] != "= resign" || !strings.HasSuffix(reps[2], "\nplay resign") || reps[3] != "=" {
		t.Errorf("replies %q", reps)
	}
}

// ponderPlayer records Ponder calls and waits for cancellation in them.
type ponderPlayer struct {
	gtptest.Player
	pondered chan board.Color
	stopped  chan struct{}
}

func (p *ponderPlayer) Ponder(ctx context.Context, _ *board.Game, c board.Color) error {
	p.pondered <- c
	<-ctx.Done()
	close(p.stopped)
	return nil
}

// TestPonder: with Ponder set, a Ponderer thinks after genmove for the
// opponent until the next command arrives.
func TestPonder(t *testing.T) {
	p := &ponderPlayer{pondered: make(chan board.Color, 1), stopped: make(chan struct{})}
	cfg := testConfig()
	cfg.Ponder = true
	w, r, _ := pipeServer(t, p, cfg)
	write(t, w, "genmove b\n")
	readReply(t, r)
	select {
	case c := <-p.pondered:
		if c != board.White {
			t.Errorf("pondered for %v; want White", c)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no pondering after genmove")
	}
	write(t, w, "name\n")
	if got := readReply(t, r); len(got) != 1 || got[0] != "= tengen" {
		t.Fatalf("name while pondering: %q", got)
	}
	select {
	case <-p.stopped:
	default:
		t.Error("pondering not stopped before the next command ran")
	}
}
