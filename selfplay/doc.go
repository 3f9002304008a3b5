// Package selfplay is tengen's reinforcement learning by self-play, in the
// manner of AlphaGo Zero, Leela Zero and KataGo: the best network plays
// itself, the games become training data, a candidate network is trained
// from the best on the newest games, and gating decides whether the
// candidate replaces the best.
//
// # Playing
//
// [Run] plays Config.Parallel games at once, all evaluating through one
// batcher (package nets) of the directory's best network, each with its
// own search tree (package mcts, tree reused from move to move). Per move
// a search runs with root Dirichlet noise; the first GameConfig.TempMoves
// moves are drawn in proportion to visit counts (a pass only when it is
// the most visited move), later ones are the most visited. With playout-cap randomisation (KataGo) only a share of the
// moves gets a full search (noise, GameConfig.Visits, recorded for
// training); the others get a fast one (no noise, FastVisits). With
// forced playouts (KataGo, GameConfig.ForcedPlayouts) a full search gives
// every root move with a visit sqrt(k * prior * visits) of them, and its
// recorded visit distribution leaves those out (policy target pruning,
// mcts.Searcher.PrunedVisits); the move is chosen from the raw visits. A side
// resigns when its winrate stays below the threshold for a few of its
// searches; in a share of the games resignation is disabled and only noted,
// which measures the false-positive rate ([Stats.FalsePositiveRate]);
// [CalibrateResign] replays the rule on those games at many thresholds
// and chooses the largest safe one ([Config.AutoResign]). With
// GameConfig.DecidedVisits the games played out search fast once the
// rule has fired (KataGo's fewer visits in decided positions), so that
// many games end counted, labelling ownership and score, at little cost.
// Games run to two passes (Tromp-Taylor area scoring, the search knows the
// rules) or a move cap. Between games a worker re-reads networks/best and
// swaps in a newly promoted network; a game always ends with the network
// it began with.
//
// # Training and gating
//
// [TrainCandidate] reads the newest games ([LoadWindow]; unreadable chunks
// are skipped and counted, never fatal) and trains a candidate from the
// best network with train.Run over a [Source]: each full-search position
// encoded under a random board symmetry, with the visit distribution
// (pass included) transformed by the same symmetry as the policy target
// and the game's result from the mover's view as the value target; a game
// played to two passes adds its counted end (the final ownership and
// score, dead stones removed as for SGF games by dataset.Count) as the
// ownership and score targets, which the others lack.
// [GateCandidate] plays the candidate against the best in-process (a
// batcher per network), decides by SPRT or a fixed score share, records
// the result in gating.json (an Elo ladder: generation 0 is rated 0, a
// candidate its opponent's rating plus its Elo against it) and promotes a
// winning candidate by rewriting networks/best. [Loop] runs self-play,
// training and gating generation after generation.
//
// # Directory
//
// Workers coordinate only through a directory, which may be shared by many
// processes and machines over a POSIX file system (NFS, a Kubernetes
// ReadWriteMany volume):
//
//	networks/best              JSON: the best network (generation, name, weights file, id)
//	networks/gen-NNNNNN.weights generation N's network (gen-000000: the start network)
//	games/gen-NNNNNN/NAME.json.gz one chunk per game played by gen-NNNNNN
//	sgf/gen-NNNNNN/NAME.sgf    the same game as SGF, winrates in comments
//	train/gen-NNNNNN/          candidate N's training (train.Run's checkpoints and
//	                           metrics), candidate.json (parent, window size), window.txt
//	                           (the games trained on), gate.json (gating games so far),
//	                           gate/NNNN.sgf (gating games)
//	gating.json                every generation's gating result and the Elo ladder
//	gating.png                 the ladder drawn by tengen (package plot)
//	loop.json                  the loop's state: generation, phase, game target
//	stop                       present: workers finish their games and exit
//
// NAME is unique across processes and machines: a UTC time stamp (names
// sort by age), host, process id, a random token and a counter ([Namer]).
// Every file is written atomically (internal/atomicfile): a temporary file in the same folder
// (named ".NAME.*.tmp", ignored by readers), synced, renamed into place,
// the folder synced. A killed worker therefore loses at most its games in
// flight, and a restarted one counts the games already on disk. networks/best
// of a fresh directory is created with a hard link ([Dir.Init]), so
// several workers may start on an empty directory at once.
//
// # Chunk format (version 3)
//
// A chunk is a gzip stream of JSON lines holding one or more games (Run
// writes one game per chunk). A game is a header line followed by one line
// per move:
//
//	{"format":"tengen-selfplay","version":3,"id":NAME,"network":"gen-000003",
//	 "network_id":"9f86d081884c","size":9,"komi":7.5,"rules":"chinese",
//	 "visits":200,"fast_visits":0,"seed":123,"time":"2025-01-01T12:00:00Z",
//	 "winner":"B","result":"B+3.5","score":3.5,"resigned":false,
//	 "no_resign":false,"would_resign":[0,0],
//	 "owner":"BBBBBWWWW...WWW","final_score":5.5,"moves":57}
//	{"c":"B","m":40,"f":1,"n":200,"q":0.5123,"z":1,"d":[40,150,0,30,39,20]}
//
// Header: network_id is the first 12 hex digits of the weights file's
// SHA-256; visits and fast_visits the search budgets; winner "B", "W" or
// "" (a draw); score the result by the rules the game was played under,
// Black's Tromp-Taylor area (every stone on the board alive) minus
// White's minus komi (0 when resigned); would_resign the move number
// (1-based, 0: never) at which Black's and White's resignation rule fired
// in a no_resign game; owner and final_score, both present or both absent,
// the counted end of a game played to two passes ([Record.Owner]): owner
// one character per point in board.Points order (row-major from the top
// left), 'B' or 'W' for the point's owner after the dead stones are
// removed, '.' for neither, and final_score Black's points in owner minus
// White's minus komi; moves the number of move lines that follow. Move: c
// the colour; m the move played as a policy index (nets.MoveIndex:
// row-major from the top-left point, size*size for pass); f 1 for a full
// search (a training position), 0 for a fast one; n the root visits; q the
// mover's root winrate; z the result for the mover (1, 0, -1); d the visit
// counts of every visited root move (pass included) as pairs in
// increasing index order, each index written as its gap from the
// previous one less one (the first as itself): 40, 41, 81 with 150, 30,
// 20 visits are 40,150, 0,30, 39,20. Small gaps make the chunks 31%
// smaller than plain indices (6.4 to 4.4 KB a 9x9 game of 800-visit
// searches), which keeps a committed run small (docs/selfplay.md).
// [ReadChunk] checks the structure and consistency (a corrupt or
// truncated chunk is an error wrapping [ErrCorrupt]: an owner of the
// wrong length or with another character, a final_score that is not its
// count or disagrees with score about the winner, a counted end in a
// resigned game); [Record.Replay] checks the moves' legality, the final
// score, and that owner follows from the final position.
//
// Version 2 chunks hold plain indices in d, in any order; version 1
// chunks, written before the counted end was recorded, are version 2
// without owner and final_score (their positions have no ownership or
// score targets). Both still read; in memory every distribution is in
// index order.
package selfplay
