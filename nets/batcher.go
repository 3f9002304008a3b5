package nets

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// BatcherOptions configures a Batcher.
type BatcherOptions struct {
	// MaxBatch is the largest number of positions per Forward call.
	MaxBatch int
	// MaxWait is how long the oldest queued position may wait for others
	// while some active client is busy elsewhere (not waiting). When every
	// active client is waiting, or MaxBatch positions are queued, the
	// batch runs at once.
	MaxWait time.Duration
	// CacheSize is the number of results kept in the LRU cache, keyed by
	// the caller's key; 0 disables the cache. Memory: CacheSize *
	// (Moves+1) float32s, plus Area+1 for networks with ownership and
	// score heads.
	CacheSize int
}

// DefaultBatcherOptions returns batches of up to 32, a 2 ms wait and no
// cache.
func DefaultBatcherOptions() BatcherOptions {
	return BatcherOptions{MaxBatch: 32, MaxWait: 2 * time.Millisecond}
}

// EnsureDefaults replaces zero MaxBatch and MaxWait by the defaults.
func (o *BatcherOptions) EnsureDefaults() {
	d := DefaultBatcherOptions()
	if o.MaxBatch == 0 {
		o.MaxBatch = d.MaxBatch
	}
	if o.MaxWait == 0 {
		o.MaxWait = d.MaxWait
	}
}

// Validate reports options that cannot work.
func (o BatcherOptions) Validate() error {
	switch {
	case o.MaxBatch <= 0:
		return fmt.Errorf("nets: batcher: MaxBatch %d must be positive", o.MaxBatch)
	case o.MaxWait <= 0:
		return fmt.Errorf("nets: batcher: MaxWait %v must be positive", o.MaxWait)
	case o.CacheSize < 0 || o.CacheSize > 1<<30:
		return fmt.Errorf("nets: batcher: CacheSize %d out of range", o.CacheSize)
	}
	return nil
}

// Errors of the Batcher.
var (
	ErrBatcherStopped = errors.New("nets: batcher stopped")
	ErrBatcherRunning = errors.New("nets: batcher already running")
	ErrClientClosed   = errors.New("nets: batcher client closed")
	ErrClientBusy     = errors.New("nets: batcher client used by two goroutines at once")
)

// Batcher gathers positions from many goroutines (each with its own
// [Client]) into batches for one Backend, like Minigo's batching model: a
// batch runs as soon as MaxBatch positions are queued, or every active
// client is waiting for a result, or the oldest has waited MaxWait. Only
// the goroutines of [Batcher.Run] call the backends, one goroutine per
// backend, so a backend needs no locking. An optional LRU cache answers
// repeated keys without the backend.
//
// A Batcher over several backends ([NewBatcherPool]: copies of one
// network, e.g. one single-threaded CPU backend per core) runs a batch on
// each at once. It aims at batches of a share of the clients (the active
// clients over the backends, rounded up), so while one batch is computed
// the clients of the others walk their trees and queue the next: the
// search's own work hides behind the network's, as in Leela Zero and
// KataGo's CPU search with more search threads than cores.
//
// For a network with ownership or score heads on a HeadsBackend, every
// batch computes them too (ForwardOutputs), and Client.EvaluateOutputs
// hands them out (the cache keeps them with the policy and value).
//
// A Batcher is safe for concurrent use. It does not close its backend.
type Batcher struct {
	// Fixed at construction.
	backend      Backend   // backends[0]
	backends     []Backend // one runner goroutine each
	opts         BatcherOptions
	inLen, moves int
	ownLen       int             // ownership values per position computed (0: none)
	score        bool            // the score head is computed
	wakes        []chan struct{} // per runner, capacity 1: "the queue changed"
	cache        *lruCache       // nil without a cache

	// Guarded by mu.
	mu       sync.Mutex
	queue    []*request
	active   int // clients not closed
	inflight int // requests taken into batches not yet delivered
	running  bool
	stopped  bool

	stats struct {
		requests, batches, positions, hits, failed, cancelled atomic.Int64
	}
}

// request states
const (
	reqQueued    = iota // in Batcher.queue
	reqTaken            // in a batch being run
	reqDone             // result delivered; done holds a value
	reqAbandoned        // taken, but the caller returned (cancelled)
)

// request is one position on its way through the batcher. The fields
// from in to value refer to the caller's buffers; they are read and
// written only under mu and only in states reqQueued/reqTaken, so a
// caller that has returned is never touched again.
type request struct {
	mu            sync.Mutex
	state         int
	in            []float32
	policy, value []float32
	own, score    []float32 // optional outputs, or nil
	key           uint64
	at            time.Time
	err           error
	done          chan struct{} // capacity 1
}

