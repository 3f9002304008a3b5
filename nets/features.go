package nets

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/rollout"
)

// FeaturesV1 is the name of tengen's first input feature set; see the
// package documentation for its planes.
const FeaturesV1 = "v1"

// FeaturesV2 is FeaturesV1 plus two ladder planes (AlphaGo's): the moves
// that capture an opponent chain in a ladder (LadderCaptures) and the
// moves that save an own chain in atari from a ladder (LadderEscapes).
const FeaturesV2 = "v2"

// Planes of FeaturesV2 after the FeaturesV1 ones.
const (
	PlaneLadderCapture = 29 // legal move capturing an opponent chain in a ladder
	PlaneLadderEscape  = 30 // legal move saving an own chain in atari (no ladder after it)
	NumPlanesV2        = 31
)

// FeaturesV3 is FeaturesV2 plus two planes read from PlayoutsV3 heavy
// playouts (rollout.DefaultPolicy) played from the position, the side to
// move first: the mean final owner of each point from the mover's view
// and, on every point, the mover's mean result. It is reading as input:
// the playouts settle life and death that the convolutions misjudge
// (docs/networks.md, "Sixteenth sitting"), at the cost of the playouts
// in every encoding.
const FeaturesV3 = "v3"

// Planes of FeaturesV3 after the FeaturesV2 ones, and its playouts.
const (
	PlanePlayoutOwner  = 31 // mean final area owner, +1 the mover, -1 the opponent
	PlanePlayoutResult = 32 // constant: the mover's mean result, +1 win, -1 loss, 0 jigo
	NumPlanesV3        = 33
	// PlayoutsV3 is the number of playouts behind the FeaturesV3 planes.
	PlayoutsV3 = 32
)

// Planes of FeaturesV1, in order. "Own" is the side to move.
const (
	PlaneOwn          = 0  // own stones
	PlaneOpp          = 1  // opponent stones
	PlaneEmpty        = 2  // empty points
	PlaneOwnLibs      = 3  // 4 planes: own stone whose chain has 1, 2, 3, 4+ liberties
	PlaneOppLibs      = 7  // 4 planes: the same for opponent stones
	PlaneLibsAfter    = 11 // 4 planes: legal move; own chain's liberties after it 1, 2, 3, 4+
	PlaneCapture      = 15 // 3 planes: legal move capturing 1, 2, 3+ stones
	PlaneSelfAtari    = 18 // 2 planes: legal move leaving its own chain of 1, 2+ stones in atari
	PlaneKo           = 20 // the simple-ko point the side to move may not take
	PlaneHistory      = 21 // 4 planes: the last, 2nd, 3rd, 4th last move (a stone point)
	PlaneLegal        = 25 // legal moves (simple ko; superko bans are too rare to encode)
	PlaneOnes         = 26 // all ones: marks the board inside zero padding
	PlaneBlackToMove  = 27 // all ones when Black is to move
	PlaneKomi         = 28 // komi from the mover's view / 10, clamped to +-1.5: +komi/10 for White, -komi/10 for Black
	NumPlanesV1       = 29
	historyPlanes     = 4
	komiScale         = 10.0
	komiClamp         = 1.5 // komi beyond +-15 encodes as +-15
	ownLibsPlanes     = 4
	captureSizePlanes = 3
)

// FeatureSet describes an input encoding.
type FeatureSet struct {
	Name   string
	planes int
	// playouts is FeaturesV3's playouts a position (0: PlayoutsV3).
	playouts int
}

// Planes returns the number of input planes.
func (f FeatureSet) Planes() int { return f.planes }

// Playouts returns the number of playouts behind FeaturesV3's playout
// planes (0 for the sets without them).
func (f FeatureSet) Playouts() int {
	if f.Name != FeaturesV3 {
		return 0
	}
	if f.playouts == 0 {
		return PlayoutsV3
	}
	return f.playouts
}

// WithPlayouts returns FeaturesV3 with n playouts a position instead of
// PlayoutsV3 (0 restores PlayoutsV3): fewer playouts encode faster and
// give noisier planes than the network was trained on (a search trades
// them for more visits; docs/perf.md). The first min(n, PlayoutsV3)
// playouts are the ones the default encoding plays. Other sets have no
// playouts: n must be 0 for them.
func (f FeatureSet) WithPlayouts(n int) (FeatureSet, error) {
	switch {
	case n < 0 || n > 1024:
		return FeatureSet{}, fmt.Errorf("nets: %d feature playouts outside 0..1024", n)
	case n != 0 && f.Name != FeaturesV3:
		return FeatureSet{}, fmt.Errorf("nets: feature set %q plays no playouts (only %q does)", f.Name, FeaturesV3)
	}
	f.playouts = n
	return f, nil
}

// FeatureSetByName returns the feature set called name.
func FeatureSetByName(name string) (FeatureSet, error) {
	switch name {
	case FeaturesV1:
		return FeatureSet{Name: FeaturesV1, planes: NumPlanesV1}, nil
	case FeaturesV2:
		return FeatureSet{Name: FeaturesV2, planes: NumPlanesV2}, nil
	case FeaturesV3:
		return FeatureSet{Name: FeaturesV3, planes: NumPlanesV3}, nil
	}
	return FeatureSet{}, fmt.Errorf("nets: unknown feature set %q", name)
}

