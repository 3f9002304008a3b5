package tape

import (
	"fmt"
	"sync"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"

	"github.com/tengen-go/tengen/nets"
)

// buildMu serialises graph construction: gorgonia keeps package-level state
// (node hash-consing, the stabilisation tables) that is not safe for
// concurrent graph building.
var buildMu sync.Mutex

// netGraph is one network unrolled for one batch size, for inference or for
// training. Inference and training graphs come from the same builder; they
// differ only in batch norm statistics (running vs batch), dropout (identity
// vs a mask input) and the loss nodes.
type netGraph struct {
	spec  nets.Spec
	batch int
	train bool
	dt    tensor.Dtype
	g     *G.ExprGraph

	infos  []nets.ParamInfo
	params []*G.Node // per info; nil for batch norm running stats in training graphs

	input  *G.Node // (batch, C, H, W)
	policy *G.Node // (batch, Moves) logits
	value  *G.Node // (batch) in [-1, 1]
	own    *G.Node // (batch, H*W) in [-1, 1], or nil
	score  *G.Node // (batch), or nil

	// Training only.
	drops     []dropout            // mask inputs, filled before each run
	bnStats   []bnStat             // batch statistics, read after each run
	polTarget *G.Node              // (batch, Moves), rows summing to 1 or 0
	valTarget *G.Node              // (batch)
	valWeight *G.Node              // (batch): mask / number of masked-in samples
	polLoss   *G.Node              // scalar: mean cross-entropy
	valLoss   *G.Node              // scalar: masked mean squared error
	ownTarget *G.Node              // (batch, H*W); with ownership
	ownWeight *G.Node              // (batch): mask / masked-in samples / H*W
	ownLoss   *G.Node              // scalar: masked mean over samples and points of the squared error; or nil
	scTarget  *G.Node              // (batch); with score
	scWeight  *G.Node              // (batch): mask / masked-in samples
	scLoss    *G.Node              // scalar: masked mean Huber loss of the scaled error; or nil
	l2Loss    *G.Node              // scalar or nil
	cost      *G.Node              // scalar
	reads     map[*G.Node]*G.Value // filled by Read nodes; see trainMachine
}

// dropout is one dropout layer of a training graph: mask holds, per unit,
// 0 or 1/(1-rate).
type dropout struct {
	mask *G.Node
	rate float64
}

// bnStat is one batch norm layer's batch statistics in a training graph.
type bnStat struct {
	mean, variance *G.Node // (C), biased variance
	count          int     // values per channel: batch*H*W
	meanParam      int     // index in infos of the running mean
	varParam       int     // and of the running variance
}

// graphOpts is what a graph is built for.
type graphOpts struct {
	batch int
	train bool
	dt    tensor.Dtype // tensor.Float32 or tensor.Float64
	l2    float64      // training: L2 coefficient on weights (".w")
	vw    float64      // training: value loss weight
	ow    float64      // training: ownership loss weight
	sw    float64      // training: score loss weight
}

// isTransposed reports whether a parameter is stored in the graph
// transposed: dense weights, [out, in] in nets, are [in, out] in the graph
// so that x (batch, in) times them needs no transpose at run time.
func isTransposed(info nets.ParamInfo) bool {
	return len(info.Shape) == 2
}

func graphShape(info nets.ParamInfo) []int {
	if isTransposed(info) {
		return []int{info.Shape[1], info.Shape[0]}
	}
	return info.Shape
}

// buildGraph builds the graph of w.Spec with its parameter nodes holding
// the values of w.
func buildGraph(w *nets.Weights, o graphOpts) (ng *netGraph, err error) {
	if err := w.Check(); err != nil {
		return nil, err
	}
	buildMu.Lock()
	defer buildMu.Unlock()
	// gorgonia panics on some shape errors instead of returning them.
	defer func() {
		if r := recover(); r != nil {
			ng, err = nil, fmt.Errorf("tape: building graph: %v", r)
		}
	}()
	b := &builder{ng: &netGraph{spec: w.Spec, batch: o.batch, train: o.train, dt: o.dt, g: G.NewGraph()}, o: o}
	if err := b.build(w); err != nil {
		return nil, fmt.Errorf("tape: building graph: %w", err)
	}
	return b.ng, nil
}

