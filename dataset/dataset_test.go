package dataset

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/sgf"
)

func TestPackRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, area := range []int{4, 81, 361, 625} {
		in := make([]float32, 5*area)
		for i := range in[:area] { // binary plane
			in[i] = float32(rng.IntN(2))
		}
		for i := area; i < 2*area; i++ { // constant plane
			in[i] = 0.75
		}
		for i := 2 * area; i < 3*area; i++ { // raw plane
			in[i] = rng.Float32()
		}
		// planes 3 and 4: all zero, all one
		for i := 4 * area; i < 5*area; i++ {
			in[i] = 1
		}
		p := Pack(in, 5, area)
		out := make([]float32, len(in))
		p.Unpack(out)
		if !reflect.DeepEqual(in, out) {
			t.Fatalf("area %d: unpack differs", area)
		}
		data, _ := p.MarshalBinary()
		var q Packed
		if err := q.UnmarshalBinary(data); err != nil {
			t.Fatal(err)
		}
		clear(out)
		q.Unpack(out)
		if !reflect.DeepEqual(in, out) {
			t.Fatalf("area %d: binary round trip differs", area)
		}
		if err := q.UnmarshalBinary(data[:len(data)-1]); err == nil {
			t.Fatal("truncated data accepted")
		}
	}
}

func TestPackEncodedPositionIsSmall(t *testing.T) {
	g, _ := board.NewGame(19, 7.5, board.DefaultRules())
	in := make([]float32, nets.NumPlanesV1*361)
	nets.Encode(g, 0, in)
	p := Pack(in, nets.NumPlanesV1, 361)
	if p.Bytes() > 2000 {
		t.Fatalf("packed 19x19 position takes %d bytes", p.Bytes())
	}
}

func FuzzUnmarshalPacked(f *testing.F) {
	p := Pack([]float32{0, 1, 1, 0, 0.5, 0.5, 0.5, 0.5, 0.1, 0.2, 0.3, 0.4}, 3, 4)
	data, _ := p.MarshalBinary()
	f.Add(data)
	f.Fuzz(func(t *testing.T, data []byte) {
		var q Packed
		if err := q.UnmarshalBinary(data); err != nil {
			return
		}
		out := make([]float32, q.Planes*q.Area)
		q.Unpack(out)
		again, _ := q.MarshalBinary()
		var r Packed
		if err := r.UnmarshalBinary(again); err != nil {
			t.Fatalf("re-marshalled data rejected: %v", err)
		}
	})
}

