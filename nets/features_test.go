package nets

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/tengen-go/tengen/board"
)

func randomGame(t testing.TB, size, moves int, seed uint64) *board.Game {
	t.Helper()
	g, err := board.NewGame(size, 7.5, board.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(seed, 1))
	var buf []board.Point
	for range moves {
		buf = g.LegalMoves(g.ToMove(), buf)
		pt := board.Pass
		if len(buf) > 0 {
			pt = buf[rng.IntN(len(buf))]
		}
		if err := g.Play(g.ToMove(), pt); err != nil {
			t.Fatal(err)
		}
	}
	return g
}

func TestSymmetryInverse(t *testing.T) {
	for s := range Symmetry(NumSymmetries) {
		inv := s.Inverse()
		seen := map[[2]int]bool{}
		for y := range 7 {
			for x := range 7 {
				tx, ty := s.Apply(x, y, 7)
				if bx, by := inv.Apply(tx, ty, 7); bx != x || by != y {
					t.Fatalf("sym %d: inverse %d maps (%d,%d)->(%d,%d)->(%d,%d)", s, inv, x, y, tx, ty, bx, by)
				}
				seen[[2]int{tx, ty}] = true
			}
		}
		if len(seen) != 49 {
			t.Fatalf("sym %d is not a bijection", s)
		}
	}
}

// TestEncodeSymmetry: encoding with symmetry s equals encoding with the
// identity and moving every plane value by s; and untransforming a policy
// computed on the transformed board gives back the original.
func TestEncodeSymmetry(t *testing.T) {
	const n = 9
	area := n * n
	g := randomGame(t, n, 60, 3)
	base := make([]float32, NumPlanesV1*area)
	Encode(g, 0, base)
	got := make([]float32, NumPlanesV1*area)
	for s := range Symmetry(NumSymmetries) {
		Encode(g, s, got)
		for pl := range NumPlanesV1 {
			for y := range n {
				for x := range n {
					tx, ty := s.Apply(x, y, n)
					if got[pl*area+ty*n+tx] != base[pl*area+y*n+x] {
						t.Fatalf("sym %d plane %d (%d,%d) differs", s, pl, x, y)
					}
				}
			}
		}
		// A "policy" that is the own-stones plane of the transformed
		// input must untransform to the identity's own-stones plane.
		pol := append(append([]float32(nil), got[PlaneOwn*area:(PlaneOwn+1)*area]...), 0.5)
		back := make([]float32, area+1)
		s.UntransformPolicy(pol, back, n)
		for i := range area {
			if back[i] != base[PlaneOwn*area+i] {
				t.Fatalf("sym %d: untransformed policy differs at %d", s, i)
			}
		}
		if back[area] != 0.5 {
			t.Fatal("pass not copied")
		}
	}
}

func TestEncodePlanes(t *testing.T) {
	// A hand-made position: white chain in atari, a ko.
	g, _ := board.NewGame(5, 6.5, board.Rules{Ko: board.KoSimple})
	play := func(c board.Color, v string) {
		t.Helper()
		pt, err := board.ParseGTP(v, 5)
		if err != nil {
			t.Fatal(err)
		}
		if err := g.Play(c, pt); err != nil {
			t.Fatal(err)
		}
	}
	play(board.Black, "B4")
	play(board.White, "C4")
	play(board.Black, "C5")
	play(board.White, "D5")
	play(board.Black, "C3")
	play(board.White, "D4")
	play(board.Black, "A1")
	// White to move. Black C5 is in atari (liberty B5? no: B5 empty, so 2).
	dst := make([]float32, NumPlanesV1*25)
	Encode(g, 0, dst)
	at := func(plane int, v string) float32 {
		pt, _ := board.ParseGTP(v, 5)
		return dst[plane*25+MoveIndex(pt, 5)]
	}
	if at(PlaneOwn, "C4") != 1 || at(PlaneOpp, "B4") != 1 || at(PlaneEmpty, "E5") != 1 {
		t.Error("stone planes wrong")
	}
	if at(PlaneHistory, "A1") != 1 || at(PlaneHistory+1, "D4") != 1 || at(PlaneHistory+3, "D5") != 1 {
		t.Error("history planes wrong")
	}
	if at(PlaneBlackToMove, "A1") != 0 || at(PlaneKomi, "A1") != float32(0.65) || at(PlaneOnes, "E1") != 1 {
		t.Errorf("global planes wrong: komi %v", at(PlaneKomi, "A1"))
	}
	// White C4 chain has liberties... C4's neighbours: B4 X, C5 X, C3 X, D4 O.
	// Chain C4-D4-D5: liberties E5, E4, D3 -> 3.
	if at(PlaneOwnLibs+2, "C4") != 1 {
		t.Error("own liberty plane wrong")
	}
	// White B5 captures C5 (C5's liberties: B5 only? C5 neighbours B5, D5(O), C4(O)).
	if at(PlaneCapture, "B5") != 1 || at(PlaneLegal, "B5") != 1 {
		t.Errorf("capture plane wrong")
	}
	for i, v := range dst {
		if v != v {
			t.Fatalf("NaN at %d", i)
		}
	}
}

func TestEncodeDoesNotAllocate(t *testing.T) {
	g := randomGame(t, 19, 100, 5)
	dst := make([]float32, NumPlanesV1*361)
	if a := testing.AllocsPerRun(20, func() { Encode(g, 3, dst) }); a != 0 {
		t.Fatalf("Encode allocates %v times", a)
	}
}

