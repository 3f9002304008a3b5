package fasttrain

import (
	"fmt"
	"strings"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/internal/sgemm"
)

// dropMask is one dropout layer's mask for the batch: c rows of n*hw
// values (channel-major like the activations; heads use c = 1 and hw =
// the units per sample, which is row-major n x hw).
type dropMask struct {
	rate  float64
	c, hw int
	mask  []float32
}

// maxGroups is the most groups of positions whose partial weight
// gradients a convolution's backward pass keeps (and the most workers it
// keeps busy).
const maxGroups = 16

// builder tracks what build allocates.
type builder struct {
	t      *Trainer
	byName map[string]*param
	col    int // largest im2col block
	tmp    int // largest LRN scratch
	plane  int // largest pooling input plane
}

func (b *builder) param(name string) (*param, error) {
	p := b.byName[name]
	if p == nil {
		return nil, fmt.Errorf("fasttrain: no parameter %s", name)
	}
	return p, nil
}

// newAct returns an activation of shape s for the batch, with a gradient
// buffer when grad.
func (b *builder) newAct(s nets.Shape, grad bool) *act {
	a := &act{shape: s, x: make([]float32, b.t.n*s.Len())}
	if grad {
		a.g = make([]float32, len(a.x))
	}
	return a
}

// build turns the spec into layers and allocates every buffer.
func (t *Trainer) build() error {
	spec := t.spec
	shapes, err := spec.TrunkShapes()
	if err != nil {
		return err
	}
	infos, err := spec.Params()
	if err != nil {
		return err
	}
	b := &builder{t: t, byName: map[string]*param{}}
	for i, info := range infos {
		if !info.Trainable {
			continue
		}
		data := t.w.Tensors[i].Data
		p := &param{name: info.Name, w: data, g: make([]float32, len(data)), decay: strings.HasSuffix(info.Name, ".w")}
		t.params = append(t.params, p)
		b.byName[info.Name] = p
	}
	t.acts = []*act{b.newAct(shapes[0], false)}
	t.inputFn = t.inputPart
	cur := t.acts[0]
	grad := false // whether anything trainable lies below cur
	trunk := spec.Trunk
	for i := 0; i < len(trunk); i++ {
		l := trunk[i].WithDefaults()
		out := shapes[i+1]
		var ly layer
		switch l.Kind {
		case nets.KindConv:
			relu := i+1 < len(trunk) && trunk[i+1].Kind == nets.KindReLU
			c, err := b.conv(fmt.Sprintf("trunk.%d", i), cur, b.newAct(out, true), l.Kernel, relu, false)
			if err != nil {
				return err
			}
			if relu {
				i++
			}
			ly = c
			grad = true
			cur = c.out
		case nets.KindBatchNorm:
			bn, err := b.batchNorm(i, l, cur, b.newAct(out, true), infos)
			if err != nil {
				return err
			}
			ly = bn
			grad = true
			cur = bn.out
		case nets.KindReLU, nets.KindTanh:
			e := &elemLayer{t: t, in: cur, out: b.newAct(out, grad), kind: l.Kind}
			e.bind()
			ly, cur = e, e.out
		case nets.KindDropout:
			if l.Rate == 0 {
				continue // the identity, and nets/tape draws no mask for it
			}
			d := &dropMask{rate: l.Rate, c: out.C, hw: out.H * out.W, mask: make([]float32, t.n*out.Len())}
			t.drops = append(t.drops, d)
			e := &elemLayer{t: t, in: cur, out: b.newAct(out, grad), kind: l.Kind, mask: d.mask}
			e.bind()
			ly, cur = e, e.out
		case nets.KindLRN:
			r := &lrnLayer{t: t, in: cur, out: b.newAct(out, grad), c: out.C, n: l.N, k: float32(l.K),
				alphaN: float32(l.Alpha / float64(l.N)), beta: l.Beta}
			r.d = make([]float32, len(r.out.x))
			r.s = make([]float32, len(r.out.x))
			b.tmp = max(b.tmp, out.C*colBlock)
			r.bind()
			ly, cur = r, r.out
		case nets.KindMaxPool:
			p := &poolLayer{t: t, in: cur, out: b.newAct(out, grad), size: l.Size, stride: l.Stride}
			p.arg = make([]int32, len(p.out.x))
			b.plane = max(b.plane, cur.shape.H*cur.shape.W)
			p.bind()
			ly, cur = p, p.out
		default:
			return fmt.Errorf("fasttrain: trunk layer %d: unsupported kind %q", i, l.Kind)
		}
		t.layers = append(t.layers, ly)
		t.acts = append(t.acts, cur)
	}
	if err := b.heads(cur); err != nil {
		return err
	}
	for range t.pool.t {
		ctx := &sgemm.Context{Threads: 1}
		t.scratch = append(t.scratch, &scratch{
			col: make([]float32, b.col), dcol: make([]float32, b.col), tmp: make([]float32, b.tmp), gemm: ctx.Sgemm,
			pv: make([]float32, b.plane), pi: make([]int32, b.plane),
		})
	}
	// Partial gradients of the convolutions per group of positions: a
	// fixed split of the batch, whatever the number of threads, so that
	// the sums (and the run) do not depend on it.
	groups := min(t.n, maxGroups)
	for _, l := range t.convs() {
		l.acc = make([]float32, len(l.wt.w))
		l.dw = make([][]float32, groups)
		l.db = make([][]float32, groups)
		for g := range groups {
			l.dw[g] = make([]float32, len(l.wt.w))
			l.db[g] = make([]float32, len(l.b.w))
		}
	}
	return nil
}