// NewBatcher returns a batcher for b. It starts no goroutine: call Run.
// Zero MaxBatch and MaxWait take the defaults.
func NewBatcher(b Backend, opts BatcherOptions) (*Batcher, error) {
	return NewBatcherPool([]Backend{b}, opts)
}

// NewBatcherPool returns a batcher that runs batches on every backend in
// bs at once. The backends must hold the same network (equal specs, all
// or none with the optional heads); the batcher does not close them.
func NewBatcherPool(bs []Backend, opts BatcherOptions) (*Batcher, error) {
	opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, errors.New("nets: batcher: no backend")
	}
	b := bs[0]
	spec := b.Spec()
	sh, err := spec.InputShape()
	if err != nil {
		return nil, err
	}
	_, heads := b.(HeadsBackend)
	for i, o := range bs[1:] {
		if slices.Contains(bs[:i+1], o) {
			return nil, fmt.Errorf("nets: batcher: backend %d given twice (a backend runs one batch at a time)", i+1)
		}
		_, h := o.(HeadsBackend)
		if !reflect.DeepEqual(o.Spec(), spec) || h != heads {
			return nil, fmt.Errorf("nets: batcher: backend %d runs another network (spec %q) than backend 0 (%q)", i+1, o.Spec().Name, spec.Name)
		}
	}
	bt := &Batcher{backend: b, backends: slices.Clone(bs), opts: opts, inLen: sh.Len(), moves: spec.Moves()}
	for range bs {
		bt.wakes = append(bt.wakes, make(chan struct{}, 1))
	}
	if heads {
		if spec.HasOwnership() {
			bt.ownLen = spec.Area()
		}
		bt.score = spec.HasScore()
	}
	if opts.CacheSize > 0 {
		bt.cache = newLRU(opts.CacheSize, bt.moves, bt.ownLen, bt.score)
	}
	return bt, nil
}

// Options returns the options in use (defaults filled in).
func (b *Batcher) Options() BatcherOptions { return b.opts }

// Spec returns the backend's spec.
func (b *Batcher) Spec() Spec { return b.backend.Spec() }

func (b *Batcher) signal() {
	for _, w := range b.wakes {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// share is the batch size the runners aim at: the active clients over
// the backends, rounded up (all of them with one backend). Called with
// b.mu held.
func (b *Batcher) share() int {
	return max(1, (b.active+len(b.backends)-1)/len(b.backends))
}

// Runners returns the number of backends batches run on at once.
func (b *Batcher) Runners() int { return len(b.backends) }

// Run forms and runs batches until ctx ends, then fails every queued and
// later request with ErrBatcherStopped and returns ctx's error. ctx is
// also passed to the backends, so ending it may fail the batches in
// flight (their callers get the error). Run starts one goroutine per
// backend beyond the first and returns when all have ended. A Batcher
// runs at most once: a second Run returns ErrBatcherRunning or
// ErrBatcherStopped.
func (b *Batcher) Run(ctx context.Context) error {
	b.mu.Lock()
	switch {
	case b.stopped:
		b.mu.Unlock()
		return ErrBatcherStopped
	case b.running:
		b.mu.Unlock()
		return ErrBatcherRunning
	}
	b.running = true
	b.mu.Unlock()
	defer b.stop()
	var wg sync.WaitGroup
	for i := 1; i < len(b.backends); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b.runner(ctx, i)
		}()
	}
	err := b.runner(ctx, 0)
	wg.Wait()
	return err
}

// runner forms batches for backend i until ctx ends.
func (b *Batcher) runner(ctx context.Context, i int) error {
	be, wake := b.backends[i], b.wakes[i]
	in := make([]float32, b.opts.MaxBatch*b.inLen)
	out := Outputs{Policy: make([]float32, b.opts.MaxBatch*b.moves), Value: make([]float32, b.opts.MaxBatch)}
	if b.ownLen > 0 {
		out.Ownership = make([]float32, b.opts.MaxBatch*b.ownLen)
	}
	if b.score {
		out.Score = make([]float32, b.opts.MaxBatch)
	}
	batch := make([]*request, 0, b.opts.MaxBatch)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		b.mu.Lock()
		n := len(b.queue)
		wait := time.Duration(-1)
		if n > 0 {
			share := b.share()
			wait = b.opts.MaxWait - time.Since(b.queue[0].at)
			if n >= b.opts.MaxBatch || n >= share || n >= b.active-b.inflight || wait <= 0 {
				batch = b.take(batch[:0], share)
				more := len(b.queue) > 0
				b.mu.Unlock()
				if more {
					b.signal() // another runner may take the rest
				}
				b.runBatch(ctx, be, batch, in, out)
				continue
			}
		}
		b.mu.Unlock()
		var expired <-chan time.Time
		if wait > 0 {
			timer.Reset(wait)
			expired = timer.C
		}
		select {
		case <-ctx.Done():
		case <-wake:
		case <-expired:
		}
		timer.Stop()
	}
}

