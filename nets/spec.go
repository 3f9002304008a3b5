package nets

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// Layer kinds of the shared stack.
const (
	KindConv      = "conv"      // k x k convolution, stride 1, same padding, bias
	KindReLU      = "relu"      // max(0, x)
	KindLRN       = "lrn"       // local response normalization across channels
	KindMaxPool   = "maxpool"   // max pooling, size x size, stride, padding size/2 (stride 1 keeps the map size)
	KindDropout   = "dropout"   // training only; identity at inference
	KindBatchNorm = "batchnorm" // per-channel; folded into the convolution before it at inference
	KindDense     = "dense"     // fully connected
	KindTanh      = "tanh"
)

// Layer is one layer of a stack. Which fields matter depends on Kind; the
// others stay zero.
type Layer struct {
	Kind string `json:"kind"`

	// conv: output channels and kernel size (odd). dense: output units.
	Filters int `json:"filters,omitempty"`
	Kernel  int `json:"kernel,omitempty"`
	Units   int `json:"units,omitempty"`

	// lrn (AlexNet form): b = a / (K + Alpha/N * sum over N neighbouring
	// channels of a^2)^Beta. Zero values mean the defaults 5, 2, 1e-4, 0.75.
	N     int     `json:"n,omitempty"`
	K     float64 `json:"k,omitempty"`
	Alpha float64 `json:"alpha,omitempty"`
	Beta  float64 `json:"beta,omitempty"`

	// maxpool: window Size (default 3) and Stride (default 1); padding is
	// Size/2 with -inf, so stride 1 preserves the board and stride 2 halves
	// it (rounding up) as AlexNet's overlapping pooling did.
	Size   int `json:"size,omitempty"`
	Stride int `json:"stride,omitempty"`

	// dropout: probability of dropping a unit in training.
	Rate float64 `json:"rate,omitempty"`

	// batchnorm: epsilon (default 1e-5).
	Epsilon float64 `json:"epsilon,omitempty"`
}

// WithDefaults returns l with zero parameters replaced by their defaults
// (LRN 5, 2, 1e-4, 0.75; max-pooling 3, 1; batch norm epsilon 1e-5): what
// every backend computes.
func (l Layer) WithDefaults() Layer {
	switch l.Kind {
	case KindLRN:
		if l.N == 0 {
			l.N = 5
		}
		if l.K == 0 {
			l.K = 2
		}
		if l.Alpha == 0 {
			l.Alpha = 1e-4
		}
		if l.Beta == 0 {
			l.Beta = 0.75
		}
	case KindMaxPool:
		if l.Size == 0 {
			l.Size = 3
		}
		if l.Stride == 0 {
			l.Stride = 1
		}
	case KindBatchNorm:
		if l.Epsilon == 0 {
			l.Epsilon = 1e-5
		}
	}
	return l
}

// PolicyHead says how policy logits are made from the trunk's output.
//
//	"dense": 1x1 conv (Filters) -> ReLU -> dense to size*size+1 logits.
//	"conv":  1x1 conv (Filters) -> ReLU -> 1x1 conv to 1 channel for the
//	         points, plus a pass logit from a dense layer over the
//	         Filters-channel map.
type PolicyHead struct {
	Kind    string  `json:"kind"`
	Filters int     `json:"filters"`
	Dropout float64 `json:"dropout,omitempty"` // before the dense layer, training only
}

// Value head kinds.
const (
	// ValueFlat (also the empty kind, what every spec before the pooled
	// head means): 1x1 conv (Filters) -> ReLU -> flatten (Filters*H*W) ->
	// dense (Hidden) -> ReLU -> dropout (Dropout) -> dense (1) -> tanh.
	ValueFlat = "flat"
	// ValuePool (KataGo's global pooling): 1x1 conv (Filters) -> ReLU ->
	// per channel the mean and the maximum over the map (2*Filters values,
	// means first, whatever the board size) -> dense (Hidden) -> ReLU ->
	// dropout (Dropout) -> dense (1) -> tanh.
	ValuePool = "pool"
)