func TestParseRank(t *testing.T) {
	for s, want := range map[string]int{"30k": -29, "1k": 0, "1d": 1, "7d": 7, "9d?": 9, "1p": 10, "9p": 18} {
		if got, ok := ParseRank(s); !ok || got != want {
			t.Errorf("ParseRank(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "?", "d", "0d", "10d", "31k", "5x"} {
		if _, ok := ParseRank(s); ok {
			t.Errorf("ParseRank(%q) accepted", s)
		}
	}
}

func TestFilter(t *testing.T) {
	info := sgf.Info{Size: 19, BR: "7d", WR: "5d", Result: "B+Resign", Handicap: 0}
	for _, tc := range []struct {
		f    Filter
		want bool
	}{
		{Filter{}, true},
		{Filter{Size: 9}, false},
		{Filter{MinRank: "5d"}, true},
		{Filter{MinRank: "6d"}, false},
		{Filter{MinMoves: 200}, true},
		{Filter{MinMoves: 201}, false},
		{Filter{Results: []string{"score"}}, false},
		{Filter{Results: []string{"score", "resign"}}, true},
	} {
		if got := tc.f.Accept(info, 200); got != tc.want {
			t.Errorf("%+v.Accept = %v; want %v", tc.f, got, tc.want)
		}
	}
	hc := info
	hc.Handicap = 3
	if (Filter{NoHandicap: true}).Accept(hc, 200) {
		t.Error("handicap game accepted with NoHandicap")
	}
	if err := (Filter{MinRank: "x"}).Validate(); err == nil {
		t.Error("bad rank validated")
	}
}

func TestGameID(t *testing.T) {
	if got := GameID("../shared/data/sgf/kgs.tar.gz:kgs/2001/a.sgf", 1); got != "kgs.tar.gz:kgs/2001/a.sgf#1" {
		t.Errorf("GameID = %q", got)
	}
	if got := GameID("games/b.sgf", 2); got != "games/b.sgf#2" {
		t.Errorf("GameID = %q", got)
	}
}

// writeFixtures writes small games into a temp dir.
func writeFixtures(t *testing.T) string {
	dir := t.TempDir()
	files := map[string]string{
		"a.sgf": "(;FF[4]SZ[9]KM[7]RE[B+Resign]BR[5d]WR[4d];B[ee];W[cc];B[gc];W[];B[cg])",
		"b.sgf": "(;FF[4]SZ[9]KM[7]RE[W+3.5];B[ee];W[dd];B[de])",
		"c.sgf": "(;FF[4]SZ[9]KM[0.5]HA[2]AB[cc][gg]RE[W+T];W[ee];B[ec])",
		"d.sgf": "(;FF[4]SZ[9];B[ee];W[ee])", // illegal second move
		"e.txt": "not sgf",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestExamples(t *testing.T) {
	dir := writeFixtures(t)
	var got []Example
	st, err := Examples(context.Background(), ExampleConfig{Paths: []string{dir}}, func(_ int, ex *Example) error {
		got = append(got, *ex)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// a: 4 non-pass moves; b: 3; c: 2; d: 1 before the illegal move.
	if len(got) != 10 {
		t.Fatalf("%d examples; want 10", len(got))
	}
	if len(st.Errors) != 1 {
		t.Fatalf("errors %v; want the illegal move of d.sgf", st.Errors)
	}
	// Game a: Black won by resignation: Black's moves +1, White's -1.
	a := got[:4]
	if !a[0].HasValue || a[0].Value != 1 || a[1].Value != -1 {
		t.Errorf("values of game a: %+v %+v", a[0].Value, a[1].Value)
	}
	if a[0].Policy != nets.MoveIndex(board.PointAt(4, 4), 9) {
		t.Errorf("first policy target %d", a[0].Policy)
	}
	// Game c: decided on time: no value target. White moves first.
	var c []Example
	for _, ex := range got {
		if ex.GameID == filepath.Join(dir, "c.sgf")+"#1" {
			c = append(c, ex)
		}
	}
	if len(c) != 2 || c[0].HasValue {
		t.Fatalf("game c examples %+v", c)
	}
	in := make([]float32, nets.NumPlanesV1*81)
	c[0].Input.Unpack(in)
	if in[nets.PlaneBlackToMove*81] != 0 {
		t.Error("game c: first mover should be White")
	}
	// With passes: one more example (game a's pass).
	n := 0
	Examples(context.Background(), ExampleConfig{Paths: []string{dir}, Passes: true}, func(_ int, ex *Example) error { n++; return nil })
	if n != 11 {
		t.Fatalf("with passes %d examples; want 11", n)
	}
}

func TestExamplesSymmetryAndResume(t *testing.T) {
	dir := writeFixtures(t)
	collect := func(cfg ExampleConfig) []Example {
		var out []Example
		if _, err := Examples(context.Background(), cfg, func(_ int, ex *Example) error {
			out = append(out, *ex)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	cfg := ExampleConfig{Paths: []string{dir}, Symmetries: true, Seed: 9}
	all := collect(cfg)
	again := collect(cfg)
	if !reflect.DeepEqual(all, again) {
		t.Fatal("same seed, different examples")
	}
	cfg.StartGame = 1
	rest := collect(cfg)
	if !reflect.DeepEqual(rest, all[4:]) {
		t.Fatalf("resuming at game 1 gave %d examples; want the last %d", len(rest), len(all)-4)
	}
	// The policy target follows the symmetry: the move played is a legal
	// point of the transformed input, and symmetries other than the
	// identity occur.
	in := make([]float32, nets.NumPlanesV1*81)
	moved := 0
	plain := collect(ExampleConfig{Paths: []string{dir}})
	for i, ex := range all {
		ex.Input.Unpack(in)
		if in[nets.PlaneLegal*81+ex.Policy] != 1 {
			t.Fatalf("example %d: target %d is not legal in its input", i, ex.Policy)
		}
		if ex.Policy != plain[i].Policy {
			moved++
		}
	}
	if moved == 0 {
		t.Fatal("no example was transformed")
	}
}

func TestSplitIsOrderIndependent(t *testing.T) {
	dir := writeFixtures(t)
	ids, st, err := Split(context.Background(), []string{dir}, Filter{}, 3, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(ids) != 2 || st.Accepted != 4 {
		t.Fatalf("split %v, stats %+v", ids, st)
	}
	// Same games through a different path order: same split.
	files, _ := filepath.Glob(filepath.Join(dir, "*.sgf"))
	for i, j := 0, len(files)-1; i < j; i, j = i+1, j-1 {
		files[i], files[j] = files[j], files[i]
	}
	ids2, _, _ := Split(context.Background(), files, Filter{}, 3, 2)
	if !reflect.DeepEqual(ids, ids2) {
		t.Fatalf("split depends on order: %v vs %v", ids, ids2)
	}
}

// TestExamplesOrder: with Order the same examples come game by game in
// another order, the same for the same seed, ordinals counting in that
// order (StartGame resumes in it), and each game's examples unchanged.
func TestExamplesOrder(t *testing.T) {
	dir := t.TempDir()
	for i := range 12 {
		body := fmt.Sprintf("(;FF[4]SZ[9]RE[B+R];B[%c%c];W[ee];B[aa])", 'a'+i%9, 'b'+i/9)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("g%02d.sgf", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type rec struct {
		ordinal int
		ex      Example
	}
	collect := func(cfg ExampleConfig) []rec {
		var out []rec
		if _, err := Examples(context.Background(), cfg, func(o int, ex *Example) error {
			out = append(out, rec{o, *ex})
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	base := ExampleConfig{Paths: []string{dir}, Symmetries: true, Seed: 3}
	plain := collect(base)
	cfg := base
	cfg.Order = 7
	shuffled := collect(cfg)
	if !reflect.DeepEqual(shuffled, collect(cfg)) {
		t.Fatal("same order seed, different streams")
	}
	if len(shuffled) != len(plain) || len(plain) != 36 {
		t.Fatalf("%d examples shuffled, %d plain; want 36", len(shuffled), len(plain))
	}
	byKey := map[string]Example{}
	for _, r := range plain {
		byKey[fmt.Sprint(r.ex.GameID, r.ex.MoveNum)] = r.ex
	}
	same := true
	for i, r := range shuffled {
		if r.ordinal != i/3 {
			t.Fatalf("example %d has ordinal %d; want %d", i, r.ordinal, i/3)
		}
		if !reflect.DeepEqual(r.ex, byKey[fmt.Sprint(r.ex.GameID, r.ex.MoveNum)]) {
			t.Fatalf("example %d (%s move %d) differs from its plain one", i, r.ex.GameID, r.ex.MoveNum)
		}
		same = same && r.ex.GameID == plain[i].ex.GameID
	}
	if same {
		t.Fatal("Order kept the archive order")
	}
	cfg.Order = 8
	if other := collect(cfg); reflect.DeepEqual(other, shuffled) {
		t.Error("order seeds 7 and 8 gave the same stream")
	}
	cfg.Order, cfg.StartGame = 7, 5
	if rest := collect(cfg); !reflect.DeepEqual(rest, shuffled[15:]) {
		t.Errorf("resuming at game 5 gave %d examples; want the last %d in the same order", len(rest), len(shuffled)-15)
	}
}

// TestExamplesOrderHeldGames: with Order the games wait as the SGF text
// of their main line; parsed back they give the same examples (and the
// same final targets) as the games read in archive order: a Latin-1
// file with escaped brackets and variations, a handicap game with setup
// stones played to a counted end, and plain games.
func TestExamplesOrderHeldGames(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"latin1.sgf": "(;FF[4]CA[ISO-8859-1]SZ[9]KM[6.5]RE[W+R]PB[Jos\xe9]C[a \\] b]\n;B[cc]C[caf\xe9];W[gg](;B[cg];W[gc];B[ee])(;B[dd];W[ff]))",
		"hcp.sgf":    "(;FF[4]SZ[9]HA[2]AB[cc][gg]KM[0.5]RE[B+3];W[ee];B[ce];W[ec]C[x];B[];W[])",
	}
	for i := range 6 {
		files[fmt.Sprintf("p%d.sgf", i)] = fmt.Sprintf("(;FF[4]SZ[9]RE[B+R];B[%c%c];W[ee];B[aa])", 'a'+i, 'b'+i)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	byKey := func(order uint64) map[string]Example {
		out := map[string]Example{}
		cfg := ExampleConfig{Paths: []string{dir}, Symmetries: true, Seed: 5, Order: order, Passes: true, Final: true, FinalConfig: FinalConfig{Playouts: 20}}
		if _, err := Examples(context.Background(), cfg, func(_ int, ex *Example) error {
			out[fmt.Sprint(ex.GameID, " ", ex.MoveNum)] = *ex
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	plain, shuffled := byKey(0), byKey(9)
	if len(plain) != 6*3+5+5 {
		t.Fatalf("%d examples; want %d", len(plain), 6*3+5+5)
	}
	if !reflect.DeepEqual(plain, shuffled) {
		for k, ex := range plain {
			if !reflect.DeepEqual(ex, shuffled[k]) {
				t.Errorf("%s differs when held", k)
			}
		}
		t.Fatalf("%d examples plain, %d held", len(plain), len(shuffled))
	}

	// The held text keeps the main line's properties, decoded, and no
	// variation.
	var root *sgf.Node
	if _, err := Games(context.Background(), []string{filepath.Join(dir, "latin1.sgf")}, Filter{}, func(g Game) error {
		h := holdGame(g)
		if h.g.Root != nil {
			t.Error("the held game keeps its tree")
		}
		back, err := h.game()
		if err != nil {
			return err
		}
		root = back.Root
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	line := root.MainLine()
	if len(line) != 6 {
		t.Fatalf("held main line of %d nodes; want 6", len(line))
	}
	for _, n := range line {
		if len(n.Children) > 1 {
			t.Error("a variation was kept")
		}
	}
	if pb, _ := root.Get("PB"); pb != "José" {
		t.Errorf("PB %q; want José", pb)
	}
	if c, _ := root.Get("C"); c != "a ] b" {
		t.Errorf("C %q; want %q", c, "a ] b")
	}
	if m, _ := line[5].Get("B"); m != "ee" {
		t.Errorf("last main-line move %q; want B[ee]", m)
	}
}