// take moves up to MaxBatch requests (and with several runners, up to
// share) from the queue into batch, marking them taken. Called with b.mu
// held.
func (b *Batcher) take(batch []*request, share int) []*request {
	k := min(len(b.queue), b.opts.MaxBatch)
	if len(b.backends) > 1 {
		k = min(k, share)
	}
	b.inflight += k
	for _, r := range b.queue[:k] {
		r.mu.Lock()
		r.state = reqTaken
		r.mu.Unlock()
		batch = append(batch, r)
	}
	m := copy(b.queue, b.queue[k:])
	clear(b.queue[m:])
	b.queue = b.queue[:m]
	return batch
}

// runBatch copies the inputs of the requests still wanted, calls the
// backend once, fills the cache and delivers results or the error.
func (b *Batcher) runBatch(ctx context.Context, be Backend, batch []*request, in []float32, out Outputs) {
	defer func() {
		b.mu.Lock()
		b.inflight -= len(batch)
		b.mu.Unlock()
	}()
	live := batch[:0]
	for _, r := range batch {
		r.mu.Lock()
		if r.state == reqTaken {
			copy(in[len(live)*b.inLen:], r.in)
			r.in = nil
			live = append(live, r)
		}
		r.mu.Unlock()
	}
	n := len(live)
	if n == 0 {
		return
	}
	var err error
	if b.ownLen > 0 || b.score {
		o := Outputs{Policy: out.Policy[:n*b.moves], Value: out.Value[:n]}
		if b.ownLen > 0 {
			o.Ownership = out.Ownership[:n*b.ownLen]
		}
		if b.score {
			o.Score = out.Score[:n]
		}
		err = be.(HeadsBackend).ForwardOutputs(ctx, in[:n*b.inLen], n, o)
	} else {
		err = be.Forward(ctx, in[:n*b.inLen], n, out.Policy[:n*b.moves], out.Value[:n])
	}
	b.stats.batches.Add(1)
	b.stats.positions.Add(int64(n))
	if err != nil {
		b.stats.failed.Add(1)
		err = fmt.Errorf("nets: batcher: batch of %d: %w", n, err)
	}
	for i, r := range live {
		res := b.result(out, i)
		if err == nil && b.cache != nil && r.key != 0 {
			b.cache.put(r.key, res)
		}
		r.mu.Lock()
		if r.state == reqTaken {
			if err == nil {
				r.deliver(res)
			}
			r.err, r.state = err, reqDone
			r.policy, r.value, r.own, r.score = nil, nil, nil, nil
			r.done <- struct{}{}
		}
		r.mu.Unlock()
		live[i] = nil
	}
}

// result returns position i's outputs in out (aliasing it; the optional
// ones nil when not computed).
func (b *Batcher) result(out Outputs, i int) Outputs {
	r := Outputs{Policy: out.Policy[i*b.moves : (i+1)*b.moves], Value: out.Value[i : i+1]}
	if b.ownLen > 0 {
		r.Ownership = out.Ownership[i*b.ownLen : (i+1)*b.ownLen]
	}
	if b.score {
		r.Score = out.Score[i : i+1]
	}
	return r
}

// deliver copies one position's outputs into the request's buffers.
func (r *request) deliver(res Outputs) {
	copy(r.policy, res.Policy)
	r.value[0] = res.Value[0]
	if r.own != nil {
		copy(r.own, res.Ownership)
	}
	if r.score != nil {
		r.score[0] = res.Score[0]
	}
}

// stop marks the batcher stopped and fails every queued request.
func (b *Batcher) stop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopped, b.running = true, false
	for _, r := range b.queue {
		r.mu.Lock()
		r.err, r.state = ErrBatcherStopped, reqDone
		r.in, r.policy, r.value, r.own, r.score = nil, nil, nil, nil, nil
		r.done <- struct{}{}
		r.mu.Unlock()
	}
	clear(b.queue)
	b.queue = b.queue[:0]
}

