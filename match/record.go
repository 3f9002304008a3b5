package match

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/internal/atomicfile"
	"github.com/tengen-go/tengen/sgf"
)

// record collects one game for its SGF file.
type record struct {
	root  *sgf.Node
	size  int
	moves []board.Move
	notes map[int][]string // comments by the number of moves played before them
	dead  []board.Point    // agreed dead stones, removed for the score
}

func newRecord(c *Config, n int, black, white string) *record {
	root := &sgf.Node{}
	root.Set("FF", "4")
	root.Set("GM", "1")
	root.Set("CA", "UTF-8")
	root.Set("AP", "tengen match")
	root.Set("SZ", strconv.Itoa(c.Size))
	root.Set("KM", strconv.FormatFloat(c.Komi, 'f', -1, 64))
	root.Set("RU", ruleName(c.Rules))
	root.Set("PB", orUnknown(black))
	root.Set("PW", orUnknown(white))
	root.Set("GN", fmt.Sprintf("game %d", n))
	root.Set("DT", time.Now().Format("2006-01-02"))
	if c.MoveTime > 0 {
		root.Set("OT", fmt.Sprintf("1x%d byo-yomi", c.byoyomiSeconds()))
	}
	return &record{root: root, size: c.Size, notes: map[int][]string{}}
}

// ruleName is the RU value for r that sgf.RulesFor reads back with r's ko
// rule.
func ruleName(r board.Rules) string {
	if got, known := sgf.RulesFor(r.Name); known && got.Ko == r.Ko {
		return r.Name
	}
	switch r.Ko {
	case board.KoPositional:
		return "Chinese"
	case board.KoSituational:
		return "AGA"
	}
	return "Japanese"
}

func orUnknown(s string) string {
	if strings.TrimSpace(s) == "" {
		return "unknown"
	}
	return s
}

func (r *record) add(c board.Color, pt board.Point) {
	r.moves = append(r.moves, board.Move{Color: c, Point: pt})
}

// note adds a comment after the moves played so far.
func (r *record) note(s string) {
	r.notes[len(r.moves)] = append(r.notes[len(r.moves)], s)
}

// tree builds the game tree: the root, then one node per move.
func (r *record) tree(res GameResult) *sgf.Node {
	root := r.root
	root.Set("RE", res.SGFResult())
	comment := func(n *sgf.Node, k int) {
		if len(r.notes[k]) > 0 {
			n.Set("C", strings.Join(r.notes[k], "\n"))
		}
	}
	comment(root, 0)
	last := root
	for i, m := range r.moves {
		n := &sgf.Node{}
		n.Set(m.Color.String(), m.Point.SGF())
		comment(n, i+1)
		last.Children = []*sgf.Node{n}
		last = n
	}
	end := fmt.Sprintf("Result %s (%s)", res.SGFResult(), res.Reason)
	if res.Detail != "" {
		end += ": " + res.Detail
	}
	if len(r.dead) > 0 {
		end += "\nDead stones: " + vertices(r.dead, r.size)
	}
	if c, ok := last.Get("C"); ok {
		end = c + "\n" + end
	}
	last.Set("C", end)
	return root
}

// write writes the game to dir/game-NNNN.sgf atomically and returns the
// path.
func (r *record) write(dir string, res GameResult) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("match: %w", err)
	}
	path := filepath.Join(dir, fmt.Sprintf("game-%04d.sgf", res.Game))
	data := sgf.Marshal(&sgf.Collection{Games: []*sgf.Node{r.tree(res)}})
	if err := atomicfile.WriteBytes(path, data); err != nil {
		return "", fmt.Errorf("match: game %d: %w", res.Game, err)
	}
	return path, nil
}
