package match_test

import (
	"math"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/match"
)

func TestElo(t *testing.T) {
	inf := math.Inf(1)
	// Values from the Wilson formula evaluated independently (Python).
	tests := []struct {
		wins, losses, draws int
		diff, low, high     float64
	}{
		{0, 0, 0, 0, -inf, inf},
		{5, 5, 0, 0, -203.502, 203.502},
		{50, 50, 0, 0, -67.668, 67.668},
		{0, 0, 4, 0, -301.278, 301.278},
		{75, 25, 0, 190.849, 112.874, 268.823},
		{60, 30, 10, 107.538, 36.647, 178.429},
		{10, 0, 0, inf, 166.202, inf},
		{0, 10, 0, -inf, -inf, -166.202},
		{1, 0, 0, inf, -233.798, inf},
	}
	near := func(a, b float64) bool {
		if math.IsInf(a, 0) || math.IsInf(b, 0) {
			return a == b
		}
		return math.Abs(a-b) < 1e-3
	}
	for _, tt := range tests {
		d, lo, hi := match.Elo(tt.wins, tt.losses, tt.draws)
		if !near(d, tt.diff) || !near(lo, tt.low) || !near(hi, tt.high) {
			t.Errorf("Elo(%d, %d, %d) = %.3f [%.3f, %.3f]; want %.3f [%.3f, %.3f]",
				tt.wins, tt.losses, tt.draws, d, lo, hi, tt.diff, tt.low, tt.high)
		}
		// The mirror match gives the mirror interval.
		md, mlo, mhi := match.Elo(tt.losses, tt.wins, tt.draws)
		if !near(md, -d) || !near(mlo, -hi) || !near(mhi, -lo) {
			t.Errorf("Elo(%d, %d, %d) = %.3f [%.3f, %.3f]; want the mirror of %.3f [%.3f, %.3f]",
				tt.losses, tt.wins, tt.draws, md, mlo, mhi, d, lo, hi)
		}
	}
}

func TestEloIntervalProperties(t *testing.T) {
	prevWidth := math.Inf(1)
	for n := 2; n <= 2048; n *= 2 {
		for w := 0; w <= n; w += max(1, n/8) {
			d, lo, hi := match.Elo(w, n-w, 0)
			if !(lo <= d && d <= hi) || lo == hi {
				t.Errorf("Elo(%d, %d, 0) = %v not inside [%v, %v]", w, n-w, d, lo, hi)
			}
			if math.IsInf(lo, 0) && math.IsInf(hi, 0) {
				t.Errorf("Elo(%d, %d, 0): both ends infinite", w, n-w)
			}
		}
		// More games, a narrower interval at an even score.
		_, lo, hi := match.Elo(n/2, n/2, 0)
		if w := hi - lo; w >= prevWidth {
			t.Errorf("n=%d: width %v not below %v", n, w, prevWidth)
		} else {
			prevWidth = w
		}
	}
	if d := match.EloFromScore(0.75); math.Abs(d-190.849) > 1e-3 {
		t.Errorf("EloFromScore(0.75) = %v; want 190.849", d)
	}
}

func TestSummaryAdd(t *testing.T) {
	var s match.Summary
	for _, r := range []match.GameResult{
		{Game: 1, BlackA: true, Winner: board.Black, Score: 3.5, Reason: match.ReasonScore},
		{Game: 2, BlackA: false, Winner: board.Black, Reason: match.ReasonTimeout},
		{Game: 3, BlackA: true, Winner: board.Empty, Reason: match.ReasonScore},
		{Game: 4, BlackA: false, Winner: board.Black, Reason: match.ReasonIllegal},
		{Game: 5, BlackA: true, Winner: board.White, Reason: match.ReasonResign},
	} {
		s.Add(r)
	}
	// A wins game 1, draws game 3; B wins the rest.
	want := match.Summary{Games: 5, WinsA: 1, WinsB: 3, Draws: 1, WinsBlack: 3, WinsWhite: 1, ForfeitsA: 0, ForfeitsB: 0}
	if s.Games != want.Games || s.WinsA != want.WinsA || s.WinsB != want.WinsB || s.Draws != want.Draws ||
		s.WinsBlack != want.WinsBlack || s.WinsWhite != want.WinsWhite {
		t.Errorf("summary %+v; want %+v", s, want)
	}
	// Games 2 and 4: Black (B) won because White (A) forfeited.
	if s.ForfeitsA != 2 || s.ForfeitsB != 0 {
		t.Errorf("forfeits A %d, B %d; want 2, 0", s.ForfeitsA, s.ForfeitsB)
	}
	if got := s.Score(); got != 1.5/5 {
		t.Errorf("Score() = %v; want 0.3", got)
	}
	if d, lo, hi := match.Elo(1, 3, 1); s.Elo != d || s.EloLow != lo || s.EloHigh != hi {
		t.Errorf("summary Elo %v [%v, %v]; want Elo(1, 3, 1)", s.Elo, s.EloLow, s.EloHigh)
	}
	if m := s.Results[0].Margin(); m != 3.5 {
		t.Errorf("Margin() = %v; want 3.5", m)
	}
}
