package selfplay

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/tengen-go/tengen/internal/neteval"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/cpu"
)

// Engine is how networks are run: the backend for a network and the
// batcher options. The zero value uses the fast CPU backend (nets/cpu)
// with its defaults.
type Engine struct {
	// NewBackend returns a backend for w (default: cpu.New with MaxBatch).
	NewBackend func(w *nets.Weights, maxBatch int) (nets.Backend, error)
	// NewBackends, when set, replaces NewBackend: copies of w's network
	// that the batcher runs at once (nets.NewBatcherPool), e.g. one
	// single-threaded CPU backend per core.
	NewBackends func(w *nets.Weights, maxBatch int) ([]nets.Backend, error)
	// MaxBatch bounds a batch (default: the number of games at once).
	MaxBatch int
	// CacheSize is the batcher's LRU cache in positions (default 1<<15).
	CacheSize int
	// FeaturePlayouts is the number of playouts behind the playout input
	// planes of a FeaturesV3 network in the search
	// (nets.FeatureSet.WithPlayouts; 0: the network's own, 32). Fewer
	// encode faster. Training examples are encoded by the trainer from
	// the recorded positions, so this changes the searches, not what a
	// network learns from.
	FeaturePlayouts int
}

func (e Engine) backends(w *nets.Weights, maxBatch int) ([]nets.Backend, error) {
	if e.NewBackends != nil {
		return e.NewBackends(w, maxBatch)
	}
	var (
		b   nets.Backend
		err error
	)
	if e.NewBackend != nil {
		b, err = e.NewBackend(w, maxBatch)
	} else {
		b, err = cpu.New(w, cpu.Options{MaxBatch: maxBatch})
	}
	if err != nil {
		return nil, err
	}
	return []nets.Backend{b}, nil
}

// network is a loaded network with its backend and a running batcher.
type network struct {
	name, id string
	weights  *nets.Weights
	featPlay int // Engine.FeaturePlayouts
	backends []nets.Backend
	batcher  *nets.Batcher
	stop     context.CancelFunc
	done     chan struct{}
}

// start loads a network and starts its batcher on a goroutine that ends
// with ctx or close.
func (e Engine) start(ctx context.Context, name, id string, w *nets.Weights, games int) (*network, error) {
	if _, err := nets.MustFeatureSet(nets.FeaturesV3).WithPlayouts(e.FeaturePlayouts); err != nil {
		return nil, fmt.Errorf("selfplay: %w", err)
	}
	maxBatch := e.MaxBatch
	if maxBatch <= 0 {
		maxBatch = max(games, 1)
	}
	bes, err := e.backends(w, maxBatch)
	if err != nil {
		return nil, fmt.Errorf("selfplay: network %s: %w", name, err)
	}
	opts := nets.DefaultBatcherOptions()
	opts.MaxBatch = maxBatch
	opts.CacheSize = e.CacheSize
	if opts.CacheSize == 0 {
		opts.CacheSize = 1 << 15
	}
	b, err := nets.NewBatcherPool(bes, opts)
	if err != nil {
		for _, be := range bes {
			be.Close()
		}
		return nil, err
	}
	ctx, stop := context.WithCancel(ctx)
	n := &network{name: name, id: id, weights: w, featPlay: e.FeaturePlayouts, backends: bes, batcher: b, stop: stop, done: make(chan struct{})}
	go func() {
		defer close(n.done)
		b.Run(ctx)
	}()
	return n, nil
}

// evaluator returns a search evaluator over the network's batcher with a
// random symmetry per evaluation drawn from seed, its playout planes (a
// FeaturesV3 network's) from Engine.FeaturePlayouts playouts.
func (n *network) evaluator(seed uint64) (*neteval.Evaluator, error) {
	ev, err := neteval.New(n.batcher, -1, seed)
	if err != nil {
		return nil, err
	}
	if err := ev.ApplyFeaturePlayouts(n.featPlay); err != nil {
		return nil, fmt.Errorf("selfplay: network %s: %w", n.name, err)
	}
	return ev, nil
}

// close stops the batcher and releases the backends.
func (n *network) close() {
	n.stop()
	<-n.done
	for _, be := range n.backends {
		be.Close()
	}
}

// pool hands the directory's current best network to game slots and
// swaps in a newly promoted one between games: a game keeps the network
// it started with; an old network is closed when its last game ends.
type pool struct {
	// Fixed.
	dir    Dir
	engine Engine
	games  int
	poll   time.Duration

	mu      sync.Mutex
	cur     *network
	refs    map[*network]int
	checked time.Time
	bestRaw Best
}

func newPool(d Dir, e Engine, games int, poll time.Duration) *pool {
	return &pool{dir: d, engine: e, games: games, poll: poll, refs: map[*network]int{}}
}

// acquire returns the current best network (re-reading networks/best at
// most every poll) and a hold on it that release ends. The network's
// batcher runs under ctx.
func (p *pool) acquire(ctx context.Context) (*network, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur == nil || time.Since(p.checked) >= p.poll {
		p.checked = time.Now()
		b, err := p.dir.ReadBest()
		if err != nil {
			if p.cur == nil {
				return nil, err
			}
			// A transient read problem: keep playing with the network we have.
		} else if p.cur == nil || b.ID != p.cur.id || b.Name != p.cur.name {
			w, err := nets.Load(p.dir.BestWeights(b))
			if err != nil {
				if p.cur == nil {
					return nil, err
				}
			} else {
				n, err := p.engine.start(ctx, b.Name, b.ID, w, p.games)
				if err != nil {
					return nil, err
				}
				old := p.cur
				p.cur, p.bestRaw = n, b
				if old != nil && p.refs[old] == 0 {
					delete(p.refs, old)
					old.close()
				}
			}
		}
	}
	p.refs[p.cur]++
	return p.cur, nil
}

// release ends a hold from acquire.
func (p *pool) release(n *network) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.refs[n]--
	if p.refs[n] == 0 && n != p.cur {
		delete(p.refs, n)
		n.close()
	}
}

// close closes every network; no game may hold one.
func (p *pool) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for n := range p.refs {
		if n != p.cur {
			n.close()
		}
	}
	if p.cur != nil {
		p.cur.close()
		p.cur = nil
	}
	p.refs = map[*network]int{}
}
