package fasttrain

import "math"

// policyHead is the policy head after its 1x1 convolution and ReLU (conv,
// output hp): the map flattened per position (C, H, W) into xp (n x k),
// dropout, then a dense layer to the logits ("dense"), or ("conv") a 1x1
// convolution of hp to one logit per point and a dense pass logit from xp.
type policyHead struct {
	t       *Trainer
	conv    *convLayer
	hp      *act
	area, k int
	dense   bool
	xp, dxp []float32 // n x k, after dropout
	mask    []float32 // n x k, or nil
	w, b    *param    // dense: policy.dense; conv: policy.pass
	pw, pb  *param    // conv: policy.point
	logits  []float32 // n x moves
	dlogits []float32
}

// gather copies channel-major head maps (c x n*area) into per-position
// rows (n x c*area).
func gather(dst, src []float32, n, c, area int) {
	k := c * area
	for s := range n {
		for ch := range c {
			copy(dst[s*k+ch*area:][:area], src[ch*n*area+s*area:][:area])
		}
	}
}

// scatter is gather's inverse.
func scatter(dst, src []float32, n, c, area int) {
	k := c * area
	for s := range n {
		for ch := range c {
			copy(dst[ch*n*area+s*area:][:area], src[s*k+ch*area:][:area])
		}
	}
}

func (h *policyHead) forward() {
	t := h.t
	n, moves, area, k := t.n, t.moves, h.area, h.k
	pf := h.hp.shape.C
	h.conv.forward()
	gather(h.xp, h.hp.x, n, pf, area)
	if h.mask != nil {
		for i, m := range h.mask {
			h.xp[i] *= m
		}
	}
	if h.dense {
		t.gemm(false, true, n, moves, k, 1, h.xp, k, h.w.w, k, 0, h.logits, moves)
		for s := range n {
			row := h.logits[s*moves:][:moves]
			for i, b := range h.b.w {
				row[i] += b
			}
		}
		return
	}
	cs := n * area
	for s := range n {
		row := h.logits[s*moves:][:moves]
		pts := row[:area]
		for i := range pts {
			pts[i] = h.pb.w[0]
		}
		for c, wc := range h.pw.w {
			for i, v := range h.hp.x[c*cs+s*area:][:area] {
				pts[i] += wc * v
			}
		}
		pass := h.b.w[0]
		for i, v := range h.xp[s*k:][:k] {
			pass += v * h.w.w[i]
		}
		row[area] = pass
	}
}

func (h *policyHead) backward() {
	t := h.t
	n, moves, area, k := t.n, t.moves, h.area, h.k
	pf := h.hp.shape.C
	dl := h.dlogits
	if h.dense {
		t.gemm(true, false, moves, k, n, 1, dl, moves, h.xp, k, 0, h.w.g, k)
		clear(h.b.g)
		for s := range n {
			for i, v := range dl[s*moves:][:moves] {
				h.b.g[i] += v
			}
		}
		t.gemm(false, false, n, k, moves, 1, dl, moves, h.w.w, k, 0, h.dxp, k)
	} else {
		clear(h.w.g)
		var db float32
		for s := range n {
			d := dl[s*moves+area]
			db += d
			for i, v := range h.xp[s*k:][:k] {
				h.w.g[i] += d * v
			}
			for i, v := range h.w.w {
				h.dxp[s*k+i] = d * v
			}
		}
		h.b.g[0] = db
	}
	if h.mask != nil {
		for i, m := range h.mask {
			h.dxp[i] *= m
		}
	}
	scatter(h.hp.g, h.dxp, n, pf, area)
	if !h.dense {
		cs := n * area
		var db float32
		for s := range n {
			for _, v := range dl[s*moves:][:area] {
				db += v
			}
		}
		h.pb.g[0] = db
		for c, wc := range h.pw.w {
			var dw float32
			for s := range n {
				d := dl[s*moves:][:area]
				x := h.hp.x[c*cs+s*area:][:area]
				g := h.hp.g[c*cs+s*area:][:area]
				for i, v := range d {
					dw += v * x[i]
					g[i] += wc * v
				}
			}
			h.pw.g[c] = dw
		}
	}
	h.conv.backward()
}

// valueHead is the value head after its 1x1 convolution and ReLU (conv,
// output hv): flattened into xv (n x k; k = vf*area) or, pooled, the
// per-channel means and maxima (k = 2*vf, the winners' indices in arg),
// dense to hidden units and ReLU (h1), dropout (h1d), dense to one unit
// z, v = tanh(z). The score head, if any, reads xv too: dense to shid
// units and ReLU (sh1), dense to the score.
type valueHead struct {
	t       *Trainer
	conv    *convLayer
	hv      *act
	area, k int
	hidden  int
	xv, dxv []float32 // n x k
	h1, dh1 []float32 // n x hidden
	h1d     []float32 // h1 after dropout (h1 itself without dropout)
	mask    []float32
	w1, b1  *param
	w2, b2  *param
	v, dz   []float32 // n: the values, and the gradient of the loss by z

	pool bool
	arg  []int32 // n x vf: the index in the map of each channel's maximum

	sw1, sb1, sw2, sb2 *param    // score head, nil without one
	shid               int       // its hidden units
	sh1, dsh1          []float32 // n x shid, after ReLU
	score, dscore      []float32 // n: the scores, and the gradient of the loss by them
}

