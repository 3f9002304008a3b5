package dataset

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/gtp"
	"github.com/tengen-go/tengen/internal/testenv"
	"github.com/tengen-go/tengen/sgf"
)

// TestDeadStonesAgainstGNUGo compares Count's dead stones with GNU Go's
// final_status_list dead on the final positions of the shared 9x9 games
// that were played to a counted end: per stone (dead or alive), and per
// position (the same dead set). The games were mostly played and scored
// by programs; GNU Go's verdict is a judgement too, not the truth, so the
// test asks for broad agreement, not identity.
func TestDeadStonesAgainstGNUGo(t *testing.T) {
	gnugo := testenv.GNUGo(t)
	archive := filepath.Join(testenv.SharedData(t), "sgf", "9x9.tar.gz")
	if _, err := os.Stat(archive); err != nil {
		t.Skipf("no shared 9x9 games: %v", err)
	}
	maxPositions := 60
	if testing.Short() {
		maxPositions = 15
	}
	c, err := gtp.Start(gtp.Config{Path: gnugo, Args: []string{"--mode", "gtp", "--chinese-rules"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx := context.Background()
	send := func(cmd string, args ...string) string {
		t.Helper()
		r, err := c.Send(ctx, cmd, args...)
		if err != nil {
			t.Fatalf("GNU Go: %s %v: %v", cmd, args, err)
		}
		return r
	}
	var positions, same, stones, agree, clashes, notCounted int
	var ourDead, theirDead int
	errStop := errors.New("enough")
	_, err = Games(ctx, []string{archive}, Filter{Size: 9}, func(g Game) error {
		f, err := GameFinal(g, FinalConfig{})
		switch {
		case errors.Is(err, ErrResultClash):
			clashes++
			return nil
		case err != nil:
			notCounted++
			return nil
		}
		rg := sgf.Replay(g.Root)
		p := rg.Board.Position()
		send("boardsize", "9")
		send("clear_board")
		var all []board.Point
		for _, pt := range board.Points(9) {
			if c := p.At(pt); c != board.Empty {
				all = append(all, pt)
				send("play", map[board.Color]string{board.Black: "black", board.White: "white"}[c], pt.GTP(9))
			}
		}
		dead := map[string]bool{}
		for _, v := range strings.Fields(send("final_status_list", "dead")) {
			dead[strings.ToUpper(v)] = true
		}
		ours := map[string]bool{}
		for _, pt := range f.Dead {
			ours[pt.GTP(9)] = true
		}
		positions++
		match := true
		for _, pt := range all {
			v := pt.GTP(9)
			stones++
			if dead[v] == ours[v] {
				agree++
			} else {
				match = false
			}
		}
		if match {
			same++
		} else {
			t.Logf("%s (%s): dead stones %v by the count, %v by GNU Go\n%s", g.ID, g.Info.Result, keys(ours), keys(dead), p)
		}
		ourDead += len(ours)
		theirDead += len(dead)
		if positions >= maxPositions {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		t.Fatal(err)
	}
	t.Logf("%d counted final positions (%d games not counted, %d clashed with their result): the same dead stones in %d; %d of %d stones judged alike (%d dead by the count, %d by GNU Go)",
		positions, notCounted, clashes, same, agree, stones, ourDead, theirDead)
	if positions < 10 {
		t.Fatalf("only %d counted positions in the sample", positions)
	}
	if float64(agree) < 0.97*float64(stones) || float64(same) < 0.8*float64(positions) {
		t.Errorf("agreement with GNU Go too low: %d of %d stones, %d of %d positions", agree, stones, same, positions)
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
