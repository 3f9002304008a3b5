// Package netstest holds what every network backend and every user of one
// is tested with:
//
//   - [Naive], a deliberately simple pure-Go [nets.Backend]: plain nested
//     loops with float64 accumulation, one function per layer kind, written
//     from the layer semantics in the nets package documentation and
//     nothing else. [NaiveLayer] runs one layer on its own.
//   - [Conformance], the suite every backend runs against a reference
//     (the gorgonia backend in nets/tape, or Naive): single-layer nets of
//     every kind, whole random nets, and nets with the pooled value,
//     ownership and score heads ([HeadSpecs], [WithHeads]; their outputs
//     through nets.HeadsBackend), several board and batch sizes,
//     outputs poisoned with NaN beforehand, relative error per output
//     tensor at most [Tolerance]; cancellation and bad buffer sizes.
//   - [TinySpecs], small nets covering every layer kind and head, for
//     the trainers' gradient checks.
//   - [RandomSpec], [RandomWeights], [RandomGame], [EncodedInputs] and
//     [NoiseInputs]: reproducible random networks and inputs (all from a
//     *rand.Rand passed in).
//   - [Fake], a counting Backend whose outputs are a cheap deterministic
//     function of each position's input ([FakeEval], [FakeEvalOutputs]
//     with the optional heads), with injectable
//     errors, delays and a gate, for the batcher and search tests.
package netstest
