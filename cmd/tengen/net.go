package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"sort"
	"strings"

	"github.com/tengen-go/tengen/nets"
)

func init() {
	register(command{name: "net", summary: "networks: new (random weights), info, average (of snapshots)", run: runNet})
}

func runNet(ctx context.Context, e env) error {
	return dispatch(ctx, "net", []command{
		{name: "new", summary: "write a randomly initialised network", run: runNetNew},
		{name: "info", summary: "print a weights file's spec, sizes, parameters, FLOPs and provenance", run: runNetInfo},
		{name: "average", summary: "write the mean of snapshots of one network (stochastic weight averaging)", run: runNetAverage},
	}, e)
}

// runNetAverage is tengen net average: nets.Average of the given weights
// files, written to --out.
func runNetAverage(ctx context.Context, e env) error {
	fs := newFlags("net average", "--out W A.weights B.weights [C.weights...]", e.stdout)
	out := fs.String("out", "", "weights file to write (required)")
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	if *out == "" || fs.NArg() < 2 {
		return usageError("net average: --out W and at least two weights files are required")
	}
	var ws []*nets.Weights
	for _, p := range fs.Args() {
		w, err := nets.Load(p)
		if err != nil {
			return err
		}
		ws = append(ws, w)
	}
	avg, err := nets.Average(ws...)
	if err != nil {
		return err
	}
	avg.Meta["created_by"] = "tengen net average " + version
	avg.Meta["averaged_from"] = strings.Join(fs.Args(), " ")
	if err := nets.Save(*out, avg); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s: the mean of %d networks (%s, %dx%d)\n", *out, len(ws), avg.Spec.Name, avg.Spec.BoardSize, avg.Spec.BoardSize)
	return nil
}

func runNetNew(ctx context.Context, e env) error {
	fs := newFlags("net new", "(--spec FILE | --size N) --out W [--seed S] [--name NAME]", e.stdout)
	specPath := fs.String("spec", "", "network spec (JSON)")
	size := fs.Int("size", 0, "board size, for the default spec")
	out := fs.String("out", "", "weights file to write (required)")
	seed := fs.Uint64("seed", 1, "seed of the random initialisation")
	name := fs.String("name", "", "network name (default: the spec's)")
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	if *out == "" || fs.NArg() > 0 {
		return usageError("net new: --out W is required and no arguments are taken")
	}
	var spec nets.Spec
	switch {
	case *specPath != "" && *size != 0:
		return usageError("net new: --spec and --size exclude each other")
	case *specPath != "":
		data, err := os.ReadFile(*specPath)
		if err != nil {
			return err
		}
		if spec, err = nets.ParseSpec(data); err != nil {
			return fmt.Errorf("net new: %s: %w", *specPath, err)
		}
	case *size != 0:
		spec = nets.DefaultSpec(*size)
		if err := spec.Validate(); err != nil {
			return usageError("net new: %v", err)
		}
	default:
		return usageError("net new: give --spec FILE or --size N")
	}
	if *name != "" {
		spec.Name = *name
	}
	w, err := nets.NewWeights(spec, rand.New(rand.NewPCG(*seed, 0x6e6574)))
	if err != nil {
		return err
	}
	w.Meta["created_by"] = "tengen net new " + version
	w.Meta["init"] = fmt.Sprintf("random, seed %d", *seed)
	if err := nets.Save(*out, w); err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "wrote %s: %s, %dx%d, %d parameters\n", *out, spec.Name, spec.BoardSize, spec.BoardSize, w.NumParams())
	return nil
}

// netInfo is what "tengen net info --json" prints.
type netInfo struct {
	File       string            `json:"file"`
	Bytes      int64             `json:"bytes"`
	Name       string            `json:"name"`
	BoardSize  int               `json:"board_size"`
	Features   string            `json:"features"`
	Input      []int             `json:"input"`  // C, H, W
	Shapes     [][]int           `json:"shapes"` // after each trunk layer
	Params     int               `json:"params"` // trainable values
	Values     int               `json:"values"` // all stored values
	Tensors    int               `json:"tensors"`
	FLOPs      float64           `json:"flops_per_position"`
	Spec       nets.Spec         `json:"spec"`
	Meta       map[string]string `json:"meta"`
	TensorList []tensorInfo      `json:"tensor_list"`
}

type tensorInfo struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
}

