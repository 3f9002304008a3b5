package main

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/internal/atomicfile"
	"github.com/tengen-go/tengen/mcts"
	"github.com/tengen-go/tengen/plot"
	"github.com/tengen-go/tengen/sgf"
)

func init() {
	register(command{name: "review", summary: "analyse every move of a game: SGF with comments, mistakes and variations, winrate graph (PNG)", run: runReview})
}

// Review defaults.
const (
	defaultReviewVisits = 1000 // root visits per position without --visits, --playouts or --time (below ~1000 the losses on 9x9 are mostly noise)
	reviewPVMoves       = 10   // moves of a best-move variation written to the SGF
	// reviewWinrateMistake is the winrate loss from which a move is a
	// mistake when the search gives no score (--evaluator net).
	reviewWinrateMistake = 0.10
	// --top marks only moves that lost at least this much (points, or
	// winrate without scores): less is the noise of a short search.
	reviewMinLoss, reviewMinWinrateLoss = 1, 0.03
)

// reviewOptions are review's own flags.
type reviewOptions struct {
	out     string  // output folder
	game    int     // 1-based game of the file
	moves   int     // review the first moves only (0: all)
	mistake float64 // points lost from which a move is a mistake
	top     int     // also mark this many of the moves that lost most
}

// reviewMove is one reviewed move; its JSON form is stable. Winrates
// are fractions 0..1; scores and winrates "black" are Black's, the
// losses the mover's. Score fields are absent when the search gave none.
type reviewMove struct {
	Move         int      `json:"move"` // 1-based move number of the record
	Color        string   `json:"color"`
	Played       string   `json:"played"`
	Best         string   `json:"best"`
	PV           []string `json:"pv"`
	WinrateBlack float64  `json:"winrate_black"`         // after the move
	ScoreBlack   *float64 `json:"score_black,omitempty"` // after the move
	WinrateLost  float64  `json:"winrate_lost"`          // best move's winrate - winrate after the move played
	PointsLost   *float64 `json:"points_lost,omitempty"` // best move's score lead - score lead after the move played
	Mistake      int      `json:"mistake,omitempty"`     // rank among the mistakes, from 1 (0: none)

	// Not in the JSON: what the comments need.
	color        board.Color
	best, played mcts.MoveStat // played.Visits == 0: not searched
	pv           []board.Point // from the best move on
	loss         float64       // points lost, or winrate lost without scores
}

// reviewSummary is what --json prints.
type reviewSummary struct {
	File      string       `json:"file"`
	Game      int          `json:"game"`
	Size      int          `json:"size"`
	Komi      float64      `json:"komi"`
	Black     string       `json:"black"`
	White     string       `json:"white"`
	Result    string       `json:"result"`
	Moves     int          `json:"moves"` // moves reviewed
	Evaluator string       `json:"evaluator"`
	Limits    string       `json:"limits"`
	Scores    bool         `json:"scores"` // points lost are known
	ElapsedS  float64      `json:"elapsed_s"`
	SGF       string       `json:"sgf"`
	PNG       string       `json:"png"`
	Mistakes  []reviewMove `json:"mistakes"` // by rank
	Review    []reviewMove `json:"review"`   // every move, in order

	threshold float64 // the loss from which a move is a mistake by itself
}

// reviewGame is a game record replayed for review: the position before
// every main-line move, and the position after the last one.
type reviewGame struct {
	coll   *sgf.Collection
	root   *sgf.Node
	info   sgf.Info
	before []*board.Game // before each move
	moves  []board.Move
	nodes  []*sgf.Node // the main-line node of each move
	parent []*sgf.Node // the main-line node before it (the root for a move in the root)
	final  *board.Game // after the last reviewed move
	// ended: the last reviewed move is the pass that ends the game (the
	// last of the record, after a pass). The search scores such a pass
	// by the board as it stands (Tromp-Taylor, dead stones alive), so it
	// is not measured, and the position after it not searched.
	ended bool
}

