package selfplay

import (
	"bytes"
	"context"
	"errors"
	"math"
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

// windowOf plays n quick games into a directory and loads them.
func windowOf(t *testing.T, n int) (Dir, *Window) {
	t.Helper()
	d := Dir(t.TempDir())
	cfg := fastGameConfig(7)
	cfg.FastVisits, cfg.FullShare = 2, 0.6
	for i := range n {
		r := playoutGame(t, uint64(20+i), cfg)
		r.ID = NewNamer().Next()
		if err := WriteGame(d, r, true); err != nil {
			t.Fatal(err)
		}
	}
	w, err := LoadWindow(context.Background(), d, 0, 7)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Games) != n || w.Skipped != 0 {
		t.Fatalf("window: %d games, %d skipped; want %d, 0", len(w.Games), w.Skipped, n)
	}
	return d, w
}

type delivered struct {
	at train.Position
	ex dataset.Example
}

func collect(t *testing.T, s *Source, from train.Position) []delivered {
	t.Helper()
	var out []delivered
	err := s.Pass(context.Background(), from, func(at train.Position, ex *dataset.Example) error {
		c := *ex
		c.PolicyDist = slices.Clone(ex.PolicyDist)
		out = append(out, delivered{at, c})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestSourceSymmetries: every example is the position encoded under one of
// the 8 symmetries, and its policy target is the visit distribution moved
// by that same symmetry (so it sits on legal points of the encoded board).
func TestSourceSymmetries(t *testing.T) {
	_, w := windowOf(t, 3)
	src := &Source{Window: w, Seed: 9, Symmetries: true}
	exs := collect(t, src, train.Position{})
	if len(exs) != w.Positions() || len(exs) == 0 {
		t.Fatalf("%d examples; the window has %d training positions", len(exs), w.Positions())
	}
	byID := map[string]*Record{}
	for _, r := range w.Games {
		byID[r.ID] = r
	}
	const area = 49
	in := make([]float32, nets.NumPlanesV1*area)
	enc := make([]float32, nets.NumPlanesV1*area)
	back := make([]float32, area+1)
	used := map[nets.Symmetry]bool{}
	for _, d := range exs {
		ex := d.ex
		r := byID[ex.GameID]
		m := r.Moves[ex.MoveNum-1]
		if !m.Full || ex.Value != r.Z(m.Color) || !ex.HasValue {
			t.Fatalf("%s move %d: full %v, value %v; want a full search valued %v", ex.GameID, ex.MoveNum, m.Full, ex.Value, r.Z(m.Color))
		}
		ex.Input.Unpack(in)
		var g *board.Game
		if _, err := r.Replay(func(bg *board.Game, i int) error {
			if i == ex.MoveNum-1 {
				g = bg
				return errStop
			}
			return nil
		}); !errors.Is(err, errStop) {
			t.Fatal(err)
		}
		// A symmetric position (the empty board) matches several
		// symmetries: the target must agree with one of them.
		var matches []nets.Symmetry
		for s := range nets.Symmetry(nets.NumSymmetries) {
			nets.Encode(g, s, enc)
			if slices.Equal(enc, in) {
				matches = append(matches, s)
			}
		}
		if len(matches) == 0 {
			t.Fatalf("%s move %d: the input is no symmetry of the position", ex.GameID, ex.MoveNum)
		}
		if len(matches) == 1 {
			used[matches[0]] = true
		}
		sum := float32(0)
		for i, p := range ex.PolicyDist {
			sum += p
			if p > 0 && i < area && in[nets.PlaneLegal*area+i] != 1 {
				t.Fatalf("%s move %d: target mass %v on point %d, not legal in the encoded input", ex.GameID, ex.MoveNum, p, i)
			}
		}
		if math.Abs(float64(sum-1)) > 1e-5 {
			t.Fatalf("target sums to %v", sum)
		}
		want := make([]float32, area+1)
		TransformDist(m.Dist, 0, 7, want)
		agrees := false
		for _, s := range matches {
			s.UntransformPolicy(ex.PolicyDist, back, 7)
			same := true
			for i := range want {
				if math.Abs(float64(back[i]-want[i])) > 1e-6 {
					same = false
				}
			}
			agrees = agrees || same
		}
		if !agrees {
			t.Fatalf("%s move %d: the target is not the visit distribution under the input's symmetry %v", ex.GameID, ex.MoveNum, matches)
		}
		if ex.PolicyDist[ex.Policy] == 0 && m.Point != board.Pass {
			t.Errorf("%s move %d: the played move has no target mass", ex.GameID, ex.MoveNum)
		}
	}
	if len(used) < 4 {
		t.Errorf("only symmetries %v used over %d examples", used, len(exs))
	}
}

var errStop = errors.New("stop")

// TestSourceResume: a pass started at any delivered position continues
// exactly as the whole pass did; another epoch orders games differently.
func TestSourceResume(t *testing.T) {
	_, w := windowOf(t, 4)
	src := &Source{Window: w, Seed: 3, Symmetries: true}
	all := collect(t, src, train.Position{})
	for _, k := range []int{0, 1, len(all) / 2, len(all) - 2} {
		tail := collect(t, src, all[k].at)
		if len(tail) != len(all)-k-1 {
			t.Fatalf("from %+v: %d examples; want %d", all[k].at, len(tail), len(all)-k-1)
		}
		for i := range tail {
			if !reflect.DeepEqual(tail[i], all[k+1+i]) {
				t.Fatalf("from %+v: example %d differs", all[k].at, i)
			}
		}
	}
	next := collect(t, src, train.Position{Epoch: 1})
	if len(next) != len(all) || reflect.DeepEqual(next, all) {
		t.Errorf("epoch 1: %d examples, same as epoch 0: %v", len(next), reflect.DeepEqual(next, all))
	}
}

// TestWindowSkipsBadChunks: corrupt, truncated and foreign chunks are
// skipped and counted; older good games take their place.
func TestWindowSkipsBadChunks(t *testing.T) {
	d, w := windowOf(t, 4)
	newest := w.Files[0]
	data, err := os.ReadFile(newest.Path(d))
	if err != nil {
		t.Fatal(err)
	}
	dir := d.GameDir(newest.Network)
	bad := map[string][]byte{
		"99990101T000000.000Z-x-1-t-000001": data[:len(data)/2],           // truncated gzip
		"99990101T000000.000Z-x-1-t-000002": []byte("not a chunk"),        // not gzip
		"99990101T000000.000Z-x-1-t-000003": rawChunk("{\"format\":1}\n"), // bad header
	}
	// A legal-looking record with an illegal move.
	r := *w.Games[0]
	r.Moves = slices.Clone(r.Moves)
	r.Moves[2].Point = r.Moves[0].Point
	if r.Moves[0].Point == board.Pass {
		r.Moves[2].Point, r.Moves[0].Point = board.PointAt(1, 1), board.PointAt(1, 1)
	}
	illegal, _ := ChunkBytes(&r)
	bad["99990101T000000.000Z-x-1-t-000004"] = illegal
	for name, b := range bad {
		if err := os.WriteFile(filepath.Join(dir, name+ChunkExt), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := LoadWindow(context.Background(), d, 3, 7)
	if err != nil {
		t.Fatalf("LoadWindow failed on bad chunks: %v", err)
	}
	if len(got.Games) != 3 || got.Skipped != 4 || len(got.Errors) != 4 {
		t.Fatalf("window of 3: %d games, %d skipped, errors %v", len(got.Games), got.Skipped, got.Errors)
	}
	joined := strings.Join(got.Errors, "\n")
	for _, want := range []string{"truncated", "not gzip", "illegal"} {
		if !strings.Contains(joined, want) {
			t.Errorf("skip reasons lack %q:\n%s", want, joined)
		}
	}
	for i, f := range got.Files {
		if f != w.Files[i] {
			t.Errorf("window game %d is %v; want %v", i, f, w.Files[i])
		}
	}
	// A saved list reads back the same games, skipping one that vanished.
	list := filepath.Join(t.TempDir(), "window.txt")
	if err := got.SaveList(list); err != nil {
		t.Fatal(err)
	}
	files, err := ReadList(list)
	if err != nil || !reflect.DeepEqual(files, got.Files) {
		t.Fatalf("ReadList = %v, %v; want %v", files, err, got.Files)
	}
	os.Remove(files[1].Path(d))
	again, err := ReadWindow(context.Background(), d, files, 7)
	if err != nil || len(again.Games) != 2 || again.Skipped != 1 {
		t.Fatalf("ReadWindow after a removal: %d games, %d skipped, %v", len(again.Games), again.Skipped, err)
	}
	// Another board size is skipped too.
	other, err := LoadWindow(context.Background(), d, 0, 9)
	if err != nil || len(other.Games) != 0 || other.Skipped != 7 {
		t.Fatalf("9x9 window of 7x7 games: %d games, %d skipped, %v", len(other.Games), other.Skipped, err)
	}
	if bytes.Contains([]byte(strings.Join(other.Errors, "")), []byte("9x9")) == false {
		t.Errorf("size mismatch not explained: %v", other.Errors)
	}
}

// TestSourceValueQ: with ValueQ the value target moves from the game's
// result towards the search's root winrate for the mover, by that weight;
// 0 leaves the result alone.
func TestSourceValueQ(t *testing.T) {
	_, w := windowOf(t, 2)
	byID := map[string]*Record{}
	for _, r := range w.Games {
		byID[r.ID] = r
	}
	for _, a := range []float64{0, 0.5, 1} {
		src := &Source{Window: w, Seed: 3, ValueQ: a}
		mixed := 0
		for _, d := range collect(t, src, train.Position{}) {
			r := byID[d.ex.GameID]
			m := r.Moves[d.ex.MoveNum-1]
			z := float64(r.Z(m.Color))
			want := z
			if a > 0 && m.Visits > 0 {
				want = (1-a)*z + a*(2*m.Winrate-1)
			}
			if math.Abs(float64(d.ex.Value)-want) > 1e-6 {
				t.Fatalf("ValueQ %v, %s move %d: value %v; want %v (z %v, winrate %v)", a, d.ex.GameID, d.ex.MoveNum, d.ex.Value, want, z, m.Winrate)
			}
			if d.ex.Value < -1 || d.ex.Value > 1 {
				t.Fatalf("value %v outside [-1, 1]", d.ex.Value)
			}
			if float64(d.ex.Value) != z {
				mixed++
			}
		}
		if (mixed > 0) != (a > 0) {
			t.Errorf("ValueQ %v: %d targets differ from the result", a, mixed)
		}
	}
}
