package mcts

import (
	"iter"
	"math"

	"github.com/tengen-go/tengen/board"
)

// Node states.
const (
	unexpanded uint8 = iota
	expanding        // a goroutine is evaluating it
	expanded
)

// Prior refinement states (PriorRefiner).
const (
	unrefined uint8 = iota
	refining        // a goroutine is computing its better priors
	refined
)

// node is one position of the tree, reached by move from its parent.
// Values are from the view of the player who played move.
type node struct {
	w, w2  float64 // sum of values and of their squares
	amafW  float64 // sum of all-moves-as-first values (RAVE)
	amafN  int32   // all-moves-as-first visits
	score  float64 // sum of final score estimates (points) for the player who moved into the node
	score2 float64 // and of their squares
	sn     int32   // visits that brought a score estimate
	n      int32   // completed visits
	vl     int32   // visits in flight (virtual loss)
	first  int32   // index of the first child; children are contiguous
	nchild int32
	move   board.Point
	prior  float32
	// nv is the network's value of the node for the player who moved
	// into it, set when a ValueRefiner refined it (hasNV).
	nv     float32
	state  uint8
	refine uint8 // unrefined, refining or refined (PriorRefiner)
	hasNV  bool
}

// arena holds the nodes of a tree by index; index 0 is the root. Nodes
// live in chunks of chunkSize that are never moved or freed (reset keeps
// them for the next tree), so a growing tree copies nothing and a *node
// stays valid while the tree grows: with one slice, each doubling copied
// the whole tree under the tree's lock while the other search goroutines
// waited (19x19 network search, 2 cores: 1,106 visits/s against 1,369
// with the copies gone). An index is chunk<<chunkBits | offset; a node's
// children are contiguous within one chunk (alloc starts a new chunk when
// the current one cannot hold them: at most 1% of a chunk is skipped on
// 25x25).
type arena struct {
	chunks [][]node
	used   []int // nodes allocated in each chunk (a prefix)
	cur    int   // the chunk alloc fills
	count  int   // nodes allocated
	max    int
}

const (
	chunkBits = 16
	chunkSize = 1 << chunkBits
	chunkMask = chunkSize - 1
)

func (a *arena) reset(max int) {
	a.max = max
	a.cur, a.count = 0, 0
	clear(a.used)
	a.alloc(1)
	*a.at(0) = node{move: board.Pass, first: -1}
}

// at returns node i.
func (a *arena) at(i int32) *node { return &a.chunks[i>>chunkBits][i&chunkMask] }

// span returns the n nodes from index first (children of one node).
func (a *arena) span(first, n int32) []node {
	off := first & chunkMask
	return a.chunks[first>>chunkBits][off : off+n : off+n]
}

// size returns the number of nodes allocated.
func (a *arena) size() int { return a.count }

// all yields every allocated node with its index, in index order.
func (a *arena) all() iter.Seq2[int32, *node] {
	return func(yield func(int32, *node) bool) {
		for c := 0; c <= a.cur && c < len(a.chunks); c++ {
			for o := range a.used[c] {
				if !yield(int32(c<<chunkBits|o), &a.chunks[c][o]) {
					return
				}
			}
		}
	}
}

// alloc reserves n contiguous zeroed nodes (n <= chunkSize) and returns
// the first index, or -1 if the arena limit would be exceeded.
func (a *arena) alloc(n int) int32 {
	if a.count+n > a.max || n > chunkSize {
		return -1
	}
	if a.cur < len(a.chunks) && a.used[a.cur]+n > chunkSize {
		a.cur++
	}
	if a.cur == len(a.chunks) {
		a.chunks = append(a.chunks, make([]node, chunkSize))
		a.used = append(a.used, 0)
	}
	o := a.used[a.cur]
	clear(a.chunks[a.cur][o : o+n])
	a.used[a.cur] = o + n
	a.count += n
	return int32(a.cur<<chunkBits | o)
}

// q returns the mean value of a node with virtual losses counted.
func (nd *node) q(vloss int32) (float64, int32) {
	n := nd.n + vloss*nd.vl
	if n == 0 {
		return 0, 0
	}
	return (nd.w - float64(vloss*nd.vl)) / float64(n), n
}

// compactInto copies the subtree under index root of a into b (b's root
// becomes that node) and returns the number of nodes copied.
func (a *arena) compactInto(b *arena, root int32) int {
	b.reset(a.max)
	*b.at(0) = *a.at(root)
	// Breadth first: each copied node's children are copied contiguously
	// and its first index rewritten; queue holds b's indices to visit.
	queue := []int32{0}
	for len(queue) > 0 {
		i := queue[0]
		queue = queue[1:]
		nd := b.at(i)
		nd.vl = 0
		if nd.nchild == 0 || nd.first < 0 {
			nd.first = -1
			nd.nchild = 0
			if nd.state == expanding {
				nd.state = unexpanded
			}
			if nd.refine == refining {
				nd.refine = unrefined
			}
			continue
		}
		src := a.span(nd.first, nd.nchild)
		first := b.alloc(len(src)) // b.max == a.max: the subtree fits
		nd.first = first
		copy(b.span(first, nd.nchild), src)
		for k := range nd.nchild {
			queue = append(queue, first+k)
		}
	}
	return b.size()
}

// lcb returns a lower confidence bound of a node's value (95%, normal
// approximation), or -1 with fewer than 2 visits.
func (nd *node) lcb() float64 {
	if nd.n < 2 {
		return -1
	}
	n := float64(nd.n)
	mean := nd.w / n
	v := math.Max(nd.w2/n-mean*mean, 0)
	return math.Max(mean-1.96*math.Sqrt(v/n), -1)
}
