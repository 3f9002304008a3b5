package nets

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
)

// Tensor is a named float32 array with a shape (row-major, last index
// fastest). Convolution weights are [out, in, k, k]; dense weights are
// [out, in] with the input flattened in C, H, W order; biases and batch
// norm statistics are [channels].
type Tensor struct {
	Name  string
	Shape []int
	Data  []float32
}

// Len returns the product of the shape.
func shapeLen(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// ParamInfo names one parameter tensor of a spec and its shape.
type ParamInfo struct {
	Name  string
	Shape []int
	// Trainable is false for batch norm running statistics.
	Trainable bool
}

// Params lists every parameter tensor of the network in canonical order:
//
//	trunk.<i>.w, trunk.<i>.b                 conv at trunk index i
//	trunk.<i>.gamma, .beta, .mean, .var      batchnorm at trunk index i
//	policy.conv.w/.b                         1x1 conv of the policy head
//	policy.dense.w/.b                        "dense" head: to size*size+1
//	policy.point.w/.b, policy.pass.w/.b      "conv" head
//	value.conv.w/.b, value.fc1.w/.b, value.fc2.w/.b
//	ownership.conv.w/.b, ownership.out.w/.b  ownership head, if any
//	score.fc1.w/.b, score.fc2.w/.b           score head, if any
//
// value.fc1.w is [Hidden, Filters*H*W] for a flat value head and [Hidden,
// 2*Filters] for a pooled one (means, then maxima); score.fc1.w is
// [Hidden, 2*Value.Filters].
func (s Spec) Params() ([]ParamInfo, error) {
	shapes, err := s.TrunkShapes()
	if err != nil {
		return nil, err
	}
	var ps []ParamInfo
	add := func(name string, trainable bool, shape ...int) {
		ps = append(ps, ParamInfo{Name: name, Shape: shape, Trainable: trainable})
	}
	for i, l := range s.Trunk {
		in := shapes[i]
		switch l.Kind {
		case KindConv:
			add(fmt.Sprintf("trunk.%d.w", i), true, l.Filters, in.C, l.Kernel, l.Kernel)
			add(fmt.Sprintf("trunk.%d.b", i), true, l.Filters)
		case KindBatchNorm:
			add(fmt.Sprintf("trunk.%d.gamma", i), true, in.C)
			add(fmt.Sprintf("trunk.%d.beta", i), true, in.C)
			add(fmt.Sprintf("trunk.%d.mean", i), false, in.C)
			add(fmt.Sprintf("trunk.%d.var", i), false, in.C)
		}
	}
	t := shapes[len(shapes)-1]
	area := t.H * t.W
	pf := s.Policy.Filters
	add("policy.conv.w", true, pf, t.C, 1, 1)
	add("policy.conv.b", true, pf)
	if s.Policy.Kind == "dense" {
		add("policy.dense.w", true, s.Moves(), pf*area)
		add("policy.dense.b", true, s.Moves())
	} else {
		add("policy.point.w", true, 1, pf, 1, 1)
		add("policy.point.b", true, 1)
		add("policy.pass.w", true, 1, pf*area)
		add("policy.pass.b", true, 1)
	}
	vf := s.Value.Filters
	add("value.conv.w", true, vf, t.C, 1, 1)
	add("value.conv.b", true, vf)
	if s.Value.Pooled() {
		add("value.fc1.w", true, s.Value.Hidden, 2*vf)
	} else {
		add("value.fc1.w", true, s.Value.Hidden, vf*area)
	}
	add("value.fc1.b", true, s.Value.Hidden)
	add("value.fc2.w", true, 1, s.Value.Hidden)
	add("value.fc2.b", true, 1)
	if of := s.Ownership.Filters; of > 0 {
		add("ownership.conv.w", true, of, t.C, 1, 1)
		add("ownership.conv.b", true, of)
		add("ownership.out.w", true, 1, of, 1, 1)
		add("ownership.out.b", true, 1)
	}
	if sh := s.Score.Hidden; sh > 0 {
		add("score.fc1.w", true, sh, 2*vf)
		add("score.fc1.b", true, sh)
		add("score.fc2.w", true, 1, sh)
		add("score.fc2.b", true, 1)
	}
	return ps, nil
}

// Weights is a network: its spec and every parameter tensor, in the order
// of Spec.Params.
type Weights struct {
	Spec    Spec
	Tensors []Tensor
	// Meta is free-form provenance (training data, steps, parent network),
	// stored in the weights file.
	Meta map[string]string
}

// NewWeights returns freshly initialised weights for spec: He-normal
// weights for layers followed by ReLU, Glorot for the others, zero biases,
// batch norm gamma 1 / beta 0 / mean 0 / var 1.
func NewWeights(spec Spec, rng *rand.Rand) (*Weights, error) {
	infos, err := spec.Params()
	if err != nil {
		return nil, err
	}
	w := &Weights{Spec: spec, Meta: map[string]string{}}
	for _, pi := range infos {
		t := Tensor{Name: pi.Name, Shape: append([]int(nil), pi.Shape...), Data: make([]float32, shapeLen(pi.Shape))}
		switch {
		case strings.HasSuffix(pi.Name, ".w"):
			fanIn := shapeLen(pi.Shape[1:])
			fanOut := pi.Shape[0]
			if len(pi.Shape) == 4 {
				fanOut *= pi.Shape[2] * pi.Shape[3]
			}
			std := math.Sqrt(2 / float64(fanIn)) // He
			switch {
			case pi.Name == "value.fc2.w", pi.Name == "ownership.out.w", pi.Name == "score.fc2.w",
				strings.HasPrefix(pi.Name, "policy.dense"), strings.HasPrefix(pi.Name, "policy.p"):
				std = math.Sqrt(2 / float64(fanIn+fanOut)) // Glorot: no ReLU after
			}
			for i := range t.Data {
				t.Data[i] = float32(rng.NormFloat64() * std)
			}
		case strings.HasSuffix(pi.Name, ".gamma"), strings.HasSuffix(pi.Name, ".var"):
			for i := range t.Data {
				t.Data[i] = 1
			}
		}
		w.Tensors = append(w.Tensors, t)
	}
	return w, nil
}

// Tensor returns the tensor called name, or nil.
func (w *Weights) Tensor(name string) *Tensor {
	for i := range w.Tensors {
		if w.Tensors[i].Name == name {
			return &w.Tensors[i]
		}
	}
	return nil
}

// Check verifies that the tensors match the spec exactly: names, order,
// shapes, lengths, and that every value is finite.
func (w *Weights) Check() error {
	infos, err := w.Spec.Params()
	if err != nil {
		return err
	}
	if len(infos) != len(w.Tensors) {
		return fmt.Errorf("%w: spec has %d tensors, weights %d", ErrSpec, len(infos), len(w.Tensors))
	}
	for i, pi := range infos {
		t := w.Tensors[i]
		if t.Name != pi.Name || !equalInts(t.Shape, pi.Shape) || len(t.Data) != shapeLen(pi.Shape) {
			return fmt.Errorf("%w: tensor %d is %s %v (%d values); spec wants %s %v", ErrSpec, i, t.Name, t.Shape, len(t.Data), pi.Name, pi.Shape)
		}
		for _, v := range t.Data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return fmt.Errorf("nets: tensor %s holds %v", t.Name, v)
			}
		}
	}
	return nil
}

