#!/usr/bin/env node
// Parses reviewed SGFs ("tengen review") with @sabaki/sgf, the parser
// Sabaki uses, and checks what Sabaki shows: a comment on every move of
// the main line, SBKV winrates in [0, 100] (Sabaki's graph), and the
// best lines added as variations (more than one child somewhere).
//
//   node review_sgf_test.js FILE.sgf[:N]...   (N: only the first N moves were reviewed)
'use strict'

const assert = require('assert')
const fs = require('fs')
const sgf = require('@sabaki/sgf')

const files = process.argv.slice(2)
assert.ok(files.length > 0, 'no files')
for (const arg of files) {
  const [file, limit] = arg.split(/:(?=\d+$)/)
  const reviewedMoves = limit ? +limit : Infinity
  const roots = sgf.parse(fs.readFileSync(file, 'utf8'))
  assert.strictEqual(roots.length, 1, `${file}: game trees`)
  let node = roots[0]
  assert.ok(node.data.SZ, `${file}: no SZ`)
  let moves = 0
  let branches = 0
  let winrates = 0
  const walk = n => {
    if (n.children.length > 1) branches++
    n.children.forEach(walk)
  }
  walk(roots[0])
  while (node.children.length > 0) {
    node = node.children[0]
    if (!node.data.B && !node.data.W) continue
    moves++
    if (moves > reviewedMoves) {
      assert.ok(!node.data.C || !/Move \d+:/.test(node.data.C[0]), `${file}: move ${moves} reviewed beyond --moves ${reviewedMoves}`)
      continue
    }
    const c = node.data.C
    assert.ok(c && c[0].trim() !== '', `${file}: move ${moves} has no comment`)
    assert.ok(/Move \d+:/.test(c[0]), `${file}: move ${moves} comment ${JSON.stringify(c[0])}`)
    if (node.data.SBKV) {
      const v = +node.data.SBKV[0]
      assert.ok(Number.isFinite(v) && v >= 0 && v <= 100, `${file}: SBKV ${node.data.SBKV}`)
      winrates++
    }
  }
  const n = Math.min(moves, reviewedMoves)
  assert.ok(n >= 30, `${file}: ${n} reviewed moves on the main line`)
  assert.ok(winrates >= n - 1, `${file}: SBKV on ${winrates} of ${n} moves`)
  assert.ok(branches > 0, `${file}: no variation`)
  console.log(`${file}: ${moves} moves, ${winrates} winrates, ${branches} branch points`)
}
console.log('ok: reviewed SGFs parsed')
