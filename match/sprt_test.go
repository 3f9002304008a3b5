package match_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/tengen-go/tengen/match"
)

func TestSPRTArithmetic(t *testing.T) {
	s := match.SPRT{Elo0: 0, Elo1: 50}
	lower, upper := s.Bounds()
	if math.Abs(lower-math.Log(0.05/0.95)) > 1e-12 || math.Abs(upper-math.Log(0.95/0.05)) > 1e-12 {
		t.Fatalf("bounds %v %v", lower, upper)
	}
	perWin := math.Log(match.ScoreFromElo(50) / 0.5)
	if got := s.LLR(3, 1, 2); math.Abs(got-(4*perWin+2*math.Log((1-match.ScoreFromElo(50))/0.5))) > 1e-12 {
		t.Fatalf("LLR(3, 1, 2) = %v", got)
	}
	wins := int(math.Ceil(upper / perWin))
	if s.Decide(wins-1, 0, 0) != "" || s.Decide(wins, 0, 0) != "H1" {
		t.Fatalf("H1 after %d straight wins: %q, %q", wins, s.Decide(wins-1, 0, 0), s.Decide(wins, 0, 0))
	}
	if s.Decide(0, 30, 0) != "H0" || (match.SPRT{}).Decide(0, 100, 0) != "" {
		t.Fatal("H0 after 30 losses, or a test that is off decided")
	}
	if math.Abs(match.ScoreFromElo(match.EloFromScore(0.7))-0.7) > 1e-12 {
		t.Fatal("ScoreFromElo is not EloFromScore's inverse")
	}
}

// TestSPRTStopsMatch: B resigns every game; the test accepts H1 after
// as many wins as the arithmetic says, well before --games.
func TestSPRTStopsMatch(t *testing.T) {
	c := smallConfig(fake(t), fake(t, "FAKE_SCRIPT=resign"))
	c.Games = 100
	c.SPRT = match.SPRT{Elo0: 0, Elo1: 200}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sum, err := match.Run(ctx, c, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, upper := c.SPRT.Bounds()
	want := int(math.Ceil(upper / math.Log(match.ScoreFromElo(200)/0.5)))
	if sum.Games != want || sum.SPRT != "H1" || sum.WinsA != want || sum.LLR < upper {
		t.Fatalf("played %d games (A won %d), SPRT %q, LLR %v; want H1 after %d", sum.Games, sum.WinsA, sum.SPRT, sum.LLR, want)
	}
}
