package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tengen-go/tengen/internal/testenv"
	"github.com/tengen-go/tengen/plot"
	"github.com/tengen-go/tengen/sgf"
)

// runReviewCmd runs "tengen review" in-process and decodes its --json.
func runReviewCmd(t *testing.T, args ...string) (*reviewSummary, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	args = append([]string{"review", "--json"}, args...)
	if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
		t.Fatalf("tengen %s = %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	var sum reviewSummary
	if err := json.Unmarshal(stdout.Bytes(), &sum); err != nil {
		t.Fatalf("--json: %v\n%s", err, stdout.String())
	}
	return &sum, stderr.String()
}

// readReviewSGF parses a reviewed SGF and returns its first game's
// main-line nodes that hold a move.
func readReviewSGF(t *testing.T, path string) (*sgf.Node, []*sgf.Node) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	coll, err := sgf.Parse(data)
	if err != nil {
		t.Fatalf("%s does not parse: %v", path, err)
	}
	root := coll.Games[0]
	if g := sgf.Replay(root); g.Err != nil {
		t.Fatalf("%s does not replay: %v", path, g.Err)
	}
	var moves []*sgf.Node
	for _, n := range root.MainLine() {
		if n.Has("B") || n.Has("W") {
			moves = append(moves, n)
		}
	}
	return root, moves
}

// checkReviewOutput checks what every review writes: the SGF's move
// nodes carry a comment and SBKV up to the moves reviewed, and the
// graph decodes at its size.
func checkReviewOutput(t *testing.T, sum *reviewSummary) []*sgf.Node {
	t.Helper()
	_, moves := readReviewSGF(t, sum.SGF)
	if len(moves) < sum.Moves || len(sum.Review) != sum.Moves {
		t.Fatalf("%d move nodes, %d reviewed, summary moves %d", len(moves), len(sum.Review), sum.Moves)
	}
	for i, n := range moves[:sum.Moves] {
		c, _ := n.Get("C")
		if !strings.Contains(c, "Move "+strconv.Itoa(i+1)+":") || !strings.Contains(c, "Best ") {
			t.Errorf("move %d: comment %q", i+1, c)
		}
		v, _ := n.Get("SBKV")
		if w, err := strconv.ParseFloat(v, 64); err != nil || w < 0 || w > 100 {
			t.Errorf("move %d: SBKV[%s]", i+1, v)
		}
	}
	if x, y := pngSize(t, sum.PNG); x != plot.ReviewWidth || y != plot.ReviewHeight {
		t.Errorf("%s is %dx%d; want %dx%d", sum.PNG, x, y, plot.ReviewWidth, plot.ReviewHeight)
	}
	return moves
}

