package defaultnets

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tengen-go/tengen/nets"
)

func TestEmbedded(t *testing.T) {
	ws, err := All()
	if err != nil {
		t.Fatal(err)
	}
	for i, w := range ws {
		if err := w.Spec.Validate(); err != nil {
			t.Errorf("%s: %v", w.Meta["embedded"], err)
		}
		if i > 0 && ws[i-1].Spec.BoardSize >= w.Spec.BoardSize {
			t.Errorf("not sorted by size")
		}
		got, err := ForSize(w.Spec.BoardSize)
		if err != nil || got != w {
			t.Errorf("ForSize(%d) = %v, %v", w.Spec.BoardSize, got, err)
		}
		t.Logf("%s: %s, %d parameters", w.Meta["embedded"], w.Spec.Name, w.NumParams())
	}
	if w, err := ForSize(4); w != nil || err != nil {
		t.Errorf("ForSize(4) = %v, %v; want none", w, err)
	}
}

func weightsFile(t *testing.T, size int) []byte {
	t.Helper()
	spec := nets.Spec{BoardSize: size, Features: nets.FeaturesV1,
		Trunk:  []nets.Layer{{Kind: nets.KindConv, Filters: 4, Kernel: 3}, {Kind: nets.KindReLU}},
		Policy: nets.PolicyHead{Kind: "conv", Filters: 1}, Value: nets.ValueHead{Filters: 1, Hidden: 4}}
	w, err := nets.NewWeights(spec, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := nets.Write(&buf, w); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDecode(t *testing.T) {
	good7, good9 := weightsFile(t, 7), weightsFile(t, 9)
	ws, err := decode(fstest.MapFS{
		"weights/9x9.weights": {Data: good9},
		"weights/7x7.weights": {Data: good7},
		"weights/README.md":   {Data: []byte("x")},
	})
	if err != nil || len(ws) != 2 || ws[0].Spec.BoardSize != 7 || ws[1].Spec.BoardSize != 9 {
		t.Fatalf("decode = %d networks, %v", len(ws), err)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"misnamed":  {"weights/19x19.weights": {Data: good9}},
		"corrupt":   {"weights/9x9.weights": {Data: good9[:len(good9)/2]}},
		"not a net": {"weights/9x9.weights": {Data: []byte("hello")}},
	} {
		if _, err := decode(fsys); err == nil || !strings.Contains(err.Error(), "defaultnets") {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}
