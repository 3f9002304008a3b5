// Package gtp speaks the Go Text Protocol, version 2
// (https://www.lysator.liu.se/~gunnar/gtp/).
//
// The client side is [Client]: it starts an engine process (GNU Go,
// another tengen, any GTP engine), sends it one command at a time and reads
// the reply. Tests, the match runner and gating use it.
//
//	c, err := gtp.Start(gtp.Config{Path: "gnugo", Args: []string{"--mode", "gtp"}})
//	if err != nil { ... }
//	defer c.Close()
//	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
//	defer cancel()
//	move, err := c.Send(ctx, "genmove", "b")
//
// Replies starting with '?' come back as [*EngineError]. Every Send takes
// a context: if it ends before the reply is complete, the engine is deemed
// hung and killed (its state is no longer known), the error wraps
// ctx.Err(), and later Sends fail with [ErrNotRunning] until
// [Client.Restart]. An engine that exits or closes its output gives errors
// wrapping [ErrDied] that carry its exit status and the tail of its
// standard error.
//
// The server side is [Server]: it answers GTP v2 for a [Player] (the
// engine's move generation, analysis and ownership; tengen's search in
// cmd/tengen, a fake in gtp/gtptest) and keeps the game itself in a
// board.Game, so the rules are checked here, not in the player. One command
// table drives dispatch, list_commands and known_command. Input is read
// pipelined with optional numeric ids; lz-analyze and lz-genmove_analyze
// stream "info" lines in the form Sabaki, Lizzie and KaTrain parse, and any
// input line ends a running analysis before it is answered. Errors are
// "? message"; replies never contain a blank line. The golden transcripts
// in testdata/ pin the wire format, and test/sabaki replays what Sabaki does
// through @sabaki/gtp against the real binary.
package gtp
