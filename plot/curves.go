package plot

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"image/color"
	"math"
	"os"
	"sort"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Size of the training-curve pictures in pixels.
const (
	CurvesWidth  = 900
	CurvesHeight = 540
)

// Metric is one line of the training metrics log (JSON lines). Step is
// required; the other fields may be missing (nil). Accuracies are
// fractions 0..1.
type Metric struct {
	Step        *float64 `json:"step"`
	PolicyLoss  *float64 `json:"policy_loss"`
	ValueLoss   *float64 `json:"value_loss"`
	TotalLoss   *float64 `json:"total_loss"`
	Top1        *float64 `json:"top1"`
	ValTop1     *float64 `json:"val_top1"`
	ValValueMSE *float64 `json:"val_value_mse"`
}

// ReadMetrics reads a metrics log: one JSON object per line. Lines that
// do not parse (a truncated last line after a crash, or one left in the
// middle by a resumed run) and lines without a step are skipped. When a
// step appears twice (a run resumed from an earlier checkpoint logs it
// again) the later line wins. The result is sorted by step. It fails if
// the file cannot be read or holds no usable line.
func ReadMetrics(path string) ([]Metric, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("plot: %w", err)
	}
	byStep := map[float64]Metric{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 16<<20)
	for sc.Scan() {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 {
			continue
		}
		var m Metric
		if json.Unmarshal(line, &m) != nil || m.Step == nil || !finite(*m.Step) {
			continue
		}
		byStep[*m.Step] = m
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("plot: %s: %w", path, err)
	}
	if len(byStep) == 0 {
		return nil, fmt.Errorf("plot: %s: no metrics lines with a step", path)
	}
	ms := make([]Metric, 0, len(byStep))
	for _, m := range byStep {
		ms = append(ms, m)
	}
	sort.Slice(ms, func(i, j int) bool { return *ms[i].Step < *ms[j].Step })
	return ms, nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// series is one curve: a name, a colour and how to read it from a Metric.
type series struct {
	name  string
	color color.Color
	dash  bool
	get   func(m *Metric) *float64
	scale float64
}

// TrainingCurves reads the metrics log metricsJSONL (see ReadMetrics) and
// writes two CurvesWidth x CurvesHeight PNGs: lossPNG with the policy,
// value and total losses (and the validation value MSE when logged)
// against the step, accPNG with the training top-1 and the validation
// top-1 (when logged) in percent. Curves with no data are left out.
func TrainingCurves(metricsJSONL string, lossPNG, accPNG string) error {
	ms, err := ReadMetrics(metricsJSONL)
	if err != nil {
		return err
	}
	loss := []series{
		{"policy loss", color.RGBA{0x1f, 0x77, 0xb4, 0xff}, false, func(m *Metric) *float64 { return m.PolicyLoss }, 1},
		{"value loss", color.RGBA{0xd6, 0x27, 0x28, 0xff}, false, func(m *Metric) *float64 { return m.ValueLoss }, 1},
		{"total loss", color.RGBA{0x2c, 0x2c, 0x2c, 0xff}, false, func(m *Metric) *float64 { return m.TotalLoss }, 1},
		{"validation value MSE", color.RGBA{0xff, 0x7f, 0x0e, 0xff}, true, func(m *Metric) *float64 { return m.ValValueMSE }, 1},
	}
	acc := []series{
		{"training top-1", color.RGBA{0x1f, 0x77, 0xb4, 0xff}, false, func(m *Metric) *float64 { return m.Top1 }, 100},
		{"validation top-1", color.RGBA{0x2c, 0xa0, 0x2c, 0xff}, true, func(m *Metric) *float64 { return m.ValTop1 }, 100},
	}
	// Losses fall and accuracies rise: legends go where the curves are not.
	if err := curves(ms, loss, "Training loss", "loss", true, lossPNG); err != nil {
		return err
	}
	return curves(ms, acc, "Move prediction accuracy", "top-1 (%)", false, accPNG)
}

// curves draws the series of ms into a line plot saved as out.
func curves(ms []Metric, ss []series, title, ylabel string, legendTop bool, out string) error {
	p := gplot.New()
	p.Title.Text = title
	p.X.Label.Text = "step"
	p.Y.Label.Text = ylabel
	p.Add(plotter.NewGrid())
	p.Legend.Top = legendTop
	p.Legend.XOffs = -px(12)
	p.Legend.YOffs = px(12)
	if legendTop {
		p.Legend.YOffs = -px(12)
	}
	drawn := 0
	for _, s := range ss {
		var xys plotter.XYs
		for i := range ms {
			if v := s.get(&ms[i]); v != nil && finite(*v) {
				xys = append(xys, plotter.XY{X: *ms[i].Step, Y: *v * s.scale})
			}
		}
		if len(xys) == 0 {
			continue
		}
		l, sc, err := plotter.NewLinePoints(xys)
		if err != nil {
			return err
		}
		l.Color = s.color
		l.Width = vg.Points(1.5)
		if s.dash {
			l.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		}
		p.Add(l)
		if len(xys) <= 40 {
			sc.Color = s.color
			sc.Shape = draw.CircleGlyph{}
			sc.Radius = vg.Points(2)
			p.Add(sc)
		}
		p.Legend.Add(s.name, l)
		drawn++
	}
	if drawn == 0 {
		p.Title.Text += " (no data)"
		p.X.Min, p.X.Max = *ms[0].Step, *ms[len(ms)-1].Step+1
		p.Y.Min, p.Y.Max = 0, 1
	}
	c := newCanvas(CurvesWidth, CurvesHeight)
	p.Draw(draw.New(c))
	return writePNG(out, c.Image())
}