// ValueHead is the value head: the expected result in [-1, 1] for the side
// to move. Kind is ValueFlat (or empty) or ValuePool; see those constants.
type ValueHead struct {
	Kind    string  `json:"kind,omitempty"`
	Filters int     `json:"filters"`
	Hidden  int     `json:"hidden"`
	Dropout float64 `json:"dropout,omitempty"`
}

// Pooled reports whether the value head pools globally (ValuePool).
func (v ValueHead) Pooled() bool { return v.Kind == ValuePool }

// OwnershipHead is the optional ownership head, present when Filters > 0:
// 1x1 conv (Filters) -> ReLU -> 1x1 conv to 1 channel -> tanh, one value
// per point of the (board-sized) trunk output. +1 means the side to move
// will own the point at the end of the game (its stone, or territory
// reaching only its stones, after dead stones are removed), -1 the
// opponent; 0 is neither (dame, seki liberties). Outputs and training
// targets are in the frame of the input (transformed by its symmetry).
type OwnershipHead struct {
	Filters int `json:"filters"`
}

// ScoreHead is the optional score head, present when Hidden > 0: from the
// pooled features of a ValuePool value head (its 2*Filters means and
// maxima, shared with the value), dense (Hidden) -> ReLU -> dense (1): the
// expected final score margin for the side to move, in points (area
// scoring, komi included): a scalar mean, not a distribution. It needs a
// pooled value head.
type ScoreHead struct {
	Hidden int `json:"hidden"`
}

// Spec describes a whole network for one board size: the input features,
// a shared trunk, the policy and value heads and the optional ownership
// and score heads. One Spec drives both the training
// graph and every inference backend, and is stored in the weights file.
//
// Ownership and Score are optional (zero: absent, and left out of the
// JSON), so specs and weights files from before they existed read as
// before.
type Spec struct {
	Name      string        `json:"name,omitempty"`
	BoardSize int           `json:"board_size"`
	Features  string        `json:"features"` // feature set, see FeatureSet
	Trunk     []Layer       `json:"trunk"`
	Policy    PolicyHead    `json:"policy"`
	Value     ValueHead     `json:"value"`
	Ownership OwnershipHead `json:"ownership,omitzero"`
	Score     ScoreHead     `json:"score,omitzero"`
}

// HasOwnership reports whether the network has an ownership head.
func (s Spec) HasOwnership() bool { return s.Ownership.Filters > 0 }

// HasScore reports whether the network has a score head.
func (s Spec) HasScore() bool { return s.Score.Hidden > 0 }

// Area returns BoardSize*BoardSize: the ownership outputs per position.
func (s Spec) Area() int { return s.BoardSize * s.BoardSize }

// DefaultSpec returns tengen's default AlexNet-style network for a board
// size: a 5x5 convolution, then 3x3 ones, 64 filters, LRN and overlapping
// (size-preserving) max-pooling after the first two, dropout in the value
// head. The policy head is the fully convolutional "conv" kind (as in
// AlphaGo's SL network and Clark & Storkey's): measured on the KGS set with
// this trunk, the "dense" head (AlphaGo Zero's) stayed at the uniform loss
// ln(362) for 120k training positions with SGD or Adam, while "conv" fell to
// a policy loss of 4.4 (9% top-1) within 13k; the dense head has to learn
// every point's mapping separately and only pays off with far more data.
// The heads' 1x1 convolutions have 16 (policy) and 8 (value) filters, not
// AlphaGo Zero's 2 and 1: without batch norm a head whose few ReLU
// channels all go negative is dead for good. A 2-channel policy head died
// within the first hundred SGD steps (every logit equal, loss stuck at
// ln(362); one seed of two), and a 2-channel value head died on 19x19
// within 3,000 Adam steps as the shared trunk changed under it (constant
// output, MSE 1.000); wider heads keep channels alive.
func DefaultSpec(size int) Spec {
	conv := func(k int) Layer { return Layer{Kind: KindConv, Filters: 64, Kernel: k} }
	relu := Layer{Kind: KindReLU}
	lrn := Layer{Kind: KindLRN}
	pool := Layer{Kind: KindMaxPool, Size: 3, Stride: 1}
	return Spec{
		Name:      fmt.Sprintf("alex6x64-%d", size),
		BoardSize: size,
		Features:  FeaturesV1,
		Trunk: []Layer{
			conv(5), relu, lrn, pool,
			conv(3), relu, lrn, pool,
			conv(3), relu,
			conv(3), relu,
			conv(3), relu,
			conv(3), relu,
		},
		Policy: PolicyHead{Kind: "conv", Filters: 16},
		Value:  ValueHead{Filters: 8, Hidden: 128, Dropout: 0.5},
	}
}

