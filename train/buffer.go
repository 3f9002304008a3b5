package train

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"

	"github.com/tengen-go/tengen/dataset"
)

// item is one example in the shuffle buffer: what a batch needs of a
// dataset.Example.
type item struct {
	in       dataset.Packed
	policy   int32     // move index, when dist is nil
	dist     []float32 // policy distribution, or nil
	value    float32
	hasValue bool
	own      []int8 // final ownership from the mover's view, or nil
	score    float32
	hasScore bool
}

func itemOf(ex *dataset.Example) item {
	it := item{in: ex.Input, policy: int32(ex.Policy), value: ex.Value, hasValue: ex.HasValue, score: ex.Score, hasScore: ex.HasScore}
	if ex.PolicyDist != nil {
		it.dist = append([]float32(nil), ex.PolicyDist...)
	}
	if ex.Ownership != nil {
		it.own = append([]int8(nil), ex.Ownership...)
	}
	return it
}

// Buffer file format: magic, version, count (little-endian uint32s), then
// per item the packed input (length-prefixed dataset.Packed binary form),
// the policy index (int32), the distribution (count, float32s), the value
// (float32) and a has-value byte; from version 2 on, the ownership (count,
// then that many int8 bytes), the score (float32) and a has-score byte;
// then the CRC-32C of everything before. Version 1 files (no ownership or
// score) still read.
const (
	bufferMagic   = "TENGENB\x00"
	bufferVersion = 2
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrBuffer is wrapped by errors reading a buffer file.
var ErrBuffer = errors.New("train: bad buffer file")

func writeBuffer(w io.Writer, items []item) error {
	crc := crc32.New(castagnoli)
	bw := bufio.NewWriterSize(io.MultiWriter(w, crc), 1<<16)
	var b4 [4]byte
	u32 := func(v uint32) {
		binary.LittleEndian.PutUint32(b4[:], v)
		bw.Write(b4[:])
	}
	bw.WriteString(bufferMagic)
	u32(bufferVersion)
	u32(uint32(len(items)))
	for i := range items {
		it := &items[i]
		p, err := it.in.MarshalBinary()
		if err != nil {
			return err
		}
		u32(uint32(len(p)))
		bw.Write(p)
		u32(uint32(it.policy))
		u32(uint32(len(it.dist)))
		for _, v := range it.dist {
			u32(math.Float32bits(v))
		}
		u32(math.Float32bits(it.value))
		if it.hasValue {
			bw.WriteByte(1)
		} else {
			bw.WriteByte(0)
		}
		u32(uint32(len(it.own)))
		for _, o := range it.own {
			bw.WriteByte(byte(o))
		}
		u32(math.Float32bits(it.score))
		if it.hasScore {
			bw.WriteByte(1)
		} else {
			bw.WriteByte(0)
		}
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	binary.LittleEndian.PutUint32(b4[:], crc.Sum32())
	_, err := w.Write(b4[:])
	return err
}

func readBufferFile(path string) ([]item, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	items, err := decodeBuffer(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrBuffer, path, err)
	}
	return items, nil
}

func decodeBuffer(data []byte) ([]item, error) {
	if len(data) < len(bufferMagic)+12 || string(data[:len(bufferMagic)]) != bufferMagic {
		return nil, errors.New("not a buffer file")
	}
	body, sum := data[:len(data)-4], binary.LittleEndian.Uint32(data[len(data)-4:])
	if crc32.Checksum(body, castagnoli) != sum {
		return nil, errors.New("checksum mismatch")
	}
	off := len(bufferMagic)
	u32 := func() (uint32, error) {
		if off+4 > len(body) {
			return 0, io.ErrUnexpectedEOF
		}
		v := binary.LittleEndian.Uint32(body[off:])
		off += 4
		return v, nil
	}
	version, _ := u32()
	if version != 1 && version != bufferVersion {
		return nil, fmt.Errorf("version %d", version)
	}
	n, _ := u32()
	if int64(n) > int64(len(body)) { // every item takes more than a byte
		return nil, fmt.Errorf("%d items in %d bytes", n, len(body))
	}
	items := make([]item, n)
	for i := range items {
		it := &items[i]
		l, err := u32()
		if err != nil {
			return nil, err
		}
		if int64(off)+int64(l) > int64(len(body)) {
			return nil, io.ErrUnexpectedEOF
		}
		if err := it.in.UnmarshalBinary(body[off : off+int(l)]); err != nil {
			return nil, err
		}
		off += int(l)
		p, err := u32()
		if err != nil {
			return nil, err
		}
		it.policy = int32(p)
		nd, err := u32()
		if err != nil {
			return nil, err
		}
		if int64(off)+4*int64(nd) > int64(len(body)) {
			return nil, io.ErrUnexpectedEOF
		}
		if nd > 0 {
			it.dist = make([]float32, nd)
			for j := range it.dist {
				v, _ := u32()
				it.dist[j] = math.Float32frombits(v)
			}
		}
		v, err := u32()
		if err != nil {
			return nil, err
		}
		it.value = math.Float32frombits(v)
		if off >= len(body) {
			return nil, io.ErrUnexpectedEOF
		}
		it.hasValue = body[off] == 1
		off++
		if version < 2 {
			continue
		}
		no, err := u32()
		if err != nil {
			return nil, err
		}
		if int64(off)+int64(no) > int64(len(body)) {
			return nil, io.ErrUnexpectedEOF
		}
		if no > 0 {
			it.own = make([]int8, no)
			for j := range it.own {
				it.own[j] = int8(body[off+j])
			}
			off += int(no)
		}
		sc, err := u32()
		if err != nil {
			return nil, err
		}
		it.score = math.Float32frombits(sc)
		if off >= len(body) {
			return nil, io.ErrUnexpectedEOF
		}
		it.hasScore = body[off] == 1
		off++
	}
	if off != len(body) {
		return nil, fmt.Errorf("%d bytes after the last item", len(body)-off)
	}
	return items, nil
}

func putF32(b []byte, v float32) { binary.LittleEndian.PutUint32(b, math.Float32bits(v)) }
func getF32(b []byte) float32    { return math.Float32frombits(binary.LittleEndian.Uint32(b)) }
