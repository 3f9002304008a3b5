// Package nets holds tengen's policy and value networks: one shared
// AlexNet-style layer stack described by a [Spec], the input features, the
// weights file, the [Backend] interface every implementation (the gorgonia
// reference in nets/tape, the fast CPU path in nets/cpu, the GPU backend in
// nets/cuda) meets, and the [Batcher] that gathers evaluation requests from
// many goroutines into batches, on one backend or on a pool of copies of
// the network that run batches side by side ([NewBatcherPool]: on the CPU,
// one single-threaded backend per core), and [FlushDenormals] for weights
// (subnormals cost a microcode assist per multiplication on x86).
//
// # Layers
//
// A network is a trunk (a list of [Layer]s), a policy and a value head,
// and optionally an ownership and a score head. Layer semantics, which
// every backend implements exactly:
//
//   - conv: out[f,y,x] = b[f] + sum over c, i, j of
//     w[f,c,i,j] * in[c, y+i-k/2, x+j-k/2], zero outside the map.
//   - relu: max(0, x). tanh: tanh(x).
//   - lrn (AlexNet): out[c] = in[c] / (K + Alpha/N * sum of in[j]^2 for j
//     from max(0, c-N/2) to min(C-1, c+N/2))^Beta.
//   - maxpool: out[c,y,x] = max of in[c, y*S+i-Size/2, x*S+j-Size/2] over
//     i, j < Size, ignoring positions outside the map; stride 1 keeps the
//     board size (overlapping pooling), stride 2 is AlexNet's form.
//   - dropout: inverted dropout in training (kept units scaled by
//     1/(1-Rate)); the identity at inference.
//   - batchnorm: per channel (x-mean)/sqrt(var+Epsilon)*gamma+beta with
//     running statistics at inference (folded into the convolution before
//     it by fast backends); batch statistics in training.
//   - dense: out[o] = b[o] + sum of w[o,i]*in[i], the input flattened C, H, W.
//
// Heads: the policy head is a 1x1 convolution and ReLU followed either by a
// dense layer to size*size+1 logits ("dense") or by a 1x1 convolution to one
// logit per point plus a dense pass logit ("conv"). The value head is 1x1
// conv, ReLU, then either the map flattened ([ValueFlat], the default) or
// per channel its mean and its maximum over the map ([ValuePool], means
// first: 2*Filters values whatever the board size), dense, ReLU, dropout,
// dense to one unit, tanh: the expected result in [-1, 1] for the side to
// move. The optional heads ([Spec.Ownership], [Spec.Score]):
//
//   - ownership: 1x1 conv (Filters), ReLU, 1x1 conv to one channel, tanh:
//     per point (in the input's frame, row-major) the expected final owner,
//     +1 the side to move, -1 the opponent, 0 neither (dame, seki);
//   - score: on a pooled value head's 2*Filters features, dense (Hidden),
//     ReLU, dense to one unit: the expected final score margin for the side
//     to move in points (area scoring, komi included), a mean.
//
// [Backend.Forward] returns the policy and value; [HeadsBackend]'s
// ForwardOutputs (every backend here has it) the optional outputs too
// ([Outputs]). Specs and weights files without the new heads read and
// compute exactly as before.
//
// # Input features (FeaturesV1, 29 planes of size x size)
//
// "Own" means the side to move. All planes are 0/1 except the komi plane.
//
//	 0     own stones
//	 1     opponent stones
//	 2     empty points
//	 3-6   own stones whose chain has 1, 2, 3, 4 or more liberties
//	 7-10  opponent stones whose chain has 1, 2, 3, 4 or more liberties
//	11-14  legal moves by liberties of the mover's chain after the move: 1, 2, 3, 4+
//	15-17  legal moves by stones captured: 1, 2, 3+
//	18-19  legal moves that leave the mover's chain in atari, chain of 1 stone / 2+ stones
//	20     the simple-ko point the side to move may not retake
//	21-24  the last, 2nd, 3rd and 4th last moves (their points; passes leave a plane empty)
//	25     legal moves (under simple ko; superko bans are too rare to encode)
//	26     ones (tells the board from the convolutions' zero padding)
//	27     ones if Black is to move, zeros if White
//	28     komi from the mover's view divided by 10 (+komi/10 if White is to move), clamped to [-1.5, 1.5]
//
// # Input features (FeaturesV2, 31 planes)
//
// FeaturesV1's 29 planes, then AlphaGo's two ladder planes, read by a small
// ladder reader (atari after atari, every defence tried, at most
// [LadderBudget] positions per question):
//
//	29     ladder captures: legal moves putting an opponent chain of two
//	       liberties in atari from which it cannot escape ([LadderCaptures])
//	30     ladder escapes: legal moves (extending, or capturing a chain in
//	       atari next to it) after which an own chain in atari has three
//	       liberties, or two and no ladder captures it ([LadderEscapes])
//
// # Input features (FeaturesV3, 33 planes)
//
// FeaturesV2's 31 planes, then two planes read from [PlayoutsV3] heavy
// playouts (rollout.DefaultPolicy, the side to move first, a generator
// seeded from the state so that a state always encodes the same):
//
//	31     the mean final area owner of each point, +1 the mover, -1 the opponent
//	32     the mover's mean playout result on every point, +1 win, -1 loss
//
// The playouts read life and death that the convolutions of a small
// network misjudge; they cost about 6 ms a 19x19 position on one core
// (BenchmarkEncodeV3), more than the network.
//
// [FeatureSet.EncodeState] encodes every set; [EncodeState] is FeaturesV1.
//
// The 8 board symmetries ([Symmetry]) transform the input planes and map
// the policy back exactly; search and evaluation pick one per position (or
// average all 8), training a random one per sample.
//
// # Policy indexing
//
// Policy outputs are indexed row-major from the top-left point (SGF "aa" is
// 0) with pass last, index size*size ([MoveIndex], [IndexMove]).
package nets