type builder struct {
	ng *netGraph
	o  graphOpts
}

func (b *builder) param(name string) (*G.Node, error) {
	for i, info := range b.ng.infos {
		if info.Name == name {
			return b.ng.params[i], nil
		}
	}
	return nil, fmt.Errorf("no parameter %s", name)
}

func (b *builder) scalar(v float64) *G.Node {
	if b.o.dt == tensor.Float64 {
		return G.NewConstant(v)
	}
	return G.NewConstant(float32(v))
}

func (b *builder) inputNode(name string, shape ...int) *G.Node {
	t := newDense(b.o.dt, shape, nil)
	return G.NewTensor(b.ng.g, b.o.dt, len(shape), G.WithShape(shape...), G.WithName(name), G.WithValue(t))
}

func (b *builder) build(w *nets.Weights) error {
	ng := b.ng
	spec := w.Spec
	infos, err := spec.Params()
	if err != nil {
		return err
	}
	shapes, err := spec.TrunkShapes()
	if err != nil {
		return err
	}
	ng.infos = infos
	ng.params = make([]*G.Node, len(infos))
	for i, info := range infos {
		if b.o.train && !info.Trainable {
			continue // running statistics are not used by the training graph
		}
		data := w.Tensors[i].Data
		shape := graphShape(info)
		if isTransposed(info) {
			data = transpose(data, info.Shape[0], info.Shape[1])
		}
		t := newDense(b.o.dt, shape, data)
		ng.params[i] = G.NewTensor(ng.g, b.o.dt, len(shape), G.WithShape(shape...), G.WithName(info.Name), G.WithValue(t))
	}
	in := shapes[0]
	ng.input = b.inputNode("input", b.o.batch, in.C, in.H, in.W)

	x := ng.input
	for i, l := range spec.Trunk {
		if x, err = b.layer(i, l, x, shapes[i]); err != nil {
			return fmt.Errorf("trunk layer %d (%s): %w", i, l.Kind, err)
		}
	}
	t := shapes[len(shapes)-1]
	if ng.policy, err = b.policyHead(x, t); err != nil {
		return fmt.Errorf("policy head: %w", err)
	}
	var pooled *G.Node
	if ng.value, pooled, err = b.valueHead(x, t); err != nil {
		return fmt.Errorf("value head: %w", err)
	}
	if spec.HasOwnership() {
		if ng.own, err = b.ownershipHead(x, t); err != nil {
			return fmt.Errorf("ownership head: %w", err)
		}
	}
	if spec.HasScore() {
		if ng.score, err = b.scoreHead(pooled); err != nil {
			return fmt.Errorf("score head: %w", err)
		}
	}
	if b.o.train {
		return b.loss()
	}
	return nil
}

// layer applies trunk layer i to x of shape in.
func (b *builder) layer(i int, l nets.Layer, x *G.Node, in nets.Shape) (*G.Node, error) {
	l = l.WithDefaults()
	switch l.Kind {
	case nets.KindConv:
		w, err := b.param(fmt.Sprintf("trunk.%d.w", i))
		if err != nil {
			return nil, err
		}
		bias, err := b.param(fmt.Sprintf("trunk.%d.b", i))
		if err != nil {
			return nil, err
		}
		return conv(x, w, bias, l.Kernel)
	case nets.KindReLU:
		return G.Rectify(x)
	case nets.KindTanh:
		return G.Tanh(x)
	case nets.KindLRN:
		return b.lrn(x, l, in.C)
	case nets.KindMaxPool:
		return maxPool(x, l.Size, l.Stride)
	case nets.KindDropout:
		return b.dropout(x, l.Rate, fmt.Sprintf("trunk.%d.mask", i))
	case nets.KindBatchNorm:
		return b.batchNorm(i, l, x, in.C)
	}
	return nil, fmt.Errorf("unknown layer kind %q", l.Kind)
}

