package gtp

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/tengen-go/tengen/board"
)

// Thresholds of the dead-stone estimate, on the mean ownership of a chain
// from its own colour's view (+1 it stays, -1 the opponent owns it).
// Light playouts blur ownership (a secure territory reads about 0.5, a
// stone inside the opponent's about -0.4), hence the low thresholds.
const (
	deadBelow = -0.2 // clearly the opponent's: dead
	sekiBelow = 0.1  // neither side's: seki
)

// status is the estimated final status of each chain on the board.
type status struct {
	dead, alive, seki [][]board.Point // chains, board order
}

// ownership returns the ownership estimate of the current position: the
// Player's, if it has one, else random playouts seeded from the config.
func (s *Server) ownership(ctx context.Context) ([]float32, error) {
	g := s.game
	if est, ok := s.player.(OwnershipEstimator); ok {
		own, err := est.Ownership(ctx, g)
		if err != nil {
			return nil, err
		}
		if own != nil {
			if len(own) != len(board.Points(g.Size())) {
				return nil, fmt.Errorf("ownership has %d points; want %d", len(own), len(board.Points(g.Size())))
			}
			return own, nil
		}
	}
	rng := rand.New(rand.NewPCG(s.cfg.Seed, s.cfg.Seed^0x9e3779b97f4a7c15))
	return g.Position().Ownership(g.ToMove(), rng, s.cfg.OwnershipPlayouts, nil), nil
}

// finalStatus classifies every chain by its mean ownership, except that
// what Benson's algorithm proves settles the question: a chain in its own
// colour's pass-alive area is alive, one inside the opponent's pass-alive
// territory dead, whatever an estimate says (board.Position.PassAlive).
func (s *Server) finalStatus(ctx context.Context) (status, error) {
	own, err := s.ownership(ctx)
	if err != nil {
		return status{}, err
	}
	pos := s.game.Position()
	pts := board.Points(s.game.Size())
	index := make(map[board.Point]int, len(pts))
	for i, pt := range pts {
		index[pt] = i
	}
	settled := pos.PassAlive(nil)
	var st status
	done := map[board.Point]bool{}
	for i, pt := range pts {
		c := pos.At(pt)
		if c == board.Empty || done[pt] {
			continue
		}
		chain := pos.Chain(pt, nil)
		sum := 0.0
		for _, q := range chain {
			done[q] = true
			sum += float64(own[index[q]])
		}
		mean := sum / float64(len(chain))
		if c == board.White {
			mean = -mean
		}
		sortPoints(chain)
		switch {
		case settled[i] == c:
			st.alive = append(st.alive, chain)
		case settled[i] == c.Opponent():
			st.dead = append(st.dead, chain)
		case mean < deadBelow:
			st.dead = append(st.dead, chain)
		case mean < sekiBelow:
			st.seki = append(st.seki, chain)
		default:
			st.alive = append(st.alive, chain)
		}
	}
	return st, nil
}

// sortPoints sorts points in board order (top row first).
func sortPoints(pts []board.Point) {
	for i := 1; i < len(pts); i++ {
		for j := i; j > 0 && pts[j] < pts[j-1]; j-- {
			pts[j], pts[j-1] = pts[j-1], pts[j]
		}
	}
}

func cmdFinalStatusList(s *Server, ctx context.Context, x *exchange) (string, error) {
	if err := wantArgs(x, 1); err != nil {
		return "", err
	}
	st, err := s.finalStatus(ctx)
	if err != nil {
		return "", err
	}
	var chains [][]board.Point
	switch strings.ToLower(x.args[0]) {
	case "dead":
		chains = st.dead
	case "alive":
		chains = st.alive
	case "seki":
		chains = st.seki
	default:
		return "", errors.New("invalid status")
	}
	lines := make([]string, len(chains))
	for i, ch := range chains {
		lines[i] = s.vertices(ch)
	}
	return strings.Join(lines, "\n"), nil
}

// finalScore is the area score (Tromp-Taylor, Black minus White minus
// komi) after removing the stones the estimate calls dead.
func (s *Server) finalScore(ctx context.Context) (float64, error) {
	st, err := s.finalStatus(ctx)
	if err != nil {
		return 0, err
	}
	pos := *s.game.Position()
	for _, ch := range st.dead {
		if err := pos.Place(board.Empty, ch); err != nil {
			return 0, err
		}
	}
	b, w := pos.AreaScore()
	return float64(b-w) - s.game.Komi(), nil
}

// formatScore writes a score as GTP does: "B+3.5", "W+0.5", "0".
func formatScore(d float64) string {
	switch {
	case d > 0:
		return fmt.Sprintf("B+%g", d)
	case d < 0:
		return fmt.Sprintf("W+%g", -d)
	}
	return "0"
}

func cmdFinalScore(s *Server, ctx context.Context, x *exchange) (string, error) {
	if err := wantArgs(x, 0); err != nil {
		return "", err
	}
	d, err := s.finalScore(ctx)
	if err != nil {
		return "", err
	}
	return formatScore(d), nil
}
