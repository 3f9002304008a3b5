// Package neteval adapts a network batcher (package nets) to the search's
// Evaluator interface (package mcts): it encodes the position under a
// random board symmetry, sends it through the batcher, and maps the
// softmaxed policy back. It is the one place where nets meets mcts, used by
// the tengen command and by self-play.
package neteval

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"sync"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/mcts"
	"github.com/tengen-go/tengen/nets"
)

// Evaluator evaluates positions with a network through a Batcher.
type Evaluator struct {
	batcher *nets.Batcher
	spec    nets.Spec
	fs      nets.FeatureSet // the spec's input features
	// Symmetry is the board symmetry to use, or -1 for a random one per
	// evaluation (Leela Zero and KataGo do that).
	symmetry int

	mu   sync.Mutex
	seed *rand.Rand
}

var (
	_ mcts.WorkerEvaluator   = (*Evaluator)(nil)
	_ mcts.EstimateEvaluator = (*worker)(nil)
)

// New returns an evaluator over b. symmetry is 0..7 to fix one, or -1 for
// a random symmetry per evaluation drawn from seed.
func New(b *nets.Batcher, symmetry int, seed uint64) (*Evaluator, error) {
	if symmetry < -1 || symmetry >= nets.NumSymmetries {
		return nil, fmt.Errorf("neteval: symmetry %d outside -1..7", symmetry)
	}
	fs, err := nets.FeatureSetByName(b.Spec().Features)
	if err != nil {
		return nil, fmt.Errorf("neteval: %w", err)
	}
	return &Evaluator{batcher: b, spec: b.Spec(), fs: fs, symmetry: symmetry, seed: rand.New(rand.NewPCG(seed, 0x6e6574))}, nil
}

// Spec returns the network's spec.
func (e *Evaluator) Spec() nets.Spec { return e.spec }

// FeaturePlayouts returns the playouts a position behind the network's
// playout planes (0: its features have none).
func (e *Evaluator) FeaturePlayouts() int { return e.fs.Playouts() }

// SetFeaturePlayouts sets the playouts a position of a FeaturesV3
// network's playout planes (nets.FeatureSet.WithPlayouts; 0: the
// default). Call it before the first evaluation.
func (e *Evaluator) SetFeaturePlayouts(n int) error {
	fs, err := e.fs.WithPlayouts(n)
	if err != nil {
		return fmt.Errorf("neteval: %w", err)
	}
	e.fs = fs
	return nil
}

// ApplyFeaturePlayouts is SetFeaturePlayouts for a network with playout
// planes; for one without, n is only checked (0..1024) and nothing
// changes. It is for a setting that applies to whichever networks have
// the planes (--feature-playouts of the playing and self-play commands).
func (e *Evaluator) ApplyFeaturePlayouts(n int) error {
	if e.fs.Playouts() == 0 {
		if _, err := nets.MustFeatureSet(nets.FeaturesV3).WithPlayouts(n); err != nil {
			return fmt.Errorf("neteval: %w", err)
		}
		return nil
	}
	return e.SetFeaturePlayouts(n)
}

// Worker returns an evaluator for one search goroutine with its own
// batcher client, and the function that closes it.
func (e *Evaluator) Worker() (mcts.Evaluator, func()) {
	w := e.newWorker()
	return w, w.client.Close
}

// Evaluate implements mcts.Evaluator with a client for this call only.
func (e *Evaluator) Evaluate(ctx context.Context, s *board.State, priors []float32) (float32, error) {
	w := e.newWorker()
	defer w.client.Close()
	return w.Evaluate(ctx, s, priors)
}

func (e *Evaluator) newWorker() *worker {
	in, _ := e.spec.InputShape()
	e.mu.Lock()
	rng := rand.New(rand.NewPCG(e.seed.Uint64(), e.seed.Uint64()))
	e.mu.Unlock()
	return &worker{
		e:      e,
		client: e.batcher.Client(),
		in:     make([]float32, in.Len()),
		logits: make([]float32, e.spec.Moves()),
		probs:  make([]float32, e.spec.Moves()),
		rng:    rng,
	}
}

