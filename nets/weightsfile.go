package nets

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"math"
	"os"

	"github.com/tengen-go/tengen/internal/atomicfile"
)

// Weights file format, version 1. All integers are little-endian uint32;
// a string is its length followed by its bytes.
//
//	magic      "TENGENW\x00" (8 bytes)
//	version    1
//	spec       string: the Spec as JSON
//	meta       string: Weights.Meta as a JSON object
//	count      number of tensors
//	tensors    count times: name (string), rank, rank dims,
//	           then the float32 values, little-endian, row-major
//	checksum   CRC-32C (Castagnoli) of every byte before it
//
// Nothing may follow the checksum. The tensors must be exactly those of
// Spec.Params, in order, with finite values.
const (
	weightsMagic   = "TENGENW\x00"
	WeightsVersion = 1 // the version Write writes and Read reads

	maxJSONLen    = 1 << 20 // spec or meta
	maxNameLen    = 256
	maxRank       = 8
	maxTensors    = 1 << 12
	maxParamCount = 1 << 28 // float32 values in one file (1 GiB)
	readChunk     = 1 << 16 // values read (and allocated) at a time
)

// Errors of Read and Load; the returned errors wrap one of these (or
// ErrSpec for a bad or mismatched spec) and say where.
var (
	ErrWeightsMagic    = errors.New("nets: not a tengen weights file")
	ErrWeightsVersion  = errors.New("nets: unsupported weights file version")
	ErrWeightsCorrupt  = errors.New("nets: corrupt weights file")
	ErrWeightsChecksum = errors.New("nets: weights file checksum mismatch")
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Write writes w in the weights file format to out. It refuses weights
// that fail w.Check.
func Write(out io.Writer, w *Weights) error {
	if err := w.Check(); err != nil {
		return fmt.Errorf("nets: write weights: %w", err)
	}
	spec, err := json.Marshal(w.Spec)
	if err != nil {
		return fmt.Errorf("nets: write weights: %w", err)
	}
	meta := w.Meta
	if meta == nil {
		meta = map[string]string{}
	}
	metaJSON, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("nets: write weights: %w", err)
	}
	if len(spec) > maxJSONLen || len(metaJSON) > maxJSONLen {
		return fmt.Errorf("nets: write weights: spec or meta longer than %d bytes", maxJSONLen)
	}
	crc := crc32.New(castagnoli)
	bw := bufio.NewWriterSize(io.MultiWriter(out, crc), 1<<16)
	var b4 [4]byte
	u32 := func(v int) {
		binary.LittleEndian.PutUint32(b4[:], uint32(v))
		bw.Write(b4[:])
	}
	str := func(s []byte) {
		u32(len(s))
		bw.Write(s)
	}
	bw.WriteString(weightsMagic)
	u32(WeightsVersion)
	str(spec)
	str(metaJSON)
	u32(len(w.Tensors))
	for _, t := range w.Tensors {
		str([]byte(t.Name))
		u32(len(t.Shape))
		for _, d := range t.Shape {
			u32(d)
		}
		for _, v := range t.Data {
			binary.LittleEndian.PutUint32(b4[:], math.Float32bits(v))
			bw.Write(b4[:])
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("nets: write weights: %w", err)
	}
	binary.LittleEndian.PutUint32(b4[:], crc.Sum32())
	if _, err := out.Write(b4[:]); err != nil {
		return fmt.Errorf("nets: write weights: %w", err)
	}
	return nil
}

// Save writes w to path atomically: to a temporary file in the same
// directory, synced to disk, then renamed over path. On error path is
// untouched and the temporary file removed.
func Save(path string, w *Weights) error {
	if err := atomicfile.Write(path, func(f io.Writer) error { return Write(f, w) }); err != nil {
		return fmt.Errorf("nets: save weights: %w", err)
	}
	return nil
}

// Load reads the weights file at path (see Read).
func Load(path string) (*Weights, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nets: load weights: %w", err)
	}
	defer f.Close()
	w, err := Read(bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	return w, nil
}

// weightsReader reads the format, hashing what it reads and counting
// bytes for error messages.
type weightsReader struct {
	r   io.Reader
	crc hash.Hash32
	off int64
	buf [4]byte
}

func (r *weightsReader) full(p []byte) error {
	n, err := io.ReadFull(r.r, p)
	r.crc.Write(p[:n])
	r.off += int64(n)
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("%w: truncated at byte %d: %w", ErrWeightsCorrupt, r.off, io.ErrUnexpectedEOF)
	}
	return err
}

func (r *weightsReader) u32() (int, error) {
	if err := r.full(r.buf[:]); err != nil {
		return 0, err
	}
	return int(binary.LittleEndian.Uint32(r.buf[:])), nil
}

// bytes reads a length-prefixed string of at most limit bytes.
func (r *weightsReader) bytes(what string, limit int) ([]byte, error) {
	n, err := r.u32()
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, fmt.Errorf("%w: %s length %d at byte %d exceeds %d", ErrWeightsCorrupt, what, n, r.off-4, limit)
	}
	b := make([]byte, n)
	return b, r.full(b)
}

