package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/gtp"
)

// The model-based GTP test (issue 12) drives the real engine (search,
// embedded networks on 9x9 and 19x19, playouts elsewhere) through random
// command sequences that are legal by construction or deliberately wrong,
// and checks every reply and, after every command, the server's board
// (showboard) against a board.Game the test replays itself.
var (
	gtpModelSeqs = flag.Int("gtpmodel.seqs", 0, "model-based GTP sequences (0: the CI default)")
	gtpModelSeed = flag.Uint64("gtpmodel.seed", 1, "first seed of the model-based GTP sequences")
)

// gtpModelDefaultSeqs is the CI default; -short runs fewer.
const gtpModelDefaultSeqs = 2000

// modelEngine is one engine shared by every sequence, as one long Sabaki
// session would share it: searchers and trees live across games.
var modelEngine struct {
	once sync.Once
	eng  *engine
	err  error
}

func sharedModelEngine(t testing.TB) *engine {
	modelEngine.once.Do(func() {
		modelEngine.eng, modelEngine.err = newEngine(engineConfig{
			threads: 2, visits: 6, resign: 0.05, seed: 7, rollouts: 1, maxBatch: 4, nodes: 200_000, judge: 16,
		}, io.Discard)
	})
	if modelEngine.err != nil {
		t.Fatal(modelEngine.err)
	}
	return modelEngine.eng
}

// gtpSession talks to a Server over pipes, one command at a time.
type gtpSession struct {
	t       testing.TB
	in      *io.PipeWriter
	out     *bufio.Reader
	done    chan error
	pending bool // an lz-analyze reply is still open
	cancel  context.CancelFunc
}