// TestReviewBlunder reviews a hand-made 9x9 game in which Black fills one
// of the two eyes of its eleven-stone group (move 11, B2) and White
// captures it: that must be the biggest mistake, by about 24 points.
func TestReviewBlunder(t *testing.T) {
	dir := t.TempDir()
	fixture := filepath.Join("testdata", "review", "blunder.sgf")
	sum, stderr := runReviewCmd(t, fixture, "--visits", "30", "--evaluator", "playouts",
		"--threads", "1", "--seed", "1", "--out", dir)
	if sum.SGF != filepath.Join(dir, "blunder-review.sgf") || sum.PNG != filepath.Join(dir, "blunder-review.png") {
		t.Errorf("wrote %s and %s", sum.SGF, sum.PNG)
	}
	if sum.Moves != 20 || sum.Size != 9 || sum.Komi != 7 || !sum.Scores || sum.Evaluator != "playouts" || sum.Limits != "30 visits" {
		t.Errorf("summary %+v", sum)
	}
	if len(sum.Mistakes) == 0 {
		t.Fatal("no mistakes found")
	}
	worst := sum.Mistakes[0]
	if worst.Move != 11 || worst.Color != "B" || worst.Played != "B2" || worst.Mistake != 1 ||
		worst.PointsLost == nil || *worst.PointsLost < 15 || worst.Best == "B2" {
		t.Errorf("worst mistake %+v (points lost %v); want move 11 B B2, 15 points or more, a best move other than B2",
			worst, worst.PointsLost)
	}
	for _, m := range sum.Mistakes[1:] {
		if *m.PointsLost > *worst.PointsLost {
			t.Errorf("mistakes out of order: %+v after %+v", m, worst)
		}
	}
	// stderr is no terminal here: a line at every tenth, no redraws.
	if !strings.Contains(stderr, "review: 21/21 positions, ") || strings.Contains(stderr, "\r") || strings.Count(stderr, "review: ") > 11 {
		t.Errorf("progress on a log file: want a line per tenth ending with 21/21 and no carriage returns:\n%s", stderr)
	}

	moves := checkReviewOutput(t, sum)
	root, _ := readReviewSGF(t, sum.SGF)
	for _, id := range []string{"PB", "PW", "GN", "DT", "RE", "KM", "AB", "AW"} {
		if !root.Has(id) {
			t.Errorf("root lost %s", id)
		}
	}
	if c, _ := root.Get("C"); !strings.HasPrefix(c, "A hand-made game") || !strings.Contains(c, "#1 move 11 B B2") {
		t.Errorf("root comment %q: want the original, then the mistakes", c)
	}
	if c, _ := moves[0].Get("C"); !strings.HasPrefix(c, "Black blocks.\n\nMove 1:") {
		t.Errorf("move 1 comment %q: want the original kept", c)
	}
	blunder := moves[10]
	if c, _ := blunder.Get("C"); !strings.Contains(c, "Mistake #1") {
		t.Errorf("move 11 comment %q", c)
	}
	if bm, _ := blunder.Get("BM"); bm != "2" {
		t.Errorf("move 11 BM[%s]; want 2 (very bad)", bm)
	}
	// The best move is a variation beside B2.
	parent := moves[9]
	if len(parent.Children) != 2 || parent.Children[0] != blunder {
		t.Fatalf("move 10 has %d children; want the move played and the best move's variation", len(parent.Children))
	}
	v := parent.Children[1]
	if pt, _ := v.Get("B"); pt == "" || pt == "bh" || !v.Has("C") {
		t.Errorf("variation starts with %v; want Black's best move with a comment", v.Props)
	}
	// Move 20, White's pass after Black's, ends the game: not measured.
	if last := sum.Review[19]; last.Played != "pass" || last.PointsLost == nil || *last.PointsLost != 0 || last.Mistake != 0 {
		t.Errorf("the game-ending pass: %+v", last)
	}
	if c, _ := moves[19].Get("C"); !strings.Contains(c, "The game ends") {
		t.Errorf("move 20 comment %q", c)
	}
	for i, n := range moves[:sum.Moves] {
		if n.Has("BM") != (sum.Review[i].Mistake > 0) {
			t.Errorf("move %d: BM %v, mistake rank %d", i+1, n.Has("BM"), sum.Review[i].Mistake)
		}
	}
}

// TestReviewQuietTextAndLimit: --quiet writes nothing on stderr, the text
// summary names the files, --moves reviews a prefix.
func TestReviewQuietTextAndLimit(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	args := []string{"review", filepath.Join("testdata", "review", "blunder.sgf"), "--visits", "10",
		"--evaluator", "playouts", "--threads", "1", "--seed", "2", "--moves", "12", "--quiet", "--out", dir}
	if err := run(context.Background(), args, nil, &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if stderr.Len() != 0 {
		t.Errorf("--quiet wrote to stderr:\n%s", stderr.String())
	}
	out := stdout.String()
	if !strings.Contains(out, "reviewed 12 moves") || !strings.Contains(out, "blunder-review.sgf") || !strings.Contains(out, "move  11 B B2") {
		t.Errorf("text summary:\n%s", out)
	}
	_, moves := readReviewSGF(t, filepath.Join(dir, "blunder-review.sgf"))
	if len(moves) != 20 || !moves[11].Has("C") || moves[12].Has("C") || moves[12].Has("SBKV") {
		t.Errorf("--moves 12: want comments on the first 12 of 20 moves only")
	}
}

// TestReviewErrors: bad input fails with a clear error and writes nothing.
func TestReviewErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fixture := filepath.Join("testdata", "review", "blunder.sgf")
	for _, tc := range []struct {
		name  string
		args  []string
		usage bool
		want  string
	}{
		{"missing file", []string{filepath.Join(dir, "nope.sgf")}, false, "no such file"},
		{"unparsable", []string{write("bad.sgf", "(;SZ[9];B[cc]")}, false, "bad.sgf"},
		{"not SGF", []string{write("text.sgf", "hello")}, false, "text.sgf"},
		{"no moves", []string{write("empty.sgf", "(;GM[1]SZ[9]KM[7]AB[cc])")}, false, "no moves"},
		{"board size", []string{write("big.sgf", "(;SZ[30];B[aa])")}, false, "board size 30"},
		{"rectangular", []string{write("rect.sgf", "(;SZ[9:13];B[aa])")}, false, "rectangular"},
		{"illegal move", []string{write("occupied.sgf", "(;SZ[9];B[cc];W[cc])")}, false, "move 2"},
		{"no game 2", []string{fixture, "--game", "2"}, false, "no game 2"},
		{"no out", []string{fixture}, true, "--out"},
		{"two files", []string{fixture, fixture}, true, "one GAME.sgf"},
		{"bad mistake", []string{fixture, "--mistake", "-1"}, true, "--mistake"},
		{"bad visits", []string{fixture, "--visits", "-1"}, true, "--visits"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(dir, "out-"+strings.ReplaceAll(tc.name, " ", "-"))
			args := append([]string{"review", "--visits", "5", "--evaluator", "playouts", "--quiet"}, tc.args...)
			if tc.name != "no out" {
				args = append(args, "--out", out)
			}
			var buf bytes.Buffer
			err := run(context.Background(), args, nil, &buf, &buf)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want one mentioning %q", err, tc.want)
			}
			if got := exitCode(err) == 2; got != tc.usage {
				t.Errorf("usage error %v; want %v (%v)", got, tc.usage, err)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s exists after a failed review", out)
			}
		})
	}
}

