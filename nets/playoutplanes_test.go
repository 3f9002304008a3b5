package nets

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
)

// settledDiagram: a 9x9 board split between Black's group on the left
// and White's on the right, each with two eyes and more, and a White
// stone in atari inside Black's (dead). Black's area is 45 points and
// White's 36: Black wins by 1.5 with komi 7.5.
const settledDiagram = `
	. X X X X O O . O
	X X . X X O . O O
	X X X X X O O O O
	X X X X X O O O O
	X O . X X O O O O
	X X X X X O O O O
	X X X X X O . O O
	X . X X X O O O .
	X X X X X O O O O`

// TestEncodeV3 checks the playout planes on a settled position: the
// v2 planes are v2's, the dead White stone and Black's wall read as the
// mover's (Black's) and White's side as the opponent's, the result plane
// says the mover wins (and loses, from White's view: the planes flip
// with the side to move), every symmetry moves the owner plane with the
// board, and the same state always encodes the same.
func TestEncodeV3(t *testing.T) {
	const n, area = 9, 81
	v2, v3 := MustFeatureSet(FeaturesV2), MustFeatureSet(FeaturesV3)
	if v3.Planes() != NumPlanesV3 {
		t.Fatalf("v3 has %d planes", v3.Planes())
	}
	at := func(v string) (int, int) {
		pt, err := board.ParseGTP(v, n)
		if err != nil {
			t.Fatal(err)
		}
		return pt.XY()
	}
	for _, mover := range []board.Color{board.Black, board.White} {
		g := diagramGame(t, settledDiagram, mover)
		sign := float32(1)
		if mover == board.White {
			sign = -1
		}
		base := make([]float32, NumPlanesV3*area)
		v3.Encode(g, 0, base)
		owner := base[PlanePlayoutOwner*area : (PlanePlayoutOwner+1)*area]
		for _, c := range []struct {
			v    string
			want float32 // Black's view
		}{{"B5", 1}, {"C5", 1}, {"A9", 1}, {"E1", 1}, {"F1", -1}, {"H9", -1}} {
			x, y := at(c.v)
			if got := owner[y*n+x]; got*c.want*sign < 0.9 {
				t.Errorf("%s to move: owner plane at %s = %v; want about %v", mover, c.v, got, c.want*sign)
			}
		}
		for i, v := range base[PlanePlayoutResult*area:] {
			if v != sign {
				t.Fatalf("%s to move: result plane at %d = %v; want %v", mover, i, v, sign)
			}
		}
		for sym := range Symmetry(NumSymmetries) {
			got := make([]float32, NumPlanesV3*area)
			for i := range got {
				got[i] = -7 // every value must be written
			}
			v3.Encode(g, sym, got)
			want2 := make([]float32, NumPlanesV2*area)
			v2.Encode(g, sym, want2)
			if !slices.Equal(got[:NumPlanesV2*area], want2) {
				t.Fatalf("sym %d: the v2 planes of v3 differ from v2", sym)
			}
			for y := range n {
				for x := range n {
					tx, ty := sym.Apply(x, y, n)
					if got[PlanePlayoutOwner*area+ty*n+tx] != owner[y*n+x] {
						t.Fatalf("%s sym %d: owner plane (%d,%d) = %v; the identity's %v", mover, sym, x, y,
							got[PlanePlayoutOwner*area+ty*n+tx], owner[y*n+x])
					}
				}
			}
		}
	}
}

// TestEncodeV3Komi: the playouts count komi: with 20.5 the same board is
// White's, and the result plane says so.
func TestEncodeV3Komi(t *testing.T) {
	const area = 81
	g := diagramGame(t, settledDiagram, board.Black)
	g.SetKomi(20.5)
	got := make([]float32, NumPlanesV3*area)
	MustFeatureSet(FeaturesV3).Encode(g, 0, got)
	if v := got[PlanePlayoutResult*area]; v != -1 {
		t.Errorf("komi 20.5: result plane %v; want -1 (Black to move loses)", v)
	}
}

// BenchmarkEncodeV3: FeaturesV3 (PlayoutsV3 heavy playouts a position) on
// positions of random 9x9 and 19x19 games; positions/s, and the ratio to
// FeaturesV2 on the same positions measured in the same run.
func BenchmarkEncodeV3(b *testing.B) {
	for _, size := range []int{9, 19} {
		b.Run(fmt.Sprintf("%dx%d", size, size), func(b *testing.B) {
			benchEncodeAgainst(b, size, MustFeatureSet(FeaturesV3), MustFeatureSet(FeaturesV2), "x-v2-time")
		})
	}
}

