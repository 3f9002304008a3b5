package mcts

import (
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
	state  uint8
	refine uint8 // unrefined, refining or refined (PriorRefiner)
}

// arena holds the nodes of a tree by index; index 0 is the root.
type arena struct {
	nodes []node
	max   int
}

func (a *arena) reset(max int) {
	a.nodes = a.nodes[:0]
	a.max = max
	a.nodes = append(a.nodes, node{move: board.Pass, first: -1})
}

// alloc reserves n contiguous nodes and returns the first index, or -1 if
// the arena limit would be exceeded.
func (a *arena) alloc(n int) int32 {
	if len(a.nodes)+n > a.max {
		return -1
	}
	i := len(a.nodes)
	a.nodes = append(a.nodes, make([]node, n)...)
	return int32(i)
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
	b.nodes = b.nodes[:0]
	b.max = a.max
	b.nodes = append(b.nodes, a.nodes[root])
	// Breadth first: each copied node's children are copied contiguously
	// and its first index rewritten.
	for i := 0; i < len(b.nodes); i++ {
		nd := &b.nodes[i]
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
		src := a.nodes[nd.first : nd.first+nd.nchild]
		nd.first = int32(len(b.nodes))
		b.nodes = append(b.nodes, src...)
	}
	for i := range b.nodes {
		b.nodes[i].vl = 0
	}
	return len(b.nodes)
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
