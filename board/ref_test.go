package board

// refBoard is a deliberately simple board: a grid, flood fill for chains
// and liberties, simple ko as "may not recreate the board as it was before
// the opponent's last move". The fast Position is checked against it.
type refBoard struct {
	n    int
	g    []Color
	prev []Color // board before the last move, nil after a pass
}

func newRef(n int) *refBoard { return &refBoard{n: n, g: make([]Color, n*n)} }

func (r *refBoard) neighbours(i int) []int {
	x, y := i%r.n, i/r.n
	var out []int
	if x > 0 {
		out = append(out, i-1)
	}
	if x < r.n-1 {
		out = append(out, i+1)
	}
	if y > 0 {
		out = append(out, i-r.n)
	}
	if y < r.n-1 {
		out = append(out, i+r.n)
	}
	return out
}

// chain returns the stones of the chain at i and its liberty count.
func (r *refBoard) chain(g []Color, i int) (stones []int, libs int) {
	c := g[i]
	seen := make([]bool, len(g))
	lib := make([]bool, len(g))
	seen[i] = true
	todo := []int{i}
	for len(todo) > 0 {
		s := todo[0]
		todo = todo[1:]
		stones = append(stones, s)
		for _, n := range r.neighbours(s) {
			switch {
			case g[n] == Empty && !lib[n]:
				lib[n] = true
				libs++
			case g[n] == c && !seen[n]:
				seen[n] = true
				todo = append(todo, n)
			}
		}
	}
	return stones, libs
}

// try returns the board after c plays i, or nil if illegal.
func (r *refBoard) try(c Color, i int) []Color {
	if r.g[i] != Empty {
		return nil
	}
	g := append([]Color(nil), r.g...)
	g[i] = c
	for _, n := range r.neighbours(i) {
		if g[n] == c.Opponent() {
			if stones, libs := r.chain(g, n); libs == 0 {
				for _, s := range stones {
					g[s] = Empty
				}
			}
		}
	}
	if _, libs := r.chain(g, i); libs == 0 {
		return nil // suicide
	}
	if r.prev != nil && equalColors(g, r.prev) {
		return nil // simple ko
	}
	return g
}

func (r *refBoard) play(c Color, i int) bool {
	if i < 0 {
		r.prev = nil
		return true
	}
	g := r.try(c, i)
	if g == nil {
		return false
	}
	r.prev, r.g = r.g, g
	return true
}

func equalColors(a, b []Color) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