// convs returns every convolution layer, heads included.
func (t *Trainer) convs() []*convLayer {
	var cs []*convLayer
	for _, l := range t.layers {
		if c, ok := l.(*convLayer); ok {
			cs = append(cs, c)
		}
	}
	cs = append(cs, t.ph.conv, t.vh.conv)
	if t.oh != nil {
		cs = append(cs, t.oh.conv, t.oh.out)
	}
	return cs
}

// conv returns a k x k convolution layer with parameters prefix.w and
// prefix.b from in to out, with a fused ReLU when relu.
func (b *builder) conv(prefix string, in, out *act, k int, relu, accum bool) (*convLayer, error) {
	wt, err := b.param(prefix + ".w")
	if err != nil {
		return nil, err
	}
	bias, err := b.param(prefix + ".b")
	if err != nil {
		return nil, err
	}
	c := &convLayer{t: b.t, in: in, out: out, c: in.shape.C, f: out.shape.C, h: in.shape.H, w: in.shape.W, k: k,
		relu: relu, accum: accum, wt: wt, b: bias}
	if k > 1 {
		hw := in.shape.H * in.shape.W
		b.col = max(b.col, c.c*k*k*max(1, colBlock/hw)*hw)
	}
	c.bind()
	return c, nil
}

func (b *builder) batchNorm(i int, l nets.Layer, in, out *act, infos []nets.ParamInfo) (*bnLayer, error) {
	gamma, err := b.param(fmt.Sprintf("trunk.%d.gamma", i))
	if err != nil {
		return nil, err
	}
	beta, err := b.param(fmt.Sprintf("trunk.%d.beta", i))
	if err != nil {
		return nil, err
	}
	c := in.shape.C
	bn := &bnLayer{t: b.t, in: in, out: out, gamma: gamma, beta: beta, eps: l.Epsilon, hw: in.shape.H * in.shape.W,
		mean: make([]float32, c), variance: make([]float32, c), invStd: make([]float32, c)}
	for j, info := range infos {
		switch info.Name {
		case fmt.Sprintf("trunk.%d.mean", i):
			bn.runMean = b.t.w.Tensors[j].Data
		case fmt.Sprintf("trunk.%d.var", i):
			bn.runVar = b.t.w.Tensors[j].Data
		}
	}
	if bn.runMean == nil || bn.runVar == nil {
		return nil, fmt.Errorf("fasttrain: batch norm %d: no running statistics", i)
	}
	bn.bind()
	b.t.bns = append(b.t.bns, bn)
	return bn, nil
}

