package plot

import (
	"flag"
	"fmt"
	"image"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tengen-go/tengen/board"
	"github.com/tengen-go/tengen/nets"
)

// -keep DIR writes the test pictures there to look at.
var keep = flag.String("keep", "", "directory to keep the test pictures in")

func outDir(t *testing.T) string {
	if *keep != "" {
		if err := os.MkdirAll(*keep, 0o755); err != nil {
			t.Fatal(err)
		}
		return *keep
	}
	return t.TempDir()
}

// checkPNG decodes path and checks its size; it also checks that no
// temporary file was left beside it.
func checkPNG(t *testing.T, path string, w, h int) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("%s is %dx%d; want %dx%d", path, b.Dx(), b.Dy(), w, h)
	}
	left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.tmp*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	return img
}

// distinctColors counts the colours of img (up to limit).
func distinctColors(img image.Image, limit int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= limit {
				return limit
			}
		}
	}
	return len(seen)
}

func writeFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestTrainingCurves(t *testing.T) {
	dir := outDir(t)
	var b strings.Builder
	for step := 0; step <= 3000; step += 50 {
		s := float64(step)
		pl := 5.9*math.Exp(-s/900) + 2.4
		vl := 0.3*math.Exp(-s/1500) + 0.7
		fmt.Fprintf(&b, `{"step": %d, "policy_loss": %.4f, "value_loss": %.4f, "total_loss": %.4f, "top1": %.4f`, step, pl, vl, pl+vl, 0.35*(1-math.Exp(-s/800)))
		if step%500 == 0 {
			fmt.Fprintf(&b, `, "val_top1": %.4f, "val_value_mse": %.4f`, 0.33*(1-math.Exp(-s/800)), 0.9*math.Exp(-s/3000)+0.1)
		}
		b.WriteString("}\n")
		if step == 1000 {
			b.WriteString(`{"step": 1050, "policy_lo` + "\n") // a line cut by a crash, then the run resumed
		}
	}
	b.WriteString(`{"step": 3050, "policy_loss": 2.`) // truncated last line
	log := filepath.Join(dir, "metrics.jsonl")
	writeFile(t, log, b.String())
	loss, acc := filepath.Join(dir, "loss.png"), filepath.Join(dir, "accuracy.png")
	if err := TrainingCurves(log, loss, acc); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{loss, acc} {
		if img := checkPNG(t, p, CurvesWidth, CurvesHeight); distinctColors(img, 8) < 5 {
			t.Errorf("%s looks empty", p)
		}
	}
	ms, err := ReadMetrics(log)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 61 || *ms[0].Step != 0 || *ms[60].Step != 3000 || ms[1].ValTop1 != nil || ms[10].ValTop1 == nil {
		t.Errorf("read %d metrics (steps %v..%v); want 61, 0..3000 with val_top1 every 500", len(ms), *ms[0].Step, *ms[len(ms)-1].Step)
	}
}

func TestReadMetricsResumed(t *testing.T) {
	log := filepath.Join(t.TempDir(), "m.jsonl")
	// Steps 20 and 30 logged twice: the later lines win; missing fields stay nil.
	writeFile(t, log, `{"step":10,"total_loss":3}
{"step":20,"total_loss":2.5}
{"step":30,"total_loss":2.4}
{"step":20,"total_loss":2.6}
{"step":30}
{"total_loss":1}
`)
	ms, err := ReadMetrics(log)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 || *ms[1].TotalLoss != 2.6 || ms[2].TotalLoss != nil || ms[0].Top1 != nil {
		t.Errorf("got %d metrics, step 20 total %v, step 30 total %v", len(ms), ms[1].TotalLoss, ms[2].TotalLoss)
	}
	// Only some fields: still two pictures.
	dir := t.TempDir()
	if err := TrainingCurves(log, filepath.Join(dir, "l.png"), filepath.Join(dir, "a.png")); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, filepath.Join(dir, "a.png"), CurvesWidth, CurvesHeight)
}

func TestTrainingCurvesErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.jsonl")
	writeFile(t, empty, "")
	junk := filepath.Join(dir, "junk.jsonl")
	writeFile(t, junk, "not json\n{\"loss\": 1}\n")
	ok := filepath.Join(dir, "ok.jsonl")
	writeFile(t, ok, `{"step":1,"top1":0.1}`)
	for _, tc := range []struct{ name, log, out string }{
		{"missing file", filepath.Join(dir, "none.jsonl"), filepath.Join(dir, "x.png")},
		{"empty", empty, filepath.Join(dir, "x.png")},
		{"no steps", junk, filepath.Join(dir, "x.png")},
		{"bad output dir", ok, filepath.Join(dir, "no", "such", "x.png")},
		{"no output", ok, ""},
	} {
		if err := TrainingCurves(tc.log, tc.out, tc.out); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
}

func TestFilterGrid(t *testing.T) {
	dir := outDir(t)
	w, err := nets.NewWeights(nets.DefaultSpec(19), rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	// Make filter 0 recognisable: +1 on own stones at the centre, -1 on
	// the opponent's there, 0 elsewhere.
	fw := w.Tensor("trunk.0.w")
	k := fw.Shape[2]
	clear(fw.Data[:fw.Shape[1]*k*k])
	fw.Data[(nets.PlaneOwn*k+k/2)*k+k/2] = 1
	fw.Data[(nets.PlaneOpp*k+k/2)*k+k/2] = -1
	out := filepath.Join(dir, "filters.png")
	if err := FilterGrid(w, out); err != nil {
		t.Fatal(err)
	}
	// 64 filters of 5x5: 8x8 tiles of 45 px (9 px a cell) with 4 px gaps.
	img := checkPNG(t, out, 4+8*(45+4), 4+8*(45+4))
	// Filter 0's centre cell: red full, blue none, green mid; a corner is mid-grey.
	r, g, b, _ := img.At(4+2*9+4, 4+2*9+4).RGBA()
	if r>>8 != 255 || b>>8 != 0 || g>>8 != 128 {
		t.Errorf("centre of filter 0 = %d,%d,%d; want 255,128,0", r>>8, g>>8, b>>8)
	}
	r, g, b, _ = img.At(5, 5).RGBA()
	if r>>8 != 128 || g>>8 != 128 || b>>8 != 128 {
		t.Errorf("corner of filter 0 = %d,%d,%d; want mid-grey", r>>8, g>>8, b>>8)
	}

	// An odd number of filters with a 3x3 kernel.
	spec := nets.DefaultSpec(9)
	spec.Trunk[0].Filters = 5
	spec.Trunk[0].Kernel = 3
	w9, err := nets.NewWeights(spec, rand.New(rand.NewPCG(3, 4)))
	if err != nil {
		t.Fatal(err)
	}
	out9 := filepath.Join(dir, "filters9.png")
	if err := FilterGrid(w9, out9); err != nil {
		t.Fatal(err)
	}
	// 5 filters of 3x3: 3 columns, 2 rows of 48 px tiles (16 px a cell).
	checkPNG(t, out9, 4+3*(48+4), 4+2*(48+4))
}

func TestFilterGridErrors(t *testing.T) {
	out := filepath.Join(t.TempDir(), "f.png")
	if err := FilterGrid(nil, out); err == nil {
		t.Error("nil weights: no error")
	}
	w, _ := nets.NewWeights(nets.DefaultSpec(9), rand.New(rand.NewPCG(1, 1)))
	noConv := w.Clone()
	noConv.Spec.Trunk = []nets.Layer{{Kind: nets.KindReLU}}
	if err := FilterGrid(noConv, out); err == nil {
		t.Error("no convolution: no error")
	}
	noTensor := w.Clone()
	noTensor.Tensors = noTensor.Tensors[2:]
	if err := FilterGrid(noTensor, out); err == nil {
		t.Error("missing tensor: no error")
	}
	nan := w.Clone()
	nan.Tensors[0].Data[3] = float32(math.NaN())
	if err := FilterGrid(nan, out); err == nil {
		t.Error("NaN weight: no error")
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed FilterGrid left %s", out)
	}
}

// gameAndPolicy plays a few moves and makes a peaked policy.
func gameAndPolicy(t *testing.T, size int) (*board.Game, []float32) {
	t.Helper()
	g, err := board.NewGame(size, 6.5, board.DefaultRules())
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"D4", "Q16", "D16", "Q4", "R6", "C10"} {
		if size < 19 {
			break
		}
		pt, _ := board.ParseGTP(v, size)
		if err := g.Play(g.ToMove(), pt); err != nil {
			t.Fatal(err)
		}
	}
	n := size * size
	policy := make([]float32, n+1)
	sum := float32(0)
	for i := range n {
		x, y := float64(i%size), float64(i/size)
		// Two bumps and a little everywhere.
		e := float64(size - 4)
		v := 0.02 + math.Exp(-((x-e)*(x-e)+(y-3)*(y-3))/3) + 0.5*math.Exp(-((x-2)*(x-2)+(y-e)*(y-e))/2)
		policy[i] = float32(v)
		sum += float32(v)
	}
	policy[n] = 0.01 * sum
	sum *= 1.01
	for i := range policy {
		policy[i] /= sum
	}
	return g, policy
}

