package cpu

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tengen-go/tengen/internal/defaultnets"
	"github.com/tengen-go/tengen/nets"
	"github.com/tengen-go/tengen/nets/internal/qgemm"
	"github.com/tengen-go/tengen/nets/netstest"
)

// Tolerances of the conformance suite per precision: the largest
// relative error per output tensor (netstest.RelErr) against the naive
// float64-summed reference. bf16 keeps 8 significant bits (relative
// rounding 2^-9 per operand); int8 steps are 1/127 of a weight row's and
// 1/255 of an activation range, on random networks whose every
// convolution feeds the next with no normalisation.
const (
	tolBF16 = 5e-2
	tolInt8 = 0.15
)

func init() { forceQuantized = true } // the Go kernels where the CPU lacks the instructions

func TestConformanceBF16(t *testing.T) {
	if !qgemm.HasBF16() {
		t.Log("no AVX512_BF16: the pure-Go kernels run")
	}
	netstest.ConformanceTolerance(t, "bf16", tolBF16, func(w *nets.Weights) (nets.Backend, error) {
		return New(w, Options{MaxBatch: 8, Threads: 2, Precision: BF16})
	}, naive)
}

// TestConformanceInt8 calibrates each network on other random inputs of
// the suite's kind (encoded positions and noise) than those it checks.
func TestConformanceInt8(t *testing.T) {
	if !qgemm.HasInt8() {
		t.Log("no AVX512_VNNI: the pure-Go kernels run")
	}
	netstest.ConformanceTolerance(t, "int8", tolInt8, func(w *nets.Weights) (nets.Backend, error) {
		const n = 16
		in := netstest.MixedInputs(rand.New(rand.NewPCG(9, 9)), w.Spec, n)
		cal, err := Calibrate(w, in, n, 1)
		if err != nil {
			return nil, err
		}
		return New(w, Options{MaxBatch: 8, Threads: 2, Precision: Int8, Calibration: cal})
	}, naive)
}

func TestParsePrecision(t *testing.T) {
	for _, p := range []Precision{FP32, BF16, Int8, PrecisionAuto} {
		if got, err := ParsePrecision(p.String()); err != nil || got != p {
			t.Errorf("ParsePrecision(%q) = %v, %v", p.String(), got, err)
		}
	}
	if _, err := ParsePrecision("fp16"); err == nil {
		t.Error("ParsePrecision(fp16) = nil error")
	}
	if r := PrecisionAuto.Resolve(); !r.Supported() || r == PrecisionAuto {
		t.Errorf("PrecisionAuto.Resolve() = %v", r)
	}
}

// TestInt8Calibration: New calibrates an Int8 backend itself, the result
// has one range per quantised convolution (6 in the default network: the
// first, on the input planes, in int16, and the 5 after a ReLU), and
// reusing it gives the same outputs.
func TestInt8Calibration(t *testing.T) {
	spec := nets.DefaultSpec(9)
	w, err := netstest.RandomWeights(spec, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(w, Options{MaxBatch: 4, Threads: 1, Precision: Int8})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	cal := b.Calibration()
	if cal == nil || len(cal.Max) != 6 || cal.Positions != calibrationPositions {
		t.Fatalf("Calibration() = %+v; want 6 ranges over %d positions", cal, calibrationPositions)
	}
	b2, err := New(w, Options{MaxBatch: 4, Threads: 2, Precision: Int8, Calibration: cal})
	if err != nil {
		t.Fatal(err)
	}
	defer b2.Close()
	in, _ := CalibrationInputs(spec, 4, 5)
	p1, v1 := make([]float32, 4*spec.Moves()), make([]float32, 4)
	p2, v2 := make([]float32, 4*spec.Moves()), make([]float32, 4)
	if err := b.Forward(context.Background(), in, 4, p1, v1); err != nil {
		t.Fatal(err)
	}
	if err := b2.Forward(context.Background(), in, 4, p2, v2); err != nil {
		t.Fatal(err)
	}
	if netstest.RelErr(p1, p2) > 1e-6 || netstest.RelErr(v1, v2) > 1e-6 {
		t.Error("the same calibration gives other outputs")
	}
	if _, err := New(w, Options{Precision: Int8, Calibration: &Calibration{Max: []float32{1}}}); err == nil {
		t.Error("New with a calibration of the wrong length = nil error")
	}
}

// TestPrecisionAgreement compares the policy's top move and the value of
// bf16 and int8 with fp32 on positions of the embedded 19x19 network
// (random-play positions; the int8 calibration is New's own, on other
// positions of the same kind).
func TestPrecisionAgreement(t *testing.T) {
	n := 320
	if testing.Short() || raceEnabled {
		n = 64
	}
	w, err := defaultnets.ForSize(19)
	if err != nil {
		t.Fatal(err)
	}
	in, err := CalibrationInputs(w.Spec, n, 2)
	if err != nil {
		t.Fatal(err)
	}
	moves := w.Spec.Moves()
	run := func(p Precision) ([]float32, []float32) {
		b, err := New(w, Options{MaxBatch: 32, Precision: p})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		policy, value := make([]float32, n*moves), make([]float32, n)
		for p0 := 0; p0 < n; p0 += 32 {
			m := min(32, n-p0)
			if err := b.Forward(context.Background(), in[p0*b.inLen:], m, policy[p0*moves:], value[p0:]); err != nil {
				t.Fatal(err)
			}
		}
		return policy, value
	}
	rp, rv := run(FP32)
	for _, c := range []struct {
		p        Precision
		minAgree float64
	}{{BF16, 0.95}, {Int8, 0.85}} {
		t.Run(c.p.String(), func(t *testing.T) {
			pol, val := run(c.p)
			agree := 0
			var dv, kl float64
			for i := range n {
				a, b := rp[i*moves:(i+1)*moves], pol[i*moves:(i+1)*moves]
				if argmax(a) == argmax(b) {
					agree++
				}
				dv += math.Abs(float64(val[i] - rv[i]))
				kl += klDiv(a, b)
			}
			frac := float64(agree) / float64(n)
			msg := fmt.Sprintf("%v vs fp32 on %d positions: top-1 agreement %.1f%%, mean |value difference| %.4f, mean policy KL %.4f nats",
				c.p, n, 100*frac, dv/float64(n), kl/float64(n))
			if frac < c.minAgree {
				t.Error(msg)
			} else {
				t.Log(msg)
			}
		})
	}
}

func argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}

// klDiv is KL(softmax(p) || softmax(q)) of two logit vectors.
func klDiv(p, q []float32) float64 {
	sm := func(x []float32) []float64 {
		m := x[argmax(x)]
		out := make([]float64, len(x))
		var s float64
		for i, v := range x {
			out[i] = math.Exp(float64(v - m))
			s += out[i]
		}
		for i := range out {
			out[i] /= s
		}
		return out
	}
	a, b := sm(p), sm(q)
	var kl float64
	for i := range a {
		if a[i] > 0 {
			kl += a[i] * math.Log(a[i]/max(b[i], 1e-300))
		}
	}
	return kl
}
