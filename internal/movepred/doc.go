// Package movepred measures how well a network predicts the moves of game
// records, the evaluation the AlphaGo and Clark & Storkey papers report:
// for every non-pass move of every game's main line, the rank of the move
// actually played in the network's policy among the legal board points,
// summarised as top-1, top-3 and top-5 accuracy with 95% Wilson intervals,
// overall and by move-number bucket, plus the value head's sign accuracy
// and mean squared error against decided results.
//
// Ranking rules:
//   - Only legal board points are ranked (board.Game.Legal under the
//     record's rules, superko included); pass is not a candidate and pass
//     moves are not ranked, only counted (Report.Passes). This is the
//     AlphaGo convention: it makes accuracy a statement about where the
//     next stone goes.
//   - Ties count against the played move: its rank is 1 plus the number of
//     other legal points whose probability is at least its own, so a
//     network that outputs a uniform policy scores no top-1 at all.
//   - Setup stones (AB/AW, handicap) are not moves; move numbers count the
//     main line's B and W nodes from 1, passes included.
//   - The network sees the position from the mover's view even when a
//     record has the same colour move twice.
//
// With 8 symmetries the softmaxed policy (mapped back to the board) and
// the value are averaged over the 8 board symmetries.
//
// Games are read in path order (archive member order) by package dataset,
// replayed and evaluated by several workers, each with its own batcher
// client, and folded into the totals in game order, so totals (and the
// per-position stream) do not depend on scheduling.
package movepred
