// Package match plays engine-vs-engine games over GTP, refereed by our own
// rules, and rates the result in Elo with a 95% interval.
//
// [Run] starts two engines (each a [gtp.Config]: any GTP program, GNU Go,
// another tengen) and plays [Config.Games] games between them. Engine A is
// "ours" (the engine under test), B the opponent; with Config.Alternate
// colours alternate, A taking Black in games 1, 3, 5, ..., otherwise A is
// always Black.
//
// # Refereeing
//
// Every game is kept on a [board.Game] under Config.Rules (Chinese rules,
// positional superko by default). Both engines are set up with boardsize,
// clear_board, komi and, when Config.MoveTime is set, "time_settings 0 T 1"
// (byo-yomi of T seconds a move). The side to move gets genmove; its reply
// is checked against the board and sent to the other engine with play.
// Optional random opening moves (Config.Openings, seeded by Config.Seed, the
// same for both games of a colour-swapped pair) are sent to both with play.
//
// A game ends when:
//   - an engine resigns (ReasonResign);
//   - an engine answers genmove with an illegal or unreadable move
//     (ReasonIllegal), exceeds the hard per-command time-out
//     (ReasonTimeout), dies (ReasonCrash), or refuses a command it must
//     accept (ReasonError, for example play of a legal move): it loses;
//   - two passes in a row: both engines are asked "final_status_list dead".
//     If both answer with the same set of stones, those are removed and the
//     board is scored by area (Tromp-Taylor). Otherwise play resumes in a
//     cleanup phase (kgs-genmove_cleanup for engines that list it, genmove
//     for the others) until two more passes in a row, and the board is
//     scored as it stands (ReasonScore);
//   - the move cap (Config.MaxMoves; in the cleanup phase size*size more
//     moves) is reached: the board is scored as it stands (ReasonCap).
//
// An engine that timed out or died is restarted before the next game.
//
// # Rating
//
// [Summary] counts wins by engine and by colour, draws and forfeits, and
// rates A over B with [Elo]: the score fraction (a draw counts half)
// converted to an Elo difference, with a 95% Wilson score interval. When A
// won or lost every game the estimate is infinite and the interval is
// one-sided: the finite end is a bound.
//
// # Records
//
// With Config.SGFDir set, DIR records the match: each game is written to
// DIR/game-NNNN.sgf, readable by package sgf; after each game
// DIR/results.jsonl gets its line (one JSON object per finished game, in
// game order: colours, winner, score, moves, reason, record, seconds,
// engine names; see [ReadResults]); DIR/match.json holds the settings
// (engines as command lines, games, colours, size, komi, rules, times,
// move cap, openings, seed; see [LoadConfig]). Every file is written
// atomically (a temporary file in DIR, then a rename), so a kill leaves
// each one whole, old or new.
//
// # Resuming
//
// A match interrupted (Ctrl-C, a crash, a reboot) continues with
// Config.Resume, or with the Config [LoadConfig] reads back. The results
// file is the record of what was played: its games are counted, not
// replayed; a record without a results line (a game cut short) is
// discarded and the game played again; a damaged last line is dropped.
// Colours and openings depend only on the game number and the seed, so
// the resumed games are the ones the uninterrupted match would have
// played. The settings must agree with match.json ([Config.CheckResume]),
// except that Games may be raised to extend the match.
package match
