package movepred

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/dataset"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/cpu"
	"github.com/tengen-go/tengen/sgf"
)

// TinySpec is DefaultSpec(size) shrunk to 8 filters so tests stay fast.
func tinySpec(size int) nets.Spec {
	s := nets.DefaultSpec(size)
	for i := range s.Trunk {
		if s.Trunk[i].Kind == nets.KindConv {
			s.Trunk[i].Filters = 8
		}
	}
	s.Value.Hidden = 16
	return s
}

// record is a generated game: its SGF root and what it contains.
type record struct {
	root   *sgf.Node
	moves  int // non-pass moves
	passes int
}

// randomRecord plays a random game of n moves (about 1 in 15 a pass) on a
// size x size board, with 2 handicap stones if handicap, and returns it as
// an SGF game with result re and a komi drawn from rng (so that the
// opening positions of different games differ: the oracle tells them
// apart by their input).
func randomRecord(t testing.TB, rng *rand.Rand, size, n int, re string, handicap bool) record {
	t.Helper()
	// Within +-8: the komi plane clamps beyond +-15, and fine steps keep
	// the games' komi (and so their inputs) distinct.
	komi := float64(rng.IntN(1<<20))/(1<<16) - 8
	g, err := board.NewGame(size, komi, board.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	root := &sgf.Node{}
	root.Set("GM", "1")
	root.Set("FF", "4")
	root.Set("SZ", fmt.Sprint(size))
	root.Set("KM", fmt.Sprint(komi))
	root.Set("RU", "Japanese")
	if re != "" {
		root.Set("RE", re)
	}
	// A setup stone that no board symmetry maps to itself, so that no
	// position is symmetric (the oracle tells symmetries apart by input).
	pts := []board.Point{board.PointAt(1, 2)}
	if handicap {
		pts = append(pts, board.PointAt(2, 6), board.PointAt(size-3, size-3))
		root.Set("HA", "2")
	}
	if err := g.Setup(board.Black, pts); err != nil {
		t.Fatal(err)
	}
	for _, pt := range pts {
		root.Add("AB", pt.SGF())
	}
	if handicap {
		g.SetToMove(board.White)
	} else {
		root.Set("PL", "B")
	}
	rec := record{root: root}
	parent := root
	var legal []board.Point
	for range n {
		c := g.ToMove()
		legal = g.LegalMoves(c, legal)
		pt := board.Pass
		if len(legal) > 0 && rng.IntN(15) != 0 {
			pt = legal[rng.IntN(len(legal))]
		}
		if err := g.Play(c, pt); err != nil {
			t.Fatal(err)
		}
		if pt == board.Pass {
			rec.passes++
		} else {
			rec.moves++
		}
		node := &sgf.Node{}
		id := "B"
		if c == board.White {
			id = "W"
		}
		node.Set(id, pt.SGF())
		parent.Children = []*sgf.Node{node}
		parent = node
	}
	return rec
}

func writeRecord(t testing.TB, path string, recs ...record) {
	t.Helper()
	c := &sgf.Collection{}
	for _, r := range recs {
		c.Games = append(c.Games, r.root)
	}
	if err := os.WriteFile(path, sgf.Marshal(c), 0o644); err != nil {
		t.Fatal(err)
	}
}

// corpus is a directory of generated games.
type corpus struct {
	dir    string
	files  []string // in path (lexical) order
	recs   []record // in path order, games of files[i] in order
	ids    []string
	moves  int
	passes int
}

func newCorpus(t testing.TB, seed uint64) *corpus {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 7))
	c := &corpus{dir: t.TempDir()}
	results := []string{"B+R", "W+3.5", "B+T", "", "0", "W+R"}
	for i := range 6 {
		path := filepath.Join(c.dir, fmt.Sprintf("g%02d.sgf", i))
		var recs []record
		games := 1
		if i == 2 {
			games = 2 // a collection of two games
		}
		for j := range games {
			r := randomRecord(t, rng, 9, 20+rng.IntN(230), results[(i+j)%len(results)], i == 3)
			recs = append(recs, r)
			c.recs = append(c.recs, r)
			c.ids = append(c.ids, dataset.GameID(path, j+1))
			c.moves += r.moves
			c.passes += r.passes
		}
		writeRecord(t, path, recs...)
		c.files = append(c.files, path)
	}
	return c
}

