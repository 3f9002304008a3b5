package nets_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/netstest"
)

// rawFile encodes a weights file field by field, independently of
// nets.Write, so that tests can build files Write refuses to make.
type rawFile struct {
	magic   string
	version uint32
	spec    []byte
	meta    []byte
	count   uint32
	tensors []rawTensor
	badCRC  bool
}

type rawTensor struct {
	name  string
	shape []uint32
	data  []float32
}

func (f rawFile) bytes() []byte {
	var b bytes.Buffer
	u32 := func(v uint32) { binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString(f.magic)
	u32(f.version)
	u32(uint32(len(f.spec)))
	b.Write(f.spec)
	u32(uint32(len(f.meta)))
	b.Write(f.meta)
	u32(f.count)
	for _, t := range f.tensors {
		u32(uint32(len(t.name)))
		b.WriteString(t.name)
		u32(uint32(len(t.shape)))
		for _, d := range t.shape {
			u32(d)
		}
		for _, v := range t.data {
			u32(math.Float32bits(v))
		}
	}
	sum := crc32.Checksum(b.Bytes(), crc32.MakeTable(crc32.Castagnoli))
	if f.badCRC {
		sum++
	}
	u32(sum)
	return b.Bytes()
}

// rawOf returns the raw form of valid weights.
func rawOf(t testing.TB, w *nets.Weights) rawFile {
	t.Helper()
	spec, err := json.Marshal(w.Spec)
	if err != nil {
		t.Fatal(err)
	}
	meta, _ := json.Marshal(w.Meta)
	f := rawFile{magic: "TENGENW\x00", version: 1, spec: spec, meta: meta, count: uint32(len(w.Tensors))}
	for _, tn := range w.Tensors {
		rt := rawTensor{name: tn.Name, data: append([]float32(nil), tn.Data...)}
		for _, d := range tn.Shape {
			rt.shape = append(rt.shape, uint32(d))
		}
		f.tensors = append(f.tensors, rt)
	}
	return f
}

func testWeights(t testing.TB, seed uint64, size int) *nets.Weights {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 77))
	w, err := netstest.RandomWeights(netstest.RandomSpec(rng, size), rng)
	if err != nil {
		t.Fatal(err)
	}
	w.Meta["steps"] = "1234"
	w.Meta["parent"] = "naïve \"net\"\n"
	return w
}

func marshal(t testing.TB, w *nets.Weights) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := nets.Write(&b, w); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func equalWeights(a, b *nets.Weights) bool {
	if !reflect.DeepEqual(a.Spec, b.Spec) || !reflect.DeepEqual(a.Meta, b.Meta) || len(a.Tensors) != len(b.Tensors) {
		return false
	}
	for i := range a.Tensors {
		x, y := a.Tensors[i], b.Tensors[i]
		if x.Name != y.Name || !reflect.DeepEqual(x.Shape, y.Shape) || len(x.Data) != len(y.Data) {
			return false
		}
		for j := range x.Data {
			if math.Float32bits(x.Data[j]) != math.Float32bits(y.Data[j]) {
				return false
			}
		}
	}
	return true
}