func (h *valueHead) forward() {
	t := h.t
	n, k, hid := t.n, h.k, h.hidden
	h.conv.forward()
	if h.pool {
		h.poolForward()
	} else {
		gather(h.xv, h.hv.x, n, h.hv.shape.C, h.area)
	}
	t.gemm(false, true, n, hid, k, 1, h.xv, k, h.w1.w, k, 0, h.h1, hid)
	for s := range n {
		row := h.h1[s*hid:][:hid]
		for i, b := range h.b1.w {
			row[i] = max(row[i]+b, 0)
		}
	}
	if h.mask != nil {
		for i, m := range h.mask {
			h.h1d[i] = h.h1[i] * m
		}
	}
	for s := range n {
		z := h.b2.w[0]
		for i, v := range h.h1d[s*hid:][:hid] {
			z += v * h.w2.w[i]
		}
		h.v[s] = float32(math.Tanh(float64(z)))
	}
	if h.sw1 == nil {
		return
	}
	sh := h.shid
	t.gemm(false, true, n, sh, k, 1, h.xv, k, h.sw1.w, k, 0, h.sh1, sh)
	for s := range n {
		row := h.sh1[s*sh:][:sh]
		for i, b := range h.sb1.w {
			row[i] = max(row[i]+b, 0)
		}
		sc := h.sb2.w[0]
		for i, v := range row {
			sc += v * h.sw2.w[i]
		}
		h.score[s] = sc
	}
}

// poolForward writes each position's channel means (summed in float64)
// and maxima (the first in map order on ties) into xv and the maxima's
// indices into arg.
func (h *valueHead) poolForward() {
	n, vf, area, k := h.t.n, h.hv.shape.C, h.area, h.k
	cs := n * area
	for s := range n {
		for c := range vf {
			plane := h.hv.x[c*cs+s*area:][:area]
			var sum float64
			best := 0
			for i, v := range plane {
				sum += float64(v)
				if v > plane[best] {
					best = i
				}
			}
			h.xv[s*k+c] = float32(sum / float64(area))
			h.xv[s*k+vf+c] = plane[best]
			h.arg[s*vf+c] = int32(best)
		}
	}
}

// poolBackward spreads the gradient of xv over the map: a mean's to every
// point (divided by the area), a maximum's to its winner.
func (h *valueHead) poolBackward() {
	n, vf, area, k := h.t.n, h.hv.shape.C, h.area, h.k
	cs := n * area
	for s := range n {
		for c := range vf {
			g := h.hv.g[c*cs+s*area:][:area]
			dm := h.dxv[s*k+c] / float32(area)
			for i := range g {
				g[i] = dm
			}
			g[h.arg[s*vf+c]] += h.dxv[s*k+vf+c]
		}
	}
}

func (h *valueHead) backward() {
	t := h.t
	n, k, hid := t.n, h.k, h.hidden
	clear(h.w2.g)
	clear(h.b1.g)
	var db2 float32
	for s, dz := range h.dz {
		db2 += dz
		row := h.h1d[s*hid:][:hid]
		d := h.dh1[s*hid:][:hid]
		h1 := h.h1[s*hid:][:hid]
		for i, v := range row {
			h.w2.g[i] += dz * v
			g := dz * h.w2.w[i]
			if h.mask != nil {
				g *= h.mask[s*hid+i]
			}
			if h1[i] <= 0 {
				g = 0
			}
			d[i] = g
			h.b1.g[i] += g
		}
	}
	h.b2.g[0] = db2
	t.gemm(true, false, hid, k, n, 1, h.dh1, hid, h.xv, k, 0, h.w1.g, k)
	t.gemm(false, false, n, k, hid, 1, h.dh1, hid, h.w1.w, k, 0, h.dxv, k)
	if h.sw1 != nil {
		h.scoreBackward()
	}
	if h.pool {
		h.poolBackward()
	} else {
		scatter(h.hv.g, h.dxv, n, h.hv.shape.C, h.area)
	}
	h.conv.backward()
}

// scoreBackward computes the score head's gradients from dscore and adds
// its part of the gradient of xv into dxv.
func (h *valueHead) scoreBackward() {
	t := h.t
	n, k, sh := t.n, h.k, h.shid
	clear(h.sw2.g)
	clear(h.sb1.g)
	var db2 float32
	for s, ds := range h.dscore {
		db2 += ds
		row := h.sh1[s*sh:][:sh]
		d := h.dsh1[s*sh:][:sh]
		for i, v := range row {
			h.sw2.g[i] += ds * v
			g := ds * h.sw2.w[i]
			if v <= 0 {
				g = 0
			}
			d[i] = g
			h.sb1.g[i] += g
		}
	}
	h.sb2.g[0] = db2
	t.gemm(true, false, sh, k, n, 1, h.dsh1, sh, h.xv, k, 0, h.sw1.g, k)
	t.gemm(false, false, n, k, sh, 1, h.dsh1, sh, h.sw1.w, k, 1, h.dxv, k)
}

// ownershipHead is 1x1 conv and ReLU (conv, trunk -> ho), a 1x1
// convolution to one channel (out, ho -> oz: channel-major with one
// channel is n x area) and tanh (own).
type ownershipHead struct {
	t         *Trainer
	conv, out *convLayer
	ho, oz    *act
	own       []float32 // n x area
}

func (h *ownershipHead) forward() {
	h.conv.forward()
	h.out.forward()
	for i, v := range h.oz.x {
		h.own[i] = float32(math.Tanh(float64(v)))
	}
}

// backward runs from oz.g, which the loss wrote (the tanh included).
func (h *ownershipHead) backward() {
	h.out.backward()
	h.conv.backward()
}