// conv is a k x k convolution, stride 1, zero "same" padding, plus a bias
// per output channel.
func conv(x, w, bias *G.Node, k int) (*G.Node, error) {
	y, err := G.Conv2d(x, w, tensor.Shape{k, k}, []int{k / 2, k / 2}, []int{1, 1}, []int{1, 1})
	if err != nil {
		return nil, err
	}
	return G.BroadcastAdd(y, bias, nil, []byte{0, 2, 3})
}

// dense is x (batch, in) times wT (in, out) plus bias (out).
func dense(x, wT, bias *G.Node) (*G.Node, error) {
	y, err := G.Mul(x, wT)
	if err != nil {
		return nil, err
	}
	return G.BroadcastAdd(y, bias, nil, []byte{0})
}

// maxPool is size x size max pooling with the given stride and padding
// size/2. Gorgonia's MaxPool2D starts every window at the lowest float and
// only visits positions inside the map, so its padding acts as -inf, as
// nets specifies (TestMaxPoolNegative checks it on negative inputs).
func maxPool(x *G.Node, size, stride int) (*G.Node, error) {
	return G.MaxPool2D(x, tensor.Shape{size, size}, []int{size / 2, size / 2}, []int{stride, stride})
}

// lrn is AlexNet's local response normalisation across channels:
// x / (K + Alpha/N * sum of x^2 over the channel window)^Beta. The window
// sum is a 1x1 convolution of x^2 with a constant banded C x C filter.
func (b *builder) lrn(x *G.Node, l nets.Layer, channels int) (*G.Node, error) {
	sq, err := G.Square(x)
	if err != nil {
		return nil, err
	}
	band := make([]float64, channels*channels)
	for o := range channels {
		for c := max(0, o-l.N/2); c <= min(channels-1, o+l.N/2); c++ {
			band[o*channels+c] = l.Alpha / float64(l.N)
		}
	}
	return b.lrnTail(x, sq, newDense64(b.o.dt, []int{channels, channels, 1, 1}, band), l)
}

func (b *builder) lrnTail(x, sq *G.Node, band *tensor.Dense, l nets.Layer) (*G.Node, error) {
	bandNode := G.NewTensor(b.ng.g, b.o.dt, 4, G.WithShape(band.Shape()...), G.WithName(fmt.Sprintf("lrnband.%p", band)), G.WithValue(band))
	s, err := G.Conv2d(sq, bandNode, tensor.Shape{1, 1}, []int{0, 0}, []int{1, 1}, []int{1, 1})
	if err != nil {
		return nil, err
	}
	d, err := G.Add(s, b.scalar(l.K))
	if err != nil {
		return nil, err
	}
	p, err := G.Pow(d, b.scalar(-l.Beta))
	if err != nil {
		return nil, err
	}
	return G.HadamardProd(x, p)
}

// dropout multiplies x by a mask input in training graphs (inverted
// dropout: the trainer fills it with 0 or 1/(1-rate)); it is the identity
// in inference graphs and for rate 0.
func (b *builder) dropout(x *G.Node, rate float64, name string) (*G.Node, error) {
	if !b.o.train || rate == 0 {
		return x, nil
	}
	mask := b.inputNode(name, x.Shape()...)
	b.ng.drops = append(b.ng.drops, dropout{mask: mask, rate: rate})
	return G.HadamardProd(x, mask)
}