func TestWeightsRoundTrip(t *testing.T) {
	ws := []*nets.Weights{testWeights(t, 1, 9), testWeights(t, 2, 19), testWeights(t, 3, 5)}
	def, err := nets.NewWeights(nets.DefaultSpec(19), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	ws = append(ws, def)
	dir := t.TempDir()
	for i, w := range ws {
		data := marshal(t, w)
		if want := rawOf(t, w).bytes(); !bytes.Equal(data, want) {
			t.Fatalf("net %d: Write differs from the documented format (%d vs %d bytes)", i, len(data), len(want))
		}
		got, err := nets.Read(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("net %d: Read = %v", i, err)
		}
		if !equalWeights(got, w) {
			t.Fatalf("net %d: Read(Write(w)) != w", i)
		}
		path := filepath.Join(dir, "net.tgw")
		if err := nets.Save(path, w); err != nil {
			t.Fatal(err)
		}
		got, err = nets.Load(path)
		if err != nil {
			t.Fatalf("net %d: Load = %v", i, err)
		}
		if !equalWeights(got, w) {
			t.Fatalf("net %d: Load(Save(w)) != w", i)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries after saves; want 1 (no temporary files)", len(entries))
	}
	if fi, err := os.Stat(filepath.Join(dir, "net.tgw")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("saved file: %v, %v", fi.Mode(), err)
	}
	// Nil meta reads back as an empty map.
	w := ws[0].Clone()
	w.Meta = nil
	got, err := nets.Read(bytes.NewReader(marshal(t, w)))
	if err != nil || got.Meta == nil || len(got.Meta) != 0 {
		t.Errorf("nil meta: %v, %v", got.Meta, err)
	}
}

func TestSaveFailuresLeaveNoTrace(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "net.tgw")
	good := testWeights(t, 4, 5)
	if err := nets.Save(path, good); err != nil {
		t.Fatal(err)
	}
	bad := good.Clone()
	bad.Tensors[0].Data[0] = float32(math.Inf(1))
	if err := nets.Save(path, bad); err == nil {
		t.Fatal("Save of weights with +Inf succeeded")
	}
	got, err := nets.Load(path)
	if err != nil || !equalWeights(got, good) {
		t.Fatalf("after a failed Save the old file changed: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("failed Save left %d entries", len(entries))
	}
	if err := nets.Save(filepath.Join(dir, "missing", "net.tgw"), good); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
	if _, err := nets.Load(filepath.Join(dir, "absent.tgw")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Load of a missing file = %v; want ErrNotExist", err)
	}
}

func TestReadRejects(t *testing.T) {
	w := testWeights(t, 5, 5)
	good := rawOf(t, w)
	other := rawOf(t, testWeights(t, 6, 9))
	mod := func(f func(r *rawFile)) []byte {
		r := good
		r.tensors = append([]rawTensor(nil), good.tensors...)
		f(&r)
		return r.bytes()
	}
	data := good.bytes()
	bigSpec := nets.Spec{BoardSize: 25, Features: nets.FeaturesV1, Policy: nets.PolicyHead{Kind: "dense", Filters: 600}, Value: nets.ValueHead{Filters: 1, Hidden: 1}}
	bigSpecJSON, _ := json.Marshal(bigSpec)
	hugeSpec := bigSpec
	hugeSpec.Policy.Filters = 1 << 40
	hugeSpecJSON, _ := json.Marshal(hugeSpec)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, nets.ErrWeightsMagic},
		{"short magic", []byte("TENG"), nets.ErrWeightsMagic},
		{"wrong magic", append([]byte("TENGENX\x00"), data[8:]...), nets.ErrWeightsMagic},
		{"gzip", append([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0}, data[8:]...), nets.ErrWeightsMagic},
		{"version 0", mod(func(r *rawFile) { r.version = 0 }), nets.ErrWeightsVersion},
		{"version 2", mod(func(r *rawFile) { r.version = 2 }), nets.ErrWeightsVersion},
		{"bad checksum", mod(func(r *rawFile) { r.badCRC = true }), nets.ErrWeightsChecksum},
		{"flipped data bit", flip(data, len(data)-6), nets.ErrWeightsChecksum},
		{"trailing byte", append(append([]byte(nil), data...), 0), nets.ErrWeightsCorrupt},
		{"truncated checksum", data[:len(data)-1], nets.ErrWeightsCorrupt},
		{"truncated data", data[:len(data)-7], nets.ErrWeightsCorrupt},
		{"truncated header", data[:13], nets.ErrWeightsCorrupt},
		{"spec not JSON", mod(func(r *rawFile) { r.spec = []byte("{board_size") }), nets.ErrSpec},
		{"invalid spec", mod(func(r *rawFile) {
			r.spec = []byte(`{"board_size":9,"features":"v1","trunk":[{"kind":"conv","filters":2,"kernel":2}]}`)
		}), nets.ErrSpec},
		{"meta not a map", mod(func(r *rawFile) { r.meta = []byte(`[1]`) }), nets.ErrWeightsCorrupt},
		{"other net's spec", mod(func(r *rawFile) { r.spec = other.spec }), nets.ErrSpec},
		{"other net's tensors", mod(func(r *rawFile) { r.tensors, r.count = other.tensors, other.count }), nets.ErrSpec},
		{"missing tensor", mod(func(r *rawFile) { r.tensors = r.tensors[:len(r.tensors)-1]; r.count-- }), nets.ErrSpec},
		{"extra tensor", mod(func(r *rawFile) { r.tensors = append(r.tensors, r.tensors[0]); r.count++ }), nets.ErrSpec},
		{"count lies", mod(func(r *rawFile) { r.count++ }), nets.ErrSpec},
		{"renamed tensor", mod(func(r *rawFile) { r.tensors[0].name = "trunk.99.w" }), nets.ErrSpec},
		{"swapped tensors", mod(func(r *rawFile) { r.tensors[0], r.tensors[1] = r.tensors[1], r.tensors[0] }), nets.ErrSpec},
		{"reshaped tensor", mod(func(r *rawFile) {
			i := len(r.tensors) - 4 // value.fc1.w [hidden, n]
			s := r.tensors[i].shape
			r.tensors[i].shape = []uint32{s[1], s[0]}
		}), nets.ErrSpec},
		{"NaN weight", mod(func(r *rawFile) {
			r.tensors[0].data = append([]float32(nil), r.tensors[0].data...)
			r.tensors[0].data[0] = float32(math.NaN())
		}), nets.ErrWeightsCorrupt},
		{"huge spec length", append(append([]byte(nil), data[:12]...), 0xff, 0xff, 0xff, 0xff), nets.ErrWeightsCorrupt},
		{"huge name length", mod(func(r *rawFile) { r.tensors[0].name = strings.Repeat("x", 300) }), nets.ErrWeightsCorrupt},
		{"huge rank", mod(func(r *rawFile) { r.tensors[0].shape = make([]uint32, 9) }), nets.ErrWeightsCorrupt},
		{"overflowing spec", mod(func(r *rawFile) { r.spec = hugeSpecJSON }), nets.ErrSpec},
		{"big net, no data", mod(func(r *rawFile) { r.spec = bigSpecJSON }), nets.ErrSpec},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, err := nets.Read(bytes.NewReader(tc.data))
			if err == nil || w != nil {
				t.Fatalf("Read = %v, %v; want nil and %v", w, err, tc.want)
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Read = %v; want %v", err, tc.want)
			}
		})
	}
}

