package selfplay

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/dataset"
	"github.com/tengen-go/tengen/internal/atomicfile"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/train"
)

// Window is a set of self-play games read into memory for training: by
// LoadWindow the newest readable games of a directory. It keeps the visit
// distributions of full searches only (about 8 bytes per visited root
// move).
type Window struct {
	Files []GameFile // one per game, in the window's order
	Games []*Record
	// Skipped counts unreadable chunks (corrupt, truncated, illegal, of
	// another board size) left out; Errors describes the first few.
	Skipped int
	Errors  []string
}

// maxErrors is how many skip reasons a Window keeps.
const maxErrors = 10

func (w *Window) skip(f GameFile, err error) {
	w.Skipped++
	if len(w.Errors) < maxErrors {
		w.Errors = append(w.Errors, fmt.Sprintf("%s: %v", f, err))
	}
}

// add appends a file's games, dropping the visit distributions of fast
// searches (not training targets) to save memory.
func (w *Window) add(f GameFile, recs []*Record) {
	for _, r := range recs {
		for i := range r.Moves {
			if !r.Moves[i].Full {
				r.Moves[i].Dist = nil
			}
		}
		w.Files = append(w.Files, f)
		w.Games = append(w.Games, r)
	}
}

// Positions returns the number of training positions (full searches).
func (w *Window) Positions() int {
	n := 0
	for _, r := range w.Games {
		n += r.Positions()
	}
	return n
}

