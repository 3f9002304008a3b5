package mcts

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/rollout"
)

// PlayoutEvaluator evaluates leaves without a network: move priors from
// the rollout package's Go knowledge (captures, escapes, patterns) and
// the value of playouts by a rollout policy (heavy by default), their
// moves offered to RAVE. It is a WorkerEvaluator: each search goroutine
// gets its own random source.
type PlayoutEvaluator struct {
	Playouts int            // playouts per evaluation (default 1)
	Uniform  bool           // uniform priors instead of rollout.Priors
	Policy   rollout.Policy // the playout policy
	// ScoreWeight mixes a score utility into the value: (1-w)*result +
	// w*(2/pi)*atan(score/scale) with scale 0.4*size points, so that the
	// search plays for points when the result is settled (handicap and
	// lopsided games; KataGo's score utility). 0: results only.
	ScoreWeight float64

	mu   sync.Mutex
	seed *rand.Rand
}

// NewPlayoutEvaluator returns a playout evaluator with heavy playouts
// whose randomness derives from seed.
func NewPlayoutEvaluator(playouts int, seed uint64) *PlayoutEvaluator {
	return &PlayoutEvaluator{
		Playouts:    playouts,
		Policy:      rollout.DefaultPolicy(),
		ScoreWeight: DefaultScoreWeight,
		seed:        rand.New(rand.NewPCG(seed, 0x706c61796f7574)),
	}
}

// DefaultScoreWeight is the playout evaluator's default ScoreWeight.
const DefaultScoreWeight = 0.1

var (
	_ AMAFEvaluator     = (*PlayoutEvaluator)(nil)
	_ WorkerEvaluator   = (*PlayoutEvaluator)(nil)
	_ EstimateEvaluator = (*PlayoutEvaluator)(nil)
	_ EstimateEvaluator = (*playoutWorker)(nil)
)

// playoutWorker is one goroutine's view of a PlayoutEvaluator.
type playoutWorker struct {
	e   *PlayoutEvaluator
	rng *rand.Rand
}

func (e *PlayoutEvaluator) newRand() *rand.Rand {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.seed == nil {
		e.seed = rand.New(rand.NewPCG(1, 0x706c61796f7574))
	}
	return rand.New(rand.NewPCG(e.seed.Uint64(), e.seed.Uint64()))
}

// Worker implements WorkerEvaluator.
func (e *PlayoutEvaluator) Worker() (Evaluator, func()) {
	return &playoutWorker{e: e, rng: e.newRand()}, func() {}
}

// Evaluate implements Evaluator.
func (e *PlayoutEvaluator) Evaluate(ctx context.Context, s *board.State, priors []float32) (float32, error) {
	return e.evaluate(ctx, s, priors, nil, e.newRand(), nil)
}

// EvaluateAMAF implements AMAFEvaluator.
func (e *PlayoutEvaluator) EvaluateAMAF(ctx context.Context, s *board.State, priors []float32, moves *[]board.Move) (float32, error) {
	return e.evaluate(ctx, s, priors, moves, e.newRand(), nil)
}

// EvaluateEstimate implements EstimateEvaluator: the score and ownership
// are the playouts' final positions (Tromp-Taylor area).
func (e *PlayoutEvaluator) EvaluateEstimate(ctx context.Context, s *board.State, priors []float32, moves *[]board.Move, est *Estimate) (float32, error) {
	return e.evaluate(ctx, s, priors, moves, e.newRand(), est)
}

func (w *playoutWorker) Evaluate(ctx context.Context, s *board.State, priors []float32) (float32, error) {
	return w.e.evaluate(ctx, s, priors, nil, w.rng, nil)
}

func (w *playoutWorker) EvaluateAMAF(ctx context.Context, s *board.State, priors []float32, moves *[]board.Move) (float32, error) {
	return w.e.evaluate(ctx, s, priors, moves, w.rng, nil)
}

func (w *playoutWorker) EvaluateEstimate(ctx context.Context, s *board.State, priors []float32, moves *[]board.Move, est *Estimate) (float32, error) {
	return w.e.evaluate(ctx, s, priors, moves, w.rng, est)
}

func (e *PlayoutEvaluator) evaluate(ctx context.Context, s *board.State, priors []float32, moves *[]board.Move, rng *rand.Rand, est *Estimate) (float32, error) {
	if e.Uniform {
		for i := range priors {
			priors[i] = 1
		}
	} else {
		rollout.Priors(&s.Pos, s.ToMove, lastPoint(s), priors)
	}
	return e.value(s, moves, rng, est), ctx.Err()
}

