package board

// HashAfter returns the Zobrist hash of the stones after c plays pt,
// without playing: the new stone in, the captured chains out.
// Precondition: c may play pt under simple ko (Pass returns Hash()).
func (p *Position) HashAfter(c Color, pt Point) uint64 {
	if pt == Pass {
		return p.hash
	}
	h := p.hash ^ zobristStone[c][pt]
	opp := c.Opponent()
	var caught [4]Point
	n := 0
	for _, d := range dirs {
		m := pt + d
		if p.color[m] != opp {
			continue
		}
		hd := p.head[m]
		if p.libs[hd] != 1 || hd == caught[0] || hd == caught[1] || hd == caught[2] {
			continue
		}
		caught[n] = hd
		n++
		s := hd
		for {
			h ^= zobristStone[opp][s]
			s = p.next[s]
			if s == hd {
				break
			}
		}
	}
	return h
}

// SuperkoKey returns the key under which rules r remember a position with
// stones hash h and toMove to play: the hash itself for positional superko,
// the hash combined with the side to move for situational superko.
func (r Rules) SuperkoKey(h uint64, toMove Color) uint64 {
	if r.Ko == KoSituational {
		return h ^ zobristToMove[toMove&3]
	}
	return h
}

// Seen reports whether a position with superko key k (see
// Rules.SuperkoKey) occurred in this game. Always false under simple ko.
func (g *Game) Seen(k uint64) bool {
	return g.rules.Ko != KoSimple && g.seen[k] > 0
}

// State is what an evaluator needs to know of a game, as a value: the
// position, the side to move, komi and the last moves. Searches copy it
// and play moves on the copy.
type State struct {
	Pos    Position
	ToMove Color
	Komi   float64
	// Recent holds the last moves, most recent first; entries past
	// NumRecent are zero.
	Recent    [RecentMoves]Move
	NumRecent int
}

// RecentMoves is how many past moves a State remembers.
const RecentMoves = 8

// State returns the game's current state.
func (g *Game) State() State {
	s := State{Pos: g.pos, ToMove: g.toMove, Komi: g.komi}
	s.NumRecent = len(g.RecentMoves(RecentMoves, s.Recent[:0]))
	return s
}

// Play plays c at pt on the state (checking simple-ko legality only) and
// makes c's opponent the side to move.
func (s *State) Play(c Color, pt Point) error {
	if err := s.Pos.Play(c, pt); err != nil {
		return err
	}
	copy(s.Recent[1:], s.Recent[:RecentMoves-1])
	s.Recent[0] = Move{c, pt}
	s.NumRecent = min(s.NumRecent+1, RecentMoves)
	s.ToMove = c.Opponent()
	return nil
}
