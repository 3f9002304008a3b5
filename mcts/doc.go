// Package mcts is tengen's parallel PUCT Monte Carlo tree search.
//
// The tree knows nothing of neural networks: leaves are evaluated through
// the small [Evaluator] interface (a position in, move priors and a value
// out), which the network adapter in cmd/tengen and selfplay implements
// over the batcher of package nets, and which [PlayoutEvaluator] implements
// without a network: priors from the Go knowledge of package rollout and
// values from its heavy playouts (a score utility mixed in). The
// [MixedEvaluator] is the hybrid: network priors, value mixed from the
// network's and the playouts' (AlphaGo's lambda).
//
// Evaluators that play past the leaf ([AMAFEvaluator]) feed RAVE (Gelly &
// Silver 2011): every child keeps all-moves-as-first statistics, blended
// with its mean by the minimum-MSE schedule (Config.RAVEEquiv).
//
// A [Searcher] owns one tree in an index-based node arena (a node limit
// bounds memory; when it is reached the tree stops growing, the search
// goes on evaluating leaves where they are, and the result reports it). A
// leaf gets its children at its Config.ExpandVisits-th visit (Pachi's
// expand_p), so lines visited once cost no nodes. The arena grows in fixed
// chunks that are never moved, so a growing tree copies nothing while the
// other goroutines wait, and each node's children are contiguous within
// one chunk. Search goroutines descend with virtual loss under a short
// tree lock, evaluate outside the lock, then expand and back up. Selection
// is PUCT (AlphaZero's c(N) = c_init + log((1+N+c_base)/c_base)) with a
// first-play-urgency reduction (Leela Zero's form); the root can take
// Dirichlet noise and, in self-play, KataGo's forced playouts with their
// pruned policy target ([Searcher.PrunedVisits]), moves can be chosen with
// a temperature, and a search can be limited by visits, playouts and time,
// or run until cancelled (pondering), and stop early once the best move
// cannot be overtaken. After a move the subtree under it is kept (tree
// reuse). The move played is the most visited one, or with a single visit
// the best prior; a pass gives way to a move while neutral points or
// stones to capture remain, or while passing would lose by the
// Tromp-Taylor count.
//
// Values are in [-1, 1]; the winrate shown to users is (value+1)/2 from
// the view of the side to move at the root.
package mcts
