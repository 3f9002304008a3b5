#!/usr/bin/env node
// Drives a GTP engine the way Sabaki does, through @sabaki/gtp (the
// library Sabaki uses): the pipelined attach, ControllerStateTracker syncs
// (komi before boardsize, undo navigation, replay), genmove,
// lz-genmove_analyze, lz-analyze and kata-analyze (with ownership) stopped
// by a new command, the interval/avoid/allow forms, info lines parsed as
// Sabaki parses them, and detach with quit.
//
//   TENGEN_ENGINE=/path/to/tengen TENGEN_ENGINE_ARGS="gtp --visits 50" node sabaki_test.js
'use strict'

const assert = require('assert')
const {Controller, ControllerStateTracker, Command} = require('@sabaki/gtp')

const enginePath = process.env.TENGEN_ENGINE
const engineArgs = (process.env.TENGEN_ENGINE_ARGS || 'gtp').split(/\s+/).filter(x => x !== '')
if (!enginePath) {
  console.error('set TENGEN_ENGINE to the engine binary')
  process.exit(2)
}

// parseInfo reads an analysis line the way Sabaki's engine syncer does:
// segments split at "info", the principal variation is the run of
// vertices ending the segment (cut at the first pass), the tokens before
// it are key-value pairs ending with "pv"; segments whose move is not a
// board vertex are dropped; lz winrates are integers in 1/10000.
function parseInfo(line) {
  const vertex = /^(pass|[A-Za-z]\d+)$/
  const out = []
  for (const raw of line.split(/\s*info\s+/).slice(1)) {
    const tokens = raw.trim().split(/\s+/)
    let start = tokens.length
    while (start > 0 && vertex.test(tokens[start - 1])) start--
    if (start === tokens.length) continue
    const pvTokens = tokens.slice(start)
    const passAt = pvTokens.indexOf('pass')
    const pv = (passAt < 0 ? pvTokens : pvTokens.slice(0, passAt)).filter(x => x.length >= 2)
    const pairs = tokens.slice(0, start - 1) // without "pv"
    const entry = {pv}
    for (let i = 0; i + 1 < pairs.length; i += 2) entry[pairs[i]] = pairs[i + 1]
    if (entry.move == null || !/^[A-Za-z]\d+$/.test(entry.move)) continue
    out.push({
      move: entry.move.toUpperCase(),
      visits: +entry.visits,
      winrate: entry.winrate.includes('.') ? +entry.winrate * 100 : +entry.winrate / 100,
      prior: +entry.prior,
      lcb: +entry.lcb,
      order: +entry.order,
      keyOrder: pairs.filter((_, i) => i % 2 === 0),
      pv
    })
  }
  return out
}

function checkInfo(line, boardsize) {
  assert.ok(line.startsWith('info move '), `info line ${line}`)
  const moves = parseInfo(line)
  assert.ok(moves.length > 0, `no moves parsed from ${line}`)
  for (const m of moves) {
    assert.deepStrictEqual(m.keyOrder, ['move', 'visits', 'winrate', 'prior', 'lcb', 'order'], line)
    for (const k of ['visits', 'prior', 'lcb', 'order']) assert.ok(Number.isInteger(m[k]) && m[k] >= 0, `${k} in ${line}`)
    assert.ok(m.winrate >= 0 && m.winrate <= 100, `winrate in ${line}`)
    assert.ok(m.prior <= 10000 && m.lcb <= 10000, `prior/lcb in ${line}`)
    for (const v of [m.move, ...m.pv]) {
      const x = 'ABCDEFGHJKLMNOPQRSTUVWXYZ'.indexOf(v[0])
      const y = +v.slice(1)
      assert.ok(x >= 0 && x < boardsize && y >= 1 && y <= boardsize, `vertex ${v} in ${line}`)
    }
  }
  return moves
}