func runReview(ctx context.Context, e env) error {
	fs := newFlags("review", "GAME.sgf --out DIR [--visits N (default 1000)] [flags]", e.stdout)
	ec := engineFlags(fs)
	var o reviewOptions
	fs.StringVar(&o.out, "out", "", "folder for <name>-review.sgf and <name>-review.png (created if missing)")
	fs.IntVar(&o.game, "game", 1, "game of the file (1-based)")
	fs.IntVar(&o.moves, "moves", 0, "review the first N moves only (0: all)")
	fs.Float64Var(&o.mistake, "mistake", 0, "points lost from which a move is a mistake (0: 3 on 9x9, scaled with the board's side: 6.3 on 19x19, where the search's score noise is larger; without scores, --evaluator net: 10% winrate)")
	fs.IntVar(&o.top, "top", 5, "also mark the N moves that lost the most as mistakes, if they lost a point or more (0: by --mistake only)")
	quiet := fs.Bool("quiet", false, "no progress or engine messages on stderr")
	asJSON := fs.Bool("json", false, "print a JSON summary (moves, mistakes) on stdout")
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	switch {
	case fs.NArg() != 1:
		return usageError("review: want one GAME.sgf, got %d arguments", fs.NArg())
	case o.out == "":
		return usageError("review: need --out DIR")
	case o.game < 1:
		return usageError("review: --game counts from 1")
	case o.moves < 0 || o.top < 0:
		return usageError("review: --moves and --top must not be negative")
	case !(o.mistake >= 0):
		return usageError("review: --mistake must not be negative")
	}
	if !fs.Changed("visits") && !fs.Changed("playouts") && !fs.Changed("time") {
		ec.visits = defaultReviewVisits
	}
	if err := ec.validate(); err != nil {
		return err
	}
	path := fs.Arg(0)
	rg, err := loadReviewGame(path, o.game, o.moves)
	if err != nil {
		return err
	}
	if o.mistake == 0 {
		o.mistake = defaultMistake(rg.final.Size())
	}
	logw := e.stderr
	if *quiet {
		logw = io.Discard
	}
	eng, err := newEngine(*ec, logw)
	if err != nil {
		return err
	}
	defer eng.Close()

	start := time.Now()
	evals, err := reviewSearch(ctx, eng, rg, progressBar(logw, len(rg.moves)+1))
	if err != nil {
		return err
	}
	size := rg.info.Size
	sum := &reviewSummary{
		File: path, Game: o.game, Size: size, Komi: rg.final.Komi(),
		Black: rg.info.PB, White: rg.info.PW, Result: rg.info.Result,
		Moves: len(rg.moves), Evaluator: eng.evaluatorName(size), Limits: limitsText(eng.limits(size, 0)),
		Scores: evals[0].Root.HasScore, ElapsedS: time.Since(start).Seconds(),
		Mistakes: []reviewMove{},
	}
	sum.Review = reviewMoves(rg, evals, sum.Scores)
	markMistakes(sum, o)
	annotateReview(rg, evals, sum)

	name := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path))
	sum.SGF = filepath.Join(o.out, name+"-review.sgf")
	sum.PNG = filepath.Join(o.out, name+"-review.png")
	if err := writeReview(rg, evals, sum); err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(sum)
	}
	printReview(e.stdout, sum)
	return nil
}

// loadReviewGame reads game number index (1-based) of the SGF file at
// path and replays its main line, keeping the position before each of the
// first limit moves (all moves when limit is 0). A file that cannot be
// read or parsed, a game that cannot be replayed (size, illegal move) and
// a game without moves are errors naming the file.
func loadReviewGame(path string, index, limit int) (*reviewGame, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("review: %w", err)
	}
	coll, err := sgf.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("review: %s: %w", path, err)
	}
	if len(coll.Games) == 0 {
		return nil, fmt.Errorf("review: %s: no game in the file", path)
	}
	if index > len(coll.Games) {
		return nil, fmt.Errorf("review: %s: no game %d (the file holds %d)", path, index, len(coll.Games))
	}
	rg := &reviewGame{coll: coll, root: coll.Games[index-1]}
	var line []*sgf.Node // main-line nodes with a move, and their parents
	var parents []*sgf.Node
	main := rg.root.MainLine()
	for i, n := range main {
		if n.Has("B") || n.Has("W") {
			line = append(line, n)
			parent := n
			if i > 0 {
				parent = main[i-1]
			}
			parents = append(parents, parent)
		}
	}
	g := sgf.ReplayFunc(rg.root, index, func(bg *board.Game, m board.Move) error {
		rg.before = append(rg.before, bg.Clone())
		rg.moves = append(rg.moves, m)
		return nil
	})
	rg.info = g.Info
	if g.Err != nil {
		return nil, fmt.Errorf("review: %s: %w", path, g.Err)
	}
	if len(rg.moves) == 0 {
		return nil, fmt.Errorf("review: %s: game %d has no moves to review", path, index)
	}
	if len(rg.moves) != len(line) {
		return nil, fmt.Errorf("review: %s: game %d: %d moves replayed but %d move nodes", path, index, len(rg.moves), len(line))
	}
	rg.final = g.Board
	rg.ended = g.Board.Over()
	if limit > 0 && limit < len(rg.moves) {
		rg.ended = false
		rg.final = rg.before[limit]
		rg.before, rg.moves, line, parents = rg.before[:limit], rg.moves[:limit], line[:limit], parents[:limit]
	}
	rg.nodes, rg.parent = line, parents
	return rg, nil
}

