// Package testenv holds what tests share. GNUGo and SharedData find what
// tests need from outside the repository: GNU Go (the rules referee and
// sparring partner) and the shared data folder (../shared/data: game
// archives, odd SGF files). A test that cannot find one skips, except
// under CI=true, where a missing dependency is a failure (scripts/test
// installs GNU Go; CI checks out shared/ beside the repository).
// SyncBuffer collects a child process's output.
package testenv