// EncodeState writes the planes of f for a game state into dst
// (f.Planes()*size*size values), transformed by sym; see the package
// EncodeState for the layout. FeaturesV1 does not allocate; FeaturesV2
// does not once its ladder readers are warm; FeaturesV3 plays its
// playouts with a generator seeded from the state (the stones, the ko
// point, the side to move and komi), so that a state encodes the same
// under every symmetry and every time.
// Precondition: len(dst) >= f.Planes()*size*size; f is a set
// FeatureSetByName returned.
func (f FeatureSet) EncodeState(s *board.State, sym Symmetry, dst []float32) {
	EncodeState(s, sym, dst)
	if f.Name != FeaturesV2 && f.Name != FeaturesV3 {
		return
	}
	p := &s.Pos
	n := p.Size()
	area := n * n
	clear(dst[NumPlanesV1*area : NumPlanesV2*area])
	set := func(plane int) func(board.Point) {
		return func(pt board.Point) {
			x, y := pt.XY()
			x, y = sym.Apply(x, y, n)
			dst[plane*area+y*n+x] = 1
		}
	}
	LadderCaptures(p, s.ToMove, set(PlaneLadderCapture))
	LadderEscapes(p, s.ToMove, set(PlaneLadderEscape))
	if f.Name == FeaturesV3 {
		encodePlayouts(s, sym, f.Playouts(), dst[NumPlanesV2*area:NumPlanesV3*area])
	}
}

// encodePlayouts writes FeaturesV3's two playout planes, read from the
// given number of playouts, into dst (2*size*size values).
func encodePlayouts(s *board.State, sym Symmetry, playouts int, dst []float32) {
	p := &s.Pos
	n := p.Size()
	area := n * n
	seed := p.Hash() ^ math.Float64bits(s.Komi)*0x9e3779b97f4a7c15
	seed2 := uint64(s.ToMove)<<32 | uint64(p.Ko())
	rng := rand.New(rand.NewPCG(seed, seed2))
	last := board.Pass
	if s.NumRecent > 0 && s.Recent[0].Color != s.ToMove {
		last = s.Recent[0].Point
	}
	sign := int32(1)
	if s.ToMove == board.White {
		sign = -1
	}
	var sum [board.MaxSize * board.MaxSize]int32
	mover := func(int) board.Color { return s.ToMove }
	result := int(sign) * rollout.DefaultPolicy().OwnerSums(p, mover, last, s.Komi, playouts, rng, sum[:])
	own := dst[:area]
	for j, pt := range board.Points(n) {
		x, y := pt.XY()
		x, y = sym.Apply(x, y, n)
		own[y*n+x] = float32(sign*sum[j]) / float32(playouts)
	}
	res := float32(result) / float32(playouts)
	for i := area; i < 2*area; i++ {
		dst[i] = res
	}
}

// Encode writes the planes of f for g's current position; see
// FeatureSet.EncodeState.
func (f FeatureSet) Encode(g *board.Game, sym Symmetry, dst []float32) {
	s := g.State()
	f.EncodeState(&s, sym, dst)
}

// MustFeatureSet returns the feature set called name and panics if there
// is none: for specs already validated.
func MustFeatureSet(name string) FeatureSet {
	f, err := FeatureSetByName(name)
	if err != nil {
		panic(err)
	}
	return f
}

// Encode writes the FeaturesV1 planes of g's current position into dst;
// see EncodeState.
func Encode(g *board.Game, sym Symmetry, dst []float32) {
	s := g.State()
	EncodeState(&s, sym, dst)
}

// EncodeState writes the FeaturesV1 planes of a game state, with the side
// to move as "own", into dst (NumPlanesV1*size*size values, plane by plane,
// rows from the top), transformed by sym. It does not allocate.
// Precondition: len(dst) >= NumPlanesV1*size*size.
func EncodeState(s *board.State, sym Symmetry, dst []float32) {
	p := &s.Pos
	n := p.Size()
	area := n * n
	dst = dst[:NumPlanesV1*area]
	clear(dst)
	own := s.ToMove
	opp := own.Opponent()
	set := func(plane int, pt board.Point, v float32) {
		x, y := pt.XY()
		x, y = sym.Apply(x, y, n)
		dst[plane*area+y*n+x] = v
	}
	fill := func(plane int, v float32) {
		for i := plane * area; i < (plane+1)*area; i++ {
			dst[i] = v
		}
	}
	for _, pt := range board.Points(n) {
		switch p.At(pt) {
		case own:
			set(PlaneOwn, pt, 1)
			set(PlaneOwnLibs+min(p.Liberties(pt), ownLibsPlanes)-1, pt, 1)
		case opp:
			set(PlaneOpp, pt, 1)
			set(PlaneOppLibs+min(p.Liberties(pt), ownLibsPlanes)-1, pt, 1)
		default:
			set(PlaneEmpty, pt, 1)
			if !p.Legal(own, pt) {
				continue
			}
			set(PlaneLegal, pt, 1)
			info := p.MoveInfo(own, pt)
			set(PlaneLibsAfter+min(info.Liberties, 4)-1, pt, 1)
			if info.Captured > 0 {
				set(PlaneCapture+min(info.Captured, captureSizePlanes)-1, pt, 1)
			}
			if info.Liberties == 1 {
				set(PlaneSelfAtari+min(info.ChainSize, 2)-1, pt, 1)
			}
		}
	}
	if ko := p.Ko(); ko != board.Pass && p.KoColor() == own {
		set(PlaneKo, ko, 1)
	}
	for i, m := range s.Recent[:min(s.NumRecent, historyPlanes)] {
		if m.Point != board.Pass {
			set(PlaneHistory+i, m.Point, 1)
		}
	}
	fill(PlaneOnes, 1)
	if own == board.Black {
		fill(PlaneBlackToMove, 1)
	}
	// Clamped to +-komiClamp: game records hold komi of +-100 (KGS
	// handicap arrangements), and a plane of 10s among 0/1 planes made
	// supervised training diverge.
	k := float32(max(-komiClamp, min(komiClamp, s.Komi/komiScale)))
	if own == board.Black {
		k = -k
	}
	fill(PlaneKomi, k)
}