func tinyBackend(t testing.TB, size int, seed uint64) nets.Backend {
	t.Helper()
	w, err := nets.NewWeights(tinySpec(size), rand.New(rand.NewPCG(seed, 1)))
	if err != nil {
		t.Fatal(err)
	}
	be, err := cpu.New(w, cpu.Options{MaxBatch: 32, Threads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { be.Close() })
	return be
}

// oracle is a backend that knows, for every encoded input of a set of
// games (any symmetry), the move played and the result from the mover's
// view: it puts (almost) all policy mass on the move and answers the
// result as the value. With uniform set it answers equal logits and 0.
type oracle struct {
	spec    nets.Spec
	inLen   int
	uniform bool
	answers map[uint64]answer

	mu     sync.Mutex
	misses int
}

type answer struct {
	index int
	value float32
}

func hashInput(in []float32) uint64 {
	h := fnv.New64a()
	var b [4]byte
	for _, v := range in {
		binary.LittleEndian.PutUint32(b[:], math.Float32bits(v))
		h.Write(b[:])
	}
	return h.Sum64()
}

func newOracle(t testing.TB, spec nets.Spec, recs []record) *oracle {
	t.Helper()
	sh, _ := spec.InputShape()
	o := &oracle{spec: spec, inLen: sh.Len(), answers: map[uint64]answer{}}
	buf := make([]float32, sh.Len())
	for _, r := range recs {
		info, err := sgf.ReadInfo(r.root, func(string, ...any) {})
		if err != nil {
			t.Fatal(err)
		}
		_, winner, decided := dataset.ResultClass(info.Result)
		g := sgf.ReplayFunc(r.root, 1, func(bg *board.Game, m board.Move) error {
			s := bg.State()
			s.ToMove = m.Color
			v := float32(0)
			if decided && winner != board.Empty {
				v = -1
				if winner == m.Color {
					v = 1
				}
			}
			for sym := range nets.Symmetry(nets.NumSymmetries) {
				nets.EncodeState(&s, sym, buf)
				o.answers[hashInput(buf)] = answer{nets.MoveIndex(sym.Point(m.Point, bg.Size()), bg.Size()), v}
			}
			return nil
		})
		if g.Err != nil {
			t.Fatal(g.Err)
		}
	}
	return o
}

func (o *oracle) Spec() nets.Spec { return o.spec }
func (o *oracle) Close() error    { return nil }

func (o *oracle) Forward(ctx context.Context, in []float32, n int, policy, value []float32) error {
	moves := o.spec.Moves()
	for i := range n {
		p := policy[i*moves : (i+1)*moves]
		clear(p)
		value[i] = 0
		if o.uniform {
			continue
		}
		a, ok := o.answers[hashInput(in[i*o.inLen:(i+1)*o.inLen])]
		if !ok {
			o.mu.Lock()
			o.misses++
			o.mu.Unlock()
			continue
		}
		p[a.index] = 40
		value[i] = a.value
	}
	return nil
}

func runCollect(t *testing.T, cfg Config, backends ...nets.Backend) (*Report, []Position) {
	t.Helper()
	var ps []Position
	cfg.Positions = func(p *Position) error {
		ps = append(ps, *p)
		return nil
	}
	rep, err := Run(context.Background(), cfg, backends)
	if err != nil {
		t.Fatal(err)
	}
	return rep, ps
}

func TestOracle(t *testing.T) {
	c := newCorpus(t, 1)
	for _, syms := range []int{1, 8} {
		t.Run(fmt.Sprint("symmetries=", syms), func(t *testing.T) {
			o := newOracle(t, tinySpec(9), c.recs)
			rep, ps := runCollect(t, Config{Paths: []string{c.dir}, Symmetries: syms, Workers: 5, MaxBatch: 4}, o)
			if o.misses != 0 {
				t.Fatalf("oracle missed %d inputs", o.misses)
			}
			if rep.Games != len(c.recs) || rep.Positions != c.moves || rep.Passes != c.passes || rep.Errors != 0 {
				t.Fatalf("games %d positions %d passes %d errors %d; want %d %d %d 0 (%v)",
					rep.Games, rep.Positions, rep.Passes, rep.Errors, len(c.recs), c.moves, c.passes, rep.ErrorList)
			}
			if rep.Top1 != 1 || rep.Top3 != 1 || rep.Top5 != 1 {
				t.Errorf("top1/3/5 = %v %v %v; want 1", rep.Top1, rep.Top3, rep.Top5)
			}
			for _, p := range ps {
				if p.PlayoutValue != nil {
					t.Fatalf("move %d: a playout value without ValuePlayouts", p.Move)
				}
			}
			for _, b := range rep.Buckets {
				if b.Positions > 0 && b.Top1 != 1 {
					t.Errorf("bucket %s top1 = %v; want 1", b.Moves, b.Top1)
				}
			}
			if rep.ValuePositions == 0 || rep.ValueAccuracy != 1 || rep.ValueMSE != 0 {
				t.Errorf("value accuracy %v on %d, mse %v; want 1, >0, 0", rep.ValueAccuracy, rep.ValuePositions, rep.ValueMSE)
			}
			// Per bucket too, and the buckets add up to the whole.
			vn, mn := 0, 0
			for _, b := range rep.Buckets {
				vn += b.ValuePositions
				mn += b.MSEPositions
				if b.ValuePositions > 0 && (b.ValueAccuracy != 1 || b.ValueMSE != 0) {
					t.Errorf("bucket %s: value accuracy %v, mse %v; want 1, 0", b.Moves, b.ValueAccuracy, b.ValueMSE)
				}
				if b.PlayoutValueAccuracy != nil || b.PlayoutValueMSE != nil {
					t.Errorf("bucket %s: a playout value without ValuePlayouts", b.Moves)
				}
			}
			if vn != rep.ValuePositions || mn != rep.MSEPositions {
				t.Errorf("buckets hold %d and %d value positions; the report %d and %d", vn, mn, rep.ValuePositions, rep.MSEPositions)
			}
			if rep.OwnershipAccuracy != nil || rep.ScoreMAE != nil || rep.PlayoutOwnershipAccuracy != nil || rep.FinalGames != 0 {
				t.Errorf("final measures without Final: %+v", rep)
			}
			if rep.Evaluations != int64(syms*c.moves) {
				t.Errorf("evaluations %d; want %d", rep.Evaluations, syms*c.moves)
			}
			if len(ps) != c.moves {
				t.Fatalf("%d positions out; want %d", len(ps), c.moves)
			}
			for _, p := range ps {
				if p.Rank != 1 || p.Prob < 0.99 || p.Top != p.Played {
					t.Fatalf("position %+v: want rank 1, prob ~1, top = played", p)
				}
			}
		})
	}
}

// A uniform policy gets no credit: ties count against the played move.
func TestUniformPolicyRanksLast(t *testing.T) {
	c := newCorpus(t, 2)
	o := newOracle(t, tinySpec(9), nil)
	o.uniform = true
	rep, ps := runCollect(t, Config{Paths: c.files}, o)
	ones := 0
	for _, p := range ps {
		if p.Rank != p.Legal {
			t.Fatalf("%+v: rank %d; want the number of legal points %d", p, p.Rank, p.Legal)
		}
		if p.Legal == 1 {
			ones++
		}
	}
	if want := float64(ones) / float64(len(ps)); rep.Top1 != want {
		t.Errorf("top1 = %v; want %v", rep.Top1, want)
	}
	// Value 0: error 1 against wins and losses, 0 against draws.
	if want := float64(rep.ValuePositions) / float64(rep.MSEPositions); rep.ValueMSE != want || rep.ValuePositions == rep.MSEPositions {
		t.Errorf("value mse %v over %d positions (%d not drawn); want %v and some draws", rep.ValueMSE, rep.MSEPositions, rep.ValuePositions, want)
	}
}

func TestCountsBucketsAndOrder(t *testing.T) {
	c := newCorpus(t, 3)
	rep, ps := runCollect(t, Config{Paths: c.files, Workers: 3, MaxBatch: 2}, tinyBackend(t, 9, 3))
	if rep.Files != len(c.files) || rep.Games != len(c.recs) || rep.Positions != c.moves || rep.Passes != c.passes {
		t.Fatalf("files %d games %d positions %d passes %d; want %d %d %d %d",
			rep.Files, rep.Games, rep.Positions, rep.Passes, len(c.files), len(c.recs), c.moves, c.passes)
	}
	sum := 0
	for i, b := range rep.Buckets {
		sum += b.Positions
		if b.Top1 > b.Top3 || b.Top3 > b.Top5 {
			t.Errorf("bucket %d: top1 %v top3 %v top5 %v not increasing", i, b.Top1, b.Top3, b.Top5)
		}
		if b.Top1 < b.Top1CI[0] || b.Top1 > b.Top1CI[1] {
			t.Errorf("bucket %d: top1 %v outside its interval %v", i, b.Top1, b.Top1CI)
		}
	}
	if sum != rep.Positions {
		t.Errorf("buckets hold %d positions; want %d", sum, rep.Positions)
	}
	// Positions come in game order, then move order, and fall in the
	// right bucket.
	game, move := 0, 0
	perBucket := make([]int, len(Buckets))
	for _, p := range ps {
		if p.Game != c.ids[game] {
			game++
			move = 0
			if game >= len(c.ids) || p.Game != c.ids[game] {
				t.Fatalf("position of game %s out of order", p.Game)
			}
		}
		if p.Move <= move {
			t.Fatalf("%s: move %d after %d", p.Game, p.Move, move)
		}
		move = p.Move
		perBucket[bucketOf(p.Move)]++
		if p.Rank < 1 || p.Rank > p.Legal || p.Prob < 0 || p.Prob > 1 || math.Abs(p.Value) > 1 {
			t.Fatalf("bad position %+v", p)
		}
	}
	for i, b := range rep.Buckets {
		if b.Positions != perBucket[i] {
			t.Errorf("bucket %s: %d positions; the stream has %d", b.Moves, b.Positions, perBucket[i])
		}
	}
	if rep.ChanceTop1 <= 0 || rep.ChanceTop1 >= 1 {
		t.Errorf("chance top1 %v", rep.ChanceTop1)
	}
}

// Totals and the position stream do not depend on the number of workers
// or the batch size.
func TestDeterministic(t *testing.T) {
	c := newCorpus(t, 4)
	be := tinyBackend(t, 9, 4)
	a, pa := runCollect(t, Config{Paths: c.files, Workers: 1, MaxBatch: 1, Symmetries: 8}, be)
	b, pb := runCollect(t, Config{Paths: c.files, Workers: 9, MaxBatch: 4, Symmetries: 8}, be)
	for _, r := range []*Report{a, b} {
		r.Seconds, r.PositionsPerS, r.MeanBatch = 0, 0, 0
	}
	if !reflect.DeepEqual(a, b) {
		t.Errorf("reports differ:\n%+v\n%+v", a, b)
	}
	if !reflect.DeepEqual(pa, pb) {
		t.Errorf("position streams differ")
	}
}

func TestListMaxGamesSkipAndErrors(t *testing.T) {
	c := newCorpus(t, 5)
	rng := rand.New(rand.NewPCG(5, 5))
	small := filepath.Join(c.dir, "h-small.sgf")
	writeRecord(t, small, randomRecord(t, rng, 7, 30, "B+R", false))
	bad := filepath.Join(c.dir, "h-bad.sgf")
	os.WriteFile(bad, []byte("(;GM[1]SZ[9];B[ee];W[ee"), 0o644)
	// A game that breaks at its 4th move (a stone on a stone).
	broken := filepath.Join(c.dir, "h-broken.sgf")
	os.WriteFile(broken, []byte("(;GM[1]SZ[9]RE[B+R];B[ee];W[cc];B[gg];W[ee];B[dd])"), 0o644)
	paths := append(append([]string{}, c.files...), small, bad, broken)

	t.Run("all", func(t *testing.T) {
		rep, _ := runCollect(t, Config{Paths: paths}, tinyBackend(t, 9, 5))
		if rep.SkippedGames != 1 || rep.SkippedSizes["7"] != 1 {
			t.Errorf("skipped %d %v; want 1 game of 7x7", rep.SkippedGames, rep.SkippedSizes)
		}
		if rep.Errors != 2 || len(rep.ErrorList) != 2 {
			t.Fatalf("errors %d %v; want 2", rep.Errors, rep.ErrorList)
		}
		if rep.ErrorList[0].Name != bad || rep.ErrorList[1].Name != dataset.GameID(broken, 1) {
			t.Errorf("error list %v; want %s, then %s", rep.ErrorList, bad, broken)
		}
		// The broken game counts, with its 3 moves before the bad one.
		if rep.Games != len(c.recs)+1 || rep.Positions != c.moves+3 {
			t.Errorf("games %d positions %d; want %d %d", rep.Games, rep.Positions, len(c.recs)+1, c.moves+3)
		}
	})
	t.Run("list", func(t *testing.T) {
		only := map[string]bool{c.ids[2]: true, c.ids[5]: true, "nowhere.sgf#1": true}
		rep, ps := runCollect(t, Config{Paths: paths, Only: only}, tinyBackend(t, 9, 5))
		want := c.recs[2].moves + c.recs[5].moves
		if rep.Games != 2 || rep.Positions != want || rep.ListMissing != 1 || rep.Errors != 1 {
			t.Errorf("games %d positions %d missing %d errors %d; want 2 %d 1 1", rep.Games, rep.Positions, rep.ListMissing, rep.Errors, want)
		}
		for _, p := range ps {
			if !only[p.Game] {
				t.Fatalf("position of unlisted game %s", p.Game)
			}
		}
	})
	t.Run("max-games", func(t *testing.T) {
		rep, ps := runCollect(t, Config{Paths: paths, MaxGames: 3}, tinyBackend(t, 9, 5))
		want := c.recs[0].moves + c.recs[1].moves + c.recs[2].moves
		if rep.Games != 3 || rep.Positions != want {
			t.Errorf("games %d positions %d; want 3 %d", rep.Games, rep.Positions, want)
		}
		if ps[len(ps)-1].Game != c.ids[2] {
			t.Errorf("last game %s; want %s", ps[len(ps)-1].Game, c.ids[2])
		}
	})
}

func TestRunErrors(t *testing.T) {
	c := newCorpus(t, 6)
	be := tinyBackend(t, 9, 6)
	for _, tc := range []struct {
		name     string
		cfg      Config
		backends []nets.Backend
	}{
		{"no paths", Config{}, []nets.Backend{be}},
		{"symmetries", Config{Paths: c.files, Symmetries: 4}, []nets.Backend{be}},
		{"no network", Config{Paths: c.files}, nil},
		{"two networks", Config{Paths: c.files}, []nets.Backend{be, be}},
	} {
		if _, err := Run(context.Background(), tc.cfg, tc.backends); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	// A failing Positions callback and a cancelled context end Run.
	cfg := Config{Paths: c.files, Positions: func(*Position) error { return fmt.Errorf("disk full") }}
	if _, err := Run(context.Background(), cfg, []nets.Backend{be}); err == nil {
		t.Errorf("positions error: no error")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Run(ctx, Config{Paths: c.files}, []nets.Backend{be}); err == nil {
		t.Errorf("cancelled: no error")
	}
}

func TestWilson(t *testing.T) {
	for _, tc := range []struct {
		k, n   int
		lo, hi float64
	}{
		{0, 0, 0, 1},
		{0, 10, 0, 0.27753},
		{10, 10, 0.72247, 1},
		{5, 10, 0.23659, 0.76341},
		{1, 4, 0.04559, 0.69936},
		{81, 263, 0.25529, 0.36621},
		{500, 1000, 0.46907, 0.53093},
	} {
		got := Wilson(tc.k, tc.n, Z95)
		if math.Abs(got[0]-tc.lo) > 5e-5 || math.Abs(got[1]-tc.hi) > 5e-5 {
			t.Errorf("Wilson(%d, %d) = %.5f; want [%.5f %.5f]", tc.k, tc.n, got, tc.lo, tc.hi)
		}
	}
}

func TestBucketOf(t *testing.T) {
	for _, tc := range []struct{ move, want int }{{1, 0}, {30, 0}, {31, 1}, {100, 1}, {101, 2}, {200, 2}, {201, 3}, {999, 3}} {
		if got := bucketOf(tc.move); got != tc.want {
			t.Errorf("bucketOf(%d) = %d; want %d", tc.move, got, tc.want)
		}
	}
}

// BenchmarkRun evaluates the generated corpus with a tiny 9x9 network
// and reports positions/s and the mean batch.
func BenchmarkRun(b *testing.B) {
	c := newCorpus(b, 9)
	be := tinyBackend(b, 9, 9)
	var positions int
	var batch float64
	b.ResetTimer()
	for range b.N {
		rep, err := Run(context.Background(), Config{Paths: c.files}, []nets.Backend{be})
		if err != nil {
			b.Fatal(err)
		}
		positions += rep.Positions
		batch = rep.MeanBatch
	}
	b.ReportMetric(float64(positions)/b.Elapsed().Seconds(), "positions/s")
	b.ReportMetric(batch, "batch")
}

// countedGame is a 9x9 game played to the end: Black walls off the left
// five columns, White the right four, in 18 moves and two passes; B+2
// with komi 7.
func countedGame() string {
	var b []byte
	b = append(b, "(;FF[4]SZ[9]KM[7]RE[B+2]"...)
	for y := range 9 {
		b = fmt.Appendf(b, ";B[e%c];W[f%c]", 'a'+y, 'a'+y)
	}
	return string(append(b, ";B[];W[])\n"...))
}

// countedFixtures writes countedGame and its copy resigned (B+R) into a
// directory, and returns it with a tiny 9x9 spec with both heads.
func countedFixtures(t *testing.T) (string, nets.Spec) {
	t.Helper()
	dir := t.TempDir()
	for name, body := range map[string]string{
		"a.sgf": countedGame(),
		"b.sgf": strings.Replace(countedGame(), "RE[B+2]", "RE[B+R]", 1),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	spec := tinySpec(9)
	spec.Value.Kind = nets.ValuePool
	spec.Ownership.Filters = 2
	spec.Score.Hidden = 4
	return dir, spec
}

// headsOracle answers +1 ownership everywhere (0 with noOwner) and
// score (0 unless set) for a network with both heads (and uniform
// policies, value 0).
type headsOracle struct {
	spec    nets.Spec
	score   float32
	noOwner bool
}

func (o *headsOracle) Spec() nets.Spec { return o.spec }
func (o *headsOracle) Close() error    { return nil }
func (o *headsOracle) Forward(ctx context.Context, in []float32, n int, policy, value []float32) error {
	return o.ForwardOutputs(ctx, in, n, nets.Outputs{Policy: policy, Value: value})
}
func (o *headsOracle) ForwardOutputs(ctx context.Context, in []float32, n int, out nets.Outputs) error {
	clear(out.Policy[:n*o.spec.Moves()])
	clear(out.Value[:n])
	for i := range out.Ownership {
		out.Ownership[i] = 1
		if o.noOwner {
			out.Ownership[i] = 0
		}
	}
	for i := range out.Score {
		out.Score[i] = o.score
	}
	return nil
}

// TestScoreSign reads the score head's margin as a value: a margin of +5
// for every mover is right exactly where Black (the winner of both games)
// moves, half the positions; a network without a score head reports none.
func TestScoreSign(t *testing.T) {
	dir, spec := countedFixtures(t)
	rep, err := Run(context.Background(), Config{Paths: []string{dir}}, []nets.Backend{&headsOracle{spec: spec, score: 5}})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ValuePositions != 36 || rep.ScoreSignAccuracy == nil || *rep.ScoreSignAccuracy != 0.5 {
		t.Fatalf("%d value positions, score sign accuracy %v; want 36, 0.5", rep.ValuePositions, rep.ScoreSignAccuracy)
	}
	if b := rep.Buckets[0]; b.ScoreSignAccuracy == nil || *b.ScoreSignAccuracy != 0.5 {
		t.Errorf("bucket %s: score sign accuracy %v; want 0.5", b.Moves, b.ScoreSignAccuracy)
	}
	rep, err = Run(context.Background(), Config{Paths: []string{dir}}, []nets.Backend{tinyBackend(t, 9, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.ScoreSignAccuracy != nil || rep.OwnershipSignAccuracy != nil {
		t.Errorf("no score or ownership head, score sign accuracy %v, ownership count's %v", rep.ScoreSignAccuracy, rep.OwnershipSignAccuracy)
	}
}

// TestOwnershipSign reads the ownership head's area count plus the komi
// (7, for White) as a value. Black wins both games. +1 everywhere
// counts 81 -+ 7 for every mover: right where Black moves, half the
// positions. No owner anywhere leaves the komi: -7 for Black, +7 for
// White, wrong everywhere (a count that took the komi's side wrongly
// would be right everywhere).
func TestOwnershipSign(t *testing.T) {
	dir, spec := countedFixtures(t)
	for _, tc := range []struct {
		noOwner bool
		want    float64
	}{{false, 0.5}, {true, 0}} {
		rep, err := Run(context.Background(), Config{Paths: []string{dir}, Symmetries: 8}, []nets.Backend{&headsOracle{spec: spec, noOwner: tc.noOwner}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.ValuePositions != 36 || rep.OwnershipSignAccuracy == nil || *rep.OwnershipSignAccuracy != tc.want {
			t.Fatalf("noOwner %v: %d value positions, ownership count's sign accuracy %v; want 36, %v", tc.noOwner, rep.ValuePositions, rep.OwnershipSignAccuracy, tc.want)
		}
		if b := rep.Buckets[0]; b.OwnershipSignAccuracy == nil || *b.OwnershipSignAccuracy != tc.want {
			t.Errorf("noOwner %v: bucket %s: ownership count's sign accuracy %v; want %v", tc.noOwner, b.Moves, b.OwnershipSignAccuracy, tc.want)
		}
	}
}

// TestFinal measures the ownership and score at the position FinalLead
// moves before the end of counted games, against the count: with an
// ownership of +1 everywhere, the accuracy is the share of the mover's
// points; with a score of 0, the error is the margin. A resigned game
// gives nothing; the playout baseline sees the walls.
func TestFinal(t *testing.T) {
	dir, spec := countedFixtures(t)
	for _, tc := range []struct {
		lead      int
		syms      int
		accuracy  float64 // the mover's share of the 81 points
		baseAbove float64
	}{
		{4, 1, 45.0 / 81, 0.9}, // before Black's last move: Black owns 45 points
		{1, 8, 36.0 / 81, 0.9}, // before White's pass: White owns 36
	} {
		t.Run(fmt.Sprint("lead=", tc.lead), func(t *testing.T) {
			cfg := Config{Paths: []string{dir}, Symmetries: tc.syms, Final: true, FinalLead: tc.lead, BaselinePlayouts: 60, ValuePlayouts: 10, Seed: 1}
			var right, lines int
			cfg.Positions = func(p *Position) error {
				lines++
				switch {
				case p.PlayoutValue == nil || math.Abs(*p.PlayoutValue) > 1:
					t.Errorf("move %d: playout value %v; want one in [-1, 1]", p.Move, p.PlayoutValue)
				case p.Target != nil && *p.PlayoutValue**p.Target > 0:
					right++
				}
				return nil
			}
			rep, err := Run(context.Background(), cfg, []nets.Backend{&headsOracle{spec: spec}})
			if err != nil {
				t.Fatal(err)
			}
			// The lines' playout values are the buckets' playout value.
			var bright float64
			for _, b := range rep.Buckets {
				if b.PlayoutValueAccuracy != nil {
					bright += *b.PlayoutValueAccuracy * float64(b.ValuePositions)
				}
			}
			if lines == 0 || math.Abs(bright-float64(right)) > 1e-6 {
				t.Errorf("%d lines, %d right by their playout values; the buckets say %v", lines, right, bright)
			}
			if rep.FinalGames != 1 || rep.OwnershipPoints != 81 || rep.FinalLead != tc.lead {
				t.Fatalf("final games %d, points %d, lead %d; want 1, 81, %d", rep.FinalGames, rep.OwnershipPoints, rep.FinalLead, tc.lead)
			}
			if rep.OwnershipAccuracy == nil || math.Abs(*rep.OwnershipAccuracy-tc.accuracy) > 1e-9 {
				t.Errorf("ownership accuracy %v; want %v", rep.OwnershipAccuracy, tc.accuracy)
			}
			if rep.ScoreMAE == nil || *rep.ScoreMAE != 2 {
				t.Errorf("score MAE %v; want 2", rep.ScoreMAE)
			}
			if rep.PlayoutOwnershipAccuracy == nil || *rep.PlayoutOwnershipAccuracy < tc.baseAbove || rep.PlayoutScoreMAE == nil || rep.BaselinePlayouts != 60 {
				t.Errorf("playout baseline: ownership %v, score MAE %v (%d playouts)", rep.PlayoutOwnershipAccuracy, rep.PlayoutScoreMAE, rep.BaselinePlayouts)
			}
			for _, b := range rep.Buckets {
				if b.MSEPositions > 0 && b.PlayoutValueMSE == nil {
					t.Errorf("bucket %s: no playout value", b.Moves)
				}
			}
		})
	}
	// A network without the heads: the playout baseline only.
	rep, err := Run(context.Background(), Config{Paths: []string{dir}, Final: true, FinalLead: 4, BaselinePlayouts: 20}, []nets.Backend{tinyBackend(t, 9, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if rep.FinalGames != 1 || rep.OwnershipAccuracy != nil || rep.ScoreMAE != nil || rep.PlayoutOwnershipAccuracy == nil {
		t.Errorf("without heads: final games %d, ownership %v, score %v, playout %v", rep.FinalGames, rep.OwnershipAccuracy, rep.ScoreMAE, rep.PlayoutOwnershipAccuracy)
	}
}

// TestValueByEnd splits the won or lost positions by how the game ended
// and how near its end they are: a resigned game of 30 moves gives 10
// positions 21-30 moves before the end and 20 in the last 20; the
// counted game's 18 stones all lie in its last 20 moves (2 passes end
// it). The oracle's margin (+5 for every mover) is right where Black,
// the winner, moves: half of each range.
func TestValueByEnd(t *testing.T) {
	dir, spec := countedFixtures(t)
	if err := os.Remove(filepath.Join(dir, "b.sgf")); err != nil {
		t.Fatal(err)
	}
	long := []byte("(;FF[4]SZ[9]KM[7]RE[B+R]")
	for y := range 9 {
		long = fmt.Appendf(long, ";B[e%c];W[f%c]", 'a'+y, 'a'+y)
	}
	for y := range 6 {
		long = fmt.Appendf(long, ";B[c%c];W[g%c]", 'a'+y, 'a'+y)
	}
	long = append(long, ")\n"...)
	if err := os.WriteFile(filepath.Join(dir, "long.sgf"), long, 0o644); err != nil {
		t.Fatal(err)
	}
	rep, err := Run(context.Background(), Config{Paths: []string{dir}}, []nets.Backend{&headsOracle{spec: spec, score: 5}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"resign 1-20": 20, "resign 21-60": 10, "resign 61+": 0, "score 1-20": 18, "score 21-60": 0, "score 61+": 0}
	if len(rep.ValueByEnd) != len(want) {
		t.Fatalf("%d end buckets; want %d", len(rep.ValueByEnd), len(want))
	}
	for _, b := range rep.ValueByEnd {
		key := b.End + " " + b.Before
		n, ok := want[key]
		if !ok || b.ValuePositions != n {
			t.Errorf("%s: %d positions; want %d", key, b.ValuePositions, n)
			continue
		}
		if n == 0 {
			if b.ScoreSignAccuracy != nil {
				t.Errorf("%s: empty, score sign %v", key, *b.ScoreSignAccuracy)
			}
			continue
		}
		if b.ValueAccuracy != 0 || b.ScoreSignAccuracy == nil || *b.ScoreSignAccuracy != 0.5 || b.OwnershipSignAccuracy == nil || *b.OwnershipSignAccuracy != 0.5 {
			t.Errorf("%s: value %v, score sign %v, ownership count %v; want 0, 0.5, 0.5", key, b.ValueAccuracy, b.ScoreSignAccuracy, b.OwnershipSignAccuracy)
		}
	}
}

// TestBaselineIndependentOfValuePlayouts: the playout ownership and score
// baseline draws from its own seeded stream, so asking for playout values
// as well does not move it.
func TestBaselineIndependentOfValuePlayouts(t *testing.T) {
	dir, spec := countedFixtures(t)
	var reps []*Report
	for _, vp := range []int{0, 10} {
		rep, err := Run(context.Background(), Config{Paths: []string{dir}, Final: true, FinalLead: 12, BaselinePlayouts: 8, ValuePlayouts: vp, Seed: 1},
			[]nets.Backend{&headsOracle{spec: spec}})
		if err != nil {
			t.Fatal(err)
		}
		if rep.PlayoutScoreMAE == nil || rep.PlayoutOwnershipAccuracy == nil {
			t.Fatalf("value playouts %d: no baseline", vp)
		}
		reps = append(reps, rep)
	}
	if *reps[0].PlayoutScoreMAE != *reps[1].PlayoutScoreMAE || *reps[0].PlayoutOwnershipAccuracy != *reps[1].PlayoutOwnershipAccuracy {
		t.Errorf("baseline without value playouts: ownership %v, score MAE %v; with: %v, %v",
			*reps[0].PlayoutOwnershipAccuracy, *reps[0].PlayoutScoreMAE, *reps[1].PlayoutOwnershipAccuracy, *reps[1].PlayoutScoreMAE)
	}
}
