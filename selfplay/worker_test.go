package selfplay

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tengen-go/tengen/internal/atomicfile"
	"github.com/tengen-go/tengen/nets"
)

func fastConfig(size int) Config {
	c := DefaultConfig(size)
	c.Game = fastGameConfig(size)
	c.Game.FastVisits = 3
	c.Game.MaxMoves = 60
	c.Parallel = 3
	c.Poll = time.Millisecond
	return c
}

// TestRun: a worker fills the directory to the game count; a second run
// counts the games on disk and plays none; a higher count adds games.
func TestRun(t *testing.T) {
	d := newTinyDir(t, 7)
	cfg := fastConfig(7)
	cfg.Games = 5
	var calls int
	st, err := Run(context.Background(), d, cfg, func(r *Record, total Stats, onDisk int) {
		calls++
		if total.Games != calls || onDisk != calls {
			t.Errorf("progress call %d: %d games, %d on disk", calls, total.Games, onDisk)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if st.Games != 5 || calls != 5 || st.Positions == 0 || st.BlackWins+st.WhiteWins+st.Draws != 5 {
		t.Fatalf("stats %+v after %d calls", st, calls)
	}
	files, err := d.ListGames()
	if err != nil || len(files) != 5 {
		t.Fatalf("%d games on disk, %v", len(files), err)
	}
	best, _ := d.ReadBest()
	for _, f := range files {
		recs, err := ReadGameFile(f.Path(d), 7)
		if err != nil {
			t.Fatal(err)
		}
		r := recs[0]
		if f.Network != "gen-000000" || r.Network != "gen-000000" || r.NetworkID != best.ID || r.ID != f.Name || r.Visits != 8 || r.FastVisits != 3 {
			t.Errorf("game %s: network %s (%s), id %s, visits %d/%d", f, r.Network, r.NetworkID, r.ID, r.Visits, r.FastVisits)
		}
		if _, err := os.Stat(filepath.Join(d.SGF(), f.Network, f.Name+".sgf")); err != nil {
			t.Error(err)
		}
	}
	if !strings.Contains(st.String(), "5 games") {
		t.Errorf("Stats.String() = %q", st.String())
	}
	st, err = Run(context.Background(), d, cfg, nil)
	if err != nil || st.Games != 0 {
		t.Fatalf("second run: %d games, %v; want 0", st.Games, err)
	}
	cfg.Games = 7
	st, err = Run(context.Background(), d, cfg, nil)
	if n, _ := d.CountGames(); err != nil || st.Games != 2 || n != 7 {
		t.Fatalf("run to 7: played %d, %d on disk, %v", st.Games, n, err)
	}
}

// TestRunPicksUpNewBest: a network promoted while a worker runs plays the
// worker's next games; the stop file ends the worker.
func TestRunPicksUpNewBest(t *testing.T) {
	d := newTinyDir(t, 7)
	w, err := nets.NewWeights(tinySpec(7), rand.New(rand.NewPCG(99, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := nets.Save(d.WeightsPath(1), w); err != nil {
		t.Fatal(err)
	}
	id, _ := WeightsID(d.WeightsPath(1))
	cfg := fastConfig(7)
	cfg.Parallel = 2
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	n := 0
	_, err = Run(ctx, d, cfg, func(r *Record, total Stats, onDisk int) {
		n++
		switch {
		case n == 1:
			if err := d.SetBest(Best{Generation: 1, Name: NetworkName(1), Weights: NetworkName(1) + ".weights", ID: id}); err != nil {
				t.Error(err)
			}
		case r.Network == NetworkName(1):
			// The new network played a game: stop the worker.
			if err := atomicfile.WriteBytes(d.StopPath(), nil); err != nil {
				t.Error(err)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("the worker ignored the stop file")
	}
	files, _ := d.ListGames()
	nets := map[string]int{}
	for _, f := range files {
		nets[f.Network]++
	}
	if nets["gen-000001"] == 0 || nets["gen-000000"] == 0 {
		t.Fatalf("games by network %v; want both", nets)
	}
	if files[0].Network != "gen-000001" {
		t.Errorf("newest listed game by %s", files[0].Network)
	}
}

func TestRunCancelKeepsFinishedGames(t *testing.T) {
	d := newTinyDir(t, 7)
	cfg := fastConfig(7)
	ctx, cancel := context.WithCancel(context.Background())
	st, err := Run(ctx, d, cfg, func(r *Record, total Stats, onDisk int) {
		if total.Games == 2 {
			cancel()
		}
	})
	if err != nil {
		t.Fatalf("Run ended by its context: %v", err)
	}
	n, _ := d.CountGames()
	if st.Games < 2 || n != st.Games {
		t.Fatalf("played %d, %d on disk", st.Games, n)
	}
	tmps, _ := filepath.Glob(filepath.Join(d.Games(), "*", ".*"))
	if len(tmps) != 0 {
		t.Errorf("temporary files left: %v", tmps)
	}
}
