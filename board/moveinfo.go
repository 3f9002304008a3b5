package board

// MoveInfo is what a move would do, computed without playing it.
type MoveInfo struct {
	Liberties int // liberties of the mover's chain after the move
	Captured  int // opponent stones the move captures
	ChainSize int // stones in the mover's chain after the move
}

// MoveInfo returns what c playing on the empty point pt would do: the
// liberties and size of c's chain afterwards and the stones captured.
// Legality is not checked (a suicide shows as 0 liberties and no capture).
// Precondition: pt is an empty point of the board.
func (p *Position) MoveInfo(c Color, pt Point) MoveInfo {
	var libMark [numPoints]bool
	var own, caught [4]Point // distinct friendly and captured chain heads
	nOwn, nCaught := 0, 0
	info := MoveInfo{ChainSize: 1}
	opp := c.Opponent()
	for _, d := range dirs {
		n := pt + d
		switch p.color[n] {
		case c:
			h := p.head[n]
			if h != own[0] && h != own[1] && h != own[2] {
				own[nOwn] = h
				nOwn++
			}
		case opp:
			h := p.head[n]
			if p.libs[h] == 1 && h != caught[0] && h != caught[1] && h != caught[2] {
				caught[nCaught] = h
				nCaught++
			}
		}
	}
	libMark[pt] = true // never a liberty of its own chain
	addLibs := func(s Point) {
		for _, d := range dirs {
			e := s + d
			if p.color[e] == Empty && !libMark[e] {
				libMark[e] = true
				info.Liberties++
			}
		}
	}
	addLibs(pt)
	for _, h := range own[:nOwn] {
		info.ChainSize += int(p.count[h])
		s := h
		for {
			addLibs(s)
			s = p.next[s]
			if s == h {
				break
			}
		}
	}
	// A captured stone becomes a liberty if it touches the new chain: pt or
	// a stone of a merged friendly chain.
	for _, h := range caught[:nCaught] {
		info.Captured += int(p.count[h])
		s := h
		for {
			if !libMark[s] && p.touchesChain(s, pt, own[:nOwn]) {
				libMark[s] = true
				info.Liberties++
			}
			s = p.next[s]
			if s == h {
				break
			}
		}
	}
	return info
}

// touchesChain reports whether s is next to pt or to a stone of one of the
// chains with the given heads.
func (p *Position) touchesChain(s, pt Point, heads []Point) bool {
	for _, d := range dirs {
		n := s + d
		if n == pt {
			return true
		}
		if p.color[n] == Black || p.color[n] == White {
			for _, h := range heads {
				if p.head[n] == h {
					return true
				}
			}
		}
	}
	return false
}

// RecentMoves appends the last n moves (most recent first) played since
// the last setup to dst[:0]; fewer if the game has fewer.
func (g *Game) RecentMoves(n int, dst []Move) []Move {
	dst = dst[:0]
	for i := len(g.history) - 1; i >= 0 && len(dst) < n && !g.history[i].setup; i-- {
		dst = append(dst, g.history[i].move)
	}
	return dst
}