// evaluatorName is the leaf evaluation the engine's searcher for a board
// size uses (engine.searcher's choice).
func (e *engine) evaluatorName(size int) string {
	e.mu.Lock()
	_, haveNet := e.nets[size]
	e.mu.Unlock()
	return e.cfg.evaluatorFor(size, haveNet)
}

// limitsText describes search limits: "200 visits", "1s".
func limitsText(l mcts.Limits) string {
	var parts []string
	if l.Visits > 0 {
		parts = append(parts, strconv.Itoa(l.Visits)+" visits")
	}
	if l.Playouts > 0 {
		parts = append(parts, strconv.Itoa(l.Playouts)+" playouts")
	}
	if l.Time > 0 {
		parts = append(parts, l.Time.String())
	}
	return strings.Join(parts, ", ")
}

// reviewSearch searches every position of rg: before each move (with the
// mover to play) and after the last; when the last move ends the game,
// the position after it repeats the one before it, seen from the other
// side. progress is called after each search with the number done. It
// fails when a search does or ctx ends.
func reviewSearch(ctx context.Context, eng *engine, rg *reviewGame, progress func(done int)) ([]mcts.Result, error) {
	evals := make([]mcts.Result, 0, len(rg.moves)+1)
	limits := eng.limits(rg.final.Size(), 0)
	for i := 0; i <= len(rg.moves); i++ {
		if i == len(rg.moves) && rg.ended {
			res := evals[i-1]
			res.Root.Winrate, res.Root.ScoreLead = 1-res.Root.Winrate, -res.Root.ScoreLead
			if rg.moves[i-1].Color == rg.final.ToMove() {
				res = evals[i-1]
			}
			evals = append(evals, res)
			progress(i + 1)
			break
		}
		g, c := rg.final, rg.final.ToMove()
		if i < len(rg.moves) {
			g, c = rg.before[i], rg.moves[i].Color
		}
		s, err := eng.setGame(g, c)
		if err != nil {
			return nil, fmt.Errorf("review: %w", err)
		}
		res, err := s.Search(ctx, mcts.Options{Limits: limits})
		if err != nil {
			return nil, fmt.Errorf("review: move %d: %w", i+1, err)
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("review: stopped at move %d: %w", i+1, err)
		}
		if len(res.Moves) == 0 {
			return nil, fmt.Errorf("review: move %d: the search found no move", i+1)
		}
		evals = append(evals, res)
		progress(i + 1)
	}
	return evals, nil
}

// progressBar returns a progress function that redraws
// "review: 37/121 positions [=====>    ] 12s left" on w when w is a
// terminal, and otherwise (a log file) writes a line at every tenth.
func progressBar(w io.Writer, total int) func(done int) {
	if w == io.Discard {
		return func(int) {}
	}
	start := time.Now()
	const width = 30
	if !isTerminal(w) {
		return func(done int) {
			if done != total && 10*done/total == 10*(done-1)/total {
				return
			}
			elapsed := time.Since(start)
			left := time.Duration(float64(elapsed) / float64(done) * float64(total-done))
			fmt.Fprintf(w, "review: %d/%d positions, %s, %s left\n", done, total, elapsed.Round(time.Second), left.Round(time.Second))
		}
	}
	return func(done int) {
		elapsed := time.Since(start)
		filled := width * done / total
		bar := strings.Repeat("=", filled)
		if filled < width {
			bar += ">" + strings.Repeat(" ", width-filled-1)
		}
		if done == total {
			fmt.Fprintf(w, "\rreview: %d/%d positions [%s] %s        \n", done, total, bar, elapsed.Round(time.Second))
			return
		}
		left := time.Duration(float64(elapsed) / float64(done) * float64(total-done))
		fmt.Fprintf(w, "\rreview: %d/%d positions [%s] %s left   ", done, total, bar, left.Round(time.Second))
	}
}

