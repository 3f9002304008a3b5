package plot

import (
	"errors"
	"image/color"
	"math"
	"strconv"

	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Size of the Elo ladder picture in pixels.
const (
	LadderWidth  = 900
	LadderHeight = 540
)

// Rung is one generation on an Elo ladder: the candidate's rating with
// its 95% interval, and whether it was promoted.
type Rung struct {
	Generation int
	Rating     float64
	Low, High  float64
	Promoted   bool
}

// EloLadder draws self-play gating results as a LadderWidth x LadderHeight
// PNG: every candidate's rating against its generation with its interval,
// promoted ones as filled green dots joined by the line of the best
// network's rating (starting from generation 0 at rating 0), rejected ones
// as red crosses. It fails without rungs.
func EloLadder(rungs []Rung, out string) error {
	if len(rungs) == 0 {
		return errors.New("plot: no gating results to draw")
	}
	p := gplot.New()
	p.Title.Text = "Self-play Elo ladder"
	p.X.Label.Text = "generation"
	p.Y.Label.Text = "Elo (generation 0 = 0)"
	p.Add(plotter.NewGrid())
	p.Legend.Top = true
	p.Legend.Left = true
	p.Legend.XOffs = px(12)
	p.Legend.YOffs = -px(12)

	green := color.RGBA{0x2c, 0xa0, 0x2c, 0xff}
	red := color.RGBA{0xd6, 0x27, 0x28, 0xff}
	best := plotter.XYs{{X: 0, Y: 0}}
	var promoted, rejected plotter.XYs
	var bars plotter.XYs
	var lo, hi plotter.Values
	for _, r := range rungs {
		if !finite(r.Rating) {
			continue
		}
		xy := plotter.XY{X: float64(r.Generation), Y: r.Rating}
		if r.Promoted {
			promoted = append(promoted, xy)
			best = append(best, xy)
		} else {
			rejected = append(rejected, xy)
		}
		if finite(r.Low) && finite(r.High) && r.Low <= r.Rating && r.Rating <= r.High {
			bars = append(bars, xy)
			lo = append(lo, r.Rating-r.Low)
			hi = append(hi, r.High-r.Rating)
		}
	}
	// The best network's rating holds until the next promotion.
	last := rungs[len(rungs)-1].Generation
	if best[len(best)-1].X < float64(last) {
		best = append(best, plotter.XY{X: float64(last), Y: best[len(best)-1].Y})
	}
	line, err := plotter.NewLine(best)
	if err != nil {
		return err
	}
	line.Color = green
	line.Width = vg.Points(1.5)
	line.StepStyle = plotter.PostStep
	p.Add(line)
	p.Legend.Add("best network", line)
	if len(bars) > 0 {
		eb, err := plotter.NewYErrorBars(struct {
			plotter.XYer
			plotter.YErrorer
		}{bars, yErrors(lo, hi)})
		if err != nil {
			return err
		}
		eb.Color = color.Gray{0x80}
		p.Add(eb)
	}
	for _, s := range []struct {
		xys   plotter.XYs
		name  string
		color color.Color
		glyph draw.GlyphDrawer
	}{
		{promoted, "promoted", green, draw.CircleGlyph{}},
		{rejected, "rejected", red, draw.CrossGlyph{}},
	} {
		if len(s.xys) == 0 {
			continue
		}
		sc, err := plotter.NewScatter(s.xys)
		if err != nil {
			return err
		}
		sc.Color = s.color
		sc.Shape = s.glyph
		sc.Radius = vg.Points(4)
		p.Add(sc)
		p.Legend.Add(s.name, sc)
	}
	p.X.Min = 0
	p.X.Tick.Marker = gplot.TickerFunc(integerTicks)
	c := newCanvas(LadderWidth, LadderHeight)
	p.Draw(draw.New(c))
	return writePNG(out, c.Image())
}

// integerTicks labels whole numbers only, at most about ten.
func integerTicks(lo, hi float64) []gplot.Tick {
	step := max(1, int(math.Ceil((hi-lo)/10)))
	var ticks []gplot.Tick
	for v := int(math.Ceil(lo)); float64(v) <= hi; v++ {
		t := gplot.Tick{Value: float64(v)}
		if v%step == 0 {
			t.Label = strconv.Itoa(v)
		}
		ticks = append(ticks, t)
	}
	return ticks
}

// yErrors pairs lower and upper error lengths.
type yErrs struct{ lo, hi plotter.Values }

func yErrors(lo, hi plotter.Values) yErrs { return yErrs{lo, hi} }

func (e yErrs) YError(i int) (float64, float64) { return e.lo[i], e.hi[i] }