func runNetInfo(ctx context.Context, e env) error {
	fs := newFlags("net info", "[--json] W", e.stdout)
	asJSON := fs.Bool("json", false, "print one JSON object")
	if done, err := parseFlags(fs, e.args); done || err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usageError("net info: one weights file wanted")
	}
	path := fs.Arg(0)
	w, err := nets.Load(path)
	if err != nil {
		return err
	}
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	shapes, err := w.Spec.TrunkShapes()
	if err != nil {
		return err
	}
	info := netInfo{File: path, Bytes: st.Size(), Name: w.Spec.Name, BoardSize: w.Spec.BoardSize, Features: w.Spec.Features,
		Params: w.NumParams(), Tensors: len(w.Tensors), FLOPs: w.Spec.FLOPs(), Spec: w.Spec, Meta: w.Meta}
	if info.Meta == nil {
		info.Meta = map[string]string{}
	}
	info.Input = []int{shapes[0].C, shapes[0].H, shapes[0].W}
	for _, s := range shapes[1:] {
		info.Shapes = append(info.Shapes, []int{s.C, s.H, s.W})
	}
	for _, t := range w.Tensors {
		info.Values += len(t.Data)
		info.TensorList = append(info.TensorList, tensorInfo{t.Name, t.Shape})
	}
	if *asJSON {
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(info)
	}
	o := e.stdout
	fmt.Fprintf(o, "file        %s (%d bytes)\n", info.File, info.Bytes)
	fmt.Fprintf(o, "name        %s\n", info.Name)
	fmt.Fprintf(o, "board       %dx%d\n", info.BoardSize, info.BoardSize)
	fmt.Fprintf(o, "input       %s, %d planes\n", info.Features, shapes[0].C)
	fmt.Fprintf(o, "trunk       %s\n", describeTrunk(w.Spec, shapes))
	fmt.Fprintf(o, "policy head %s, %d filters", w.Spec.Policy.Kind, w.Spec.Policy.Filters)
	if w.Spec.Policy.Dropout > 0 {
		fmt.Fprintf(o, ", dropout %g", w.Spec.Policy.Dropout)
	}
	fmt.Fprintf(o, " -> %d moves\n", w.Spec.Moves())
	fmt.Fprintf(o, "value head  %d filters, %d hidden", w.Spec.Value.Filters, w.Spec.Value.Hidden)
	if w.Spec.Value.Pooled() {
		fmt.Fprintf(o, ", global pooling (mean, max)")
	}
	if w.Spec.Value.Dropout > 0 {
		fmt.Fprintf(o, ", dropout %g", w.Spec.Value.Dropout)
	}
	fmt.Fprintln(o)
	if w.Spec.HasOwnership() {
		fmt.Fprintf(o, "ownership   %d filters -> %d points\n", w.Spec.Ownership.Filters, w.Spec.Area())
	}
	if w.Spec.HasScore() {
		fmt.Fprintf(o, "score head  %d hidden on the value head's pooled features\n", w.Spec.Score.Hidden)
	}
	fmt.Fprintf(o, "parameters  %d trainable (%d values in %d tensors)\n", info.Params, info.Values, info.Tensors)
	fmt.Fprintf(o, "FLOPs       %.1f M per position (forward)\n", info.FLOPs/1e6)
	keys := make([]string, 0, len(info.Meta))
	for k := range info.Meta {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		label := ""
		if i == 0 {
			label = "meta"
		}
		fmt.Fprintf(o, "%-11s %s: %s\n", label, k, info.Meta[k])
	}
	return nil
}

// describeTrunk writes the trunk compactly: "conv5x5x64 relu lrn
// maxpool3/1 ... -> 64x19x19".
func describeTrunk(s nets.Spec, shapes []nets.Shape) string {
	var parts []string
	for _, l := range s.Trunk {
		switch l.Kind {
		case nets.KindConv:
			parts = append(parts, fmt.Sprintf("conv%dx%dx%d", l.Kernel, l.Kernel, l.Filters))
		case nets.KindMaxPool:
			size, stride := l.Size, l.Stride
			if size == 0 {
				size = 3
			}
			if stride == 0 {
				stride = 1
			}
			parts = append(parts, fmt.Sprintf("maxpool%d/%d", size, stride))
		case nets.KindDropout:
			parts = append(parts, fmt.Sprintf("dropout%g", l.Rate))
		default:
			parts = append(parts, l.Kind)
		}
	}
	out := shapes[len(shapes)-1]
	return fmt.Sprintf("%s -> %dx%dx%d", strings.Join(parts, " "), out.C, out.H, out.W)
}