// checkKataInfo checks a kata-analyze line as Sabaki and Lizzie read it:
// the ownership part split off first, then info segments with float
// winrates, scoreLead and prior; ownership exactly size*size numbers in
// [-1, 1]; rootInfo (when asked) with the visits the moves add up to.
function checkKataInfo(line, boardsize, wantOwnership) {
  assert.ok(line.startsWith('info move '), `kata info line ${line.slice(0, 200)}`)
  let [info, ownership] = line.split(/\s*ownership\s+/)
  let root = null
  const r = info.split(/\s*rootInfo\s+/)
  if (r.length > 1) {
    info = r[0]
    const t = r[1].trim().split(/\s+/)
    root = {}
    for (let i = 0; i + 1 < t.length; i += 2) root[t[i]] = t[i + 1]
  }
  const moves = []
  for (const raw of info.split(/\s*info\s+/).slice(1)) {
    const tokens = raw.trim().split(/\s+/)
    const pvAt = tokens.indexOf('pv')
    assert.ok(pvAt > 0, `no pv in ${raw}`)
    const entry = {pv: tokens.slice(pvAt + 1)}
    for (let i = 0; i + 1 < pvAt; i += 2) entry[tokens[i]] = tokens[i + 1]
    for (const k of ['winrate', 'scoreLead', 'scoreMean', 'scoreStdev', 'prior', 'lcb', 'utility', 'utilityLcb']) {
      assert.ok(entry[k] != null && Number.isFinite(+entry[k]), `${k} missing or not finite in ${raw}`)
    }
    for (const k of ['winrate', 'prior', 'lcb']) assert.ok(+entry[k] >= 0 && +entry[k] <= 1, `${k} ${entry[k]} not in [0, 1]`)
    assert.ok(Number.isInteger(+entry.visits) && +entry.visits >= 0, `visits in ${raw}`)
    assert.ok(entry.pv.length > 0 && entry.pv[0] === entry.move, `pv of ${entry.move}: ${entry.pv}`)
    moves.push({move: entry.move, visits: +entry.visits, winrate: +entry.winrate, scoreLead: +entry.scoreLead, order: +entry.order})
  }
  assert.ok(moves.length > 0, `no moves in ${line.slice(0, 200)}`)
  moves.forEach((m, i) => assert.strictEqual(m.order, i, `order of ${m.move}`))
  if (root) {
    const sum = moves.reduce((a, m) => a + m.visits, 0)
    assert.ok(+root.visits >= sum, `rootInfo visits ${root.visits} < sum of move visits ${sum}`)
    assert.ok(Number.isFinite(+root.scoreLead), `rootInfo scoreLead ${root.scoreLead}`)
  }
  if (wantOwnership) {
    assert.ok(ownership != null, `no ownership in ${line.slice(0, 200)}`)
    const own = ownership.trim().split(/\s+/).map(Number)
    assert.strictEqual(own.length, boardsize * boardsize, 'ownership values')
    for (const v of own) assert.ok(Number.isFinite(v) && v >= -1 && v <= 1, `ownership value ${v}`)
  } else {
    assert.ok(ownership == null, 'ownership without ownership true')
  }
  return moves
}

function withTimeout(promise, ms, what) {
  let timer
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)
    })
  ]).finally(() => clearTimeout(timer))
}

let step = 'start'
function begin(name) {
  step = name
  console.log(`-- ${name}`)
}