// Shape is the size of a feature map: channels x height x width.
type Shape struct{ C, H, W int }

// Len returns C*H*W.
func (s Shape) Len() int { return s.C * s.H * s.W }

// ErrSpec is wrapped by every spec validation error.
var ErrSpec = errors.New("nets: bad spec")

// Validate checks the spec and returns the shape after each trunk layer.
func (s Spec) Validate() error {
	_, err := s.TrunkShapes()
	return err
}

// InputShape returns the shape of one encoded position.
func (s Spec) InputShape() (Shape, error) {
	fs, err := FeatureSetByName(s.Features)
	if err != nil {
		return Shape{}, fmt.Errorf("%w: %v", ErrSpec, err)
	}
	if s.BoardSize < 2 || s.BoardSize > 25 {
		return Shape{}, fmt.Errorf("%w: board size %d", ErrSpec, s.BoardSize)
	}
	return Shape{fs.Planes(), s.BoardSize, s.BoardSize}, nil
}

// Moves returns the number of policy outputs: size*size points + pass.
func (s Spec) Moves() int { return s.BoardSize*s.BoardSize + 1 }

// TrunkShapes returns the input shape followed by the shape after each
// trunk layer, or the first error in the spec.
func (s Spec) TrunkShapes() ([]Shape, error) {
	in, err := s.InputShape()
	if err != nil {
		return nil, err
	}
	shapes := []Shape{in}
	cur := in
	for i, l := range s.Trunk {
		l = l.WithDefaults()
		bad := func(format string, args ...any) error {
			return fmt.Errorf("%w: trunk layer %d (%s): %s", ErrSpec, i, l.Kind, fmt.Sprintf(format, args...))
		}
		switch l.Kind {
		case KindConv:
			if l.Filters <= 0 || l.Kernel <= 0 || l.Kernel%2 == 0 {
				return nil, bad("need filters > 0 and an odd kernel, have %d, %d", l.Filters, l.Kernel)
			}
			cur.C = l.Filters
		case KindReLU, KindTanh:
		case KindLRN:
			if l.N <= 0 || l.K <= 0 || l.Alpha < 0 || l.Beta <= 0 {
				return nil, bad("bad parameters n=%d k=%v alpha=%v beta=%v", l.N, l.K, l.Alpha, l.Beta)
			}
		case KindMaxPool:
			if l.Size <= 0 || l.Size%2 == 0 || l.Stride <= 0 {
				return nil, bad("need an odd size and stride > 0, have %d, %d", l.Size, l.Stride)
			}
			cur.H = (cur.H + l.Stride - 1) / l.Stride
			cur.W = (cur.W + l.Stride - 1) / l.Stride
		case KindDropout:
			if l.Rate < 0 || l.Rate >= 1 {
				return nil, bad("rate %v outside [0, 1)", l.Rate)
			}
		case KindBatchNorm:
			if i == 0 || s.Trunk[i-1].Kind != KindConv {
				return nil, bad("batch norm must follow a convolution")
			}
		case KindDense:
			return nil, bad("dense layers belong in the heads")
		default:
			return nil, bad("unknown kind")
		}
		shapes = append(shapes, cur)
	}
	out := shapes[len(shapes)-1]
	switch s.Policy.Kind {
	case "dense":
	case "conv":
		if out.H != s.BoardSize {
			return nil, fmt.Errorf("%w: a conv policy head needs a board-sized trunk output, have %dx%d", ErrSpec, out.H, out.W)
		}
	default:
		return nil, fmt.Errorf("%w: policy head kind %q (want dense or conv)", ErrSpec, s.Policy.Kind)
	}
	if s.Policy.Filters <= 0 || s.Value.Filters <= 0 || s.Value.Hidden <= 0 {
		return nil, fmt.Errorf("%w: head sizes must be positive", ErrSpec)
	}
	if s.Policy.Dropout < 0 || s.Policy.Dropout >= 1 || s.Value.Dropout < 0 || s.Value.Dropout >= 1 {
		return nil, fmt.Errorf("%w: head dropout outside [0, 1)", ErrSpec)
	}
	switch s.Value.Kind {
	case "", ValueFlat, ValuePool:
	default:
		return nil, fmt.Errorf("%w: value head kind %q (want %s or %s)", ErrSpec, s.Value.Kind, ValueFlat, ValuePool)
	}
	if s.Ownership.Filters < 0 || s.Score.Hidden < 0 {
		return nil, fmt.Errorf("%w: negative ownership or score head size", ErrSpec)
	}
	if s.HasOwnership() && (out.H != s.BoardSize || out.W != s.BoardSize) {
		return nil, fmt.Errorf("%w: an ownership head needs a board-sized trunk output, have %dx%d", ErrSpec, out.H, out.W)
	}
	if s.HasScore() && !s.Value.Pooled() {
		return nil, fmt.Errorf("%w: a score head needs a %q value head (it shares its pooled features)", ErrSpec, ValuePool)
	}
	return shapes, nil
}