// batchNorm normalises per channel with batch statistics (training) or the
// running statistics (inference), then scales by gamma and shifts by beta.
func (b *builder) batchNorm(i int, l nets.Layer, x *G.Node, channels int) (*G.Node, error) {
	gamma, err := b.param(fmt.Sprintf("trunk.%d.gamma", i))
	if err != nil {
		return nil, err
	}
	beta, err := b.param(fmt.Sprintf("trunk.%d.beta", i))
	if err != nil {
		return nil, err
	}
	var mean, variance *G.Node
	if b.o.train {
		if mean, err = G.Mean(x, 0, 2, 3); err != nil {
			return nil, err
		}
		centred, err := G.BroadcastSub(x, mean, nil, []byte{0, 2, 3})
		if err != nil {
			return nil, err
		}
		sq, err := G.Square(centred)
		if err != nil {
			return nil, err
		}
		if variance, err = G.Mean(sq, 0, 2, 3); err != nil {
			return nil, err
		}
		s := bnStat{mean: mean, variance: variance, count: x.Shape()[0] * x.Shape()[2] * x.Shape()[3]}
		for j, info := range b.ng.infos {
			switch info.Name {
			case fmt.Sprintf("trunk.%d.mean", i):
				s.meanParam = j
			case fmt.Sprintf("trunk.%d.var", i):
				s.varParam = j
			}
		}
		b.ng.bnStats = append(b.ng.bnStats, s)
		inv, err := b.invStd(variance, l.Epsilon)
		if err != nil {
			return nil, err
		}
		scale, err := G.HadamardProd(gamma, inv)
		if err != nil {
			return nil, err
		}
		y, err := G.BroadcastHadamardProd(centred, scale, nil, []byte{0, 2, 3})
		if err != nil {
			return nil, err
		}
		return G.BroadcastAdd(y, beta, nil, []byte{0, 2, 3})
	}
	if mean, err = b.param(fmt.Sprintf("trunk.%d.mean", i)); err != nil {
		return nil, err
	}
	if variance, err = b.param(fmt.Sprintf("trunk.%d.var", i)); err != nil {
		return nil, err
	}
	// y = x*scale + (beta - mean*scale), scale = gamma/sqrt(var+eps)
	inv, err := b.invStd(variance, l.Epsilon)
	if err != nil {
		return nil, err
	}
	scale, err := G.HadamardProd(gamma, inv)
	if err != nil {
		return nil, err
	}
	ms, err := G.HadamardProd(mean, scale)
	if err != nil {
		return nil, err
	}
	shift, err := G.Sub(beta, ms)
	if err != nil {
		return nil, err
	}
	y, err := G.BroadcastHadamardProd(x, scale, nil, []byte{0, 2, 3})
	if err != nil {
		return nil, err
	}
	return G.BroadcastAdd(y, shift, nil, []byte{0, 2, 3})
}

func (b *builder) invStd(variance *G.Node, eps float64) (*G.Node, error) {
	v, err := G.Add(variance, b.scalar(eps))
	if err != nil {
		return nil, err
	}
	// Not G.InverseSqrt: its gradient is wrong in gorgonia v0.9.18.
	return G.Pow(v, b.scalar(-0.5))
}

// headConv is a head's 1x1 convolution and ReLU.
func (b *builder) headConv(x *G.Node, prefix string) (*G.Node, error) {
	w, err := b.param(prefix + ".w")
	if err != nil {
		return nil, err
	}
	bias, err := b.param(prefix + ".b")
	if err != nil {
		return nil, err
	}
	y, err := conv(x, w, bias, 1)
	if err != nil {
		return nil, err
	}
	return G.Rectify(y)
}

func (b *builder) denseParam(x *G.Node, prefix string) (*G.Node, error) {
	w, err := b.param(prefix + ".w")
	if err != nil {
		return nil, err
	}
	bias, err := b.param(prefix + ".b")
	if err != nil {
		return nil, err
	}
	return dense(x, w, bias)
}

func flatten(x *G.Node) (*G.Node, error) {
	s := x.Shape()
	return G.Reshape(x, tensor.Shape{s[0], s.TotalSize() / s[0]})
}

func (b *builder) policyHead(x *G.Node, t nets.Shape) (*G.Node, error) {
	ph := b.ng.spec.Policy
	h, err := b.headConv(x, "policy.conv")
	if err != nil {
		return nil, err
	}
	flat, err := flatten(h)
	if err != nil {
		return nil, err
	}
	if flat, err = b.dropout(flat, ph.Dropout, "policy.mask"); err != nil {
		return nil, err
	}
	if ph.Kind == "dense" {
		return b.denseParam(flat, "policy.dense")
	}
	// "conv": a 1x1 convolution to one logit per point, and a pass logit
	// from a dense layer over the head's map.
	pw, err := b.param("policy.point.w")
	if err != nil {
		return nil, err
	}
	pb, err := b.param("policy.point.b")
	if err != nil {
		return nil, err
	}
	points, err := conv(h, pw, pb, 1)
	if err != nil {
		return nil, err
	}
	if points, err = G.Reshape(points, tensor.Shape{b.o.batch, t.H * t.W}); err != nil {
		return nil, err
	}
	pass, err := b.denseParam(flat, "policy.pass")
	if err != nil {
		return nil, err
	}
	return G.Concat(1, points, pass)
}