// blackView turns a winrate and score lead for c into Black's.
func blackView(c board.Color, winrate, score float64) (float64, float64) {
	if c == board.White {
		return 1 - winrate, -score
	}
	return winrate, score
}

// moverView turns the root estimate of a search (for its side to move,
// toMove) into c's.
func moverView(r mcts.RootInfo, toMove, c board.Color) (float64, float64) {
	if toMove != c {
		return 1 - r.Winrate, -r.ScoreLead
	}
	return r.Winrate, r.ScoreLead
}

// reviewMoves measures every move: evals[i] is the search before move
// i+1, evals[i+1] the one after it. The loss of a move is the best move's
// estimate minus the position's after the move played, both for the mover.
func reviewMoves(rg *reviewGame, evals []mcts.Result, scores bool) []reviewMove {
	size := rg.final.Size()
	out := make([]reviewMove, len(rg.moves))
	for i, m := range rg.moves {
		res, after := evals[i], evals[i+1]
		afterToMove := rg.final.ToMove()
		if i+1 < len(rg.moves) {
			afterToMove = rg.moves[i+1].Color
		}
		afterWin, afterScore := moverView(after.Root, afterToMove, m.Color)
		best := res.Moves[0]
		rm := reviewMove{
			Move: i + 1, Color: m.Color.String(), Played: m.Point.GTP(size), Best: best.Move.GTP(size),
			color: m.Color, best: best, pv: best.PV,
		}
		if len(rm.pv) == 0 {
			rm.pv = []board.Point{best.Move}
		}
		for _, p := range rm.pv {
			rm.PV = append(rm.PV, p.GTP(size))
		}
		for _, ms := range res.Moves {
			if ms.Move == m.Point {
				rm.played = ms
			}
		}
		rm.WinrateBlack, _ = blackView(m.Color, afterWin, 0)
		rm.WinrateLost = best.Winrate - afterWin
		ends := rg.ended && i == len(rg.moves)-1
		if ends {
			rm.WinrateLost = 0
		}
		rm.loss = rm.WinrateLost
		if scores {
			_, sb := blackView(m.Color, 0, afterScore)
			lost := best.ScoreLead - afterScore
			if !best.HasScore {
				lost = res.Root.ScoreLead - afterScore
			}
			if ends {
				lost = 0
			}
			rm.ScoreBlack, rm.PointsLost = &sb, &lost
			rm.loss = lost
		}
		out[i] = rm
	}
	return out
}

// defaultMistake is the points lost from which a move is a mistake by
// itself: 3 on 9x9, in proportion to the board's side elsewhere (the
// search's score estimates are noisier on larger boards: on 19x19 at
// 500 visits a threshold of 3 marked half the moves of a game).
func defaultMistake(size int) float64 {
	return 3 * float64(size) / 9
}

// markMistakes ranks the mistakes: the moves that lost at least
// o.mistake points (without scores: reviewWinrateMistake), and the o.top
// moves that lost the most if they lost at least reviewMinLoss.
func markMistakes(sum *reviewSummary, o reviewOptions) {
	minLoss := float64(reviewMinLoss)
	sum.threshold = o.mistake
	if !sum.Scores {
		sum.threshold, minLoss = reviewWinrateMistake, reviewMinWinrateLoss
	}
	order := make([]int, len(sum.Review))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(sum.Review[b].loss, sum.Review[a].loss) })
	for rank, i := range order {
		rm := &sum.Review[i]
		if rm.loss < sum.threshold && (rank >= o.top || rm.loss < minLoss) {
			break
		}
		rm.Mistake = rank + 1
		sum.Mistakes = append(sum.Mistakes, *rm)
	}
}

