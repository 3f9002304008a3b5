package board

// Zobrist keys, generated from a fixed seed with splitmix64 so that hashes
// are the same in every run and every build. Read-only after start-up.
var (
	zobristStone  [3][numPoints]uint64 // [colour][point]; index 0 unused
	zobristToMove [3]uint64            // side to move, for situational superko
)

func init() {
	s := uint64(0x7465_6e67_656e_2121) // "tengen!!"
	next := func() uint64 {
		s += 0x9e3779b97f4a7c15
		z := s
		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
		z = (z ^ (z >> 27)) * 0x94d049bb133111eb
		return z ^ (z >> 31)
	}
	for c := Black; c <= White; c++ {
		// The last cell is off the board (it holds no stone): keys for
		// the others only, so that hashes stay what they were before
		// the array grew by that cell.
		for p := range numPoints - 1 {
			zobristStone[c][p] = next()
		}
	}
	zobristToMove[Black] = next()
	zobristToMove[White] = next()
}
