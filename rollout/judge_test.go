package rollout

import (
	"bufio"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// TestJudgeMatchPositions plays heavy playouts from positions of tengen's
// own matches where the playouts misjudged who wins and the search lost
// the game believing it won (docs/strength.md, "Playouts that killed
// living groups"). Each file in testdata/judge has header lines
// (to-move, last, winner; # comments) and a 19x19 diagram; the winner
// must win at least 80% of the playouts (komi 7.5). Before the fixes
// (commit 11130e7) the winner won 5.0% and 6.2% of them; now 98.8% and
// 94.2%.
func TestJudgeMatchPositions(t *testing.T) {
	files, err := filepath.Glob("testdata/judge/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no positions in testdata/judge: %v", err)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			toMove, last, winner, p := readJudge(t, f)
			const n = 400
			rng := rand.New(rand.NewPCG(3, 4))
			won := 0
			for range n {
				q := *p
				r := DefaultPolicy().Playout(&q, toMove, last, 7.5, 0, rng, nil)
				if (r.Score > 0) == (winner == board.Black) {
					won++
				}
			}
			frac := float64(won) / n
			t.Logf("%s wins %.1f%% of %d playouts", winner, 100*frac, n)
			if frac < 0.8 {
				t.Fatalf("%s wins %.1f%% of the playouts; want at least 80%%\n%s", winner, 100*frac, p)
			}
		})
	}
}

func readJudge(t *testing.T, path string) (toMove board.Color, last board.Point, winner board.Color, p *board.Position) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var diagram strings.Builder
	fields := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch k, v, _ := strings.Cut(line, " "); k {
		case "#":
		case "to-move", "last", "winner":
			fields[k] = strings.TrimSpace(v)
		default:
			diagram.WriteString(line + "\n")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	p = parse(t, diagram.String())
	color := func(key string) board.Color {
		c, err := board.ParseColor(fields[key])
		if err != nil {
			t.Fatalf("%s: %s: %v", path, key, err)
		}
		return c
	}
	return color("to-move"), vertex(t, p, fields["last"]), color("winner"), p
}