// NumParams returns the number of trainable values.
func (w *Weights) NumParams() int {
	n := 0
	infos, _ := w.Spec.Params()
	for i, t := range w.Tensors {
		if i < len(infos) && infos[i].Trainable {
			n += len(t.Data)
		}
	}
	return n
}

// Clone returns a deep copy.
func (w *Weights) Clone() *Weights {
	c := &Weights{Spec: w.Spec, Meta: map[string]string{}}
	for k, v := range w.Meta {
		c.Meta[k] = v
	}
	for _, t := range w.Tensors {
		c.Tensors = append(c.Tensors, Tensor{Name: t.Name, Shape: append([]int(nil), t.Shape...), Data: append([]float32(nil), t.Data...)})
	}
	return c
}

// featuresExtend reports whether feature set dst is src with planes added
// after src's.
func featuresExtend(dst, src string) bool {
	order := map[string]int{FeaturesV1: 1, FeaturesV2: 2, FeaturesV3: 3}
	return order[src] > 0 && order[dst] > order[src]
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Transplant copies into dst every tensor of src whose name and shape
// match one of dst's (network surgery: a wider head, an extra layer, a new
// trunk under a trained head), except the tensors whose names start with
// one of the prefixes in fresh, which keep dst's values. It returns the
// names copied and the names left as they were. The board sizes must
// agree, and the feature sets, except that a network goes into one whose
// feature set extends its own (FeaturesV1 into FeaturesV2 or FeaturesV3,
// FeaturesV2 into FeaturesV3: the first planes are the same): the first
// convolution's weights on the old planes are copied and those on the
// new planes set to zero, so that the network computes what it did until
// training finds a use for them.
func Transplant(dst, src *Weights, fresh ...string) (copied, kept []string, err error) {
	widen := featuresExtend(dst.Spec.Features, src.Spec.Features)
	if dst.Spec.BoardSize != src.Spec.BoardSize || dst.Spec.Features != src.Spec.Features && !widen {
		return nil, nil, fmt.Errorf("nets: transplant from a %dx%d %s network into a %dx%d %s one",
			src.Spec.BoardSize, src.Spec.BoardSize, src.Spec.Features, dst.Spec.BoardSize, dst.Spec.BoardSize, dst.Spec.Features)
	}
	// The first convolution's weights, which read the input planes.
	first := ""
	for i, l := range dst.Spec.Trunk {
		if l.Kind == KindConv {
			first = fmt.Sprintf("trunk.%d.w", i)
			break
		}
	}
	byName := make(map[string]*Tensor, len(src.Tensors))
	for i := range src.Tensors {
		byName[src.Tensors[i].Name] = &src.Tensors[i]
	}
	for i := range dst.Tensors {
		d := &dst.Tensors[i]
		s, ok := byName[d.Name]
		skip := !ok || !slices.Equal(s.Shape, d.Shape)
		wide := widen && ok && d.Name == first && len(s.Shape) == 4 && len(d.Shape) == 4 &&
			s.Shape[0] == d.Shape[0] && s.Shape[1] < d.Shape[1] && s.Shape[2] == d.Shape[2] && s.Shape[3] == d.Shape[3]
		for _, p := range fresh {
			skip = skip || strings.HasPrefix(d.Name, p)
			wide = wide && !strings.HasPrefix(d.Name, p)
		}
		switch {
		case wide:
			// [F, C, k, k] from [F, C', k, k], C' < C: the new planes'
			// weights are zero.
			kk := d.Shape[2] * d.Shape[3]
			sc, dc := s.Shape[1], d.Shape[1]
			clear(d.Data)
			for f := range d.Shape[0] {
				copy(d.Data[f*dc*kk:f*dc*kk+sc*kk], s.Data[f*sc*kk:(f+1)*sc*kk])
			}
		case skip:
			kept = append(kept, d.Name)
			continue
		default:
			copy(d.Data, s.Data)
		}
		copied = append(copied, d.Name)
	}
	return copied, kept, nil
}

// Deepen makes dst, a network whose trunk is src's trunk with more
// layers after it, compute what src computes (Net2DeeperNet, Chen,
// Goodfellow and Shlens 2016): it copies src's tensors that fit (as
// Transplant does, fresh excepted) and sets each added convolution to
// the identity (output channel f copies input channel f through the
// kernel's centre, bias zero). The added layers may be convolutions with
// as many filters as channels in and an odd kernel, each optionally
// followed by a ReLU; src's trunk must end with a ReLU, so that the
// identity's input is never negative and an added ReLU changes nothing.
// A deeper value head needs no more than this to start where the trained
// network stands: the extra layers see further (a 3x3 convolution adds
// two points to the receptive field) and learn from there. It returns the
// added convolutions' weight names.
func Deepen(dst, src *Weights, fresh ...string) (added []string, err error) {
	st, dt := src.Spec.Trunk, dst.Spec.Trunk
	if len(dt) <= len(st) {
		return nil, fmt.Errorf("nets: deepen: the new trunk has %d layers, not more than the old %d", len(dt), len(st))
	}
	for i := range st {
		if st[i].WithDefaults() != dt[i].WithDefaults() {
			return nil, fmt.Errorf("nets: deepen: trunk layer %d differs (%s against %s): layers may only be added after the old trunk", i, dt[i].Kind, st[i].Kind)
		}
	}
	if st[len(st)-1].Kind != KindReLU {
		return nil, fmt.Errorf("nets: deepen: the old trunk ends with %s, not relu", st[len(st)-1].Kind)
	}
	shapes, err := dst.Spec.TrunkShapes()
	if err != nil {
		return nil, err
	}
	for i := len(st); i < len(dt); i++ {
		l := dt[i]
		switch {
		case l.Kind == KindReLU && i > len(st) && dt[i-1].Kind == KindConv:
		case l.Kind == KindConv && l.Filters == shapes[i].C && l.Kernel%2 == 1:
		default:
			return nil, fmt.Errorf("nets: deepen: added trunk layer %d (%s) cannot start as the identity (want a conv with as many filters as channels in, odd kernel, or a relu after it)", i, l.Kind)
		}
	}
	if _, _, err := Transplant(dst, src, fresh...); err != nil {
		return nil, err
	}
	for i := len(st); i < len(dt); i++ {
		if dt[i].Kind != KindConv {
			continue
		}
		name := fmt.Sprintf("trunk.%d.w", i)
		wt, b := dst.Tensor(name), dst.Tensor(fmt.Sprintf("trunk.%d.b", i))
		if wt == nil || b == nil {
			return nil, fmt.Errorf("nets: deepen: no tensor %s", name)
		}
		f, k := wt.Shape[0], wt.Shape[2]
		clear(wt.Data)
		clear(b.Data)
		for c := range f {
			wt.Data[((c*f+c)*k+k/2)*k+k/2] = 1
		}
		added = append(added, name)
	}
	return added, nil
}

// FlushDenormals sets every subnormal value of x (0 < |v| < 2^-126) to
// zero and returns how many it changed. Weight decay leaves 10% to 25%
// of a trained network's weights subnormal, and on x86 every
// multiplication that reads one takes a microcode assist (Go cannot set
// the FTZ/DAZ modes): the embedded 19x19 network ran at 240 positions/s
// on 2 cores where random weights of the same shape ran at 1,100. Their
// contribution is below a float32 ulp of any sum they enter.
func FlushDenormals(x []float32) int {
	n := 0
	for i, v := range x {
		if b := math.Float32bits(v); b&0x7f800000 == 0 && b&0x007fffff != 0 {
			x[i] = 0
			n++
		}
	}
	return n
}

// FlushDenormals flushes the subnormal values of every tensor (see the
// function FlushDenormals) and returns how many it changed.
func (w *Weights) FlushDenormals() int {
	n := 0
	for i := range w.Tensors {
		n += FlushDenormals(w.Tensors[i].Data)
	}
	return n
}

// Average returns the element-wise mean of networks of one spec: stochastic
// weight averaging (Izmailov et al. 2018) of snapshots of a training run,
// as KataGo averages its released networks. Along a run at a constant
// learning rate the snapshots wander around a minimum; their mean sits
// nearer its centre and generalises better than any one of them
// (docs/networks.md measures it). Batch norm running statistics are
// averaged like the other tensors, an approximation. The specs must be
// identical and every tensor must match by name and shape. Meta records
// the averaging; the inputs are not changed.
func Average(ws ...*Weights) (*Weights, error) {
	if len(ws) == 0 {
		return nil, errors.New("nets: nothing to average")
	}
	first := ws[0]
	for i, w := range ws[1:] {
		if err := sameNetwork(first, w); err != nil {
			return nil, fmt.Errorf("nets: average: network %d: %w", i+2, err)
		}
	}
	out := &Weights{Spec: first.Spec, Meta: map[string]string{}}
	sum := make([]float64, 0)
	for j, f := range first.Tensors {
		sum = slices.Grow(sum[:0], len(f.Data))[:len(f.Data)]
		clear(sum)
		for _, w := range ws {
			for k, v := range w.Tensors[j].Data {
				sum[k] += float64(v)
			}
		}
		t := Tensor{Name: f.Name, Shape: append([]int(nil), f.Shape...), Data: make([]float32, len(f.Data))}
		for k, v := range sum {
			t.Data[k] = float32(v / float64(len(ws)))
		}
		out.Tensors = append(out.Tensors, t)
	}
	return out, nil
}

// AddToMean folds w into mean, the element-wise mean of n networks so far
// (n >= 1), in place: mean = (n*mean + w) / (n+1), computed in float64.
// A training run keeps its running average so (train.Config.SWAFrom).
// The two networks must be of one spec, tensor for tensor.
func AddToMean(mean, w *Weights, n int64) error {
	if n < 1 {
		return fmt.Errorf("nets: mean of %d networks", n)
	}
	if err := sameNetwork(mean, w); err != nil {
		return fmt.Errorf("nets: mean: %w", err)
	}
	for i := range mean.Tensors {
		m := mean.Tensors[i].Data
		for k, v := range w.Tensors[i].Data {
			m[k] = float32((float64(m[k])*float64(n) + float64(v)) / float64(n+1))
		}
	}
	return nil
}

// sameNetwork says why b is not a network of a's spec, tensor for tensor,
// or returns nil.
func sameNetwork(a, b *Weights) error {
	if !reflect.DeepEqual(a.Spec, b.Spec) {
		return fmt.Errorf("another spec (%s, %dx%d) than %s, %dx%d",
			b.Spec.Name, b.Spec.BoardSize, b.Spec.BoardSize, a.Spec.Name, a.Spec.BoardSize, a.Spec.BoardSize)
	}
	if len(a.Tensors) != len(b.Tensors) {
		return fmt.Errorf("%d tensors, not %d", len(b.Tensors), len(a.Tensors))
	}
	for j, t := range b.Tensors {
		if f := a.Tensors[j]; t.Name != f.Name || !equalInts(t.Shape, f.Shape) || len(t.Data) != len(f.Data) {
			return fmt.Errorf("tensor %d is %s %v, not %s %v", j, t.Name, t.Shape, f.Name, f.Shape)
		}
	}
	return nil
}
