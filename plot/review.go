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

// Size of the game review picture in pixels.
const (
	ReviewWidth  = 900
	ReviewHeight = 640
)

// ReviewPoint is the search's estimate of one position of a game.
type ReviewPoint struct {
	Move      int     // moves played before the position (0: the start)
	Winrate   float64 // Black's winrate, 0..1
	ScoreLead float64 // Black's lead in points; NaN when the search gave none
	Mistake   bool    // the move that led to this position was a mistake
}

// GameReview draws a reviewed game as a ReviewWidth x ReviewHeight PNG:
// Black's winrate in percent (top panel) and Black's score lead in points
// (bottom panel) against the move number, with the positions that follow
// a mistake marked by red dots (the axis label says so: a legend would
// cover the curves). The score panel says "no score" when no
// point has a finite ScoreLead. title heads the top panel. It fails
// without points.
func GameReview(points []ReviewPoint, title, out string) error {
	if len(points) == 0 {
		return errors.New("plot: no positions to draw")
	}
	black := color.RGBA{0x2c, 0x2c, 0x2c, 0xff}
	blue := color.RGBA{0x1f, 0x77, 0xb4, 0xff}
	red := color.RGBA{0xd6, 0x27, 0x28, 0xff}
	grey := color.Gray{0xa0}

	var win, score, winBad, scoreBad plotter.XYs
	for _, p := range points {
		x := float64(p.Move)
		if finite(p.Winrate) {
			win = append(win, plotter.XY{X: x, Y: 100 * p.Winrate})
			if p.Mistake {
				winBad = append(winBad, plotter.XY{X: x, Y: 100 * p.Winrate})
			}
		}
		if finite(p.ScoreLead) {
			score = append(score, plotter.XY{X: x, Y: p.ScoreLead})
			if p.Mistake {
				scoreBad = append(scoreBad, plotter.XY{X: x, Y: p.ScoreLead})
			}
		}
	}
	first, last := float64(points[0].Move), float64(points[len(points)-1].Move)
	if last <= first {
		last = first + 1
	}

	top := gplot.New()
	top.Title.Text = title
	top.Y.Label.Text = "Black winrate (%)"
	top.Y.Min, top.Y.Max = 0, 100
	bottom := gplot.New()
	bottom.X.Label.Text = "move (red: the position after a mistake)"
	bottom.Y.Label.Text = "Black score lead (points)"
	if len(score) == 0 {
		bottom.Y.Label.Text += " (no score)"
		bottom.Y.Min, bottom.Y.Max = -1, 1
	}
	for _, p := range []*gplot.Plot{top, bottom} {
		p.X.Min, p.X.Max = first, last
		p.X.Tick.Marker = gplot.TickerFunc(moveTicks)
		p.Add(plotter.NewGrid())
	}
	even, err := plotter.NewLine(plotter.XYs{{X: first, Y: 50}, {X: last, Y: 50}})
	if err != nil {
		return err
	}
	zero, err := plotter.NewLine(plotter.XYs{{X: first, Y: 0}, {X: last, Y: 0}})
	if err != nil {
		return err
	}
	for _, l := range []*plotter.Line{even, zero} {
		l.Color = grey
		l.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
	}
	top.Add(even)
	bottom.Add(zero)
	for _, s := range []struct {
		p        *gplot.Plot
		xys, bad plotter.XYs
		color    color.Color
	}{{top, win, winBad, black}, {bottom, score, scoreBad, blue}} {
		if len(s.xys) == 0 {
			continue
		}
		l, err := plotter.NewLine(s.xys)
		if err != nil {
			return err
		}
		l.Color = s.color
		l.Width = vg.Points(1.5)
		s.p.Add(l)
		if len(s.bad) > 0 {
			sc, err := plotter.NewScatter(s.bad)
			if err != nil {
				return err
			}
			sc.Color = red
			sc.Shape = draw.CircleGlyph{}
			sc.Radius = vg.Points(3.5)
			s.p.Add(sc)
		}
	}

	c := newCanvas(ReviewWidth, ReviewHeight)
	dc := draw.New(c)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: px(6), PadBottom: px(6), PadLeft: px(6), PadRight: px(12), PadY: px(12)}
	plots := [][]*gplot.Plot{{top}, {bottom}}
	canvases := gplot.Align(plots, tiles, dc)
	top.Draw(canvases[0][0])
	bottom.Draw(canvases[1][0])
	return writePNG(out, c.Image())
}

// moveTicks labels move numbers as integers, every 5, 10, 20, 50 or 100
// moves so that there are at most about 12 labels.
func moveTicks(min, max float64) []gplot.Tick {
	step := 5.0
	for _, s := range []float64{5, 10, 20, 50, 100, 200} {
		step = s
		if (max-min)/s <= 12 {
			break
		}
	}
	var ticks []gplot.Tick
	for v := math.Ceil(min/step) * step; v <= max; v += step {
		ticks = append(ticks, gplot.Tick{Value: v, Label: strconv.Itoa(int(v))})
	}
	return ticks
}
