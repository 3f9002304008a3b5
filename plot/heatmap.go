package plot

import (
	"errors"
	"fmt"
	"image/color"
	"math"
	"strconv"

	"github.com/tengen-go/tengen/board"
	gplot "gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
)

// Size of a policy heatmap in pixels: a square board under a caption.
const (
	HeatmapWidth   = 800
	heatmapCaption = 60
	HeatmapHeight  = HeatmapWidth + heatmapCaption
)

var (
	sansFont  = font.Font{Typeface: "Liberation", Variant: "Sans"}
	woodColor = color.RGBA{0xe3, 0xbc, 0x72, 0xff}
	lineColor = color.RGBA{0x3a, 0x2a, 0x10, 0xff}
	markColor = color.RGBA{0x10, 0x60, 0xff, 0xff}
)

// labelMin is the smallest probability labelled (it rounds to 1%).
const labelMin = 0.005

// PolicyHeatmap writes a HeatmapWidth x HeatmapHeight PNG of g's current
// position with a policy over it: each empty point is tinted from yellow
// to red with intensity sqrt(p / max p) (max over the empty points) and labelled with its percentage
// when p >= 1%; played (a point, or board.Pass) is ringed in blue; the
// caption names the side to move (g.ToMove()), the played move's
// probability and rank among the legal points (ties counting against it),
// the most probable legal point and the pass probability.
//
// policy holds probabilities in nets.MoveIndex order: size*size points,
// row by row from the top left, optionally followed by pass. Values must
// be finite and non-negative and not all zero; they need not sum to 1.
func PolicyHeatmap(g *board.Game, policy []float32, played board.Point, out string) error {
	if g == nil {
		return errors.New("plot: PolicyHeatmap: no game")
	}
	n := g.Size()
	area := n * n
	if len(policy) != area && len(policy) != area+1 {
		return fmt.Errorf("plot: PolicyHeatmap: policy of %d values for a %dx%d board (want %d or %d)", len(policy), n, n, area, area+1)
	}
	for i, p := range policy {
		if !finite(float64(p)) || p < 0 {
			return fmt.Errorf("plot: PolicyHeatmap: policy[%d] = %v", i, p)
		}
	}
	if played != board.Pass {
		if x, y := played.XY(); x < 0 || y < 0 || x >= n || y >= n {
			return fmt.Errorf("plot: PolicyHeatmap: played point %d is off the %dx%d board", played, n, n)
		}
	}
	pos := g.Position()
	peak := 0.0 // over the empty points, which the heat covers
	for _, pt := range board.Points(n) {
		if pos.At(pt) == board.Empty {
			peak = max(peak, float64(policy[index(pt, n)]))
		}
	}
	toMove := g.ToMove()
	pass := 0.0
	if len(policy) > area {
		pass = float64(policy[area])
	}

	// Rank of the played move and the best legal point.
	best, legal, rank := -1, 0, 1
	var pp float64
	if played != board.Pass {
		pp = float64(policy[index(played, n)])
	}
	for _, pt := range board.Points(n) {
		if pos.At(pt) != board.Empty || !g.Legal(toMove, pt) {
			continue
		}
		legal++
		i := index(pt, n)
		if pt != played && float64(policy[i]) >= pp {
			rank++
		}
		if best < 0 || policy[i] > policy[best] {
			best = i
		}
	}

	c := newCanvas(HeatmapWidth, HeatmapHeight)
	dc := draw.New(c)
	cell := float64(HeatmapWidth) / float64(n+2)
	// at returns the canvas point of pixel (x, y), y from the top.
	at := func(x, y float64) vg.Point { return vg.Point{X: px(x), Y: px(HeatmapHeight - y)} }
	// centre returns the pixel centre of board point (x, y).
	centre := func(x, y int) (float64, float64) {
		return cell * (float64(x) + 1.5), heatmapCaption + cell*(float64(y)+1.5)
	}
	rect := func(clr color.Color, x0, y0, x1, y1 float64) {
		dc.FillPolygon(clr, []vg.Point{at(x0, y0), at(x1, y0), at(x1, y1), at(x0, y1)})
	}
	circle := func(x, y, r float64) vg.Path {
		var p vg.Path
		ctr := at(x, y)
		p.Move(vg.Point{X: ctr.X + px(r), Y: ctr.Y})
		p.Arc(ctr, px(r), 0, 2*math.Pi)
		p.Close()
		return p
	}
	text := func(size float64, clr color.Color, x, y float64, s string) {
		sty := draw.TextStyle{Color: clr, Font: font.From(sansFont, vg.Length(size)), Handler: gplot.DefaultTextHandler,
			XAlign: draw.XCenter, YAlign: draw.YCenter}
		dc.FillText(sty, at(x, y), s)
	}

	// Board, heat, lines, star points.
	rect(woodColor, cell, heatmapCaption+cell, cell*float64(n+1), heatmapCaption+cell*float64(n+1))
	for _, pt := range board.Points(n) {
		p := float64(policy[index(pt, n)])
		if pos.At(pt) != board.Empty || p <= 0 || peak == 0 {
			continue
		}
		x, y := pt.XY()
		cx, cy := centre(x, y)
		a := math.Sqrt(p / peak)
		heat := color.RGBA{0xff, uint8(0xe0 * (1 - a)), 0, 0xff}
		rect(blend(woodColor, heat, 0.15+0.85*a), cx-cell/2, cy-cell/2, cx+cell/2, cy+cell/2)
	}
	line := draw.LineStyle{Color: lineColor, Width: px(max(1, cell/30))}
	for i := range n {
		x0, y0 := centre(0, i)
		x1, _ := centre(n-1, i)
		dc.StrokeLine2(line, at(x0, y0).X, at(x0, y0).Y, at(x1, y0).X, at(x1, y0).Y)
		xa, ya := centre(i, 0)
		_, yb := centre(i, n-1)
		dc.StrokeLine2(line, at(xa, ya).X, at(xa, ya).Y, at(xa, yb).X, at(xa, yb).Y)
	}
	c.SetColor(lineColor)
	for _, s := range starPoints(n) {
		pt := board.PointAt(s[0], s[1])
		if pos.At(pt) == board.Empty && policy[index(pt, n)] >= labelMin {
			continue // the percentage goes there
		}
		cx, cy := centre(s[0], s[1])
		c.Fill(circle(cx, cy, max(2, cell/10)))
	}
	// Coordinates.
	labelSize := max(7, min(14, cell*0.3*72/dpi))
	for i := range n {
		letter := board.PointAt(i, 0).GTP(n)[:1]
		x, _ := centre(i, 0)
		text(labelSize, lineColor, x, heatmapCaption+cell*0.5, letter)
		text(labelSize, lineColor, x, heatmapCaption+cell*(float64(n)+1.5), letter)
		_, y := centre(0, i)
		row := strconv.Itoa(n - i)
		text(labelSize, lineColor, cell*0.5, y, row)
		text(labelSize, lineColor, cell*(float64(n)+1.5), y, row)
	}
	// Stones and percentages.
	for _, pt := range board.Points(n) {
		x, y := pt.XY()
		cx, cy := centre(x, y)
		switch pos.At(pt) {
		case board.Black, board.White:
			fill, edge := color.Color(color.Black), color.Color(color.Black)
			if pos.At(pt) == board.White {
				fill = color.White
			}
			c.SetColor(fill)
			c.Fill(circle(cx, cy, cell*0.47))
			c.SetColor(edge)
			c.SetLineWidth(px(1))
			c.Stroke(circle(cx, cy, cell*0.47))
		default:
			if p := float64(policy[index(pt, n)]); p >= labelMin {
				clr := color.Color(color.Black)
				if math.Sqrt(p/peak) > 0.6 {
					clr = color.White
				}
				text(max(6, min(13, cell*0.32*72/dpi)), clr, cx, cy, strconv.Itoa(int(math.Round(100*p))))
			}
		}
	}
	// The played move.
	if played != board.Pass {
		x, y := played.XY()
		cx, cy := centre(x, y)
		c.SetColor(markColor)
		c.SetLineWidth(px(max(2, cell/12)))
		c.Stroke(circle(cx, cy, cell*0.44))
	}
	// Caption.
	who := "Black"
	if toMove == board.White {
		who = "White"
	}
	var line1 string
	if played == board.Pass {
		line1 = fmt.Sprintf("%s to play: played pass (%.1f%%)", who, 100*pass)
	} else {
		line1 = fmt.Sprintf("%s to play: played %s, %.1f%%, rank %d of %d legal points", who, played.GTP(n), 100*pp, rank, legal)
	}
	line2 := fmt.Sprintf("pass %.1f%%", 100*pass)
	if best >= 0 {
		line2 = fmt.Sprintf("network's choice %s %.1f%%, %s; heat: sqrt(p / max p); numbers: %%", board.PointAt(best%n, best/n).GTP(n), 100*float64(policy[best]), line2)
	}
	text(14, color.Black, HeatmapWidth/2, heatmapCaption*0.3, line1)
	text(11, color.Black, HeatmapWidth/2, heatmapCaption*0.72, line2)
	return writePNG(out, c.Image())
}