type worker struct {
	e             *Evaluator
	client        *nets.Client
	in            []float32
	logits, probs []float32
	value         [1]float32
	score         [1]float32
	own           []float32 // the ownership head's output, in the symmetry's frame
	rng           *rand.Rand
}

// Evaluate implements mcts.Evaluator.
func (w *worker) Evaluate(ctx context.Context, s *board.State, priors []float32) (float32, error) {
	return w.EvaluateEstimate(ctx, s, priors, nil, nil)
}

// EvaluateEstimate implements mcts.EstimateEvaluator: with a network
// that has ownership and score heads, est gets their outputs (the
// ownership mapped back from the symmetry's frame, both for the side to
// move); otherwise est says there is no estimate. moves is not used (no
// playouts).
func (w *worker) EvaluateEstimate(ctx context.Context, s *board.State, priors []float32, _ *[]board.Move, est *mcts.Estimate) (float32, error) {
	n := s.Pos.Size()
	spec := w.e.spec
	if n != spec.BoardSize {
		return 0, fmt.Errorf("neteval: a %dx%d network cannot evaluate a %dx%d board", spec.BoardSize, spec.BoardSize, n, n)
	}
	sym := nets.Symmetry(w.e.symmetry)
	if w.e.symmetry < 0 {
		sym = nets.Symmetry(w.rng.IntN(nets.NumSymmetries))
	}
	w.e.fs.EncodeState(s, sym, w.in)
	out := nets.Outputs{Policy: w.logits, Value: w.value[:]}
	wantOwn := est != nil && est.Ownership != nil && spec.HasOwnership()
	wantScore := est != nil && spec.HasScore()
	if wantOwn {
		if len(w.own) != n*n {
			w.own = make([]float32, n*n)
		}
		out.Ownership = w.own
	}
	if wantScore {
		out.Score = w.score[:]
	}
	if err := w.client.EvaluateOutputs(ctx, w.in, CacheKey(s, sym), out); err != nil {
		return 0, err
	}
	Softmax(w.logits, w.probs)
	sym.UntransformPolicy(w.probs, priors, n)
	if est != nil {
		est.Score, est.HasScore = w.score[0], wantScore
		if wantOwn {
			for i, pt := range board.Points(n) {
				x, y := pt.XY()
				x, y = sym.Apply(x, y, n)
				est.Ownership[i] = w.own[y*n+x]
			}
		} else {
			est.Ownership = nil
		}
	}
	return w.value[0], nil
}

// CacheKey identifies everything the input features depend on: stones,
// side to move, ko, the last moves, komi, and the symmetry.
func CacheKey(s *board.State, sym nets.Symmetry) uint64 {
	h := fnv.New64a()
	var b [8]byte
	put := func(v uint64) {
		for i := range b {
			b[i] = byte(v >> (8 * i))
		}
		h.Write(b[:])
	}
	put(s.Pos.Hash())
	put(uint64(s.ToMove) | uint64(sym)<<8 | uint64(s.Pos.KoColor())<<16 | uint64(uint16(s.Pos.Ko()))<<24 | uint64(s.Pos.Size())<<40)
	for i := range min(s.NumRecent, 4) {
		put(uint64(uint16(s.Recent[i].Point)) | uint64(s.Recent[i].Color)<<16)
	}
	put(math.Float64bits(s.Komi))
	k := h.Sum64()
	if k == 0 {
		k = 1 // 0 means "do not cache"
	}
	return k
}

// Softmax writes the softmax of logits into out.
func Softmax(logits, out []float32) {
	m := float32(math.Inf(-1))
	for _, v := range logits {
		m = max(m, v)
	}
	sum := float32(0)
	for i, v := range logits {
		e := float32(math.Exp(float64(v - m)))
		out[i] = e
		sum += e
	}
	for i := range out[:len(logits)] {
		out[i] /= sum
	}
}