// scoreText formats Black's score lead as "B+3.5" or "W+0.5".
func scoreText(black float64) string {
	if black < 0 {
		return fmt.Sprintf("W+%.1f", -black)
	}
	return fmt.Sprintf("B+%.1f", black)
}

// statText describes a root move's search for the mover c in Black's
// terms: "Black 54.1%, B+2.3, 120 visits".
func statText(ms mcts.MoveStat, c board.Color, scores bool) string {
	w, s := blackView(c, ms.Winrate, ms.ScoreLead)
	t := fmt.Sprintf("Black %.1f%%", 100*w)
	if scores && ms.HasScore {
		t += ", " + scoreText(s)
	}
	return t + fmt.Sprintf(", %d visits", ms.Visits)
}

// annotateReview adds the review to rg's SGF tree: a summary comment and
// SBKV on the node before the first move, on each move's node a comment
// and SBKV (Black's winrate after the move, Sabaki's graph), and on each
// mistake BM and the best move's variation beside the move played.
func annotateReview(rg *reviewGame, evals []mcts.Result, sum *reviewSummary) {
	start := rg.parent[0]
	if start == rg.nodes[0] {
		start = nil // the first move is in the root node
	}
	var head strings.Builder
	fmt.Fprintf(&head, "tengen review: %s per position, evaluator %s.\n", sum.Limits, sum.Evaluator)
	if start != nil {
		r := evals[0]
		w, s := blackView(rg.moves[0].Color, r.Root.Winrate, r.Root.ScoreLead)
		fmt.Fprintf(&head, "Start: Black %.1f%%", 100*w)
		if sum.Scores {
			fmt.Fprintf(&head, ", %s", scoreText(s))
		}
		head.WriteString(".\n")
	}
	if len(sum.Mistakes) == 0 {
		head.WriteString("No mistakes found.")
	} else {
		head.WriteString("Mistakes:")
		for _, m := range sum.Mistakes {
			fmt.Fprintf(&head, "\n#%d move %d %s %s: %s", m.Mistake, m.Move, m.Color, m.Played, lossText(&m, sum.Scores))
		}
	}
	if start != nil {
		appendComment(start, head.String())
		w, _ := blackView(rg.moves[0].Color, evals[0].Root.Winrate, 0)
		start.Set("SBKV", sbkv(w))
	} else {
		appendComment(rg.root, head.String())
	}
	size := rg.final.Size()
	for i := range sum.Review {
		rm := &sum.Review[i]
		n := rg.nodes[i]
		var b strings.Builder
		fmt.Fprintf(&b, "Move %d: %s %s", rm.Move, rm.Color, rm.Played)
		if rm.Mistake > 0 {
			fmt.Fprintf(&b, ". Mistake #%d", rm.Mistake)
		}
		fmt.Fprintf(&b, "\nAfter the move: Black %.1f%%", 100*rm.WinrateBlack)
		if rm.ScoreBlack != nil {
			fmt.Fprintf(&b, ", %s", scoreText(*rm.ScoreBlack))
		}
		if rg.ended && i == len(sum.Review)-1 {
			b.WriteString("\nThe game ends: the pass is not measured")
		} else {
			fmt.Fprintf(&b, "\nLoss: %s", lossText(rm, sum.Scores))
		}
		if rm.played.Visits > 0 {
			fmt.Fprintf(&b, "\nPlayed %s: %s", rm.Played, statText(rm.played, rm.color, sum.Scores))
		} else {
			fmt.Fprintf(&b, "\nPlayed %s: not searched", rm.Played)
		}
		fmt.Fprintf(&b, "\nBest %s: %s\nPV: %s", rm.Best, statText(rm.best, rm.color, sum.Scores), strings.Join(rm.PV, " "))
		appendComment(n, b.String())
		n.Set("SBKV", sbkv(rm.WinrateBlack))
		if rm.Mistake > 0 {
			bm := "1"
			if rm.loss >= 2*sum.threshold {
				bm = "2"
			}
			n.Set("BM", bm)
			if rm.best.Move != rg.moves[i].Point && rg.parent[i] != n {
				rg.parent[i].Children = append(rg.parent[i].Children, variation(rm, size))
			}
		}
	}
}