async function main() {
  const controller = new Controller(enginePath, engineArgs)
  const tracker = new ControllerStateTracker(controller)
  const sent = []
  const stderr = []
  controller.on('command-sent', ({command}) => sent.push(Command.toString(command)))
  controller.on('stderr', ({content}) => stderr.push(content))
  const send = (name, ...args) => controller.sendCommand({name, args})
  const ok = async (name, ...args) => {
    const res = await withTimeout(send(name, ...args), 30000, `${name} ${args.join(' ')}`)
    assert.ok(!res.error, `${name} ${args.join(' ')}: ? ${res.content}`)
    return res.content
  }

  // Attach: Sabaki writes these at once, without ids and without waiting.
  begin('attach')
  controller.start()
  const startup = await withTimeout(
    Promise.all([
      send('name'),
      send('version'),
      send('protocol_version'),
      send('list_commands'),
      controller.sendCommand(Command.fromString('time_settings 0 1 0')) // a user start-up command
    ]),
    30000,
    'attach'
  )
  for (const res of startup) assert.ok(!res.error, `attach: ? ${res.content}`)
  assert.ok(startup[0].content.startsWith('tengen'), `name ${startup[0].content}`)
  assert.strictEqual(startup[2].content, '2')
  const commands = startup[3].content.split('\n')
  for (const c of commands) assert.strictEqual(c, c.trim().split(/\s+/)[0], `list_commands line "${c}"`)
  for (const c of ['lz-analyze', 'lz-genmove_analyze', 'undo', 'set_free_handicap', 'komi', 'boardsize']) {
    assert.ok(commands.includes(c), `${c} not listed`)
  }
  // Both targets estimate scores (the fake engine by design, tengen with
  // its playouts), so KataGo's analysis commands are offered.
  for (const c of ['kata-analyze', 'kata-genmove_analyze']) {
    assert.ok(commands.includes(c), `${c} not listed`)
  }
  for (const c of ['analyze', 'genmove_analyze']) {
    assert.ok(!commands.includes(c), `${c} must not be listed`)
  }
  assert.ok(await tracker.knowsCommand('undo'))

  // Sync: komi before boardsize, then clear_board and the moves.
  begin('sync')
  const play = (color, vertex) => ({name: 'play', args: [color, vertex]})
  sent.length = 0
  let history = [play('B', 'Q16'), play('W', 'D4'), play('B', 'pass'), play('W', 'Q4')]
  await withTimeout(tracker.sync({komi: 6.5, boardsize: [19, 19], history}), 30000, 'sync')
  assert.deepStrictEqual(sent, ['komi 6.5', 'boardsize 19', 'clear_board', 'play B Q16', 'play W D4', 'play B pass', 'play W Q4'])
  assert.strictEqual(await ok('list_stones', 'W'), 'D4 Q4')
  assert.match(await ok('showboard'), /Komi 6\.5, Black to move/)

  // A later sync sends only the difference.
  begin('sync more')
  sent.length = 0
  history = [...history, play('B', 'C3')]
  await tracker.sync({komi: 6.5, boardsize: [19, 19], history})
  assert.deepStrictEqual(sent, ['play B C3'])

  // Going back in the game tree and into a variation: undo, then plays.
  begin('sync undo')
  sent.length = 0
  history = [...history.slice(0, 3), play('W', 'R4'), play('B', 'D16')]
  await tracker.sync({komi: 6.5, boardsize: [19, 19], history})
  assert.deepStrictEqual(sent, ['undo', 'undo', 'play W R4', 'play B D16'])
  assert.strictEqual(await ok('list_stones', 'W'), 'D4 R4')
  assert.strictEqual(await ok('list_stones', 'B'), 'D16 Q16')

  // Another game: 9x9, handicap stones through set_free_handicap.
  begin('sync handicap')
  sent.length = 0
  history = [{name: 'set_free_handicap', args: ['C3', 'G7']}, play('W', 'E5')]
  await tracker.sync({komi: 0.5, boardsize: [9, 9], history})
  assert.deepStrictEqual(sent, ['komi 0.5', 'boardsize 9', 'clear_board', 'set_free_handicap C3 G7', 'play W E5'])
  assert.strictEqual(await ok('list_stones', 'B'), 'G7 C3')

  // Engine move with genmove.
  begin('genmove')
  const res = await tracker.queueCommand({name: 'genmove', args: ['B']})
  assert.ok(!res.error && /^([A-HJ]\d|pass|resign)$/i.test(res.content), `genmove: ${res.content}`)
  if (!/resign/i.test(res.content)) {
    assert.deepStrictEqual(tracker.state.history[tracker.state.history.length - 1], play('B', res.content.toUpperCase()))
  }

  // Engine move with lz-genmove_analyze, as Sabaki does with analysis on.
  begin('lz-genmove_analyze')
  const lines = []
  const gaRes = await withTimeout(
    controller.sendCommand({name: 'lz-genmove_analyze', args: ['W', '50']}, ({line}) => lines.push(line)),
    60000,
    'lz-genmove_analyze'
  )
  assert.ok(!gaRes.error, `lz-genmove_analyze: ${gaRes.content}`)
  const playLines = lines.filter(l => /^play\s+/.test(l.trim()))
  assert.strictEqual(playLines.length, 1, `play lines in ${JSON.stringify(lines)}`)
  for (const l of lines.filter(l => l.startsWith('info '))) checkInfo(l, 9)
  const genVertex = playLines[0].trim().split(/\s+/)[1].toUpperCase()
  assert.strictEqual(lines[lines.length - 1], '', 'reply ends with an empty line')
  if (genVertex !== 'RESIGN') {
    await new Promise(resolve => setImmediate(resolve))
    assert.deepStrictEqual(tracker.state.history[tracker.state.history.length - 1], play('W', genVertex))
  }

  // Analysis, stopped by the next command as Sabaki stops it.
  const analyze = async (args, check) => {
    const info = []
    let onInfo
    const gotInfo = new Promise(resolve => (onInfo = resolve))
    const p = controller.sendCommand({name: 'lz-analyze', args}, ({line}) => {
      if (line.startsWith('info ')) {
        info.push(line)
        if (info.length >= 2) onInfo()
      } else if (line !== '' && !/^=\s*$/.test(line)) {
        throw new Error(`unexpected line in analysis: ${line}`)
      }
    })
    await withTimeout(gotInfo, 30000, `info lines of lz-analyze ${args.join(' ')}`)
    const stop = send('protocol_version')
    const [aRes, pRes] = await withTimeout(Promise.all([p, stop]), 30000, 'analysis stop')
    assert.ok(!aRes.error)
    assert.strictEqual(pRes.content, '2')
    for (const l of info) check(checkInfo(l, 9))
    return info
  }
  const size9 = moves => moves
  begin('lz-analyze B 50')
  await analyze(['B', '50'], size9)
  begin('lz-analyze interval/avoid (Lizzie, KaTrain)')
  const avoided = ['D4', 'E5', 'F6', 'C7', 'D6', 'F4', 'E3', 'E4', 'D5', 'F5']
  await analyze(['B', 'interval', '10', 'avoid', 'b', avoided.join(','), '1'], moves => {
    for (const m of moves) assert.ok(!avoided.includes(m.move), `avoided ${m.move} analysed`)
  })
  begin('lz-analyze allow')
  const allowed = ['A1', 'J9', 'B2']
  await analyze(['W', 'interval', '10', 'allow', 'w', allowed.join(','), '1', 'minmoves', '2'], moves => {
    for (const m of moves) assert.ok(allowed.includes(m.move), `${m.move} analysed but not allowed`)
  })
  begin('lz-analyze without colour')
  await analyze(['10'], size9)

  // kata-analyze as Lizzie and Sabaki send it, stopped by the next
  // command.
  const kataAnalyze = async (args, wantOwnership) => {
    const info = []
    let onInfo
    const gotInfo = new Promise(resolve => (onInfo = resolve))
    const p = controller.sendCommand({name: 'kata-analyze', args}, ({line}) => {
      if (line.startsWith('info ')) {
        info.push(line)
        if (info.length >= 2) onInfo()
      } else if (line !== '' && !/^=\s*$/.test(line)) {
        throw new Error(`unexpected line in kata-analyze: ${line.slice(0, 200)}`)
      }
    })
    await withTimeout(gotInfo, 30000, `info lines of kata-analyze ${args.join(' ')}`)
    const stop = send('name')
    const [aRes, pRes] = await withTimeout(Promise.all([p, stop]), 30000, 'kata-analyze stop')
    assert.ok(!aRes.error)
    assert.ok(pRes.content.startsWith('tengen'))
    for (const l of info) checkKataInfo(l, 9, wantOwnership)
  }
  begin('kata-analyze b 50 ownership true')
  await kataAnalyze(['b', '50', 'ownership', 'true'], true)
  begin('kata-analyze interval rootInfo')
  await kataAnalyze(['W', 'interval', '20', 'rootInfo', 'true', 'maxmoves', '3'], false)

  // The engine is still in sync after all that.
  begin('resync')
  sent.length = 0
  // The new third move must differ from every move played so far (the
  // genmove above may itself have been H8), so the tracker has to undo
  // and play it.
  const played = tracker.state.history.map(c => (c.args || []).join(' ').toUpperCase())
  const resyncVertex = ['H8', 'J1', 'A9', 'B1'].find(v => !played.some(a => a.split(/\s+/).includes(v)))
  history = [...tracker.state.history.slice(0, 2), play('B', resyncVertex)]
  await tracker.sync({komi: 0.5, boardsize: [9, 9], history})
  assert.strictEqual(sent[sent.length - 1], `play B ${resyncVertex}`)
  assert.ok((await ok('list_stones', 'B')).split(' ').includes(resyncVertex))

  // Detach: quit; Sabaki would kill the engine 3 s later.
  begin('detach')
  const t0 = Date.now()
  let killed = false
  const origKill = controller.kill.bind(controller)
  controller.kill = () => ((killed = true), origKill())
  await withTimeout(controller.stop(3000), 10000, 'detach')
  assert.ok(!killed && Date.now() - t0 < 3000, `engine did not exit on quit (killed ${killed})`)
  assert.strictEqual(controller.process, null)
  console.log('ok: Sabaki session passed')
  if (stderr.length > 0) console.log(`(engine stderr: ${stderr.length} lines)`)
}

main().catch(err => {
  console.error(`FAIL in step "${step}": ${err && err.stack ? err.stack : err}`)
  process.exit(1)
})