func startSession(t testing.TB, eng *engine, dir string, panics *[]string) *gtpSession {
	inR, inW := io.Pipe()
	outR, outW := io.Pipe()
	srv, err := gtp.NewServer(eng, gtp.ServerConfig{
		Name: "tengen", Version: "model", Seed: 1, OwnershipPlayouts: 16, Log: io.Discard,
		OnPanic: func(cmd string, v any, stack []byte) {
			*panics = append(*panics, fmt.Sprintf("panic in %s: %v\n%s", cmd, v, stack))
		},
		ReadFile: func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) },
		WriteFile: func(name string, data []byte) error {
			return os.WriteFile(filepath.Join(dir, name), data, 0o644)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &gtpSession{t: t, in: inW, out: bufio.NewReader(outR), done: make(chan error, 1), cancel: cancel}
	go func() {
		err := srv.Serve(ctx, inR, outW)
		outW.CloseWithError(fmt.Errorf("server ended: %v", err))
		s.done <- err
	}()
	return s
}

// readReply reads one reply up to its empty line.
func (s *gtpSession) readReply() (string, error) {
	var lines []string
	for {
		line, err := s.out.ReadString('\n')
		if err != nil {
			return strings.Join(lines, "\n"), err
		}
		line = strings.TrimSuffix(line, "\n")
		if line == "" {
			if len(lines) == 0 {
				continue
			}
			return strings.Join(lines, "\n"), nil
		}
		lines = append(lines, line)
	}
}

// send writes one command and returns its reply. An open lz-analyze
// reply is read to its end first: the command ends the analysis.
func (s *gtpSession) send(cmd string) (string, error) {
	if _, err := io.WriteString(s.in, cmd+"\n"); err != nil {
		return "", err
	}
	if s.pending {
		s.pending = false
		// The rest of the reply, after its status line: info lines, then
		// the empty line that ends it.
		for {
			line, err := s.out.ReadString('\n')
			if err != nil {
				return "", fmt.Errorf("lz-analyze reply: %v", err)
			}
			if line == "\n" {
				break
			}
			if !strings.HasPrefix(line, "info move ") {
				return "", fmt.Errorf("lz-analyze line %q", line)
			}
		}
	}
	return s.readReply()
}

// startAnalysis sends lz-analyze and reads its status line only; the next
// send interrupts it.
func (s *gtpSession) startAnalysis(cmd string) error {
	if _, err := io.WriteString(s.in, cmd+"\n"); err != nil {
		return err
	}
	line, err := s.out.ReadString('\n')
	if err != nil {
		return err
	}
	if line != "=\n" {
		return fmt.Errorf("%s: status line %q", cmd, line)
	}
	s.pending = true
	return nil
}

func (s *gtpSession) close() error {
	_, err := s.send("quit")
	s.in.Close()
	select {
	case serr := <-s.done:
		if err == nil {
			err = serr
		}
	case <-time.After(30 * time.Second):
		s.cancel()
		err = fmt.Errorf("server did not end after quit")
	}
	s.cancel()
	return err
}

// modelRun is one sequence: the model game and what was sent.
type modelRun struct {
	rng        *rand.Rand
	s          *gtpSession
	g          *board.Game
	komi       float64
	transcript []string
	commands   int
	files      int
}

func (m *modelRun) fail(format string, args ...any) error {
	tail := m.transcript
	if len(tail) > 40 {
		tail = tail[len(tail)-40:]
	}
	return fmt.Errorf("%s\nlast commands:\n  %s", fmt.Sprintf(format, args...), strings.Join(tail, "\n  "))
}

// cmd sends one command, checks its status (want '=' or '?') and returns
// the reply text after the status.
func (m *modelRun) cmd(want byte, format string, args ...any) (string, error) {
	c := fmt.Sprintf(format, args...)
	m.transcript = append(m.transcript, c)
	m.commands++
	r, err := m.s.send(c)
	if err != nil {
		return "", m.fail("%s: %v", c, err)
	}
	if r == "" || r[0] != want {
		return "", m.fail("%s: reply %q, want %c", c, r, want)
	}
	return strings.TrimSpace(r[1:]), nil
}

var colours = [3]string{"", "b", "w"}

// finalScore is the form of a final_score reply.
var finalScore = regexp.MustCompile(`^(0|[BW]\+[0-9]+(\.[0-9]+)?)$`)

func (m *modelRun) randomColour() board.Color {
	if m.rng.IntN(2) == 0 {
		return board.Black
	}
	return board.White
}

// step sends one random command and checks it against the model.
func (m *modelRun) step() error {
	n := m.g.Size()
	r := m.rng.IntN(100)
	switch {
	case r < 40: // a legal move of the side to move (or either colour)
		c := m.g.ToMove()
		if m.rng.IntN(8) == 0 {
			c = c.Opponent()
		}
		legal := m.g.LegalMoves(c, nil)
		pt := board.Pass
		if len(legal) > 0 && m.rng.IntN(10) != 0 {
			pt = legal[m.rng.IntN(len(legal))]
		}
		if _, err := m.cmd('=', "play %s %s", colours[c], pt.GTP(n)); err != nil {
			return err
		}
		if err := m.g.Play(c, pt); err != nil {
			return m.fail("model refuses %v %s: %v", c, pt.GTP(n), err)
		}
	case r < 47: // an illegal move: occupied, ko/superko/suicide, off the board, bad colour
		c := m.randomColour()
		var bad []string
		for _, pt := range board.Points(n) {
			if !m.g.Legal(c, pt) {
				bad = append(bad, colours[c]+" "+pt.GTP(n))
			}
		}
		bad = append(bad, colours[c]+" a"+strconv.Itoa(n+1), "x a1", colours[c]+" i5", colours[c])
		if _, err := m.cmd('?', "play %s", bad[m.rng.IntN(len(bad))]); err != nil {
			return err
		}
	case r < 57:
		return m.genmove("genmove")
	case r < 60:
		return m.genmove("kgs-genmove_cleanup")
	case r < 68:
		want := byte('=')
		if m.g.Undo() != nil {
			want = '?'
		}
		_, err := m.cmd(want, "undo")
		return err
	case r < 70:
		sizes := []string{"0", "1", "26", "x", "9 9"}
		if m.rng.IntN(4) != 0 {
			size := 2 + m.rng.IntN(24)
			if _, err := m.cmd('=', "boardsize %d", size); err != nil {
				return err
			}
			return m.newGame(size)
		}
		_, err := m.cmd('?', "boardsize %s", sizes[m.rng.IntN(len(sizes))])
		return err
	case r < 71:
		if _, err := m.cmd('=', "clear_board"); err != nil {
			return err
		}
		return m.newGame(n)
	case r < 73:
		komis := []float64{0, 0.5, 5.5, 6.5, 7, 7.5, -3.5, 100}
		if m.rng.IntN(6) == 0 {
			_, err := m.cmd('?', "komi seven")
			return err
		}
		k := komis[m.rng.IntN(len(komis))]
		if _, err := m.cmd('=', "komi %g", k); err != nil {
			return err
		}
		m.komi = k
		m.g.SetKomi(k)
	case r < 77: // printsgf and loadsgf round trip
		m.files++
		name := fmt.Sprintf("g%d.sgf", m.files)
		if _, err := m.cmd('=', "printsgf %s", name); err != nil {
			return err
		}
		if _, err := m.cmd('=', "loadsgf %s", name); err != nil {
			return err
		}
		text, err := m.cmd('=', "printsgf")
		if err != nil {
			return err
		}
		if !strings.Contains(text, fmt.Sprintf("SZ[%d]", n)) {
			return m.fail("printsgf after loadsgf lost the size:\n%s", text)
		}
	case r < 80:
		c := m.randomColour()
		m.transcript = append(m.transcript, "lz-analyze "+colours[c]+" 5")
		m.commands++
		if err := m.s.startAnalysis("lz-analyze " + colours[c] + " 5"); err != nil {
			return m.fail("%v", err)
		}
		if m.rng.IntN(2) == 0 {
			time.Sleep(time.Duration(m.rng.IntN(10)) * time.Millisecond)
		}
		// The analysis does not change the game: the side to move shown
		// by the next showboard is checked against the model.
	case r < 85:
		text, err := m.cmd('=', "final_score")
		if err != nil {
			return err
		}
		if !finalScore.MatchString(text) {
			return m.fail("final_score %q", text)
		}
	case r < 90:
		kinds := []string{"dead", "alive", "seki"}
		kind := kinds[m.rng.IntN(len(kinds))]
		text, err := m.cmd('=', "final_status_list %s", kind)
		if err != nil {
			return err
		}
		for _, f := range strings.Fields(text) {
			pt, err := board.ParseGTP(f, n)
			if err != nil || m.g.Position().At(pt) == board.Empty {
				return m.fail("final_status_list %s lists %q, not a stone", kind, f)
			}
		}
	default: // the side to move plays a pass: passes in a row are the point of issue 12
		c := m.g.ToMove()
		if _, err := m.cmd('=', "play %s pass", colours[c]); err != nil {
			return err
		}
		if err := m.g.Play(c, board.Pass); err != nil {
			return m.fail("model: %v", err)
		}
	}
	return nil
}

func (m *modelRun) newGame(size int) error {
	g, err := board.NewGame(size, m.komi, board.DefaultRules())
	if err != nil {
		return m.fail("model: %v", err)
	}
	m.g = g
	return nil
}

// genmove checks a generated move: legal on the model's board, and not a
// pass while the position is open (issue 12: a pass that loses points
// while a legal, non-self-harming move exists).
func (m *modelRun) genmove(name string) error {
	n := m.g.Size()
	c := m.randomColour()
	text, err := m.cmd('=', "%s %s", name, colours[c])
	if err != nil {
		return err
	}
	if strings.EqualFold(text, "resign") {
		return nil
	}
	pt, err := board.ParseGTP(text, n)
	if err != nil {
		return m.fail("%s: reply %q", name, text)
	}
	if pt == board.Pass {
		pos := m.g.Position()
		for _, q := range pos.MovesBeforePass(c, m.g.Komi(), nil) {
			if m.g.Legal(c, q) {
				srv, _ := m.s.send("all_legal " + colours[c])
				return m.fail("%s %s passed while %s is open (server's all_legal: %q)\n%s", name, colours[c], q.GTP(n), srv, pos)
			}
		}
	}
	if err := m.g.Play(c, pt); err != nil {
		return m.fail("%s %s: engine played %s, illegal: %v", name, colours[c], text, err)
	}
	return nil
}

// check compares the server's showboard with the model.
func (m *modelRun) check() error {
	m.commands++
	r, err := m.s.send("showboard")
	if err != nil || !strings.HasPrefix(r, "=") {
		return m.fail("showboard: %q %v", r, err)
	}
	lines := strings.Split(r, "\n")
	n := m.g.Size()
	if len(lines) != n+4 {
		return m.fail("showboard has %d lines for %dx%d:\n%s", len(lines), n, n, r)
	}
	pos := m.g.Position()
	for y := range n {
		row := lines[2+y]
		for x := range n {
			cell := row[3+2*x]
			want := ".XO"[pos.At(board.PointAt(x, y))]
			if cell != want {
				return m.fail("server and model differ at %s: server %c, model %c\nserver:\n%s\nmodel:\n%s",
					board.PointAt(x, y).GTP(n), cell, want, r, pos)
			}
		}
	}
	who := "Black"
	if m.g.ToMove() == board.White {
		who = "White"
	}
	wantLast := fmt.Sprintf("Komi %g, %s to move, captures: X %d, O %d", m.g.Komi(), who, pos.Captures(board.Black), pos.Captures(board.White))
	if lines[len(lines)-1] != wantLast {
		return m.fail("showboard says %q; model %q", lines[len(lines)-1], wantLast)
	}
	return nil
}

// runModelSequence plays one sequence of about steps commands from seed.
func runModelSequence(t testing.TB, eng *engine, rng *rand.Rand, steps int) (commands int, err error) {
	var panics []string
	s := startSession(t, eng, t.TempDir(), &panics)
	m := &modelRun{rng: rng, s: s, komi: 7.5}
	size := 2 + rng.IntN(24)
	if rng.IntN(3) == 0 {
		size = []int{9, 19}[rng.IntN(2)] // the sizes with networks
	}
	if _, err := m.cmd('=', "boardsize %d", size); err == nil {
		_, err = m.cmd('=', "clear_board")
	}
	if err == nil {
		err = m.newGame(size)
	}
	for i := 0; err == nil && i < steps; i++ {
		if err = m.step(); err == nil {
			err = m.check()
		}
	}
	if cerr := s.close(); err == nil && cerr != nil {
		err = m.fail("close: %v", cerr)
	}
	if len(panics) > 0 && err == nil {
		err = m.fail("server recovered a panic (a bug): %s", panics[0])
	}
	return m.commands, err
}

// TestGTPModel runs the model-based sequences: thousands in CI, more with
// -gtpmodel.seqs.
func TestGTPModel(t *testing.T) {
	seqs := *gtpModelSeqs
	if seqs <= 0 {
		seqs = gtpModelDefaultSeqs
		if testing.Short() {
			seqs = 200
		}
	}
	eng := sharedModelEngine(t)
	start := time.Now()
	total := 0
	for i := range seqs {
		seed := *gtpModelSeed + uint64(i)
		rng := rand.New(rand.NewPCG(seed, 0x67747021))
		n, err := runModelSequence(t, eng, rng, 6+rng.IntN(26))
		total += n
		if err != nil {
			t.Fatalf("sequence seed %d (rerun: go test ./cmd/tengen -run TestGTPModel -gtpmodel.seqs 1 -gtpmodel.seed %d):\n%v", seed, seed, err)
		}
	}
	t.Logf("%d sequences, %d commands in %.1fs", seqs, total, time.Since(start).Seconds())
}

// FuzzGTPModel drives the same grammar from the fuzzer's bytes.
func FuzzGTPModel(f *testing.F) {
	for _, seed := range []string{"", "\x00\x01\x02", "issue 12: pass pass genmove", strconv.Itoa(1 << 20)} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		eng := sharedModelEngine(t)
		rng := rand.New(&byteSource{data: data})
		if _, err := runModelSequence(t, eng, rng, 6+len(data)%30); err != nil {
			t.Fatal(err)
		}
	})
}

// byteSource is a rand.Source driven by the fuzzer's bytes: each draw
// takes the next 8 bytes (zeros past the end) and a counter through
// SplitMix64, so that draws never repeat (rand's rejection sampling would
// loop forever on a constant source) and the same bytes give the same
// sequence.
type byteSource struct {
	data []byte
	i    int
	n    uint64
}

func (b *byteSource) Uint64() uint64 {
	var x uint64
	for range 8 {
		x <<= 8
		if b.i < len(b.data) {
			x |= uint64(b.data[b.i])
			b.i++
		}
	}
	b.n++
	z := x + b.n*0x9e3779b97f4a7c15
	z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
	z = (z ^ z>>27) * 0x94d049bb133111eb
	return z ^ z>>31
}
