package sgf

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"github.com/tengen-go/tengen/internal/testenv"
)

// TestSharedSets replays shared/data/sgf/9x9.tar.gz whole (279 games,
// 16,629 main-line moves per its MANIFEST.txt) and the first games of the
// 19x19 archive. The full 19x19 counts are checked by the "tengen sgf
// stats" test in cmd/tengen.
func TestSharedSets(t *testing.T) {
	dir := filepath.Join(testenv.SharedData(t), "sgf")
	errEnough := errors.New("enough")
	limit := 3000
	if testing.Short() || raceEnabled {
		limit = 300
	}
	tests := []struct {
		archive      string
		limit        int
		games, moves int
	}{
		{"9x9.tar.gz", 0, 279, 16629},
		{"kgs-strong-19x19.tar.gz", limit, limit, 0},
	}
	for _, tt := range tests {
		games, moves := 0, 0
		_, err := WalkConfig{Parallelism: 2, Replay: true}.Walk(context.Background(), []string{filepath.Join(dir, tt.archive)}, func(r Record) error {
			if r.Err != nil {
				t.Errorf("%v", r.Err)
				return nil
			}
			for _, g := range r.Games {
				if g.Err != nil {
					t.Errorf("%v", g.Err)
					continue
				}
				games++
				moves += g.Moves
			}
			if tt.limit > 0 && games >= tt.limit {
				return errEnough
			}
			return nil
		})
		if err != nil && !errors.Is(err, errEnough) {
			t.Fatal(err)
		}
		if games != tt.games || (tt.moves > 0 && moves != tt.moves) {
			t.Errorf("%s: %d games, %d moves; want %d, %d", tt.archive, games, moves, tt.games, tt.moves)
		}
	}
}
