package defaultnets

import (
	"bytes"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/tengen-go/tengen/nets"
)

//go:embed weights
var files embed.FS

var all = sync.OnceValues(func() ([]*nets.Weights, error) { return decode(files) })

// All returns the embedded networks, one per board size, smallest board
// first. The weights are shared: callers must not modify them.
func All() ([]*nets.Weights, error) { return all() }

// ForSize returns the embedded network for an n x n board, or nil.
func ForSize(n int) (*nets.Weights, error) {
	ws, err := All()
	if err != nil {
		return nil, err
	}
	for _, w := range ws {
		if w.Spec.BoardSize == n {
			return w, nil
		}
	}
	return nil, nil
}

func decode(fsys fs.FS) ([]*nets.Weights, error) {
	names, err := fs.Glob(fsys, "weights/*.weights")
	if err != nil {
		return nil, err
	}
	var out []*nets.Weights
	seen := map[int]string{}
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("defaultnets: %w", err)
		}
		w, err := nets.Read(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("defaultnets: %s: %w", name, err)
		}
		n := w.Spec.BoardSize
		if want := fmt.Sprintf("%dx%d.weights", n, n); path.Base(name) != want {
			return nil, fmt.Errorf("defaultnets: %s holds a %dx%d network (want the name %s)", name, n, n, want)
		}
		if prev, dup := seen[n]; dup {
			return nil, fmt.Errorf("defaultnets: %s and %s are both %dx%d", prev, name, n, n)
		}
		seen[n] = name
		if w.Meta == nil {
			w.Meta = map[string]string{}
		}
		w.Meta["embedded"] = strings.TrimPrefix(name, "weights/")
		out = append(out, w)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Spec.BoardSize < out[j].Spec.BoardSize })
	return out, nil
}
