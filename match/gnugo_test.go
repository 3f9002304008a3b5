package match_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/tengen-go/tengen/internal/testenv"
	"github.com/tengen-go/tengen/match"
)

// TestGNUGoSelfPlay plays four 9x9 games of GNU Go level 1 against
// itself: every move must be legal, every game must end by the score or
// a resignation, and every record must replay under our rules.
func TestGNUGoSelfPlay(t *testing.T) {
	path := testenv.GNUGo(t)
	eng := func(name string) match.Engine {
		e, err := match.EngineFromCommand(path + " --mode gtp --level 1")
		if err != nil {
			t.Fatal(err)
		}
		e.Name = name
		return e
	}
	c := match.DefaultConfig()
	c.A, c.B = eng("gnugo-a"), eng("gnugo-b")
	c.Games = 4
	c.Size = 9
	c.Komi = 7
	c.MoveTimeout = 15 * time.Second // generous: CI machines are shared
	c.Openings = 2                   // GNU Go is deterministic: two different pairs of games
	c.Seed = 1
	c.SGFDir = filepath.Join(t.TempDir(), "sgf")
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Second) // a safety net; ~5s unloaded
	defer cancel()
	sum, err := match.Run(ctx, c, func(r match.GameResult) {
		t.Logf("game %d: winner %v by %s (%.1f), %d moves, %v: %s", r.Game, r.Winner, r.Reason, r.Margin(), r.Moves, r.Duration.Round(time.Millisecond), r.Detail)
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if sum.Games != 4 || sum.WinsA+sum.WinsB+sum.Draws != 4 || sum.ForfeitsA+sum.ForfeitsB != 0 {
		t.Errorf("summary %+v", sum)
	}
	for _, r := range sum.Results {
		if r.Reason != match.ReasonScore && r.Reason != match.ReasonResign {
			t.Errorf("game %d ended by %s: %s", r.Game, r.Reason, r.Detail)
		}
		if r.Moves < 20 {
			t.Errorf("game %d: only %d moves", r.Game, r.Moves)
		}
		g := readSGF(t, r.SGF) // replays with our legality checks
		if g.Moves != r.Moves || g.Info.Size != 9 || g.Info.Komi != 7 || g.Info.Result == "" {
			t.Errorf("game %d: SGF has %d moves, SZ %d, KM %v, RE %q; result %+v", r.Game, g.Moves, g.Info.Size, g.Info.Komi, g.Info.Result, r)
		}
		if want := map[bool]string{true: "gnugo-a", false: "gnugo-b"}[r.BlackA]; g.Info.PB != want {
			t.Errorf("game %d: PB %q; want %q", r.Game, g.Info.PB, want)
		}
	}
	if d, lo, hi := match.Elo(sum.WinsA, sum.WinsB, sum.Draws); sum.Elo != d || sum.EloLow != lo || sum.EloHigh != hi {
		t.Errorf("summary Elo %v [%v, %v]", sum.Elo, sum.EloLow, sum.EloHigh)
	}
}
