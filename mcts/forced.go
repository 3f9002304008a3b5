package mcts

import (
	"math"
	"sort"

	"github.com/tengen-go/tengen/board"
)

// Forced playouts and policy target pruning (KataGo: Wu 2019,
// "Accelerating Self-Play Learning in Go", section 3.1). Root noise alone
// gives a move the network undervalues a visit or two, too few to find out
// that it is good; forced playouts give every root child that has a visit
// at least n_forced = sqrt(k * P * N) visits (P its noised prior, N the sum
// of the root's child visits), so that a good surprise can take over.
// Those visits would teach the network the noise, so the policy target
// then takes them out again (PrunedVisits).

// forcedChild returns the root child that a forced playout goes to, or -1
// when none is owed one: of the children with a visit (and not excluded by
// avoid/allow) whose visits, in-flight ones included, are below
// sqrt(k * prior * parentN), the one furthest below (the first on ties).
// parentN is the sum of the root's child visits with the in-flight ones,
// as PUCT counts it. Lock held.
func (s *Searcher) forcedChild(root *node, k, parentN float64) int32 {
	best, deficit := int32(-1), 0.0
	for c := root.first; c < root.first+root.nchild; c++ {
		ch := s.tree.at(c)
		if ch.n < 1 || ch.prior < 0 {
			continue
		}
		if d := math.Sqrt(k*float64(ch.prior)*parentN) - float64(ch.n+ch.vl); d > deficit {
			best, deficit = c, d
		}
	}
	return best
}

// MoveVisits is one root move's visit count in a policy target.
type MoveVisits struct {
	Move   board.Point
	Visits int
}

// PrunedVisits returns the root's visit counts as a policy target after a
// search with Options.ForcedPlayouts k: the visits that PUCT alone would
// not have given are taken out (KataGo's policy target pruning). c* is the
// most visited child (ties: the higher prior); every other child c loses
// visits while its PUCT value with the reduced count stays below c*'s,
// at most n_forced(c) = sqrt(k * P(c) * N) of them (N the sum of the
// root's child visits, P the noised prior the search used). The count kept
// is rounded up; a child left with one visit or none is dropped, c* keeps
// its count. PUCT here is the search's: the same c(N), and each child's
// mean blended with its RAVE value as selection blends it (no FPU: only
// visited children count). Moves come most visited first (by the raw
// counts, ties by prior), as in Result.Moves. k <= 0 gives the raw counts
// of the visited moves unpruned. Call it between searches.
func (s *Searcher) PrunedVisits(k float64) []MoveVisits {
	s.mu.Lock()
	defer s.mu.Unlock()
	root := s.tree.at(0)
	if root.state != expanded {
		return nil
	}
	type child struct {
		nd    *node
		q     float64
		prior float64
	}
	var kids []child
	parentN := 0.0
	for c := root.first; c < root.first+root.nchild; c++ {
		nd := s.tree.at(c)
		parentN += float64(nd.n)
		if nd.n == 0 || nd.prior < 0 {
			continue
		}
		kids = append(kids, child{nd: nd, q: s.blendedQ(nd), prior: float64(nd.prior)})
	}
	sort.SliceStable(kids, func(i, j int) bool {
		if kids[i].nd.n != kids[j].nd.n {
			return kids[i].nd.n > kids[j].nd.n
		}
		return kids[i].prior > kids[j].prior
	})
	out := make([]MoveVisits, 0, len(kids))
	if len(kids) == 0 {
		return out
	}
	if !(k > 0) {
		for _, c := range kids {
			out = append(out, MoveVisits{Move: c.nd.move, Visits: int(c.nd.n)})
		}
		return out
	}
	cpuct := s.cfg.CInit + math.Log((1+parentN+s.cfg.CBase)/s.cfg.CBase)
	sqrtN := math.Sqrt(max(parentN, 1))
	best := kids[0]
	bestScore := best.q + cpuct*best.prior*sqrtN/(1+float64(best.nd.n))
	out = append(out, MoveVisits{Move: best.nd.move, Visits: int(best.nd.n)})
	for _, c := range kids[1:] {
		n := float64(c.nd.n)
		kept := n
		if gap := bestScore - c.q; gap > 0 {
			// PUCT(c) with m visits equals c*'s at m = wanted.
			wanted := cpuct*c.prior*sqrtN/gap - 1
			cut := min(max(n-wanted, 0), math.Sqrt(k*c.prior*parentN))
			kept = math.Ceil(n - cut - 1e-9) // no float error's extra visit
		}
		if kept > 1 {
			out = append(out, MoveVisits{Move: c.nd.move, Visits: int(kept)})
		}
	}
	return out
}

// blendedQ is a visited node's value as selection sees it with no visits
// in flight: its mean, blended with its all-moves-as-first mean when RAVE
// is on (selectLeaf's schedule). Lock held.
func (s *Searcher) blendedQ(nd *node) float64 {
	q, n := nd.q(0)
	if equiv := s.cfg.RAVEEquiv; equiv > 0 && nd.amafN > 0 && n > 0 {
		a, nf := float64(nd.amafN), float64(n)
		beta := a / (nf + a + nf*a/equiv)
		q = (1-beta)*q + beta*nd.amafW/a
	}
	return q
}