var updateV3 = flag.Bool("update-v3", false, "rewrite testdata/v3-planes.golden from the current playouts")

// TestEncodeV3Golden pins the playout planes of three random-game
// positions: a trained FeaturesV3 network has learnt these inputs, so a
// change to rollout.DefaultPolicy or to the seeding changes what every
// such network sees. If this fails after a deliberate change to the
// playouts, the FeaturesV3 networks need retraining (or the old playouts
// kept as FeaturesV3 and the new ones named FeaturesV4); rewrite the
// golden file with go test ./nets -run TestEncodeV3Golden -update-v3.
func TestEncodeV3Golden(t *testing.T) {
	v3 := MustFeatureSet(FeaturesV3)
	var out strings.Builder
	for _, c := range []struct{ size, moves int }{{9, 40}, {13, 70}, {19, 150}} {
		g := randomGame(t, c.size, c.moves, uint64(c.size))
		area := c.size * c.size
		dst := make([]float32, NumPlanesV3*area)
		v3.Encode(g, 0, dst)
		fmt.Fprintf(&out, "%dx%d after %d moves: result %d/%d, owner:\n", c.size, c.size, c.moves,
			int(dst[PlanePlayoutResult*area]*PlayoutsV3), PlayoutsV3)
		for y := range c.size {
			for x := range c.size {
				fmt.Fprintf(&out, " %3d", int(dst[PlanePlayoutOwner*area+y*c.size+x]*PlayoutsV3))
			}
			out.WriteString("\n")
		}
	}
	path := filepath.Join("testdata", "v3-planes.golden")
	if *updateV3 {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := out.String(); got != string(want) {
		t.Errorf("the FeaturesV3 playout planes changed (see the comment of TestEncodeV3Golden); got\n%s\nwant\n%s", got, want)
	}
}

// TestWithPlayouts: FeaturesV3 with its default playout count (0 or
// PlayoutsV3) encodes exactly as before; with n playouts the playout
// planes are multiples of 1/n, differ from the default's on a random
// position, and the v2 planes stay; sets without playouts refuse a count,
// and counts outside 0..1024 are refused.
func TestWithPlayouts(t *testing.T) {
	const n, area = 9, 81
	v3 := MustFeatureSet(FeaturesV3)
	g := randomGame(t, n, 30, 5)
	want := make([]float32, NumPlanesV3*area)
	v3.Encode(g, 3, want)
	for _, k := range []int{0, PlayoutsV3} {
		fs, err := v3.WithPlayouts(k)
		if err != nil {
			t.Fatal(err)
		}
		if fs.Playouts() != PlayoutsV3 {
			t.Errorf("WithPlayouts(%d).Playouts() = %d; want %d", k, fs.Playouts(), PlayoutsV3)
		}
		got := make([]float32, NumPlanesV3*area)
		fs.Encode(g, 3, got)
		if !slices.Equal(got, want) {
			t.Errorf("WithPlayouts(%d) encodes differently from the default", k)
		}
	}
	for _, k := range []int{1, 8} {
		fs, err := v3.WithPlayouts(k)
		if err != nil {
			t.Fatal(err)
		}
		if fs.Playouts() != k {
			t.Errorf("Playouts() = %d; want %d", fs.Playouts(), k)
		}
		got := make([]float32, NumPlanesV3*area)
		fs.Encode(g, 3, got)
		if !slices.Equal(got[:NumPlanesV2*area], want[:NumPlanesV2*area]) {
			t.Errorf("%d playouts: the v2 planes changed", k)
		}
		playout := got[NumPlanesV2*area:]
		for i, v := range playout {
			if f := v * float32(k); f != float32(int(f)) || v < -1 || v > 1 {
				t.Fatalf("%d playouts: playout plane value %d = %v is not a multiple of 1/%d in [-1, 1]", k, i, v, k)
			}
		}
		if slices.Equal(playout, want[NumPlanesV2*area:]) {
			t.Errorf("%d playouts: the playout planes equal the %d-playout ones", k, PlayoutsV3)
		}
	}
	for _, k := range []int{-1, 1025} {
		if _, err := v3.WithPlayouts(k); err == nil {
			t.Errorf("WithPlayouts(%d): no error", k)
		}
	}
	v2 := MustFeatureSet(FeaturesV2)
	if _, err := v2.WithPlayouts(8); err == nil {
		t.Error("v2.WithPlayouts(8): no error")
	}
	if fs, err := v2.WithPlayouts(0); err != nil || fs != v2 || fs.Playouts() != 0 {
		t.Errorf("v2.WithPlayouts(0) = %+v, %v; want v2 unchanged, no playouts", fs, err)
	}
}
