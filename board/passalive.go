package board

// PassAlive appends to dst[:0], per point of Points(size) in order, the
// colour whose pass-alive area holds the point, or Empty, and returns it:
// each colour's pass-alive chains and the pass-alive territory around them
// (empty points and the opponent's stones inside it, which can never
// live).
//
// Pass-alive chains are found by Benson's algorithm (1976): chains that
// cannot be captured even if their owner passes every turn and the
// opponent plays any legal sequence, with multi-stone suicide illegal. A
// c-region is a maximal connected set of points not holding c's stones;
// it is vital to a c chain when every empty point in it is a liberty of
// that chain. Repeatedly, c chains with fewer than two vital regions
// bordered only by surviving chains are removed; what survives is
// pass-alive. A c-region bordered only by pass-alive chains is c's
// territory when every empty point in it touches a c stone: the opponent
// can then never make an eye there (KataGo's pass-alive area, the
// area-scoring input features of its networks and its game-end test).
// Larger enclosed regions are not claimed, as the opponent might live in
// them.
func (p *Position) PassAlive(dst []Color) []Color {
	var out [numPoints]Color
	p.passAlive(Black, &out)
	p.passAlive(White, &out)
	dst = dst[:0]
	for _, pt := range Points(p.size) {
		dst = append(dst, out[pt])
	}
	return dst
}

// passAlive marks c's pass-alive area in out.
func (p *Position) passAlive(c Color, out *[numPoints]Color) {
	// Label the c-regions: connected sets of points not holding c.
	var region [numPoints]int16 // region index + 1; 0 for c's stones and off-board points
	type reg struct {
		start  int  // index of the region's first point in pts
		n      int  // its points
		small  bool // every empty point touches a c stone
		border []Point
		alive  bool
	}
	var regs []reg
	var pts [maxArea]Point
	np := 0
	var stack [maxArea]Point
	for _, pt := range Points(p.size) {
		if p.color[pt] == c || region[pt] != 0 {
			continue
		}
		id := int16(len(regs) + 1)
		r := reg{start: np, small: true}
		sp := 0
		stack[sp] = pt
		sp++
		region[pt] = id
		for sp > 0 {
			sp--
			s := stack[sp]
			pts[np] = s
			np++
			touches := false
			for _, d := range dirs {
				n := s + d
				switch col := p.color[n]; {
				case col == border:
				case col == c:
					touches = true
					h := p.head[n]
					if !containsPoint(r.border, h) {
						r.border = append(r.border, h)
					}
				case region[n] == 0:
					region[n] = id
					stack[sp] = n
					sp++
				}
			}
			if p.color[s] == Empty && !touches {
				r.small = false
			}
		}
		r.n = np - r.start
		r.alive = true
		regs = append(regs, r)
	}
	if len(regs) == 0 {
		return
	}

	// vital[i] lists the chains (heads) to which region i is vital.
	vital := make([][]Point, len(regs))
	for i := range regs {
		r := &regs[i]
		for _, h := range r.border {
			ok := true
			for _, s := range pts[r.start : r.start+r.n] {
				if p.color[s] == Empty && !p.nextToChain(s, h) {
					ok = false
					break
				}
			}
			if ok {
				vital[i] = append(vital[i], h)
			}
		}
	}

	// Chains of c, by head; alive until removed.
	var alive [numPoints]bool
	var heads []Point
	for _, pt := range Points(p.size) {
		if p.color[pt] == c && p.head[pt] == pt {
			alive[pt] = true
			heads = append(heads, pt)
		}
	}
	for changed := true; changed; {
		changed = false
		// Count each living chain's vital regions among the living regions.
		var nvital [numPoints]int8
		for i := range regs {
			if !regs[i].alive {
				continue
			}
			for _, h := range vital[i] {
				if nvital[h] < 2 {
					nvital[h]++
				}
			}
		}
		for _, h := range heads {
			if alive[h] && nvital[h] < 2 {
				alive[h] = false
				changed = true
			}
		}
		for i := range regs {
			r := &regs[i]
			if !r.alive {
				continue
			}
			for _, h := range r.border {
				if !alive[h] {
					r.alive = false
					changed = true
					break
				}
			}
		}
	}

	for _, pt := range Points(p.size) {
		if p.color[pt] == c && alive[p.head[pt]] {
			out[pt] = c
		}
	}
	for i := range regs {
		r := &regs[i]
		if r.alive && r.small && len(r.border) > 0 {
			for _, s := range pts[r.start : r.start+r.n] {
				out[s] = c
			}
		}
	}
}

// nextToChain reports whether pt is next to a stone of the chain headed
// by h.
func (p *Position) nextToChain(pt, h Point) bool {
	for _, d := range dirs {
		n := pt + d
		if p.color[n] != border && p.color[n] != Empty && p.head[n] == h {
			return true
		}
	}
	return false
}

func containsPoint(s []Point, x Point) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}
