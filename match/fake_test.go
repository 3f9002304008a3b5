package match_test

import (
	"bufio"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/match"
)

// The test binary doubles as a fake GTP engine: started with
// fakeEngineEnv=1 it runs fakeEngine instead of the tests.
const fakeEngineEnv = "TENGEN_MATCH_FAKE_ENGINE"

func TestMain(m *testing.M) {
	if os.Getenv(fakeEngineEnv) == "1" {
		os.Exit(fakeEngine())
	}
	os.Exit(m.Run())
}

// fakeEngine is a GTP engine that keeps its own board.Game and answers
// genmove from a script, then with the first legal move (row by row) that
// does not fill its own eye, or pass. Environment:
//
//	FAKE_NAME    its name (default "fake")
//	FAKE_SCRIPT  comma-separated replies to the 1st, 2nd, ... genmove of
//	             each game: a vertex, "pass", "resign", "auto" (the
//	             default move), "garbage" (answers "Z99"), "occupied" (a
//	             point with a stone on it), "crash" (exits with status 3),
//	             "hang" (never answers), "refuse" (answers '?')
//	FAKE_ONCE    a file: "crash" and "hang" fire only if it does not exist,
//	             and create it (so a restarted engine behaves)
//	FAKE_DEAD    reply to "final_status_list dead"; "refuse" answers '?'
//	FAKE_NO_CLEANUP=1  kgs-genmove_cleanup is not listed nor known
//	FAKE_EXIT_AFTER_SCORING=1  exit after answering final_status_list
//	             (once, with FAKE_ONCE)
//	FAKE_LOG     a file to which every command line received is appended
func fakeEngine() int {
	in := bufio.NewScanner(os.Stdin)
	out := bufio.NewWriter(os.Stdout)
	var logf *os.File
	if p := os.Getenv("FAKE_LOG"); p != "" {
		f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer f.Close()
		logf = f
	}
	var script []string
	if s := os.Getenv("FAKE_SCRIPT"); s != "" {
		script = strings.Split(s, ",")
	}
	noCleanup := os.Getenv("FAKE_NO_CLEANUP") == "1"
	size, komi := 19, 0.0
	g, _ := board.NewGame(size, komi, board.DefaultRules())
	gen := 0 // genmoves answered this game
	once := func() bool {
		p := os.Getenv("FAKE_ONCE")
		if p == "" {
			return true
		}
		if _, err := os.Stat(p); err == nil {
			return false
		}
		os.WriteFile(p, nil, 0o644)
		return true
	}
	for in.Scan() {
		line := in.Text()
		if logf != nil {
			fmt.Fprintln(logf, line)
		}
		fields := strings.Fields(line)
		id := ""
		if len(fields) > 0 {
			if _, err := strconv.Atoi(fields[0]); err == nil {
				id, fields = fields[0], fields[1:]
			}
		}
		ok := func(text string) { fmt.Fprintf(out, "=%s %s\n\n", id, text); out.Flush() }
		fail := func(text string) { fmt.Fprintf(out, "?%s %s\n\n", id, text); out.Flush() }
		if len(fields) == 0 {
			fail("empty command")
			continue
		}
		args := fields[1:]
		switch cmd := fields[0]; cmd {
		case "name":
			ok(cmp(os.Getenv("FAKE_NAME"), "fake"))
		case "version":
			ok("1.0")
		case "protocol_version":
			ok("2")
		case "list_commands":
			cmds := "name\nversion\nlist_commands\nboardsize\nclear_board\nkomi\ntime_settings\nplay\ngenmove\nfinal_status_list\nquit"
			if !noCleanup {
				cmds += "\nkgs-genmove_cleanup"
			}
			ok(cmds)
		case "boardsize":
			n, err := strconv.Atoi(args[0])
			if err != nil {
				fail("bad size")
				continue
			}
			size = n
			g, _ = board.NewGame(size, komi, board.DefaultRules())
			ok("")
		case "clear_board":
			g, _ = board.NewGame(size, komi, board.DefaultRules())
			gen = 0
			ok("")
		case "komi", "time_settings":
			ok("")
		case "play":
			c, err1 := board.ParseColor(args[0])
			pt, err2 := board.ParseGTP(args[1], size)
			if err1 != nil || err2 != nil || g.Play(c, pt) != nil {
				fail("illegal move")
				continue
			}
			ok("")
		case "genmove", "kgs-genmove_cleanup":
			if cmd == "kgs-genmove_cleanup" && noCleanup {
				fail("unknown command")
				continue
			}
			c, err := board.ParseColor(args[0])
			if err != nil {
				fail("bad colour")
				continue
			}
			gen++
			action := "auto"
			if gen <= len(script) && script[gen-1] != "" {
				action = script[gen-1]
			}
			switch action {
			case "crash", "hang":
				if !once() {
					action = "auto"
				}
			}
			switch action {
			case "auto":
				pt := autoMove(g, c)
				g.Play(c, pt)
				ok(pt.GTP(size))
			case "resign":
				ok("resign")
			case "garbage":
				ok("Z99")
			case "refuse":
				fail("cannot")
			case "occupied":
				for _, pt := range board.Points(size) {
					if g.Position().At(pt) != board.Empty {
						ok(pt.GTP(size))
						break
					}
				}
			case "crash":
				fmt.Fprintln(os.Stderr, "fake engine: crash")
				return 3
			case "hang":
				time.Sleep(time.Hour)
			default:
				// Answered as scripted, legal or not: the referee judges.
				if pt, err := board.ParseGTP(action, size); err == nil {
					g.Play(c, pt)
				}
				ok(action)
			}
		case "final_status_list":
			switch d := os.Getenv("FAKE_DEAD"); d {
			case "refuse":
				fail("cannot score")
			default:
				ok(d)
			}
			if os.Getenv("FAKE_EXIT_AFTER_SCORING") == "1" && once() {
				return 0
			}
		case "quit":
			ok("")
			return 0
		default:
			fail("unknown command")
		}
	}
	return 0
}

// autoMove is the first legal point, row by row, that does not fill one
// of c's eyes; Pass if none.
func autoMove(g *board.Game, c board.Color) board.Point {
	for _, pt := range g.LegalMoves(c, nil) {
		if !g.Position().IsEye(c, pt) {
			return pt
		}
	}
	return board.Pass
}

func cmp(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// fake returns an Engine running the fake engine with env entries.
func fake(t *testing.T, env ...string) match.Engine {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	e := match.Engine{}
	e.GTP.Path = exe
	// A -race binary sleeps 1s on exit unless told not to.
	e.GTP.Env = append(append(os.Environ(), fakeEngineEnv+"=1", "GORACE=atexit_sleep_ms=0"), env...)
	e.GTP.QuitTimeout = 5 * time.Second
	return e
}
