package dataset

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Packed is an encoded input stored losslessly and compactly: each plane
// is either a bitmask (every value 0 or 1), a constant, or raw float32s.
// With nets.FeaturesV1 a 19x19 position takes about 1.4 KB instead of 42.
type Packed struct {
	Planes, Area int
	kinds        []uint8   // per plane: packBits, packConst, packRaw
	consts       []float32 // per plane (packConst)
	bits         []uint64  // bitmask planes, concatenated
	raw          []float32 // raw planes, concatenated
}

const (
	packBits uint8 = iota
	packConst
	packRaw
)

// Pack stores in (planes*area values).
func Pack(in []float32, planes, area int) Packed {
	p := Packed{Planes: planes, Area: area, kinds: make([]uint8, planes), consts: make([]float32, planes)}
	words := (area + 63) / 64
	for pl := range planes {
		vals := in[pl*area : (pl+1)*area]
		binary, constant := true, true
		for _, v := range vals {
			if v != 0 && v != 1 {
				binary = false
			}
			if v != vals[0] {
				constant = false
			}
		}
		switch {
		case binary:
			p.kinds[pl] = packBits
			start := len(p.bits)
			p.bits = append(p.bits, make([]uint64, words)...)
			for i, v := range vals {
				if v == 1 {
					p.bits[start+i/64] |= 1 << (i % 64)
				}
			}
		case constant:
			p.kinds[pl] = packConst
			p.consts[pl] = vals[0]
		default:
			p.kinds[pl] = packRaw
			p.raw = append(p.raw, vals...)
		}
	}
	return p
}

// Unpack writes the values into dst (Planes*Area values).
func (p *Packed) Unpack(dst []float32) {
	words := (p.Area + 63) / 64
	bi, ri := 0, 0
	for pl := range p.Planes {
		out := dst[pl*p.Area : (pl+1)*p.Area]
		switch p.kinds[pl] {
		case packBits:
			bits := p.bits[bi : bi+words]
			for i := range out {
				out[i] = float32(bits[i/64] >> (i % 64) & 1)
			}
			bi += words
		case packConst:
			for i := range out {
				out[i] = p.consts[pl]
			}
		default:
			copy(out, p.raw[ri:ri+p.Area])
			ri += p.Area
		}
	}
}

// Bytes returns the approximate memory the packed input holds.
func (p *Packed) Bytes() int {
	return len(p.kinds) + 4*len(p.consts) + 8*len(p.bits) + 4*len(p.raw)
}

// MarshalBinary encodes p (little-endian) for chunk files.
func (p *Packed) MarshalBinary() ([]byte, error) {
	b := binary.LittleEndian.AppendUint16(nil, uint16(p.Planes))
	b = binary.LittleEndian.AppendUint16(b, uint16(p.Area))
	b = append(b, p.kinds...)
	for pl, k := range p.kinds {
		if k == packConst {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(p.consts[pl]))
		}
	}
	for _, w := range p.bits {
		b = binary.LittleEndian.AppendUint64(b, w)
	}
	for _, v := range p.raw {
		b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
	}
	return b, nil
}

// ErrCorrupt is returned for undecodable packed data.
var ErrCorrupt = errors.New("dataset: corrupt packed input")

// UnmarshalBinary decodes what MarshalBinary wrote and returns the number
// of bytes used through n (the data may continue).
func (p *Packed) UnmarshalBinary(data []byte) error {
	_, err := p.decode(data)
	return err
}

func (p *Packed) decode(data []byte) (int, error) {
	if len(data) < 4 {
		return 0, ErrCorrupt
	}
	planes := int(binary.LittleEndian.Uint16(data))
	area := int(binary.LittleEndian.Uint16(data[2:]))
	if planes == 0 || area == 0 || area > 25*25 || planes > 1024 {
		return 0, fmt.Errorf("%w: %d planes of %d", ErrCorrupt, planes, area)
	}
	off := 4
	if len(data) < off+planes {
		return 0, ErrCorrupt
	}
	q := Packed{Planes: planes, Area: area, kinds: append([]uint8(nil), data[off:off+planes]...), consts: make([]float32, planes)}
	off += planes
	words := (area + 63) / 64
	nbits, nraw := 0, 0
	for pl, k := range q.kinds {
		switch k {
		case packBits:
			nbits += words
		case packConst:
			if len(data) < off+4 {
				return 0, ErrCorrupt
			}
			q.consts[pl] = math.Float32frombits(binary.LittleEndian.Uint32(data[off:]))
			off += 4
		case packRaw:
			nraw += area
		default:
			return 0, fmt.Errorf("%w: plane kind %d", ErrCorrupt, k)
		}
	}
	if len(data) < off+8*nbits+4*nraw {
		return 0, ErrCorrupt
	}
	q.bits = make([]uint64, nbits)
	for i := range q.bits {
		q.bits[i] = binary.LittleEndian.Uint64(data[off:])
		off += 8
	}
	q.raw = make([]float32, nraw)
	for i := range q.raw {
		q.raw[i] = math.Float32frombits(binary.LittleEndian.Uint32(data[off:]))
		off += 4
	}
	*p = q
	return off, nil
}