// TestMarkMistakes: the threshold marks every move that lost as much,
// --top the biggest losers above a point, ranked by loss.
func TestMarkMistakes(t *testing.T) {
	losses := []float64{0.5, 4, -2, 12, 1.5, 3, 0.9, 2.5}
	for _, tc := range []struct {
		mistake float64
		top     int
		want    []int // move numbers by rank
	}{
		{3, 0, []int{4, 2, 6}},
		{3, 2, []int{4, 2, 6}},
		{3, 5, []int{4, 2, 6, 8, 5}},
		{3, 8, []int{4, 2, 6, 8, 5}}, // 0.9 and 0.5 are under a point
		{20, 1, []int{4}},
		{0.7, 0, []int{4, 2, 6, 8, 5, 7}},
	} {
		sum := &reviewSummary{Scores: true}
		for i, l := range losses {
			l := l
			sum.Review = append(sum.Review, reviewMove{Move: i + 1, PointsLost: &l, loss: l})
		}
		markMistakes(sum, reviewOptions{mistake: tc.mistake, top: tc.top})
		var got []int
		for i, m := range sum.Mistakes {
			got = append(got, m.Move)
			if m.Mistake != i+1 || sum.Review[m.Move-1].Mistake != i+1 {
				t.Errorf("mistake %d has rank %d", i+1, m.Mistake)
			}
		}
		if !equalInts(got, tc.want) {
			t.Errorf("markMistakes(--mistake %g --top %d) = %v; want %v", tc.mistake, tc.top, got, tc.want)
		}
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestReviewSharedGames reviews a whole 9x9 game and the first 30 moves
// of a 19x19 one from the shared archives at low visits.
func TestReviewSharedGames(t *testing.T) {
	data := filepath.Join(testenv.SharedData(t), "sgf")
	dir := t.TempDir()
	for _, tc := range []struct {
		archive string
		args    []string
		moves   int
	}{
		{"9x9.tar.gz", []string{"--visits", "30"}, 0},
		{"kgs-strong-19x19.tar.gz", []string{"--visits", "15", "--moves", "30"}, 30},
	} {
		game := testenv.ArchiveGame(t, filepath.Join(data, tc.archive), dir, 40)
		start := time.Now()
		args := append([]string{game, "--evaluator", "playouts", "--threads", "2", "--seed", "3", "--out", filepath.Join(dir, "out")}, tc.args...)
		sum, _ := runReviewCmd(t, args...)
		t.Logf("%s: %s: %d moves in %v, %d mistakes", tc.archive, filepath.Base(game), sum.Moves, time.Since(start).Round(time.Millisecond), len(sum.Mistakes))
		if tc.moves > 0 && sum.Moves != tc.moves || sum.Moves < 30 {
			t.Errorf("%s: reviewed %d moves", tc.archive, sum.Moves)
		}
		checkReviewOutput(t, sum)
	}
}