// index is nets.MoveIndex for a board point.
func index(pt board.Point, n int) int {
	x, y := pt.XY()
	return y*n + x
}

// blend returns a*(1-t) + b*t.
func blend(a, b color.RGBA, t float64) color.RGBA {
	mix := func(u, v uint8) uint8 { return uint8(math.Round(float64(u)*(1-t) + float64(v)*t)) }
	return color.RGBA{mix(a.R, b.R), mix(a.G, b.G), mix(a.B, b.B), 0xff}
}

// starPoints returns the hoshi of an n x n board: the 3-3 (2-2 below
// 13x13) points, the sides' midpoints from 13x13 up and the centre of odd
// boards.
func starPoints(n int) [][2]int {
	if n < 7 {
		return nil
	}
	e := 3
	if n < 13 {
		e = 2
	}
	lines := []int{e, n - 1 - e}
	mid := n / 2
	var pts [][2]int
	for _, x := range lines {
		for _, y := range lines {
			pts = append(pts, [2]int{x, y})
		}
	}
	if n%2 == 1 {
		pts = append(pts, [2]int{mid, mid})
		if n >= 13 {
			pts = append(pts, [2]int{e, mid}, [2]int{n - 1 - e, mid}, [2]int{mid, e}, [2]int{mid, n - 1 - e})
		}
	}
	return pts
}
