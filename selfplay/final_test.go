package selfplay

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/dataset"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/train"
)

// deadStoneMoves play, on 7x7, a black wall on column D and a white one on
// column E closed by F4 and G4, and a lone black stone at G2 inside White's
// lower eye, then pass twice:
//
//	7 . . . X O . .
//	6 . . . X O . .
//	5 . . . X O . .
//	4 . . . X O O O
//	3 . . . X O . .
//	2 . . . X O . X
//	1 . . . X O . .
//	  A B C D E F G
//
// By Tromp-Taylor area Black has 28 + 1 (G2), White 9 stones and the upper
// eye's 6 points (the lower eye touches G2: neutral), 29 - 15; counted with
// G2 dead Black has 28 and White 21.
var deadStoneMoves = []string{
	"D1", "E1", "D2", "E2", "D3", "E3", "D4", "E4", "D5", "E5", "D6", "E6", "D7", "E7",
	"G2", "F4", "pass", "G4", "pass", "pass",
}

// deadStoneRecord builds the record of deadStoneMoves with komi, its
// counted end set as PlayGame sets it.
func deadStoneRecord(komi float64) (*Record, error) {
	const size = 7
	g, err := board.NewGame(size, komi, board.DefaultRules())
	if err != nil {
		return nil, err
	}
	r := &Record{ID: "dead-stone", Network: "gen-000000", NetworkID: "0123456789ab", Size: size, Komi: komi,
		Rules: "chinese", Visits: 1, Seed: 1, Time: "2025-01-01T00:00:00Z"}
	for _, s := range deadStoneMoves {
		pt, err := board.ParseGTP(s, size)
		if err != nil {
			return nil, err
		}
		c := g.ToMove()
		if err := g.Play(c, pt); err != nil {
			return nil, fmt.Errorf("%s %s: %w", c, s, err)
		}
		idx := int32(nets.MoveIndex(pt, size))
		r.Moves = append(r.Moves, Move{Color: c, Point: pt, Full: true, Visits: 1, Winrate: 0.5, Dist: []Visit{{idx, 1}}})
	}
	if !g.Over() {
		return nil, errors.New("the game is not over")
	}
	r.Score = g.Score()
	r.Winner = scoreWinner(r.Score)
	r.Result = resultString(r.Winner, r.Score, false)
	r.setFinal(g)
	return r, nil
}

// TestFinalDeadStone: the counted end of a hand-made game removes the dead
// stone, gives each side its walled area, and round-trips through a chunk.
func TestFinalDeadStone(t *testing.T) {
	r, err := deadStoneRecord(0.5)
	if err != nil {
		t.Fatal(err)
	}
	if r.Score != 13.5 || r.Winner != board.Black {
		t.Fatalf("Tromp-Taylor score %v, winner %v; want 13.5, B", r.Score, r.Winner)
	}
	if r.Owner == nil {
		t.Fatal("no counted end")
	}
	for i, pt := range board.Points(7) {
		want := int8(-1)
		if pt.GTP(7)[0] <= 'D' {
			want = 1
		}
		if r.Owner[i] != want {
			f, _ := r.Final()
			t.Fatalf("owner of %s = %d; want %d\n%s", pt.GTP(7), r.Owner[i], want, f)
		}
	}
	if r.FinalScore != 6.5 {
		t.Errorf("counted score %v; want 28 - 21 - 0.5 = 6.5", r.FinalScore)
	}
	data, err := ChunkBytes(r)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ReadChunk(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !reflect.DeepEqual(got[0], r) {
		t.Fatalf("round trip: got %+v\nwant %+v", got[0], r)
	}
	if _, err := got[0].Replay(nil); err != nil {
		t.Fatal(err)
	}
	lines, _ := r.AppendJSONLines(nil)
	if want := `"owner":"` + strings.Repeat("BBBBWWW", 7) + `","final_score":6.5`; !strings.Contains(string(lines), want) {
		t.Errorf("header %s\nlacks %s", strings.SplitN(string(lines), "\n", 2)[0], want)
	}

	// Komi 10.5: Black wins by Tromp-Taylor (3.5) but loses the count
	// (-3.5): the count is not trusted.
	clash, err := deadStoneRecord(10.5)
	if err != nil {
		t.Fatal(err)
	}
	if clash.Winner != board.Black || clash.Owner != nil || clash.FinalScore != 0 {
		t.Errorf("clash: winner %v, owner %v, final score %v; want B, none, 0", clash.Winner, clash.Owner, clash.FinalScore)
	}
}

// TestReplayChecksFinal: Replay rejects a counted end that does not follow
// from the final position.
func TestReplayChecksFinal(t *testing.T) {
	r, err := deadStoneRecord(0.5)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		edit func(r *Record)
		want string
	}{
		// Same count, wrong places: A1 to White, G7 to Black.
		{"moved owners", func(r *Record) { r.Owner[42], r.Owner[6] = -1, 1 }, "ownership of"},
		{"score", func(r *Record) { r.FinalScore++ }, "final score"},
		{"short", func(r *Record) { r.Owner = r.Owner[:48] }, "48 points"},
		{"not ended", func(r *Record) { r.Moves = r.Moves[:len(r.Moves)-1] }, "two passes"},
		// The dead stone called alive: its eye is then neutral.
		{"dead stone alive", func(r *Record) { r.Owner[5*7+6] = 1; r.FinalScore = ownerScore(r.Owner, r.Komi) }, "ownership of"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bad := *r
			bad.Owner = slices.Clone(r.Owner)
			tc.edit(&bad)
			_, err := bad.Replay(nil)
			if !errors.Is(err, ErrIllegal) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Replay error %v; want ErrIllegal saying %q", err, tc.want)
			}
		})
	}
}