// valueHead returns the value and, for a pooled head, the pooled
// features (batch, 2*Filters) the score head shares.
func (b *builder) valueHead(x *G.Node, t nets.Shape) (value, pooled *G.Node, err error) {
	vh := b.ng.spec.Value
	h, err := b.headConv(x, "value.conv")
	if err != nil {
		return nil, nil, err
	}
	var feat *G.Node
	if vh.Pooled() {
		if pooled, err = b.globalPool(h, t); err != nil {
			return nil, nil, err
		}
		feat = pooled
	} else if feat, err = flatten(h); err != nil {
		return nil, nil, err
	}
	hid, err := b.denseParam(feat, "value.fc1")
	if err != nil {
		return nil, nil, err
	}
	if hid, err = G.Rectify(hid); err != nil {
		return nil, nil, err
	}
	if hid, err = b.dropout(hid, vh.Dropout, "value.mask"); err != nil {
		return nil, nil, err
	}
	out, err := b.denseParam(hid, "value.fc2")
	if err != nil {
		return nil, nil, err
	}
	// Reshape before tanh, not after: gorgonia's tanh gradient reads its
	// output, which a later in-place op on a reshaped alias overwrites
	// (the finite-difference test catches it).
	if out, err = G.Reshape(out, tensor.Shape{b.o.batch}); err != nil {
		return nil, nil, err
	}
	value, err = G.Tanh(out)
	return value, pooled, err
}

// globalPool returns, for h (batch, C, H, W), the per-channel means over
// the map followed by the per-channel maxima: (batch, 2C). The maxima are
// a max pooling whose window is the whole map.
func (b *builder) globalPool(h *G.Node, t nets.Shape) (*G.Node, error) {
	c := h.Shape()[1]
	// The mean along one axis of a (batch, C, H*W) view: gorgonia's Mean
	// along axes 2 and 3 of the 4-d map mixes up channels and samples
	// (TestGlobalPoolGradient).
	flat, err := G.Reshape(h, tensor.Shape{b.o.batch, c, t.H * t.W})
	if err != nil {
		return nil, err
	}
	mean, err := G.Mean(flat, 2)
	if err != nil {
		return nil, err
	}
	mx, err := G.MaxPool2D(h, tensor.Shape{t.H, t.W}, []int{0, 0}, []int{1, 1})
	if err != nil {
		return nil, err
	}
	if mx, err = G.Reshape(mx, tensor.Shape{b.o.batch, c}); err != nil {
		return nil, err
	}
	return G.Concat(1, mean, mx)
}

// ownershipHead is 1x1 conv, ReLU, 1x1 conv to one channel, tanh:
// (batch, H*W).
func (b *builder) ownershipHead(x *G.Node, t nets.Shape) (*G.Node, error) {
	h, err := b.headConv(x, "ownership.conv")
	if err != nil {
		return nil, err
	}
	w, err := b.param("ownership.out.w")
	if err != nil {
		return nil, err
	}
	bias, err := b.param("ownership.out.b")
	if err != nil {
		return nil, err
	}
	o, err := conv(h, w, bias, 1)
	if err != nil {
		return nil, err
	}
	// Reshape before tanh (see valueHead).
	if o, err = G.Reshape(o, tensor.Shape{b.o.batch, t.H * t.W}); err != nil {
		return nil, err
	}
	return G.Tanh(o)
}

// scoreHead is dense, ReLU, dense on the value head's pooled features:
// (batch).
func (b *builder) scoreHead(pooled *G.Node) (*G.Node, error) {
	if pooled == nil {
		return nil, fmt.Errorf("the score head needs a pooled value head")
	}
	hid, err := b.denseParam(pooled, "score.fc1")
	if err != nil {
		return nil, err
	}
	if hid, err = G.Rectify(hid); err != nil {
		return nil, err
	}
	out, err := b.denseParam(hid, "score.fc2")
	if err != nil {
		return nil, err
	}
	return G.Reshape(out, tensor.Shape{b.o.batch})
}