// lastPoint is the state's last move, or rollout.NoMove before any
// (a setup position: nobody passed).
func lastPoint(s *board.State) board.Point {
	if s.NumRecent == 0 {
		return rollout.NoMove
	}
	return s.Recent[0].Point
}

// secondLastPoint is the move before the state's last, or
// rollout.NoMove.
func secondLastPoint(s *board.State) board.Point {
	if s.NumRecent < 2 {
		return rollout.NoMove
	}
	return s.Recent[1].Point
}

// value plays e.Playouts playouts from s and returns their mean value
// for s.ToMove; the first playout's moves go to moves (RAVE). With est,
// it also writes the playouts' mean score and final ownership for
// s.ToMove there.
func (e *PlayoutEvaluator) value(s *board.State, moves *[]board.Move, rng *rand.Rand, est *Estimate) float32 {
	n := max(e.Playouts, 1)
	scale := 0.4 * float64(s.Pos.Size())
	sum, scoreSum := 0.0, 0.0
	var owners [board.MaxSize * board.MaxSize]int8
	if est != nil && est.Ownership != nil {
		clear(est.Ownership)
	}
	for i := range n {
		p := s.Pos
		var rec *[]board.Move
		if i == 0 {
			rec = moves
		}
		score := e.Policy.PlayoutAfter(&p, s.ToMove, secondLastPoint(s), lastPoint(s), s.Komi, 0, rng, rec).Score
		sign := float32(1)
		if s.ToMove == board.White {
			score = -score
			sign = -1
		}
		sum += scoreValue(score, scale, e.ScoreWeight)
		scoreSum += score
		if est != nil && est.Ownership != nil {
			own := p.AreaOwners(owners[:]) // full length: no allocation
			for j, o := range own {
				est.Ownership[j] += sign * float32(o)
			}
		}
	}
	if est != nil {
		est.Score, est.HasScore = float32(scoreSum/float64(n)), true
		if n > 1 && est.Ownership != nil {
			for j := range est.Ownership {
				est.Ownership[j] /= float32(n)
			}
		}
	}
	return float32(sum / float64(n))
}

// scoreValue is a final score's value for the side it is counted for:
// the result (+1, 0, -1) mixed with weight w with a bounded score
// utility.
func scoreValue(score, scale, w float64) float64 {
	r := 0.0
	switch {
	case score > 0:
		r = 1
	case score < 0:
		r = -1
	}
	if w == 0 {
		return r
	}
	return (1-w)*r + w*(2/math.Pi)*math.Atan(score/scale)
}

// MixedEvaluator is the hybrid evaluation (AlphaGo 2016): the network's
// priors, and a leaf value mixing the network's value with playouts,
// value = (1-Lambda)*net + Lambda*playouts. Its playouts' moves feed RAVE
// when the search has it on. With a WorkerEvaluator network (the batcher
// adapter) each search goroutine gets its own network client and random
// source.
type MixedEvaluator struct {
	Net      Evaluator
	Playouts *PlayoutEvaluator
	Lambda   float64
	// ExpandAt > 0 makes the evaluator a ValueRefiner: leaves get the
	// playout evaluator's cheap priors and value, and the network's
	// priors replace the priors once a node has ExpandAt visits (the root
	// at once): AlphaGo's expansion threshold, so that the search runs at
	// the playouts' speed. Lambda then weighs each simulation's playout
	// against the network's value of the deepest refined node on its
	// path (ValueRefiner); at Lambda 1 the network gives priors alone.
	// 0: the network evaluates every leaf and Lambda mixes at the leaf.
	ExpandAt int
	// Doomed and Stake correct the network's priors where the playouts'
	// tactics know better (rollout.Stakes), when it refines a node, the
	// rest renormalised. A network trained on human games has not learnt
	// ladders or big captures (its prior of capturing 17 stones in
	// atari can be 0.1%), and the tree then runs ladders out and misses
	// captures deep in its lines (docs/strength.md, "Ladders in the
	// tree"). Doomed, in (0, 1), scales the prior of a doomed escape (0
	// or 1: off); Stake > 0 raises the prior of a move that captures,
	// saves or catches k stones to at least Stake*min(k, 10) (0: off).
	Doomed, Stake float64

	rng *rand.Rand // per worker; nil: draw from Playouts
}