// TestReadChunkBadFinal: a version 2 header with a malformed counted end is
// corrupt, with a message that says what is wrong.
func TestReadChunkBadFinal(t *testing.T) {
	r, err := deadStoneRecord(0.5)
	if err != nil {
		t.Fatal(err)
	}
	lines, err := r.AppendJSONLines(nil)
	if err != nil {
		t.Fatal(err)
	}
	text := string(lines)
	owner := strings.Repeat("BBBBWWW", 7)
	edit := func(old, new string) []byte {
		if !strings.Contains(text, old) {
			t.Fatalf("%q not in the chunk", old)
		}
		return rawChunk(strings.Replace(text, old, new, 1))
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"short owner", edit(owner, owner[1:]), "owner of 48 points"},
		{"long owner", edit(owner, owner+"B"), "owner of 50 points"},
		{"bad character", edit(owner, "X"+owner[1:]), `owner character 'X' at point 0`},
		{"lower case", edit(owner, "b"+owner[1:]), `owner character 'b'`},
		{"score mismatch", edit(`"final_score":6.5`, `"final_score":7.5`), "owner counts 6.5"},
		{"no final score", edit(`,"final_score":6.5`, ``), "both or neither"},
		{"no owner", edit(`"owner":"`+owner+`",`, ``), "both or neither"},
		{"version 1", edit(`"version":3`, `"version":1`), "version 1 header"},
		{"clash", edit(owner, strings.Repeat("BWWWWWW", 7)), "owner counts -35.5"},
		{"final score string", edit(`"final_score":6.5`, `"final_score":"6.5"`), "header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recs, err := ReadChunk(bytes.NewReader(tc.data))
			if err == nil {
				t.Fatalf("ReadChunk accepted it: %d games", len(recs))
			}
			if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q; want ErrCorrupt saying %q", err, tc.want)
			}
		})
	}
	// The score check passes but the winner clashes.
	clash := strings.Repeat("WWWWWWW", 3) + strings.Repeat("BBBBWWW", 4)
	_, err = ReadChunk(bytes.NewReader(edit(`"owner":"`+owner+`","final_score":6.5`, `"owner":"`+clash+`","final_score":-17.5`)))
	if !errors.Is(err, ErrCorrupt) || !strings.Contains(err.Error(), "disagrees") {
		t.Errorf("clashing count: error %v; want ErrCorrupt saying it disagrees", err)
	}
}