// BatcherStats are counters since the batcher was made.
type BatcherStats struct {
	Requests  int64 // Evaluate calls that reached the queue or the cache
	CacheHits int64 // requests answered by the cache
	Batches   int64 // Forward calls
	Positions int64 // positions evaluated by the backend
	Failed    int64 // Forward calls that returned an error
	Cancelled int64 // requests whose caller gave up before the result
}

// MeanBatch returns Positions/Batches (0 before the first batch).
func (s BatcherStats) MeanBatch() float64 {
	if s.Batches == 0 {
		return 0
	}
	return float64(s.Positions) / float64(s.Batches)
}

// Stats returns the counters.
func (b *Batcher) Stats() BatcherStats {
	return BatcherStats{
		Requests:  b.stats.requests.Load(),
		CacheHits: b.stats.hits.Load(),
		Batches:   b.stats.batches.Load(),
		Positions: b.stats.positions.Load(),
		Failed:    b.stats.failed.Load(),
		Cancelled: b.stats.cancelled.Load(),
	}
}

// Client is one goroutine's connection to a Batcher. The batcher counts
// open clients to know when every one is waiting, so a client that stops
// evaluating for long (a finished game, an idle search thread) should be
// closed. A Client must not be used by two goroutines at once.
type Client struct {
	b      *Batcher
	req    *request // reused between calls unless abandoned in flight
	busy   atomic.Bool
	closed atomic.Bool
}

// Client registers and returns a new client.
func (b *Batcher) Client() *Client {
	b.mu.Lock()
	b.active++
	b.mu.Unlock()
	return &Client{b: b}
}

// Close unregisters the client; later Evaluate calls fail with
// ErrClientClosed. Closing twice is harmless. Precondition: no Evaluate
// of this client is in progress.
func (c *Client) Close() {
	if c.closed.Swap(true) {
		return
	}
	c.b.mu.Lock()
	c.b.active--
	c.b.mu.Unlock()
	c.b.signal() // the others may all be waiting now
}

// Evaluate evaluates one encoded position: in holds Spec().InputShape()
// values; policy receives Spec().Moves() logits and value[0] the value
// (policy and value may be longer; the rest is untouched). key identifies
// the position and symmetry for the cache (0: do not cache). It blocks
// until the result arrives, ctx ends (it returns ctx's error promptly, and
// the batcher never touches the buffers afterwards), or the batcher stops.
// Errors of the backend are returned to every caller of the batch. The
// caller must not modify in until Evaluate returns.
func (c *Client) Evaluate(ctx context.Context, in []float32, key uint64, policy, value []float32) error {
	return c.EvaluateOutputs(ctx, in, key, Outputs{Policy: policy, Value: value})
}

// EvaluateOutputs is Evaluate with the optional outputs of one position:
// out.Ownership (Spec().Area() values) and out.Score (one value), each
// nil when not wanted. It fails if the network or the backend does not
// compute an output asked for.
func (c *Client) EvaluateOutputs(ctx context.Context, in []float32, key uint64, out Outputs) error {
	b := c.b
	policy, value := out.Policy, out.Value
	switch {
	case c.closed.Load():
		return ErrClientClosed
	case len(in) != b.inLen || len(policy) < b.moves || len(value) < 1:
		return fmt.Errorf("nets: batcher: buffers of %d, %d, %d values; want %d, %d, 1", len(in), len(policy), len(value), b.inLen, b.moves)
	case out.Ownership != nil && (b.ownLen == 0 || len(out.Ownership) < b.ownLen):
		return fmt.Errorf("nets: batcher: ownership buffer of %d values; the backend computes %d", len(out.Ownership), b.ownLen)
	case out.Score != nil && (!b.score || len(out.Score) < 1):
		return fmt.Errorf("nets: batcher: no score head computed (or an empty buffer)")
	}
	var own, score []float32
	if out.Ownership != nil {
		own = out.Ownership[:b.ownLen]
	}
	if out.Score != nil {
		score = out.Score[:1]
	}
	if !c.busy.CompareAndSwap(false, true) {
		return ErrClientBusy
	}
	defer c.busy.Store(false)
	if err := ctx.Err(); err != nil {
		return err
	}
	b.stats.requests.Add(1)
	if key != 0 && b.cache != nil && b.cache.get(key, Outputs{Policy: policy[:b.moves], Value: value, Ownership: own, Score: score}) {
		b.stats.hits.Add(1)
		return nil
	}

	r := c.req
	if r == nil {
		r = &request{done: make(chan struct{}, 1)}
		c.req = r
	}
	r.state, r.err = reqQueued, nil
	r.in, r.policy, r.value, r.key = in, policy[:b.moves], value[:1], key
	r.own, r.score = own, score
	r.at = time.Now()
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		r.in, r.policy, r.value, r.own, r.score = nil, nil, nil, nil, nil
		return ErrBatcherStopped
	}
	b.queue = append(b.queue, r)
	n := len(b.queue)
	share := b.share()
	wake := n == 1 || n >= b.opts.MaxBatch || n >= share || n >= b.active-b.inflight
	b.mu.Unlock()
	if wake {
		b.signal()
	}

	select {
	case <-r.done:
		return r.err
	case <-ctx.Done():
	}
	b.mu.Lock()
	r.mu.Lock()
	switch r.state {
	case reqQueued:
		if i := slices.Index(b.queue, r); i >= 0 {
			b.queue = slices.Delete(b.queue, i, i+1)
		}
		r.in, r.policy, r.value, r.own, r.score = nil, nil, nil, nil, nil
	case reqTaken:
		r.state = reqAbandoned
		r.in, r.policy, r.value, r.own, r.score = nil, nil, nil, nil, nil
		c.req = nil // the batch still holds it
	case reqDone: // the result won the race: take it
		r.mu.Unlock()
		b.mu.Unlock()
		<-r.done
		return r.err
	}
	r.mu.Unlock()
	b.mu.Unlock()
	b.stats.cancelled.Add(1)
	return ctx.Err()
}

