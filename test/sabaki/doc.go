// Package sabaki holds the integration test that drives "tengen gtp" the
// way the Sabaki GUI does, with Sabaki's own GTP library (@sabaki/gtp,
// pinned in package-lock.json): sabaki_test.js is the Node.js script,
// sabaki_test.go builds the engines and runs it. fakeengine is a GTP
// server over a deterministic fake player, tested the same way.
package sabaki
