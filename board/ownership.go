package board

import "math/rand/v2"

// Ownership estimates who owns each point at the end of the game by light
// random playouts from p with toMove first, as Pachi and Fuego do for
// final_status_list: dst[i] (for the i-th point of Points(size)) is the
// mean owner over the playouts, +1 Black and -1 White. It returns dst
// (allocated if too short).
func (p *Position) Ownership(toMove Color, rng *rand.Rand, playouts int, dst []float32) []float32 {
	pts := Points(p.size)
	if len(dst) < len(pts) {
		dst = make([]float32, len(pts))
	}
	dst = dst[:len(pts)]
	clear(dst)
	if playouts <= 0 {
		playouts = 1
	}
	var sum [numPoints]int32
	for range playouts {
		q := *p
		q.Playout(toMove, rng, 0, 0)
		q.addOwners(&sum)
	}
	for i, pt := range pts {
		dst[i] = float32(sum[pt]) / float32(playouts)
	}
	return dst
}

// addOwners adds +1 to sum at every point Black owns by area and -1 at
// every point White owns.
func (p *Position) addOwners(sum *[numPoints]int32) {
	for _, pt := range Points(p.size) {
		switch p.color[pt] {
		case Black:
			sum[pt]++
		case White:
			sum[pt]--
		}
	}
	p.emptyRegions(func(region []Point, reachB, reachW bool) {
		var v int32
		switch {
		case reachB && !reachW:
			v = 1
		case reachW && !reachB:
			v = -1
		}
		for _, s := range region {
			sum[s] += v
		}
	})
}

// AreaOwners writes the Tromp-Taylor owner of every point of p into dst
// (indexed like Points(size), allocated if too short) and returns it: +1
// a Black stone or an empty point reaching only Black, -1 the same for
// White, 0 an empty point reaching both or neither.
func (p *Position) AreaOwners(dst []int8) []int8 {
	var sum [numPoints]int32
	p.addOwners(&sum)
	pts := Points(p.size)
	if len(dst) < len(pts) {
		dst = make([]int8, len(pts))
	}
	dst = dst[:len(pts)]
	for i, pt := range pts {
		dst[i] = int8(sum[pt])
	}
	return dst
}