var (
	_ AMAFEvaluator     = (*MixedEvaluator)(nil)
	_ WorkerEvaluator   = (*MixedEvaluator)(nil)
	_ EstimateEvaluator = (*MixedEvaluator)(nil)
	_ ValueRefiner      = (*MixedEvaluator)(nil)
)

// Worker implements WorkerEvaluator.
func (m *MixedEvaluator) Worker() (Evaluator, func()) {
	net, release := m.Net, func() {}
	if we, ok := m.Net.(WorkerEvaluator); ok {
		net, release = we.Worker()
	}
	return &MixedEvaluator{Net: net, Playouts: m.Playouts, Lambda: m.Lambda, ExpandAt: m.ExpandAt, Doomed: m.Doomed, Stake: m.Stake, rng: m.Playouts.newRand()}, release
}

// Evaluate implements Evaluator.
func (m *MixedEvaluator) Evaluate(ctx context.Context, s *board.State, priors []float32) (float32, error) {
	return m.EvaluateAMAF(ctx, s, priors, nil)
}

// EvaluateAMAF implements AMAFEvaluator.
func (m *MixedEvaluator) EvaluateAMAF(ctx context.Context, s *board.State, priors []float32, moves *[]board.Move) (float32, error) {
	return m.EvaluateEstimate(ctx, s, priors, moves, nil)
}

// EvaluateEstimate implements EstimateEvaluator: score and ownership
// from the playouts; none at Lambda 0, which plays no playouts.
func (m *MixedEvaluator) EvaluateEstimate(ctx context.Context, s *board.State, priors []float32, moves *[]board.Move, est *Estimate) (float32, error) {
	rng := m.rng
	if rng == nil {
		rng = m.Playouts.newRand()
	}
	if m.RefineAt() > 0 {
		return m.Playouts.evaluate(ctx, s, priors, moves, rng, est)
	}
	v, err := m.Net.Evaluate(ctx, s, priors)
	if err != nil || m.Lambda == 0 {
		if est != nil {
			est.HasScore, est.Ownership = false, nil
		}
		return v, err
	}
	z := m.Playouts.value(s, moves, rng, est)
	return float32((1-m.Lambda)*float64(v) + m.Lambda*float64(z)), ctx.Err()
}

// RefineAt implements PriorRefiner: ExpandAt (0: every leaf needs the
// network).
func (m *MixedEvaluator) RefineAt() int { return max(m.ExpandAt, 0) }

// Refine implements PriorRefiner: the network's priors.
func (m *MixedEvaluator) Refine(ctx context.Context, s *board.State, priors []float32) error {
	_, err := m.Net.Evaluate(ctx, s, priors)
	if err == nil {
		m.correct(s, priors)
	}
	return err
}

// NodeLambda implements ValueRefiner: Lambda.
func (m *MixedEvaluator) NodeLambda() float64 { return m.Lambda }

// RefineValue implements ValueRefiner: the network's priors and value.
func (m *MixedEvaluator) RefineValue(ctx context.Context, s *board.State, priors []float32) (float32, error) {
	v, err := m.Net.Evaluate(ctx, s, priors)
	if err == nil {
		m.correct(s, priors)
	}
	return v, err
}

// correct applies Doomed and Stake to the network's priors of s.
func (m *MixedEvaluator) correct(s *board.State, priors []float32) {
	doomed := m.Doomed > 0 && m.Doomed < 1
	if !doomed && m.Stake <= 0 {
		return
	}
	n := s.Pos.Size()
	var stakes [board.MaxSize * board.MaxSize]int16
	rollout.Stakes(&s.Pos, s.ToMove, stakes[:])
	var sum float32
	for _, w := range priors[:n*n+1] {
		sum += w
	}
	changed := false
	for i, k := range stakes[:n*n] {
		switch {
		case k == rollout.Doomed && doomed:
			priors[i] *= float32(m.Doomed)
			changed = true
		case k > 0 && m.Stake > 0:
			if f := sum * float32(m.Stake*float64(min(k, 10))); priors[i] < f {
				priors[i] = f
				changed = true
			}
		}
	}
	if !changed {
		return
	}
	var now float32
	for _, w := range priors[:n*n+1] {
		now += w
	}
	if now > 0 {
		k := sum / now
		for i := range priors[:n*n+1] {
			priors[i] *= k
		}
	}
}