// lossText is "3.2 points, 8.1% winrate" (or the winrate alone).
func lossText(rm *reviewMove, scores bool) string {
	if scores && rm.PointsLost != nil {
		return fmt.Sprintf("%.1f points, %.1f%% winrate", *rm.PointsLost, 100*rm.WinrateLost)
	}
	return fmt.Sprintf("%.1f%% winrate", 100*rm.WinrateLost)
}

// sbkv formats a winrate (0..1) as Sabaki's SBKV value: Black's percent.
func sbkv(black float64) string {
	return strconv.FormatFloat(math.Round(10000*black)/100, 'f', -1, 64)
}

// appendComment adds text to n's comment, after a blank line if it has one.
func appendComment(n *sgf.Node, text string) {
	if old, ok := n.Get("C"); ok && strings.TrimSpace(old) != "" {
		text = strings.TrimRight(old, "\n") + "\n\n" + text
	}
	n.Set("C", text)
}

// variation is the best move and its PV as an SGF node sequence.
func variation(rm *reviewMove, size int) *sgf.Node {
	var first, last *sgf.Node
	c := rm.color
	for i, p := range rm.pv {
		if i == reviewPVMoves {
			break
		}
		n := &sgf.Node{}
		v := p.SGF()
		if p == board.Pass && size <= 19 {
			v = "tt"
		}
		n.Set(c.String(), v)
		if first == nil {
			first = n
			n.Set("C", fmt.Sprintf("tengen: %s instead of %s (%s)", rm.Best, rm.Played, statText(rm.best, rm.color, rm.PointsLost != nil)))
			n.Set("TE", "1")
		} else {
			last.Children = []*sgf.Node{n}
		}
		last = n
		c = c.Opponent()
	}
	return first
}

// writeReview writes the reviewed SGF and the graph, both or neither.
func writeReview(rg *reviewGame, evals []mcts.Result, sum *reviewSummary) error {
	if err := os.MkdirAll(filepath.Dir(sum.SGF), 0o755); err != nil {
		return fmt.Errorf("review: %w", err)
	}
	tmp, err := atomicfile.Temp(filepath.Dir(sum.SGF), filepath.Base(sum.SGF), func(w io.Writer) error {
		return sgf.Write(w, rg.coll)
	})
	if err != nil {
		return fmt.Errorf("review: %s: %w", sum.SGF, err)
	}
	points := make([]plot.ReviewPoint, len(evals))
	for i, r := range evals {
		c := rg.final.ToMove()
		if i < len(rg.moves) {
			c = rg.moves[i].Color
		}
		w, s := blackView(c, r.Root.Winrate, r.Root.ScoreLead)
		if !sum.Scores {
			s = math.NaN()
		}
		points[i] = plot.ReviewPoint{Move: i, Winrate: w, ScoreLead: s, Mistake: i > 0 && sum.Review[i-1].Mistake > 0}
	}
	title := fmt.Sprintf("%s (B) vs %s (W)", cmp.Or(sum.Black, "Black"), cmp.Or(sum.White, "White"))
	if sum.Result != "" {
		title += ", " + sum.Result
	}
	if err := plot.GameReview(points, title, sum.PNG); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("review: %w", err)
	}
	if err := os.Rename(tmp, sum.SGF); err != nil {
		os.Remove(tmp)
		os.Remove(sum.PNG)
		return fmt.Errorf("review: %w", err)
	}
	atomicfile.SyncDir(filepath.Dir(sum.SGF))
	return nil
}

// printReview prints the files written and the mistakes.
func printReview(w io.Writer, sum *reviewSummary) {
	fmt.Fprintf(w, "reviewed %d moves of %s in %.0fs (%s per position, evaluator %s)\n", sum.Moves, sum.File, sum.ElapsedS, sum.Limits, sum.Evaluator)
	fmt.Fprintf(w, "wrote %s\nwrote %s\n", sum.SGF, sum.PNG)
	if len(sum.Mistakes) == 0 {
		fmt.Fprintln(w, "no mistakes found")
		return
	}
	fmt.Fprintln(w, "mistakes:")
	for _, m := range sum.Mistakes {
		fmt.Fprintf(w, "  #%d move %3d %s %-5s best %-5s lost %s\n", m.Mistake, m.Move, m.Color, m.Played, m.Best, lossText(&m, sum.Scores))
	}
}