// TestReadChunkV1: a version 1 chunk (written before the counted end)
// still reads and replays, with no counted end: its examples have no
// ownership or score targets.
func TestReadChunkV1(t *testing.T) {
	f, err := os.Open("testdata/v1-7x7.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := ReadChunk(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Resigned || !recs[1].Resigned {
		t.Fatalf("%d games; want a scored one and a resigned one", len(recs))
	}
	for _, r := range recs {
		g, err := r.Replay(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Resigned && !g.Over() {
			t.Errorf("%s: the scored game did not end with two passes", r.ID)
		}
		if _, ok := r.Final(); ok || r.Owner != nil || r.FinalScore != 0 {
			t.Errorf("%s: a version 1 game has a counted end", r.ID)
		}
	}
	src := &Source{Window: &Window{Games: recs}, Seed: 1, Symmetries: true}
	exs := collect(t, src, train.Position{})
	if len(exs) == 0 {
		t.Fatal("no examples")
	}
	for _, d := range exs {
		if d.ex.Ownership != nil || d.ex.HasScore || !d.ex.HasValue {
			t.Fatalf("%s move %d: ownership %v, has score %v, has value %v; want none, false, true",
				d.ex.GameID, d.ex.MoveNum, d.ex.Ownership != nil, d.ex.HasScore, d.ex.HasValue)
		}
	}
	// Written again, the games are current chunks without a counted end.
	data, err := ChunkBytes(recs...)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadChunk(bytes.NewReader(data))
	if err != nil || !reflect.DeepEqual(back, recs) {
		t.Fatalf("rewritten as version %d: %v", ChunkVersion, err)
	}
}

// TestReadChunkV2: a version 2 chunk (plain indices, in visit order) of
// the 9x9 expert run reads with each distribution in index order, the
// same visits per index as its JSON says, and written again as version 3
// (index gaps) it reads back the same and is at least a fifth smaller.
func TestReadChunkV2(t *testing.T) {
	raw, err := os.ReadFile("testdata/v2-9x9.json.gz")
	if err != nil {
		t.Fatal(err)
	}
	recs, err := ReadChunk(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 1 || recs[0].Size != 9 || len(recs[0].Moves) == 0 {
		t.Fatalf("%d games; want one 9x9 game", len(recs))
	}
	if _, err := recs[0].Replay(nil); err != nil {
		t.Fatal(err)
	}
	// The first move's distribution straight from the JSON.
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	text, _ := io.ReadAll(zr)
	var ml moveLine
	if err := json.Unmarshal(bytes.SplitN(text, []byte("\n"), 3)[1], &ml); err != nil {
		t.Fatal(err)
	}
	want := map[int32]int32{}
	for i := 0; i < len(ml.D); i += 2 {
		want[int32(ml.D[i])] = int32(ml.D[i+1])
	}
	dist := recs[0].Moves[0].Dist
	if len(dist) != len(want) || len(dist) < 10 {
		t.Fatalf("first move: %d entries; the JSON has %d", len(dist), len(want))
	}
	for i, v := range dist {
		if want[v.Index] != v.Visits || i > 0 && dist[i-1].Index >= v.Index {
			t.Fatalf("first move entry %d: %+v; want index order and %d visits", i, v, want[v.Index])
		}
	}
	data, err := ChunkBytes(recs...)
	if err != nil {
		t.Fatal(err)
	}
	back, err := ReadChunk(bytes.NewReader(data))
	if err != nil || !reflect.DeepEqual(back, recs) {
		t.Fatalf("rewritten as version %d: %v", ChunkVersion, err)
	}
	if 5*len(data) > 4*len(raw) {
		t.Errorf("version %d chunk %d bytes; version 2 %d: want a fifth smaller", ChunkVersion, len(data), len(raw))
	}
}

// TestPlayGameFinal: real self-play games on 7x7. A game played to two
// passes has a counted end that a hand count confirms: every stone on the
// board is owned by its colour unless the count judged its chain dead, and
// the counted score is the area (flood fill without the dead stones) minus
// komi; a game without dead stones counts as its Tromp-Taylor score.
// Resigned games and games cut by the move limit have none.
func TestPlayGameFinal(t *testing.T) {
	cfg := fastGameConfig(7)
	cfg.ResignThreshold = 0
	counted, withDead := 0, 0
	for seed := uint64(1); seed <= 6; seed++ {
		r := playoutGame(t, seed, cfg)
		g, err := r.Replay(nil)
		if err != nil {
			t.Fatal(err)
		}
		if !g.Over() {
			if r.Owner != nil {
				t.Errorf("game %d: not ended by two passes, but counted", seed)
			}
			continue
		}
		f := dataset.Count(g.Position(), g.ToMove(), g.Komi(), dataset.DefaultFinalConfig())
		if finalClash(r.Score, f.Score) {
			if r.Owner != nil {
				t.Errorf("game %d: count %v clashes with score %v, but kept", seed, f.Score, r.Score)
			}
			continue
		}
		if r.Owner == nil {
			t.Fatalf("game %d: ended by two passes, no counted end", seed)
		}
		counted++
		if len(f.Dead) > 0 {
			withDead++
		}
		dead := map[board.Point]bool{}
		for _, pt := range f.Dead {
			dead[pt] = true
		}
		p := g.Position()
		pts := board.Points(7)
		for i, pt := range pts {
			c := p.At(pt)
			if c == board.Empty {
				continue
			}
			if alive := r.Owner[i] == colorSign(c); alive == dead[pt] {
				t.Errorf("game %d: %s %s owned by %d, judged dead %v", seed, c, pt.GTP(7), r.Owner[i], dead[pt])
			}
		}
		// Hand count: flood fill each empty region (dead stones' points
		// included) and see which colours of live stones it reaches.
		stone := func(pt board.Point) board.Color {
			if dead[pt] {
				return board.Empty
			}
			return p.At(pt)
		}
		area := map[board.Color]int{}
		seen := map[board.Point]bool{}
		for _, pt := range pts {
			if c := stone(pt); c != board.Empty {
				area[c]++
				continue
			}
			if seen[pt] {
				continue
			}
			region, reach := []board.Point{pt}, map[board.Color]bool{}
			seen[pt] = true
			for k := 0; k < len(region); k++ {
				for _, q := range neighbours(region[k], 7) {
					if c := stone(q); c != board.Empty {
						reach[c] = true
					} else if !seen[q] {
						seen[q] = true
						region = append(region, q)
					}
				}
			}
			if len(reach) == 1 {
				for c := range reach {
					area[c] += len(region)
				}
			}
		}
		if want := float64(area[board.Black]-area[board.White]) - r.Komi; r.FinalScore != want {
			t.Errorf("game %d: counted score %v; the hand count gives %v", seed, r.FinalScore, want)
		}
		if len(f.Dead) == 0 && r.FinalScore != r.Score {
			t.Errorf("game %d: no dead stones, counted score %v, Tromp-Taylor %v", seed, r.FinalScore, r.Score)
		}
		if !reflect.DeepEqual(r.Owner, f.Owner) {
			t.Errorf("game %d: owner differs from dataset.Count's", seed)
		}
	}
	if counted < 3 {
		t.Errorf("%d of 6 games counted; want most", counted)
	}
	t.Logf("%d games counted, %d with dead stones", counted, withDead)

	// Cut by the move limit, and resigned: no counted end.
	cut := fastGameConfig(7)
	cut.ResignThreshold, cut.MaxMoves = 0, 10
	if r := playoutGame(t, 1, cut); r.Owner != nil || len(r.Moves) != 10 {
		t.Errorf("a game cut at 10 moves (%d played) has a counted end", len(r.Moves))
	}
	rcfg := fastGameConfig(7)
	rcfg.ResignThreshold, rcfg.ResignMoves, rcfg.ResignMinMove, rcfg.ResignOffShare = 0.4, 1, 1, 0
	lost := uniformEval{value: func(s *board.State) float32 {
		if s.ToMove == board.White {
			return -1
		}
		return 1
	}}
	r, err := PlayGame(context.Background(), lost, 7, rcfg, 1)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Resigned || r.Owner != nil {
		t.Errorf("resigned %v, counted end %v; want a resignation without one", r.Resigned, r.Owner != nil)
	}
}

func neighbours(pt board.Point, size int) []board.Point {
	x, y := pt.XY()
	var out []board.Point
	for _, d := range [][2]int{{1, 0}, {-1, 0}, {0, 1}, {0, -1}} {
		if nx, ny := x+d[0], y+d[1]; nx >= 0 && ny >= 0 && nx < size && ny < size {
			out = append(out, board.PointAt(nx, ny))
		}
	}
	return out
}

// TestSourceFinalTargets: examples of a counted game carry its ownership
// and score from the mover's view under the input's symmetry; those of a
// resigned one are masked.
func TestSourceFinalTargets(t *testing.T) {
	counted, err := deadStoneRecord(0.5)
	if err != nil {
		t.Fatal(err)
	}
	resigned := playoutGame(t, 12, fastGameConfig(7))
	if !resigned.Resigned {
		t.Fatal("game 12 was not resigned")
	}
	src := &Source{Window: &Window{Games: []*Record{counted, resigned}}, Seed: 5, Symmetries: true}
	exs := collect(t, src, train.Position{})
	in := make([]float32, nets.NumPlanesV1*49)
	enc := make([]float32, nets.NumPlanesV1*49)
	final, _ := counted.Final()
	n := 0
	for _, d := range exs {
		ex := d.ex
		if ex.GameID == resigned.ID {
			if ex.Ownership != nil || ex.HasScore {
				t.Fatalf("resigned game move %d: ownership or score target", ex.MoveNum)
			}
			continue
		}
		n++
		m := counted.Moves[ex.MoveNum-1]
		want := float32(counted.FinalScore)
		if m.Color == board.White {
			want = -want
		}
		if !ex.HasScore || ex.Score != want || len(ex.Ownership) != 49 {
			t.Fatalf("move %d: has score %v, score %v, %d owners; want true, %v, 49", ex.MoveNum, ex.HasScore, ex.Score, len(ex.Ownership), want)
		}
		var g *board.Game
		if _, err := counted.Replay(func(bg *board.Game, i int) error {
			if i == ex.MoveNum-1 {
				g = bg
				return errStop
			}
			return nil
		}); !errors.Is(err, errStop) {
			t.Fatal(err)
		}
		ex.Input.Unpack(in)
		agrees := false
		for s := range nets.Symmetry(nets.NumSymmetries) {
			nets.Encode(g, s, enc)
			if !slices.Equal(enc, in) {
				continue
			}
			own, _ := final.ForMover(m.Color, s)
			agrees = agrees || slices.Equal(own, ex.Ownership)
			// Hand check in the input's frame: the mover's own stones
			// are owned by the mover (+1) unless dead (G2 only).
			for i := range 49 {
				if in[nets.PlaneOwn*49+i] == 1 && ex.Ownership[i] != 1 && !(m.Color == board.Black && ex.MoveNum > 15) {
					t.Fatalf("move %d: own stone at input point %d owned by %d", ex.MoveNum, i, ex.Ownership[i])
				}
			}
		}
		if !agrees {
			t.Fatalf("move %d: ownership is not the final one under the input's symmetry", ex.MoveNum)
		}
	}
	if n != len(counted.Moves) {
		t.Errorf("%d examples of the counted game; want %d", n, len(counted.Moves))
	}
}

// TestSourceFeaturesV2: a Source for a v2 network encodes the ladder
// planes too.
func TestSourceFeaturesV2(t *testing.T) {
	r, err := deadStoneRecord(0.5)
	if err != nil {
		t.Fatal(err)
	}
	src := &Source{Window: &Window{Games: []*Record{r}}, Seed: 5, Features: nets.FeaturesV2}
	exs := collect(t, src, train.Position{})
	if len(exs) == 0 || exs[0].ex.Input.Planes != nets.NumPlanesV2 {
		t.Fatalf("%d examples; want %d planes", len(exs), nets.NumPlanesV2)
	}
	bad := &Source{Window: src.Window, Features: "v9"}
	if err := bad.Pass(context.Background(), train.Position{}, func(train.Position, *dataset.Example) error { return nil }); err == nil {
		t.Error("unknown features accepted")
	}
}

// TestTrainCandidateHeads: a v2 network with ownership and score heads
// plays self-play games (its ladder planes encoded) and trains its
// candidate on a window whose counted games feed both heads.
func TestTrainCandidateHeads(t *testing.T) {
	spec := tinySpec(7)
	spec.Features = nets.FeaturesV2
	spec.Value = nets.ValueHead{Kind: nets.ValuePool, Filters: 2, Hidden: 8}
	spec.Ownership = nets.OwnershipHead{Filters: 2}
	spec.Score = nets.ScoreHead{Hidden: 4}
	w0, err := nets.NewWeights(spec, rand.New(rand.NewPCG(3, 1)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "heads.weights")
	if err := nets.Save(path, w0); err != nil {
		t.Fatal(err)
	}
	d := Dir(filepath.Join(t.TempDir(), "run"))
	if _, _, err := d.Init(path); err != nil {
		t.Fatal(err)
	}
	cfg := fastConfig(7)
	cfg.Games = 2
	if _, err := Run(context.Background(), d, cfg, nil); err != nil {
		t.Fatal(err)
	}
	// Games played out to two passes (the playout evaluator: quick).
	gcfg := fastGameConfig(7)
	gcfg.ResignThreshold = 0
	counted := 0
	for i := range 4 {
		r := playoutGame(t, uint64(30+i), gcfg)
		r.ID = NewNamer().Next()
		if r.Owner != nil {
			counted++
		}
		if err := WriteGame(d, r, false); err != nil {
			t.Fatal(err)
		}
	}
	if counted == 0 {
		t.Fatal("no playout game was counted")
	}
	tc := fastTrainConfig()
	tc.Train.Options.OwnershipWeight, tc.Train.Options.ScoreWeight = 1, 1
	var log bytes.Buffer
	w, err := TrainCandidate(context.Background(), d, 1, tc, &log)
	if err != nil {
		t.Fatal(err)
	}
	if w.Spec.Features != nets.FeaturesV2 || !w.Spec.HasOwnership() || !w.Spec.HasScore() {
		t.Fatalf("candidate spec %+v", w.Spec)
	}
	if !strings.Contains(log.String(), "games counted to the end") {
		t.Errorf("log lacks the counted games:\n%s", log.String())
	}
	data, err := os.ReadFile(filepath.Join(d.TrainDir(1), "metrics.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(data), `"ownership_loss":`) || !strings.Contains(string(data), `"score_loss":`) {
		t.Errorf("metrics without ownership and score losses:\n%s", data)
	}
}

// TestTrainCandidateNewSpec: a candidate can change the architecture
// (TrainConfig.Spec): a v1 parent without heads becomes a v2 candidate
// with pooled value, ownership and score heads, its trunk (but for the
// widened first layer) started from the parent's tensors and its value
// head afresh.
func TestTrainCandidateNewSpec(t *testing.T) {
	parentSpec := tinySpec(7)
	w0, err := nets.NewWeights(parentSpec, rand.New(rand.NewPCG(3, 1)))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "parent.weights")
	if err := nets.Save(path, w0); err != nil {
		t.Fatal(err)
	}
	d := Dir(filepath.Join(t.TempDir(), "run"))
	if _, _, err := d.Init(path); err != nil {
		t.Fatal(err)
	}
	gcfg := fastGameConfig(7)
	gcfg.ResignThreshold = 0
	for i := range 4 {
		r := playoutGame(t, uint64(50+i), gcfg)
		r.ID = NewNamer().Next()
		if err := WriteGame(d, r, false); err != nil {
			t.Fatal(err)
		}
	}
	spec := parentSpec
	spec.Features = nets.FeaturesV2
	spec.Value = nets.ValueHead{Kind: nets.ValuePool, Filters: 2, Hidden: 8}
	spec.Ownership = nets.OwnershipHead{Filters: 2}
	spec.Score = nets.ScoreHead{Hidden: 4}
	tc := fastTrainConfig()
	tc.Train.Steps = 1
	tc.Train.Options.OwnershipWeight, tc.Train.Options.ScoreWeight = 1, 1
	tc.Spec, tc.Fresh = &spec, []string{"value."}
	var log bytes.Buffer
	w, err := TrainCandidate(context.Background(), d, 1, tc, &log)
	if err != nil {
		t.Fatal(err)
	}
	if w.Spec.Features != nets.FeaturesV2 || !w.Spec.HasOwnership() || !w.Spec.HasScore() || !w.Spec.Value.Pooled() {
		t.Fatalf("candidate spec %+v", w.Spec)
	}
	if !strings.Contains(log.String(), "new architecture") || !strings.Contains(log.String(), "initialised afresh") {
		t.Errorf("log lacks the surgery:\n%s", log.String())
	}
	// A bad spec (another board size) is refused.
	bad := spec
	bad.BoardSize = 9
	tc.Spec = &bad
	if _, err := TrainCandidate(context.Background(), d, 2, tc, nil); err == nil || !strings.Contains(err.Error(), "9x9 spec for a 7x7 run") {
		t.Errorf("a 9x9 spec for a 7x7 run: %v", err)
	}
}