func flip(b []byte, i int) []byte {
	c := append([]byte(nil), b...)
	c[i] ^= 0x10
	return c
}

// TestReadTruncatedEverywhere: every proper prefix of a valid file is
// rejected, and a file cut inside a big tensor does not allocate the
// tensor's declared size.
func TestReadTruncatedEverywhere(t *testing.T) {
	data := marshal(t, testWeights(t, 7, 5))
	for n := range len(data) {
		if w, err := nets.Read(bytes.NewReader(data[:n])); err == nil || w != nil {
			t.Fatalf("prefix of %d/%d bytes accepted", n, len(data))
		}
	}

	// A 25x25 net with a 626 x 375000 dense policy layer (939 MB),
	// truncated a few bytes into that tensor.
	spec := nets.Spec{BoardSize: 25, Features: nets.FeaturesV1, Policy: nets.PolicyHead{Kind: "dense", Filters: 600}, Value: nets.ValueHead{Filters: 1, Hidden: 1}}
	infos, err := spec.Params()
	if err != nil {
		t.Fatal(err)
	}
	specJSON, _ := json.Marshal(spec)
	f := rawFile{magic: "TENGENW\x00", version: 1, spec: specJSON, meta: []byte("{}"), count: uint32(len(infos))}
	for _, pi := range infos[:3] { // policy.conv.w, .b, policy.dense.w
		rt := rawTensor{name: pi.Name}
		for _, d := range pi.Shape {
			rt.shape = append(rt.shape, uint32(d))
		}
		n := 1
		for _, d := range pi.Shape {
			n *= d
		}
		rt.data = make([]float32, min(n, 1000)) // the dense layer is cut short
		f.tensors = append(f.tensors, rt)
	}
	cut := f.bytes()
	cut = cut[:len(cut)-4]
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	w, err := nets.Read(bytes.NewReader(cut))
	runtime.ReadMemStats(&after)
	if err == nil || w != nil || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("Read of a truncated big net = %v", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 16<<20 {
		t.Errorf("Read of a %d-byte truncated file allocated %d MB", len(cut), got>>20)
	}
}

// FuzzRead: Read never panics, and whatever it accepts is valid and
// survives a round trip. Each input is tried as is and with its checksum
// recomputed, so that the fuzzer gets past the checksum into the parser.
func FuzzRead(f *testing.F) {
	for seed := range uint64(3) {
		data := marshal(f, testWeights(f, 10+seed, []int{2, 3, 5}[seed]))
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Add([]byte("TENGENW\x00\x01\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		try := func(data []byte) {
			w, err := nets.Read(bytes.NewReader(data))
			if err != nil {
				if w != nil {
					t.Fatalf("Read returned weights with error %v", err)
				}
				return
			}
			if err := w.Check(); err != nil {
				t.Fatalf("Read accepted weights that fail Check: %v", err)
			}
			again, err := nets.Read(bytes.NewReader(marshal(t, w)))
			if err != nil || !equalWeights(w, again) {
				t.Fatalf("accepted weights do not round-trip: %v", err)
			}
		}
		try(data)
		if len(data) >= 4 {
			fixed := append([]byte(nil), data...)
			body := fixed[:len(fixed)-4]
			binary.LittleEndian.PutUint32(fixed[len(fixed)-4:], crc32.Checksum(body, crc32.MakeTable(crc32.Castagnoli)))
			try(fixed)
		}
	})
}

func BenchmarkLoad(b *testing.B) {
	w, err := nets.NewWeights(nets.DefaultSpec(19), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "net.tgw")
	if err := nets.Save(path, w); err != nil {
		b.Fatal(err)
	}
	fi, _ := os.Stat(path)
	b.SetBytes(fi.Size())
	for b.Loop() {
		if _, err := nets.Load(path); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWeightsRoundTripHeads: specs with the heads of issue 14 (pooled
// value, ownership, score, v2 features) round-trip through the file.
func TestWeightsRoundTripHeads(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 1))
	for _, size := range []int{5, 19} {
		for _, spec := range netstest.HeadSpecs(size) {
			w, err := netstest.RandomWeights(spec, rng)
			if err != nil {
				t.Fatal(err)
			}
			got, err := nets.Read(bytes.NewReader(marshal(t, w)))
			if err != nil {
				t.Fatalf("%s: Read = %v", spec.Name, err)
			}
			if !equalWeights(got, w) || !reflect.DeepEqual(got.Spec, spec) {
				t.Fatalf("%s: Read(Write(w)) != w: spec %+v", spec.Name, got.Spec)
			}
		}
	}
}

// TestOldSpecJSON: a spec without the new fields reads as a flat value
// head without ownership or score, and writes back the same JSON (the new
// fields are left out), so old weights files and specs are unchanged.
func TestOldSpecJSON(t *testing.T) {
	old := `{"name":"x","board_size":9,"features":"v1","trunk":[{"kind":"conv","filters":4,"kernel":3},{"kind":"relu"}],` +
		`"policy":{"kind":"conv","filters":2},"value":{"filters":2,"hidden":8,"dropout":0.5}}`
	s, err := nets.ParseSpec([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	if s.Value.Pooled() || s.HasOwnership() || s.HasScore() {
		t.Errorf("old spec read as %+v", s)
	}
	again, _ := json.Marshal(s)
	if string(again) != old {
		t.Errorf("old spec written back as\n%s\nwant\n%s", again, old)
	}
	for name, bad := range map[string]func(*nets.Spec){
		"score without a pooled value head": func(s *nets.Spec) { s.Score.Hidden = 4 },
		"unknown value kind":                func(s *nets.Spec) { s.Value.Kind = "mean" },
		"negative ownership":                func(s *nets.Spec) { s.Ownership.Filters = -1 },
		"ownership after stride 2": func(s *nets.Spec) {
			s.Trunk = append(s.Trunk, nets.Layer{Kind: nets.KindMaxPool, Size: 3, Stride: 2})
			s.Policy.Kind = "dense"
			s.Ownership.Filters = 2
		},
		"unknown features": func(s *nets.Spec) { s.Features = "v4" },
	} {
		c := s
		c.Trunk = append([]nets.Layer(nil), s.Trunk...)
		bad(&c)
		if err := c.Validate(); !errors.Is(err, nets.ErrSpec) {
			t.Errorf("%s: Validate = %v; want ErrSpec", name, err)
		}
	}
	// The pooled heads fit a stride-2 trunk (board-size independent).
	c := s
	c.Trunk = append(append([]nets.Layer(nil), s.Trunk...), nets.Layer{Kind: nets.KindMaxPool, Size: 3, Stride: 2})
	c.Policy.Kind = "dense"
	c.Value.Kind = nets.ValuePool
	c.Score.Hidden = 3
	if err := c.Validate(); err != nil {
		t.Errorf("pooled value and score after stride 2: %v", err)
	}
}

// TestTransplantToHeads: a flat-value network's tensors carry over to the
// same trunk with a pooled value head and new heads, except value.fc1
// (another shape) and the new heads' tensors.
func TestTransplantToHeads(t *testing.T) {
	src, err := nets.NewWeights(nets.DefaultSpec(9), rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	spec := nets.DefaultSpec(9)
	spec.Value.Kind = nets.ValuePool
	spec.Ownership.Filters = 8
	spec.Score.Hidden = 32
	dst, err := nets.NewWeights(spec, rand.New(rand.NewPCG(2, 2)))
	if err != nil {
		t.Fatal(err)
	}
	_, kept, err := nets.Transplant(dst, src)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"value.fc1.w", "ownership.conv.w", "ownership.conv.b", "ownership.out.w", "ownership.out.b",
		"score.fc1.w", "score.fc1.b", "score.fc2.w", "score.fc2.b"}
	if !reflect.DeepEqual(kept, want) {
		t.Errorf("kept %v; want %v", kept, want)
	}
}

// TestTransplantWiderFeatures: a network moved into the same spec with a
// feature set that extends its own (v1 to v2 and v3, v2 to v3) computes
// the same outputs (the new planes' weights are zero); the other way is
// refused.
func TestTransplantWiderFeatures(t *testing.T) {
	planes := map[string]int{nets.FeaturesV1: nets.NumPlanesV1, nets.FeaturesV2: nets.NumPlanesV2, nets.FeaturesV3: nets.NumPlanesV3}
	for _, c := range [][2]string{{nets.FeaturesV1, nets.FeaturesV2}, {nets.FeaturesV1, nets.FeaturesV3}, {nets.FeaturesV2, nets.FeaturesV3}} {
		rng := rand.New(rand.NewPCG(3, 3))
		spec := netstest.TinySpecs()["convhead"]
		spec.Features = c[0]
		src, err := netstest.RandomWeights(spec, rng)
		if err != nil {
			t.Fatal(err)
		}
		spec2 := spec
		spec2.Features = c[1]
		dst, err := netstest.RandomWeights(spec2, rng)
		if err != nil {
			t.Fatal(err)
		}
		if _, kept, err := nets.Transplant(dst, src); err != nil || len(kept) != 0 {
			t.Fatalf("%s to %s: Transplant: kept %v, %v", c[0], c[1], kept, err)
		}
		p1n, p2n := planes[c[0]]*25, planes[c[1]]*25
		in1 := make([]float32, 2*p1n)
		in1v1 := netstest.EncodedInputs(rng, 5, 2)
		for i := range 2 {
			copy(in1[i*p1n:], in1v1[i*nets.NumPlanesV1*25:(i+1)*nets.NumPlanesV1*25])
			for j := nets.NumPlanesV1 * 25; j < p1n; j++ {
				in1[i*p1n+j] = float32(j % 3)
			}
		}
		in2 := make([]float32, 2*p2n)
		for i := range 2 {
			copy(in2[i*p2n:], in1[i*p1n:(i+1)*p1n])
			for j := p1n; j < p2n; j++ {
				in2[i*p2n+j] = float32(j % 2) // the new planes must not matter
			}
		}
		a, _ := netstest.NewNaive(src)
		b, _ := netstest.NewNaive(dst)
		p1, v1 := make([]float32, 2*spec.Moves()), make([]float32, 2)
		p2, v2 := make([]float32, 2*spec.Moves()), make([]float32, 2)
		if err := a.Forward(context.Background(), in1, 2, p1, v1); err != nil {
			t.Fatal(err)
		}
		if err := b.Forward(context.Background(), in2, 2, p2, v2); err != nil {
			t.Fatal(err)
		}
		if netstest.RelErr(p2, p1) > 1e-6 || netstest.RelErr(v2, v1) > 1e-6 {
			t.Errorf("%s to %s: outputs differ after the transplant: %v vs %v", c[0], c[1], v2, v1)
		}
		if _, _, err := nets.Transplant(src, dst.Clone()); err == nil {
			t.Errorf("a %s network went into a %s one", c[1], c[0])
		}
	}
}
