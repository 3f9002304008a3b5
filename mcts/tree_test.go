package mcts

import (
	"testing"

	"github.com/tengen-go/tengen/board"
)

// TestArenaChunks: runs of children never straddle a chunk, nodes keep
// their addresses as the arena grows, the limit holds, and reset hands
// out zeroed nodes again.
func TestArenaChunks(t *testing.T) {
	var a arena
	a.reset(3 * chunkSize)
	root := a.at(0)
	root.n = 7
	var firsts []int32
	total := 1
	for {
		f := a.alloc(362)
		if f < 0 {
			break
		}
		if f>>chunkBits != (f+361)>>chunkBits {
			t.Fatalf("children %d..%d straddle a chunk", f, f+361)
		}
		for k, nd := range a.span(f, 362) {
			if nd != (node{}) {
				t.Fatalf("node %d not zeroed", int(f)+k)
			}
			a.span(f, 362)[k].n = f + int32(k)
		}
		firsts = append(firsts, f)
		total += 362
	}
	if a.size() != total || total > 3*chunkSize || total+362 <= 3*chunkSize {
		t.Fatalf("size %d, counted %d, limit %d", a.size(), total, 3*chunkSize)
	}
	if root != a.at(0) || root.n != 7 {
		t.Fatal("the root moved or changed as the arena grew")
	}
	for _, f := range firsts {
		if a.at(f+100).n != f+100 {
			t.Fatalf("node %d = %d", f+100, a.at(f+100).n)
		}
	}
	seen := 0
	prev := int32(-1)
	for i, nd := range a.all() {
		if i <= prev || (i > 0 && nd.n != i) {
			t.Fatalf("all: node %d out of order or wrong (%d)", i, nd.n)
		}
		prev = i
		seen++
	}
	if seen != total {
		t.Fatalf("all yielded %d nodes; want %d", seen, total)
	}
	a.reset(10)
	if a.size() != 1 || *a.at(0) != (node{move: board.Pass, first: -1}) {
		t.Fatalf("after reset: size %d, root %+v", a.size(), *a.at(0))
	}
	if f := a.alloc(9); f != 1 || a.span(1, 9)[0].n != 0 {
		t.Fatalf("alloc after reset = %d (n %d); want 1, zeroed", f, a.span(1, 9)[0].n)
	}
	if a.alloc(1) != -1 {
		t.Fatal("alloc past the limit succeeded")
	}
}

// TestArenaCompact: a subtree spread over chunks is copied whole, with
// its structure, into another arena.
func TestArenaCompact(t *testing.T) {
	var a, b arena
	a.reset(4 * chunkSize)
	// Root with 2 children; child 1 has 300 children each with 300, so
	// the tree spans two chunks.
	first := a.alloc(2)
	*a.at(0) = node{first: first, nchild: 2, n: 1}
	a.at(first).n = 11
	kids := a.alloc(300)
	*a.at(first + 1) = node{first: kids, nchild: 300, n: 22, vl: 3}
	for k := range int32(300) {
		g := a.alloc(300)
		*a.at(kids + k) = node{first: g, nchild: 300, n: 1000 + k}
		for j := range int32(300) {
			*a.at(g + j) = node{n: 5000 + j, first: -1}
		}
	}
	if a.size() < chunkSize {
		t.Fatalf("test tree of %d nodes fits one chunk", a.size())
	}
	got := a.compactInto(&b, first+1)
	if want := 1 + 300 + 300*300; got != want || b.size() != want {
		t.Fatalf("copied %d (size %d); want %d", got, b.size(), want)
	}
	r := b.at(0)
	if r.n != 22 || r.vl != 0 || r.nchild != 300 {
		t.Fatalf("new root %+v", *r)
	}
	for k, ch := range b.span(r.first, r.nchild) {
		if ch.n != 1000+int32(k) || ch.nchild != 300 {
			t.Fatalf("child %d: %+v", k, ch)
		}
		for j, g := range b.span(ch.first, ch.nchild) {
			if g.n != 5000+int32(j) || g.first != -1 {
				t.Fatalf("grandchild %d/%d: %+v", k, j, g)
			}
		}
	}
}