func TestPolicyHeatmap(t *testing.T) {
	dir := outDir(t)
	for _, size := range []int{19, 9} {
		g, policy := gameAndPolicy(t, size)
		played, _ := board.ParseGTP("C4", size)
		out := filepath.Join(dir, fmt.Sprintf("policy%d.png", size))
		if err := PolicyHeatmap(g, policy, played, out); err != nil {
			t.Fatal(err)
		}
		if img := checkPNG(t, out, HeatmapWidth, HeatmapHeight); distinctColors(img, 30) < 30 {
			t.Errorf("%s has few colours", out)
		}
	}
	// Pass played, policy without a pass entry.
	g, policy := gameAndPolicy(t, 19)
	out := filepath.Join(dir, "policy-pass.png")
	if err := PolicyHeatmap(g, policy[:19*19], board.Pass, out); err != nil {
		t.Fatal(err)
	}
	checkPNG(t, out, HeatmapWidth, HeatmapHeight)
}

func TestPolicyHeatmapErrors(t *testing.T) {
	g, policy := gameAndPolicy(t, 19)
	out := filepath.Join(t.TempDir(), "p.png")
	neg := append([]float32(nil), policy...)
	neg[5] = -0.1
	nan := append([]float32(nil), policy...)
	nan[7] = float32(math.NaN())
	for _, tc := range []struct {
		name   string
		g      *board.Game
		policy []float32
		played board.Point
	}{
		{"nil game", nil, policy, board.Pass},
		{"short policy", g, policy[:100], board.Pass},
		{"negative", g, neg, board.Pass},
		{"NaN", g, nan, board.Pass},
		{"off board", g, policy, board.PointAt(19, 3)},
	} {
		if err := PolicyHeatmap(tc.g, tc.policy, tc.played, out); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	if err := PolicyHeatmap(g, policy, board.Pass, filepath.Join(t.TempDir(), "none", "p.png")); err == nil {
		t.Error("bad directory: no error")
	}
}

func TestEloLadder(t *testing.T) {
	dir := outDir(t)
	out := filepath.Join(dir, "ladder.png")
	rungs := []Rung{
		{Generation: 1, Rating: 120, Low: 60, High: 190, Promoted: true},
		{Generation: 2, Rating: 100, Low: 20, High: 170},
		{Generation: 3, Rating: 260, Low: 200, High: 330, Promoted: true},
		{Generation: 4, Rating: math.Inf(1)}, // skipped, not fatal
		{Generation: 5, Rating: 240, Low: 180, High: 300},
	}
	if err := EloLadder(rungs, out); err != nil {
		t.Fatal(err)
	}
	if img := checkPNG(t, out, LadderWidth, LadderHeight); distinctColors(img, 8) < 5 {
		t.Errorf("%s looks empty", out)
	}
	if err := EloLadder(rungs[1:2], filepath.Join(dir, "one.png")); err != nil {
		t.Errorf("one rejected rung: %v", err)
	}
	if err := EloLadder(nil, filepath.Join(dir, "none.png")); err == nil {
		t.Error("EloLadder drew no rungs")
	}
}