// Symmetry is one of the 8 symmetries of the square board: bit 2
// transposes (x, y) -> (y, x), then bit 0 mirrors x and bit 1 mirrors y.
// Symmetry 0 is the identity.
type Symmetry uint8

// NumSymmetries is the number of board symmetries.
const NumSymmetries = 8

// Apply maps (x, y) on an n x n board.
func (s Symmetry) Apply(x, y, n int) (int, int) {
	if s&4 != 0 {
		x, y = y, x
	}
	if s&1 != 0 {
		x = n - 1 - x
	}
	if s&2 != 0 {
		y = n - 1 - y
	}
	return x, y
}

// Inverse returns the symmetry that undoes s.
func (s Symmetry) Inverse() Symmetry {
	if s&4 == 0 {
		return s
	}
	// (transpose, then mirror x, mirror y) is undone by mirroring first
	// and transposing after, which equals transposing then mirroring the
	// swapped axes.
	return 4 | (s&1)<<1 | (s&2)>>1
}

// Point maps a board point (Pass maps to Pass).
func (s Symmetry) Point(pt board.Point, n int) board.Point {
	if pt == board.Pass {
		return pt
	}
	x, y := pt.XY()
	x, y = s.Apply(x, y, n)
	return board.PointAt(x, y)
}

// UntransformPolicy writes into dst (n*n+1 values) the policy of the
// original board from src, the policy the network gave for the board
// transformed by s: dst[p] = src[s(p)]; the pass entry is copied.
func (s Symmetry) UntransformPolicy(src, dst []float32, n int) {
	s.UntransformPlane(src, dst, n)
	dst[n*n] = src[n*n]
}

// UntransformPlane writes into dst (n*n values) the plane of the original
// board from src, a plane (an ownership output) of the board transformed
// by s: dst[p] = src[s(p)].
func (s Symmetry) UntransformPlane(src, dst []float32, n int) {
	var from [board.MaxSize * board.MaxSize]int32
	s.sources(n, from[:n*n])
	for i, j := range from[:n*n] {
		dst[i] = src[j]
	}
}

// sources fills from (n*n values) with the mapping of UntransformPlane:
// from[p] = s(p), as row-major indexes.
func (s Symmetry) sources(n int, from []int32) {
	for y := range n {
		for x := range n {
			tx, ty := s.Apply(x, y, n)
			from[y*n+x] = int32(ty*n + tx)
		}
	}
}

// TransformPlanes writes into dst the planes of src (planes*n*n values,
// encoded under the identity) as they are encoded under s:
// dst[plane][s(p)] = src[plane][p]. Every feature set encodes this way, so
// a position evaluated under several symmetries is encoded once, which
// matters where the encoding plays playouts (FeaturesV3).
// Precondition: src and dst do not overlap; both hold planes*n*n values.
func (s Symmetry) TransformPlanes(src, dst []float32, planes, n int) {
	area := n * n
	// UntransformPlane of the inverse, its mapping worked out once for
	// all the planes.
	var from [board.MaxSize * board.MaxSize]int32
	s.Inverse().sources(n, from[:area])
	for pl := range planes {
		sp, dp := src[pl*area:(pl+1)*area], dst[pl*area:(pl+1)*area]
		for i, j := range from[:area] {
			dp[i] = sp[j]
		}
	}
}

// MoveIndex returns the policy index of a point on an n x n board: row-major
// from the top left, n*n for Pass.
func MoveIndex(pt board.Point, n int) int {
	if pt == board.Pass {
		return n * n
	}
	x, y := pt.XY()
	return y*n + x
}

// IndexMove is the inverse of MoveIndex.
func IndexMove(i, n int) board.Point {
	if i == n*n {
		return board.Pass
	}
	return board.PointAt(i%n, i/n)
}
