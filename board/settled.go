package board

// UnsettledMoves appends to dst[:0] the moves for c that still change the
// area score or the life of stones, and returns it: legal points (simple
// ko) in an empty region that touches stones of both colours (neutral
// points, the liberties of stones still to be captured) or of neither (an
// empty board), excluding c's own
// single-point eyes and self-ataris that capture nothing. A position where
// it returns nothing for the side to move is finished for area scoring:
// passing loses no points. Seki liberties are self-ataris, so seki counts
// as settled.
func (p *Position) UnsettledMoves(c Color, dst []Point) []Point {
	dst = dst[:0]
	var open [numPoints]bool
	p.emptyRegions(func(region []Point, reachB, reachW bool) {
		if reachB == reachW { // neutral, or no stones at all
			for _, s := range region {
				open[s] = true
			}
		}
	})
	for _, pt := range Points(p.size) {
		if open[pt] && p.sensible(c, pt) {
			dst = append(dst, pt)
		}
	}
	return dst
}

// SensibleMoves appends to dst[:0] c's legal moves (simple ko) that
// neither fill c's own single-point eye nor put c in atari without
// capturing, and returns it: the moves a player who must not pass may
// choose from.
func (p *Position) SensibleMoves(c Color, dst []Point) []Point {
	dst = dst[:0]
	for _, pt := range Points(p.size) {
		if p.color[pt] == Empty && p.sensible(c, pt) {
			dst = append(dst, pt)
		}
	}
	return dst
}

func (p *Position) sensible(c Color, pt Point) bool {
	if !p.Legal(c, pt) || p.IsEye(c, pt) {
		return false
	}
	info := p.MoveInfo(c, pt)
	return info.Liberties >= 2 || info.Captured > 0
}

// PassLoses reports whether c would lose if the game ended now and were
// scored by Tromp-Taylor rules (area, every stone alive) with komi: the
// test Leela Zero applies before it passes.
func (p *Position) PassLoses(c Color, komi float64) bool {
	b, w := p.AreaScore()
	score := float64(b-w) - komi
	if c == White {
		score = -score
	}
	return score < 0
}

// MovesBeforePass appends to dst[:0] the moves c should play rather than
// pass, and returns it: the unsettled moves (UnsettledMoves), or, when
// every region belongs to one side but passing would lose by the
// Tromp-Taylor count with komi (PassLoses), every sensible move
// (SensibleMoves). Empty: passing loses nothing.
func (p *Position) MovesBeforePass(c Color, komi float64, dst []Point) []Point {
	dst = p.UnsettledMoves(c, dst)
	if len(dst) == 0 && p.PassLoses(c, komi) {
		dst = p.SensibleMoves(c, dst)
	}
	return dst
}
