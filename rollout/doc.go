// Package rollout is the playout policy with Go knowledge: "heavy"
// playouts in the spirit of MoGo (Gelly et al. 2006) and Pachi's moggy,
// and the light uniform policy they are measured against.
//
// A [Policy] plays a position out to the end. At each step it tries, each
// with a probability, rules that answer the last move: escape from an
// atari (unless the escape runs into a ladder), capture a chain in atari
// (the bigger the likelier), play the vital point of an eye space
// (nakade), atari a two-liberty chain that cannot escape (always, so
// that ladders are chased to the end) or give liberties to one of ours
// (never by filling an own eye), play a 3x3 pattern move (hane, cuts, edge
// moves, matched through a table of every 3x3 neighbourhood under the
// eight symmetries and both colours) next to the last move; then a
// capture anywhere; otherwise a uniform random move that does not fill
// one's own eye and is not a self-atari of more than two stones (three
// when it is a killing sacrifice in the opponent's eye space). Each rule
// is a field of the Policy, so an ablation can turn it off;
// [LightPolicy] turns them all off.
//
// A policy may carry a [Replies] table (last good reply with forgetting,
// LGRF-2: Baier and Drake 2010) shared by the playouts of a search: the
// replies that won recent playouts are tried before the rules (or after
// the tactical ones, RepliesLate), and each playout's moves and result
// update the table.
//
// [Priors] turns the same knowledge into move priors for a search;
// [Stakes] gives its tactical part alone (the stones a move captures,
// saves or catches, and the doomed escapes), for a search that corrects
// a network's priors with it. Both read the chains in one walk (the
// captures, escapes, counter-captures, catching and chasing ataris and
// defences of chainMoves), so that they cannot drift apart.
//
// Playouts are fast and allocation-free: one runs on one goroutine with its
// scratch space on the stack, reads the board through package board's
// exported methods, and draws its randomness from a generator seeded once
// from the caller's *rand.Rand, so that a seed fixes the playout. Ladders
// and atari escapes are read on copies of the position.
package rollout
