package sgf

import (
	"errors"
	"testing"

	"github.com/tengen-go/tengen/board"
)

func TestReplayFunc(t *testing.T) {
	c, err := Parse([]byte("(;FF[4]SZ[9]KM[7]AB[cc][gg];W[ee];B[dd];W[];B[ec])"))
	if err != nil {
		t.Fatal(err)
	}
	var seen []string
	g := ReplayFunc(c.Games[0], 1, func(bg *board.Game, m board.Move) error {
		if bg.ToMove() != m.Color {
			t.Errorf("to move %v before %v", bg.ToMove(), m.Color)
		}
		seen = append(seen, m.Color.String()+m.Point.GTP(9))
		return nil
	})
	if g.Err != nil {
		t.Fatal(g.Err)
	}
	want := []string{"WE5", "BD6", "Wpass", "BE7"}
	if len(seen) != len(want) {
		t.Fatalf("hook saw %v; want %v", seen, want)
	}
	for i := range want {
		if seen[i] != want[i] {
			t.Fatalf("hook saw %v; want %v", seen, want)
		}
	}
	stop := errors.New("stop")
	g = ReplayFunc(c.Games[0], 1, func(*board.Game, board.Move) error { return stop })
	if g.Err != stop || g.Moves != 0 {
		t.Fatalf("Err %v Moves %d; want stop after 0", g.Err, g.Moves)
	}
}