// heads builds the policy and value heads on the trunk's output.
func (b *builder) heads(trunk *act) error {
	t := b.t
	spec := t.spec
	ts := trunk.shape
	area := ts.H * ts.W
	grad := trunk.g != nil
	n := t.n

	// Policy: 1x1 conv + ReLU, flatten, dropout, then dense or conv logits.
	pf := spec.Policy.Filters
	hp := b.newAct(nets.Shape{C: pf, H: ts.H, W: ts.W}, true)
	pc, err := b.conv("policy.conv", trunk, hp, 1, true, true)
	if err != nil {
		return err
	}
	pc.needDX = grad
	ph := &policyHead{t: t, conv: pc, hp: hp, area: area, k: pf * area, dense: spec.Policy.Kind == "dense",
		xp: make([]float32, n*pf*area), dxp: make([]float32, n*pf*area),
		logits: make([]float32, n*t.moves), dlogits: make([]float32, n*t.moves)}
	if r := spec.Policy.Dropout; r > 0 {
		d := &dropMask{rate: r, c: 1, hw: ph.k, mask: make([]float32, n*ph.k)}
		t.drops = append(t.drops, d)
		ph.mask = d.mask
	}
	if ph.dense {
		if ph.w, err = b.param("policy.dense.w"); err != nil {
			return err
		}
		if ph.b, err = b.param("policy.dense.b"); err != nil {
			return err
		}
	} else {
		for _, x := range []struct {
			p    **param
			name string
		}{{&ph.w, "policy.pass.w"}, {&ph.b, "policy.pass.b"}, {&ph.pw, "policy.point.w"}, {&ph.pb, "policy.point.b"}} {
			if *x.p, err = b.param(x.name); err != nil {
				return err
			}
		}
	}
	t.ph = ph

	// Value: 1x1 conv + ReLU, flatten or pool, dense + ReLU, dropout,
	// dense, tanh; and the score head on the same features.
	vf, hidden := spec.Value.Filters, spec.Value.Hidden
	hv := b.newAct(nets.Shape{C: vf, H: ts.H, W: ts.W}, true)
	vc, err := b.conv("value.conv", trunk, hv, 1, true, false)
	if err != nil {
		return err
	}
	vc.needDX = grad
	k := vf * area
	if spec.Value.Pooled() {
		k = 2 * vf
	}
	vh := &valueHead{t: t, conv: vc, hv: hv, area: area, k: k, hidden: hidden,
		xv: make([]float32, n*k), dxv: make([]float32, n*k),
		h1: make([]float32, n*hidden), dh1: make([]float32, n*hidden),
		v: make([]float32, n), dz: make([]float32, n), pool: spec.Value.Pooled()}
	if vh.pool {
		vh.arg = make([]int32, n*vf)
	}
	if sh := spec.Score.Hidden; sh > 0 {
		vh.shid = sh
		vh.sh1, vh.dsh1 = make([]float32, n*sh), make([]float32, n*sh)
		vh.score, vh.dscore = make([]float32, n), make([]float32, n)
		for _, x := range []struct {
			p    **param
			name string
		}{{&vh.sw1, "score.fc1.w"}, {&vh.sb1, "score.fc1.b"}, {&vh.sw2, "score.fc2.w"}, {&vh.sb2, "score.fc2.b"}} {
			if *x.p, err = b.param(x.name); err != nil {
				return err
			}
		}
	}
	vh.h1d = vh.h1
	if r := spec.Value.Dropout; r > 0 {
		d := &dropMask{rate: r, c: 1, hw: hidden, mask: make([]float32, n*hidden)}
		t.drops = append(t.drops, d)
		vh.mask = d.mask
		vh.h1d = make([]float32, n*hidden)
	}
	for _, x := range []struct {
		p    **param
		name string
	}{{&vh.w1, "value.fc1.w"}, {&vh.b1, "value.fc1.b"}, {&vh.w2, "value.fc2.w"}, {&vh.b2, "value.fc2.b"}} {
		if *x.p, err = b.param(x.name); err != nil {
			return err
		}
	}
	t.vh = vh

	// Ownership: 1x1 conv + ReLU, 1x1 conv to one channel, tanh.
	if of := spec.Ownership.Filters; of > 0 {
		ho := b.newAct(nets.Shape{C: of, H: ts.H, W: ts.W}, true)
		oc, err := b.conv("ownership.conv", trunk, ho, 1, true, true)
		if err != nil {
			return err
		}
		oc.needDX = grad
		oz := b.newAct(nets.Shape{C: 1, H: ts.H, W: ts.W}, true)
		out, err := b.conv("ownership.out", ho, oz, 1, false, false)
		if err != nil {
			return err
		}
		t.oh = &ownershipHead{t: t, conv: oc, out: out, ho: ho, oz: oz, own: make([]float32, n*area)}
	}
	return nil
}
