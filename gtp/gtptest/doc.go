// Package gtptest provides a deterministic fake gtp.Player for tests of
// the GTP server, its golden transcripts and the Sabaki integration test.
package gtptest