func TestDefaultSpecParams(t *testing.T) {
	for _, n := range []int{9, 19} {
		s := DefaultSpec(n)
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		w, err := NewWeights(s, rand.New(rand.NewPCG(1, 1)))
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Check(); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d parameters, %.1f MFLOP per position", s.Name, w.NumParams(), s.FLOPs()/1e6)
	}
}

func BenchmarkEncode19x19(b *testing.B) {
	g := randomGame(b, 19, 150, 5)
	dst := make([]float32, NumPlanesV1*361)
	for b.Loop() {
		Encode(g, 0, dst)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "positions/s")
}

// TestKomiPlaneClamped: komi from game records can be absurd (KGS holds
// +-99.5); the plane stays within +-1.5 so one such game cannot blow up
// training, and keeps its sign from the mover's view.
func TestKomiPlaneClamped(t *testing.T) {
	for _, c := range []struct {
		komi float64
		want float32 // White to move
	}{{6.5, 0.65}, {-99.5, -1.5}, {375, 1.5}, {15, 1.5}, {-7, -0.7}} {
		g, err := board.NewGame(5, c.komi, board.DefaultRules())
		if err != nil {
			t.Fatal(err)
		}
		dst := make([]float32, NumPlanesV1*25)
		Encode(g, 0, dst) // Black to move: the negation
		if got := dst[PlaneKomi*25+7]; got != -c.want {
			t.Errorf("komi %v, Black to move: plane %v; want %v", c.komi, got, -c.want)
		}
		if err := g.Play(board.Black, board.Pass); err != nil {
			t.Fatal(err)
		}
		Encode(g, 0, dst)
		if got := dst[PlaneKomi*25+24]; got != c.want {
			t.Errorf("komi %v, White to move: plane %v; want %v", c.komi, got, c.want)
		}
	}
}

// BenchmarkEncodeV2: FeaturesV2 (with the ladder planes) on positions of
// random 19x19 games; positions/s, and the ratio to FeaturesV1 on the same
// positions measured in the same run.
func BenchmarkEncodeV2(b *testing.B) {
	benchEncodeAgainst(b, 19, MustFeatureSet(FeaturesV2), MustFeatureSet(FeaturesV1), "x-v1-time")
}

// benchEncodeAgainst measures set's encoding of positions of random
// size x size games in positions/s, and its time against base's on the
// same positions, measured first in the same run (reported as metric).
func benchEncodeAgainst(b *testing.B, size int, set, base FeatureSet, metric string) {
	var states []board.State
	for seed := range uint64(8) {
		moves := (100 + 20*int(seed)) * size * size / 361
		g := randomGame(b, size, moves, seed+10)
		states = append(states, g.State())
	}
	dst := make([]float32, max(set.Planes(), base.Planes())*size*size)
	t0 := time.Now()
	const reps = 200
	for i := range reps {
		base.EncodeState(&states[i%len(states)], 0, dst)
	}
	perBase := time.Since(t0).Seconds() / reps
	i := 0
	for b.Loop() {
		set.EncodeState(&states[i%len(states)], 0, dst)
		i++
	}
	per := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(1/per, "positions/s")
	b.ReportMetric(per/perBase, metric)
}

// TestTransformPlanes: for every feature set, transforming the identity's
// planes gives exactly what encoding under each symmetry gives, so an
// evaluation under 8 symmetries may encode once (the v3 playouts are the
// expensive part). A transform that moved the wrong way, or left a plane
// out, fails on the asymmetric random position.
func TestTransformPlanes(t *testing.T) {
	for _, name := range []string{FeaturesV1, FeaturesV2, FeaturesV3} {
		fs := MustFeatureSet(name)
		for _, n := range []int{9, 13} {
			g := randomGame(t, n, 40+n, uint64(n))
			s := g.State()
			size := fs.Planes() * n * n
			base := make([]float32, size)
			fs.EncodeState(&s, 0, base)
			want := make([]float32, size)
			got := make([]float32, size)
			for sym := range Symmetry(NumSymmetries) {
				fs.EncodeState(&s, sym, want)
				clear(got)
				sym.TransformPlanes(base, got, fs.Planes(), n)
				for i := range want {
					if got[i] != want[i] {
						t.Fatalf("%s %dx%d sym %d: plane %d point %d: %v, encoded %v",
							name, n, n, sym, i/(n*n), i%(n*n), got[i], want[i])
					}
				}
			}
		}
	}
}

// BenchmarkTransformPlanes: re-using one v3 encoding for another symmetry
// against encoding again, on positions of random 19x19 games
// (positions/s, and the ratio of encoding's time to the transform's).
func BenchmarkTransformPlanes(b *testing.B) {
	fs := MustFeatureSet(FeaturesV3)
	g := randomGame(b, 19, 150, 5)
	s := g.State()
	size := fs.Planes() * 361
	src, dst := make([]float32, size), make([]float32, size)
	fs.EncodeState(&s, 0, src)
	t0 := time.Now()
	const reps = 20
	for range reps {
		fs.EncodeState(&s, 5, dst)
	}
	perEncode := time.Since(t0).Seconds() / reps
	for b.Loop() {
		Symmetry(5).TransformPlanes(src, dst, fs.Planes(), 19)
	}
	per := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(1/per, "positions/s")
	b.ReportMetric(perEncode/per, "x-encode-time")
}
