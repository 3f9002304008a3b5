package nets

import (
	"context"
	"errors"
	"fmt"
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
	// (Moves+1) float32s.
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
// the goroutine in [Batcher.Run] calls the backend, so the backend needs
// no locking. An optional LRU cache answers repeated keys without the
// backend.
//
// A Batcher is safe for concurrent use. It does not close its backend.
type Batcher struct {
	// Fixed at construction.
	backend      Backend
	opts         BatcherOptions
	inLen, moves int
	wake         chan struct{} // capacity 1: "the queue changed"
	cache        *lruCache     // nil without a cache

	// Guarded by mu.
	mu      sync.Mutex
	queue   []*request
	active  int // clients not closed
	running bool
	stopped bool

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
	key           uint64
	at            time.Time
	err           error
	done          chan struct{} // capacity 1
}

// NewBatcher returns a batcher for b. It starts no goroutine: call Run.
// Zero MaxBatch and MaxWait take the defaults.
func NewBatcher(b Backend, opts BatcherOptions) (*Batcher, error) {
	opts.EnsureDefaults()
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	spec := b.Spec()
	sh, err := spec.InputShape()
	if err != nil {
		return nil, err
	}
	bt := &Batcher{backend: b, opts: opts, inLen: sh.Len(), moves: spec.Moves(), wake: make(chan struct{}, 1)}
	if opts.CacheSize > 0 {
		bt.cache = newLRU(opts.CacheSize, bt.moves)
	}
	return bt, nil
}

// Options returns the options in use (defaults filled in).
func (b *Batcher) Options() BatcherOptions { return b.opts }

// Spec returns the backend's spec.
func (b *Batcher) Spec() Spec { return b.backend.Spec() }

func (b *Batcher) signal() {
	select {
	case b.wake <- struct{}{}:
	default:
	}
}

// Run forms and runs batches until ctx ends, then fails every queued and
// later request with ErrBatcherStopped and returns ctx's error. ctx is
// also passed to the backend, so ending it may fail the batch in flight
// (its callers get the error). A Batcher runs at most once: a second Run
// returns ErrBatcherRunning or ErrBatcherStopped.
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

	in := make([]float32, b.opts.MaxBatch*b.inLen)
	policy := make([]float32, b.opts.MaxBatch*b.moves)
	value := make([]float32, b.opts.MaxBatch)
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
			wait = b.opts.MaxWait - time.Since(b.queue[0].at)
			if n >= b.opts.MaxBatch || n >= b.active || wait <= 0 {
				batch = b.take(batch[:0])
				b.mu.Unlock()
				b.runBatch(ctx, batch, in, policy, value)
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
		case <-b.wake:
		case <-expired:
		}
		timer.Stop()
	}
}

// take moves up to MaxBatch requests from the queue into batch, marking
// them taken. Called with b.mu held.
func (b *Batcher) take(batch []*request) []*request {
	k := min(len(b.queue), b.opts.MaxBatch)
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
func (b *Batcher) runBatch(ctx context.Context, batch []*request, in, policy, value []float32) {
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
	err := b.backend.Forward(ctx, in[:n*b.inLen], n, policy[:n*b.moves], value[:n])
	b.stats.batches.Add(1)
	b.stats.positions.Add(int64(n))
	if err != nil {
		b.stats.failed.Add(1)
		err = fmt.Errorf("nets: batcher: batch of %d: %w", n, err)
	}
	for i, r := range live {
		p, v := policy[i*b.moves:(i+1)*b.moves], value[i:i+1]
		if err == nil && b.cache != nil && r.key != 0 {
			b.cache.put(r.key, p, v[0])
		}
		r.mu.Lock()
		if r.state == reqTaken {
			if err == nil {
				copy(r.policy, p)
				r.value[0] = v[0]
			}
			r.err, r.state = err, reqDone
			r.policy, r.value = nil, nil
			r.done <- struct{}{}
		}
		r.mu.Unlock()
		live[i] = nil
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
		r.in, r.policy, r.value = nil, nil, nil
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
	b := c.b
	switch {
	case c.closed.Load():
		return ErrClientClosed
	case len(in) != b.inLen || len(policy) < b.moves || len(value) < 1:
		return fmt.Errorf("nets: batcher: buffers of %d, %d, %d values; want %d, %d, 1", len(in), len(policy), len(value), b.inLen, b.moves)
	}
	if !c.busy.CompareAndSwap(false, true) {
		return ErrClientBusy
	}
	defer c.busy.Store(false)
	if err := ctx.Err(); err != nil {
		return err
	}
	b.stats.requests.Add(1)
	if key != 0 && b.cache != nil && b.cache.get(key, policy[:b.moves], value) {
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
	r.at = time.Now()
	b.mu.Lock()
	if b.stopped {
		b.mu.Unlock()
		r.in, r.policy, r.value = nil, nil, nil
		return ErrBatcherStopped
	}
	b.queue = append(b.queue, r)
	n := len(b.queue)
	wake := n == 1 || n >= b.opts.MaxBatch || n >= b.active
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
		r.in, r.policy, r.value = nil, nil, nil
	case reqTaken:
		r.state = reqAbandoned
		r.in, r.policy, r.value = nil, nil, nil
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
	index      map[uint64]int32
	keys       []uint64
	prev, next []int32
	policy     []float32 // moves per slot, slot 0 unused
	value      []float32
}

func newLRU(size, moves int) *lruCache {
	return &lruCache{
		size: size, moves: moves, index: map[uint64]int32{},
		keys: []uint64{0}, prev: []int32{0}, next: []int32{0},
		policy: make([]float32, moves), value: []float32{0},
	}
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

// get copies the result for key into policy (len moves) and value[0].
func (c *lruCache) get(key uint64, policy, value []float32) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.index[key]
	if !ok {
		return false
	}
	c.unlink(i)
	c.pushFront(i)
	copy(policy, c.policy[int(i)*c.moves:int(i+1)*c.moves])
	value[0] = c.value[i]
	return true
}

func (c *lruCache) put(key uint64, policy []float32, value float32) {
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
		c.policy = append(c.policy, policy...)
		c.value = append(c.value, 0)
	default: // evict the least recent
		i = c.prev[0]
		c.unlink(i)
		delete(c.index, c.keys[i])
	}
	c.index[key] = i
	c.keys[i] = key
	copy(c.policy[int(i)*c.moves:int(i+1)*c.moves], policy)
	c.value[i] = value
	c.pushFront(i)
}
