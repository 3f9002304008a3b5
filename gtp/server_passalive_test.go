package gtp_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/gtp/gtptest"
)

// lyingOwner is a player whose ownership estimate gives White every point.
type lyingOwner struct{ gtptest.Player }

func (*lyingOwner) Ownership(_ context.Context, g *board.Game) ([]float32, error) {
	own := make([]float32, len(board.Points(g.Size())))
	for i := range own {
		own[i] = -1
	}
	return own, nil
}

// TestFinalStatusPassAlive: what Benson's algorithm proves overrides the
// estimate. Black's wall with two eyes is alive and the White stone in
// its eye dead although the estimate gives White the whole board; the
// White stone outside keeps the estimate's verdict.
func TestFinalStatusPassAlive(t *testing.T) {
	setup := "boardsize 5\nplay b a4\nplay b b4\nplay b c4\nplay b d4\nplay b e4\nplay b c5\nplay b e5\nplay w a5\nplay w c2\n"
	out := replies(serve(t, &lyingOwner{}, testConfig(), setup+
		"final_status_list alive\nfinal_status_list dead\nfinal_status_list seki\nfinal_score\n"))
	got := out[len(out)-4:]
	want := []string{"= A4 B4 C4 D4 E4 C5 E5\nC2", "= A5", "=", "= B+1.5"}
	for i := range want {
		if norm(got[i]) != norm(want[i]) {
			t.Errorf("reply %d = %q; want %q", i, got[i], want[i])
		}
	}
}

// norm writes a final_status_list reply with the vertices of each chain
// sorted and the chains sorted, so that the test does not depend on the
// order of either.
func norm(reply string) string {
	lines := strings.Split(strings.TrimPrefix(strings.TrimPrefix(reply, "="), " "), "\n")
	for i, l := range lines {
		f := strings.Fields(l)
		slices.Sort(f)
		lines[i] = strings.Join(f, " ")
	}
	slices.Sort(lines)
	return strings.Join(lines, "\n")
}