// ParseSpec reads a JSON spec and validates it.
func ParseSpec(data []byte) (Spec, error) {
	var s Spec
	if err := json.Unmarshal(data, &s); err != nil {
		return Spec{}, fmt.Errorf("%w: %v", ErrSpec, err)
	}
	return s, s.Validate()
}

// FLOPs returns the multiply-adds times two of one forward pass of one
// position through the convolutions and dense layers (the arithmetic that
// matters; activations, LRN and pooling are not counted).
func (s Spec) FLOPs() float64 {
	shapes, err := s.TrunkShapes()
	if err != nil {
		return math.NaN()
	}
	var f float64
	for i, l := range s.Trunk {
		if l.Kind == KindConv {
			in, out := shapes[i], shapes[i+1]
			f += 2 * float64(in.C*l.Kernel*l.Kernel) * float64(out.Len())
		}
	}
	t := shapes[len(shapes)-1]
	area := float64(t.H * t.W)
	// policy
	f += 2 * float64(t.C*s.Policy.Filters) * area
	if s.Policy.Kind == "dense" {
		f += 2 * float64(s.Policy.Filters) * area * float64(s.Moves())
	} else {
		f += 2*float64(s.Policy.Filters)*area + 2*float64(s.Policy.Filters)*area
	}
	// value
	f += 2 * float64(t.C*s.Value.Filters) * area
	if s.Value.Pooled() {
		f += 2*float64(2*s.Value.Filters)*float64(s.Value.Hidden) + 2*float64(s.Value.Hidden)
	} else {
		f += 2*float64(s.Value.Filters)*area*float64(s.Value.Hidden) + 2*float64(s.Value.Hidden)
	}
	if s.HasOwnership() {
		f += 2*float64(t.C*s.Ownership.Filters)*area + 2*float64(s.Ownership.Filters)*area
	}
	if s.HasScore() {
		f += 2*float64(2*s.Value.Filters)*float64(s.Score.Hidden) + 2*float64(s.Score.Hidden)
	}
	return f
}