// Read reads a whole weights file from in: it checks the magic, the
// version, the spec (which must be valid), that the tensors are exactly
// those of the spec's Params in order and finite, the checksum, and that
// nothing follows. It returns either complete weights or an error, never
// partial weights. Sizes in the header are bounded and memory is
// allocated only as data actually arrives, so a corrupt or hostile header
// cannot make it allocate much more than the input's size.
func Read(in io.Reader) (*Weights, error) {
	r := &weightsReader{r: in, crc: crc32.New(castagnoli)}
	var magic [8]byte
	if err := r.full(magic[:]); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWeightsMagic, err)
	}
	if string(magic[:]) != weightsMagic {
		return nil, fmt.Errorf("%w: magic %q", ErrWeightsMagic, magic[:])
	}
	version, err := r.u32()
	if err != nil {
		return nil, err
	}
	if version != WeightsVersion {
		return nil, fmt.Errorf("%w: %d (this build reads %d)", ErrWeightsVersion, version, WeightsVersion)
	}
	specJSON, err := r.bytes("spec", maxJSONLen)
	if err != nil {
		return nil, err
	}
	spec, err := ParseSpec(specJSON)
	if err != nil {
		return nil, fmt.Errorf("nets: weights file: %w", err)
	}
	infos, err := spec.Params()
	if err != nil {
		return nil, fmt.Errorf("nets: weights file: %w", err)
	}
	total := 0
	for _, pi := range infos {
		n := 1 // shapeLen without overflow
		for _, d := range pi.Shape {
			if d <= 0 || n > maxParamCount/d {
				return nil, fmt.Errorf("%w: tensor %s %v is too large", ErrSpec, pi.Name, pi.Shape)
			}
			n *= d
		}
		if total += n; total > maxParamCount {
			return nil, fmt.Errorf("%w: spec has more than %d parameters", ErrSpec, maxParamCount)
		}
	}
	metaJSON, err := r.bytes("meta", maxJSONLen)
	if err != nil {
		return nil, err
	}
	w := &Weights{Spec: spec}
	if err := json.Unmarshal(metaJSON, &w.Meta); err != nil {
		return nil, fmt.Errorf("%w: meta: %v", ErrWeightsCorrupt, err)
	}
	if w.Meta == nil {
		w.Meta = map[string]string{}
	}
	count, err := r.u32()
	if err != nil {
		return nil, err
	}
	if count > maxTensors || count != len(infos) {
		return nil, fmt.Errorf("%w: file has %d tensors, its spec %d", ErrSpec, count, len(infos))
	}
	for i, pi := range infos {
		name, err := r.bytes("tensor name", maxNameLen)
		if err != nil {
			return nil, err
		}
		rank, err := r.u32()
		if err != nil {
			return nil, err
		}
		if rank > maxRank {
			return nil, fmt.Errorf("%w: tensor %q rank %d", ErrWeightsCorrupt, name, rank)
		}
		shape := make([]int, rank)
		for j := range shape {
			if shape[j], err = r.u32(); err != nil {
				return nil, err
			}
		}
		if string(name) != pi.Name || !equalInts(shape, pi.Shape) {
			return nil, fmt.Errorf("%w: tensor %d is %q %v; the spec wants %q %v", ErrSpec, i, name, shape, pi.Name, pi.Shape)
		}
		data, err := r.floats(shapeLen(shape))
		if err != nil {
			return nil, err
		}
		for _, v := range data {
			if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
				return nil, fmt.Errorf("%w: tensor %q holds %v", ErrWeightsCorrupt, name, v)
			}
		}
		w.Tensors = append(w.Tensors, Tensor{Name: pi.Name, Shape: shape, Data: data})
	}
	sum := r.crc.Sum32()
	stored, err := r.u32()
	if err != nil {
		return nil, err
	}
	if uint32(stored) != sum {
		return nil, fmt.Errorf("%w: stored %08x, computed %08x", ErrWeightsChecksum, stored, sum)
	}
	if n, _ := io.ReadFull(in, r.buf[:1]); n != 0 {
		return nil, fmt.Errorf("%w: data after the checksum at byte %d", ErrWeightsCorrupt, r.off)
	}
	if err := w.Check(); err != nil { // belt and braces: never hand out bad weights
		return nil, fmt.Errorf("nets: weights file: %w", err)
	}
	return w, nil
}

// floats reads n little-endian float32 values, allocating as they arrive.
func (r *weightsReader) floats(n int) ([]float32, error) {
	out := make([]float32, 0, min(n, readChunk))
	buf := make([]byte, 4*min(n, readChunk))
	for len(out) < n {
		k := min(n-len(out), readChunk)
		if err := r.full(buf[:4*k]); err != nil {
			return nil, err
		}
		for j := range k {
			out = append(out, math.Float32frombits(binary.LittleEndian.Uint32(buf[4*j:])))
		}
	}
	return out, nil
}