// ReadGameFile reads and checks one chunk file: every game must parse,
// replay legally and have the given board size (0: any). A chunk holds one
// game as Run writes it; a chunk of several games gives them all.
func ReadGameFile(path string, size int) ([]*Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := ReadChunk(bufio.NewReader(f))
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		if size != 0 && r.Size != size {
			return nil, fmt.Errorf("selfplay: game %s is %dx%d, want %dx%d", r.ID, r.Size, r.Size, size, size)
		}
		if _, err := r.Replay(nil); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// LoadWindow reads the newest n readable games of d (n <= 0: all) of the
// board size (0: any), newest first. Unreadable chunks are skipped and
// counted, never fatal, and older ones are read in their place.
func LoadWindow(ctx context.Context, d Dir, n, size int) (*Window, error) {
	files, err := d.ListGames()
	if err != nil {
		return nil, err
	}
	w := &Window{}
	for _, f := range files {
		if n > 0 && len(w.Games) >= n {
			break
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		recs, err := ReadGameFile(f.Path(d), size)
		if err != nil {
			w.skip(f, err)
			continue
		}
		w.add(f, recs)
	}
	return w, nil
}

// ReadWindow reads the listed games (a window saved by SaveList). A file
// that has become unreadable or vanished is skipped and counted.
func ReadWindow(ctx context.Context, d Dir, files []GameFile, size int) (*Window, error) {
	w := &Window{}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		recs, err := ReadGameFile(f.Path(d), size)
		if err != nil {
			w.skip(f, err)
			continue
		}
		w.add(f, recs)
	}
	return w, nil
}

// SaveList writes the window's file list ("network/name" a line)
// atomically, so that a resumed training reads the same games.
func (w *Window) SaveList(path string) error {
	var b strings.Builder
	seen := map[GameFile]bool{}
	for _, f := range w.Files {
		if !seen[f] {
			seen[f] = true
			b.WriteString(f.String())
			b.WriteByte('\n')
		}
	}
	return atomicfile.WriteBytes(path, []byte(b.String()))
}

// ReadList reads a list written by SaveList.
func ReadList(path string) ([]GameFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []GameFile
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		net, name, ok := strings.Cut(line, "/")
		if !ok || net == "" || name == "" || strings.ContainsAny(name, `/\`) || isTemp(net) || isTemp(name) {
			return nil, fmt.Errorf("selfplay: %s line %d: bad entry %q", path, i+1, line)
		}
		out = append(out, GameFile{Network: net, Name: name})
	}
	return out, nil
}

// Source streams a window's training positions to train.Run: every full
// search of every game, encoded with the input features of package nets
// (Features), its visit distribution as the policy target (PolicyDist),
// the game's result from the mover's view as the value target and, for a
// game with a counted end (Record.Final), the final ownership and score
// from the mover's view as the ownership and score targets, transformed
// like the input (dataset.Final.ForMover, as for SGF games); positions of
// games without one (resigned, cut by the move limit, version 1 chunks)
// have none (Ownership nil, HasScore false: masked). Each pass (epoch)
// visits the games in a fresh order drawn from Seed and the epoch; with
// Symmetries each position gets one of the 8 board symmetries, drawn per
// epoch, game and move, and its input and visit distribution are
// transformed alike. train.Position's Game is the index in the epoch's
// order and Move the number of that game's examples already delivered.
type Source struct {
	Window     *Window
	Seed       uint64
	Symmetries bool
	// Features is the input feature set (nets.FeatureSetByName; empty:
	// nets.FeaturesV1): the trained network's Spec.Features.
	Features string
	// ValueQ mixes the search's root winrate q into the value target:
	// (1-ValueQ)*z + ValueQ*(2q-1), z the game's result for the mover
	// (0: the result alone). The search's estimate has far less noise
	// than one game's result; averaging the two is the "z+q" target of
	// AlphaZero replications. Positions without a search winrate (a
	// root of no visits) keep z.
	ValueQ float64
}

// valueTarget is the value target of move m of r (see Source.ValueQ).
func (s *Source) valueTarget(r *Record, m *Move) float32 {
	z := r.Z(m.Color)
	if s.ValueQ <= 0 || m.Visits == 0 {
		return z
	}
	return dataset.MixValue(z, m.Winrate, s.ValueQ)
}

var _ train.Source = (*Source)(nil)

// order returns the games' order in an epoch.
func (s *Source) order(epoch int) []int {
	rng := rand.New(rand.NewPCG(train.EpochSeed(s.Seed, epoch), 0x6f72646572)) // "order"
	return rng.Perm(len(s.Window.Games))
}

// Pass implements train.Source.
func (s *Source) Pass(ctx context.Context, from train.Position, fn func(train.Position, *dataset.Example) error) error {
	name := s.Features
	if name == "" {
		name = nets.FeaturesV1
	}
	fs, err := nets.FeatureSetByName(name)
	if err != nil {
		return fmt.Errorf("selfplay: %w", err)
	}
	planes := fs.Planes()
	order := s.order(from.Epoch)
	var ex dataset.Example
	var buf []float32
	var dist []float32
	for k := from.Game; k < len(order); k++ {
		if err := ctx.Err(); err != nil {
			return err
		}
		gi := order[k]
		r := s.Window.Games[gi]
		size := r.Size
		area := size * size
		if need := planes * area; len(buf) < need {
			buf = make([]float32, need)
		}
		if len(dist) < area+1 {
			dist = make([]float32, area+1)
		}
		final, hasFinal := r.Final()
		rng := rand.New(rand.NewPCG(train.EpochSeed(s.Seed, from.Epoch), uint64(gi)+1))
		delivered := 0
		_, err := r.Replay(func(g *board.Game, i int) error {
			m := &r.Moves[i]
			if !m.Full {
				return nil
			}
			sym := nets.Symmetry(0)
			if s.Symmetries {
				sym = nets.Symmetry(rng.IntN(nets.NumSymmetries))
			}
			delivered++
			if k == from.Game && delivered <= from.Move {
				return nil
			}
			fs.Encode(g, sym, buf[:planes*area])
			TransformDist(m.Dist, sym, size, dist[:area+1])
			ex = dataset.Example{
				Input:      dataset.Pack(buf[:planes*area], planes, area),
				Policy:     nets.MoveIndex(sym.Point(m.Point, size), size),
				PolicyDist: dist[:area+1],
				Value:      s.valueTarget(r, m),
				HasValue:   true,
				GameID:     r.ID,
				MoveNum:    i + 1,
				Size:       size,
			}
			if hasFinal {
				ex.Ownership, ex.Score = final.ForMover(m.Color, sym)
				ex.HasScore = true
			}
			return fn(train.Position{Epoch: from.Epoch, Game: k, Move: delivered}, &ex)
		})
		if err != nil {
			if errors.Is(err, ErrIllegal) {
				continue // checked when the window was read; cannot happen
			}
			return err
		}
	}
	return nil
}

// TransformDist writes into dst (size*size+1 values) the visit
// distribution of dist normalised to sum 1, in the frame of the board
// transformed by sym: the share of the move at point p goes to sym(p),
// the pass share stays at the pass index.
func TransformDist(dist []Visit, sym nets.Symmetry, size int, dst []float32) {
	clear(dst)
	total := 0
	for _, v := range dist {
		total += int(v.Visits)
	}
	if total == 0 {
		return
	}
	for _, v := range dist {
		pt := nets.IndexMove(int(v.Index), size)
		dst[nets.MoveIndex(sym.Point(pt, size), size)] += float32(v.Visits) / float32(total)
	}
}