// loss adds the training targets and the loss: mean policy cross-entropy
// against the target distributions + vw * masked mean squared value error
// + ow * masked mean squared ownership error (averaged over the points)
// + sw * masked mean Huber loss of the score error / ScoreScale
// + l2 * sum of squared weights.
func (b *builder) loss() error {
	ng := b.ng
	moves := ng.spec.Moves()
	ng.polTarget = b.inputNode("policy.target", b.o.batch, moves)
	ng.valTarget = b.inputNode("value.target", b.o.batch)
	ng.valWeight = b.inputNode("value.weight", b.o.batch)

	// log-softmax from primitives: z - max - log(sum(exp(z - max))).
	z := ng.policy
	m, err := G.Max(z, 1)
	if err != nil {
		return err
	}
	shifted, err := G.BroadcastSub(z, m, nil, []byte{1})
	if err != nil {
		return err
	}
	e, err := G.Exp(shifted)
	if err != nil {
		return err
	}
	s, err := G.Sum(e, 1)
	if err != nil {
		return err
	}
	lse, err := G.Log(s)
	if err != nil {
		return err
	}
	logp, err := G.BroadcastSub(shifted, lse, nil, []byte{1})
	if err != nil {
		return err
	}
	tl, err := G.HadamardProd(ng.polTarget, logp)
	if err != nil {
		return err
	}
	sum, err := G.Sum(tl)
	if err != nil {
		return err
	}
	if ng.polLoss, err = G.Mul(sum, b.scalar(-1/float64(b.o.batch))); err != nil {
		return err
	}

	diff, err := G.Sub(ng.value, ng.valTarget)
	if err != nil {
		return err
	}
	sq, err := G.Square(diff)
	if err != nil {
		return err
	}
	wsq, err := G.HadamardProd(sq, ng.valWeight)
	if err != nil {
		return err
	}
	if ng.valLoss, err = G.Sum(wsq); err != nil {
		return err
	}

	vl, err := G.Mul(ng.valLoss, b.scalar(b.o.vw))
	if err != nil {
		return err
	}
	if ng.cost, err = G.Add(ng.polLoss, vl); err != nil {
		return err
	}
	if ng.own != nil {
		if err := b.ownershipLoss(); err != nil {
			return err
		}
	}
	if ng.score != nil {
		if err := b.scoreLoss(); err != nil {
			return err
		}
	}
	if b.o.l2 > 0 {
		var terms G.Nodes
		for i, info := range ng.infos {
			if info.Trainable && len(info.Name) > 2 && info.Name[len(info.Name)-2:] == ".w" {
				sq, err := G.Square(ng.params[i])
				if err != nil {
					return err
				}
				s, err := G.Sum(sq)
				if err != nil {
					return err
				}
				terms = append(terms, s)
			}
		}
		total, err := G.ReduceAdd(terms)
		if err != nil {
			return err
		}
		if ng.l2Loss, err = G.Mul(total, b.scalar(b.o.l2)); err != nil {
			return err
		}
		if ng.cost, err = G.Add(ng.cost, ng.l2Loss); err != nil {
			return err
		}
	}
	return nil
}

// addCost adds w * loss to the cost.
func (b *builder) addCost(loss *G.Node, w float64) error {
	l, err := G.Mul(loss, b.scalar(w))
	if err != nil {
		return err
	}
	b.ng.cost, err = G.Add(b.ng.cost, l)
	return err
}

// ownershipLoss: sum over samples and points of ownWeight * (own -
// target)^2, the weights holding mask / masked-in samples / points.
func (b *builder) ownershipLoss() error {
	ng := b.ng
	area := ng.own.Shape()[1]
	ng.ownTarget = b.inputNode("ownership.target", b.o.batch, area)
	ng.ownWeight = b.inputNode("ownership.weight", b.o.batch)
	diff, err := G.Sub(ng.own, ng.ownTarget)
	if err != nil {
		return err
	}
	sq, err := G.Square(diff)
	if err != nil {
		return err
	}
	per, err := G.Sum(sq, 1)
	if err != nil {
		return err
	}
	w, err := G.HadamardProd(per, ng.ownWeight)
	if err != nil {
		return err
	}
	if ng.ownLoss, err = G.Sum(w); err != nil {
		return err
	}
	return b.addCost(ng.ownLoss, b.o.ow)
}

