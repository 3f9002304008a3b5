package gtp_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/gtp"
	"github.com/tengen-go/tengen/gtp/gtptest"
)

// panicky is a Player that panics in GenMove and Analyze after changing
// nothing of the game (the Server owns it) while armed.
type panicky struct {
	gtptest.Player
	armed bool
}

func (p *panicky) GenMove(ctx context.Context, g *board.Game, c board.Color, opts gtp.SearchOptions) (board.Point, bool, error) {
	if p.armed {
		var s []int
		_ = s[len(s)-1] // index out of range, as issue 12's crash
	}
	return p.Player.GenMove(ctx, g, c, opts)
}

func (p *panicky) Analyze(ctx context.Context, g *board.Game, c board.Color, opts gtp.SearchOptions) error {
	if p.armed {
		panic("analysis exploded")
	}
	return p.Player.Analyze(ctx, g, c, opts)
}

// TestPanicRecovered: a panic inside a command is answered "? internal
// error", logged with its stack, reported to OnPanic, and the server goes
// on with the game as it was.
func TestPanicRecovered(t *testing.T) {
	p := &panicky{armed: true}
	cfg := testConfig()
	var mu sync.Mutex
	var panics []string
	cfg.OnPanic = func(cmd string, v any, stack []byte) {
		mu.Lock()
		defer mu.Unlock()
		panics = append(panics, cmd)
		if !strings.Contains(string(stack), "panicky") {
			t.Errorf("stack of %s does not show the panicking function:\n%s", cmd, stack)
		}
	}
	var log strings.Builder
	cfg.Log = &log
	out := serve(t, p, cfg, "boardsize 9\nplay b e5\n1 genmove w\n2 lz-genmove_analyze w 10\n3 lz-analyze w 10\nlist_stones black\nlist_stones white\nplay w d4\nshowboard\n")
	r := replies(out)
	want := []string{"=", "=", "?1 internal error: runtime error: index out of range [-1]", "?2 internal error"}
	for i, w := range want {
		if i >= len(r) || !strings.HasPrefix(r[i], w) {
			t.Fatalf("reply %d = %q; want prefix %q\nall: %q", i, at(r, i), w, r)
		}
	}
	if !strings.HasPrefix(r[4], "=3") || !strings.HasPrefix(r[5], "= E5") || r[6] != "= " && r[6] != "=" {
		t.Fatalf("after the panics: %q", r[4:])
	}
	if r[7] != "=" {
		t.Fatalf("play after the panics: %q", r[7])
	}
	if len(panics) != 3 || panics[0] != "genmove" || panics[1] != "lz-genmove_analyze" || panics[2] != "lz-analyze" {
		t.Fatalf("OnPanic saw %q", panics)
	}
	if !strings.Contains(log.String(), "gtp: panic in genmove: runtime error") || !strings.Contains(log.String(), "goroutine") {
		t.Fatalf("log has no panic with stack:\n%s", log.String())
	}
}

func at(r []string, i int) string {
	if i < len(r) {
		return r[i]
	}
	return "<none>"
}