// lruCache maps keys to results, evicting the least recently used. Slots
// live in slices linked into a circular list through slot indices; slot
// 0 is the sentinel (head.next is the most recent).
type lruCache struct {
	mu         sync.Mutex
	size       int
	moves      int
	ownLen     int  // ownership values per slot (0: none)
	hasScore   bool // a score per slot
	index      map[uint64]int32
	keys       []uint64
	prev, next []int32
	policy     []float32 // moves per slot, slot 0 unused
	value      []float32
	own        []float32 // ownLen per slot
	score      []float32 // per slot, when hasScore
}

func newLRU(size, moves, ownLen int, hasScore bool) *lruCache {
	c := &lruCache{
		size: size, moves: moves, ownLen: ownLen, hasScore: hasScore, index: map[uint64]int32{},
		keys: []uint64{0}, prev: []int32{0}, next: []int32{0},
		policy: make([]float32, moves), value: []float32{0},
		own: make([]float32, ownLen),
	}
	if hasScore {
		c.score = []float32{0}
	}
	return c
}

func (c *lruCache) unlink(i int32) {
	c.next[c.prev[i]] = c.next[i]
	c.prev[c.next[i]] = c.prev[i]
}

func (c *lruCache) pushFront(i int32) {
	c.prev[i], c.next[i] = 0, c.next[0]
	c.prev[c.next[0]] = i
	c.next[0] = i
}

// get copies the result for key into out: Policy (len moves), Value[0],
// and the optional outputs out asks for (which the cache holds).
func (c *lruCache) get(key uint64, out Outputs) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.index[key]
	if !ok {
		return false
	}
	c.unlink(i)
	c.pushFront(i)
	copy(out.Policy, c.policy[int(i)*c.moves:int(i+1)*c.moves])
	out.Value[0] = c.value[i]
	if out.Ownership != nil {
		copy(out.Ownership, c.own[int(i)*c.ownLen:int(i+1)*c.ownLen])
	}
	if out.Score != nil {
		out.Score[0] = c.score[i]
	}
	return true
}

// put stores one position's outputs (res.Ownership and res.Score must be
// there when the cache keeps them).
func (c *lruCache) put(key uint64, res Outputs) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.index[key]
	switch {
	case ok:
		c.unlink(i)
	case len(c.keys)-1 < c.size: // a fresh slot
		i = int32(len(c.keys))
		c.keys = append(c.keys, key)
		c.prev, c.next = append(c.prev, 0), append(c.next, 0)
		c.policy = append(c.policy, res.Policy...)
		c.value = append(c.value, 0)
		c.own = append(c.own, make([]float32, c.ownLen)...)
		if c.hasScore {
			c.score = append(c.score, 0)
		}
	default: // evict the least recent
		i = c.prev[0]
		c.unlink(i)
		delete(c.index, c.keys[i])
	}
	c.index[key] = i
	c.keys[i] = key
	copy(c.policy[int(i)*c.moves:int(i+1)*c.moves], res.Policy)
	c.value[i] = res.Value[0]
	if c.ownLen > 0 {
		copy(c.own[int(i)*c.ownLen:int(i+1)*c.ownLen], res.Ownership)
	}
	if c.hasScore {
		c.score[i] = res.Score[0]
	}
	c.pushFront(i)
}