// scoreLoss: sum over samples of scWeight * huber((score - target) /
// ScoreScale) with huber(d) = d^2/2 for |d| <= 1, |d| - 1/2 beyond,
// written as m^2/2 + (a - m) with a = |d| and m = min(a, 1) = (a + 1 -
// |a - 1|)/2.
func (b *builder) scoreLoss() error {
	ng := b.ng
	ng.scTarget = b.inputNode("score.target", b.o.batch)
	ng.scWeight = b.inputNode("score.weight", b.o.batch)
	diff, err := G.Sub(ng.score, ng.scTarget)
	if err != nil {
		return err
	}
	d, err := G.Mul(diff, b.scalar(1/ScoreScale))
	if err != nil {
		return err
	}
	a, err := G.Abs(d)
	if err != nil {
		return err
	}
	am1, err := G.Sub(a, b.scalar(1))
	if err != nil {
		return err
	}
	absAm1, err := G.Abs(am1)
	if err != nil {
		return err
	}
	ap1, err := G.Add(a, b.scalar(1))
	if err != nil {
		return err
	}
	m2, err := G.Sub(ap1, absAm1)
	if err != nil {
		return err
	}
	m, err := G.Mul(m2, b.scalar(0.5))
	if err != nil {
		return err
	}
	msq, err := G.Square(m)
	if err != nil {
		return err
	}
	half, err := G.Mul(msq, b.scalar(0.5))
	if err != nil {
		return err
	}
	lin, err := G.Sub(a, m)
	if err != nil {
		return err
	}
	hub, err := G.Add(half, lin)
	if err != nil {
		return err
	}
	w, err := G.HadamardProd(hub, ng.scWeight)
	if err != nil {
		return err
	}
	if ng.scLoss, err = G.Sum(w); err != nil {
		return err
	}
	return b.addCost(ng.scLoss, b.o.sw)
}

// learnables returns the trainable parameter nodes, in Params order.
func (ng *netGraph) learnables() G.Nodes {
	var ns G.Nodes
	for i, info := range ng.infos {
		if info.Trainable {
			ns = append(ns, ng.params[i])
		}
	}
	return ns
}

// newDense returns a tensor of dtype dt holding a copy of data (zeros if
// data is nil).
func newDense(dt tensor.Dtype, shape []int, data []float32) *tensor.Dense {
	n := 1
	for _, d := range shape {
		n *= d
	}
	if dt == tensor.Float64 {
		b := make([]float64, n)
		for i, v := range data {
			b[i] = float64(v)
		}
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b))
	}
	b := make([]float32, n)
	copy(b, data)
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b))
}

// newDense64 is newDense from float64 values.
func newDense64(dt tensor.Dtype, shape []int, data []float64) *tensor.Dense {
	if dt == tensor.Float64 {
		return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(append([]float64(nil), data...)))
	}
	b := make([]float32, len(data))
	for i, v := range data {
		b[i] = float32(v)
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(b))
}

// setData copies src into the value of node n (float32 or float64).
func setData(n *G.Node, src []float32) {
	switch d := n.Value().Data().(type) {
	case []float32:
		copy(d, src)
	case []float64:
		for i, v := range src {
			d[i] = float64(v)
		}
	}
}

// getData copies the value of node n into dst as float32.
func getData(n *G.Node, dst []float32) {
	switch d := n.Value().Data().(type) {
	case []float32:
		copy(dst, d)
	case []float64:
		for i := range dst {
			dst[i] = float32(d[i])
		}
	}
}

// transpose returns the cols x rows transpose of a rows x cols matrix.
func transpose(a []float32, rows, cols int) []float32 {
	t := make([]float32, len(a))
	for r := range rows {
		for c := range cols {
			t[c*rows+r] = a[r*cols+c]
		}
	}
	return t
}
