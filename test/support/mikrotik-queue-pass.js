#!/usr/bin/env node
/**
 * A STAND-IN for RouterOS's simple-queue table, NOT RouterOS: snmpd runs it with `pass_persist` (test/support/snmpd.ts)
 * and it answers for MIKROTIK-MIB's mtxrQueueSimpleTable from the counters of real Linux `tc` HTB classes, one class
 * per queue name, in the network namespace snmpd runs in. Plain JS so the machine's node runs it without a build.
 *
 * OIDs, from MIKROTIK-MIB as LibreNMS ships it (librenms/librenms, mibs/mikrotik/MIKROTIK-MIB, REVISION 202106180000Z):
 *   mikrotik ::= { enterprises 14988 }, mikrotikExperimentalModule ::= { mikrotik 1 }, mtXRouterOs ::= { .. 1 },
 *   mtxrQueues ::= { mtXRouterOs 2 }, mtxrQueueSimpleTable ::= { mtxrQueues 1 }, mtxrQueueSimpleEntry ::= { .. 1 }
 *   => entry 1.3.6.1.4.1.14988.1.1.2.1.1, INDEX { mtxrQueueSimpleIndex }, columns:
 *      1 mtxrQueueSimpleIndex (not-accessible, not served)   2 mtxrQueueSimpleName DisplayString
 *      3 mtxrQueueSimpleSrcAddr IpAddress   4 mtxrQueueSimpleSrcMask IpAddress
 *      5 mtxrQueueSimpleDstAddr IpAddress   6 mtxrQueueSimpleDstMask IpAddress
 *      7 mtxrQueueSimpleIface ObjectIndex (an ifIndex)
 *      8 mtxrQueueSimpleBytesIn Counter64   9 mtxrQueueSimpleBytesOut Counter64
 *     10 mtxrQueueSimplePacketsIn Counter32   11 mtxrQueueSimplePacketsOut Counter32
 *   (12-15, PCQ queues and drops, are not served.)
 *
 * Direction, as this stand-in defines it (the MIB's descriptions are empty): the queue's target is the far side of the
 * agent's interface (where the tests run). BytesIn counts what arrives from the target (the ingress of that interface,
 * redirected to an ifb device whose HTB classes count it); BytesOut counts what leaves toward it (the interface's own
 * egress HTB classes). So "In" means into the router, as ifHCInOctets does.
 *
 * Usage (from snmpd.conf): pass_persist .1.3.6.1.4.1.14988.1.1.2.1 <node> mikrotik-queue-pass.js <config.json>
 * config.json: { tcBin, outDev, inDev, ifIndex, targetIp, queues: [{ index, name, classId }] }
 * Protocol (snmpd.conf(5), pass_persist): PING -> PONG; get/getnext + OID -> OID, type, value, or NONE; set -> not-writable.
 */
'use strict';

const { execFileSync } = require('node:child_process');
const { readFileSync } = require('node:fs');
const readline = require('node:readline');

const ENTRY = [1, 3, 6, 1, 4, 1, 14988, 1, 1, 2, 1, 1];
/** Counters are read at most this often: one walk sees one consistent reading. */
const COUNTER_CACHE_MS = 100;
const TWO_TO_32 = 2n ** 32n;

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));

/** `tc -s class show dev <dev>` as classid -> { bytes, packets }. Its -j output has no stats for HTB classes. */
function readClasses(dev) {
  let text;
  try {
    text = execFileSync(config.tcBin, ['-s', 'class', 'show', 'dev', dev], { encoding: 'utf8', timeout: 2000 });
  } catch (err) {
    // The classes are being recreated (counter reset) or the device is gone: no traffic counted.
    process.stderr.write(`mikrotik-queue-pass: tc on ${dev} failed: ${err.message.split('\n')[0]}\n`);
    return new Map();
  }
  const classes = new Map();
  for (const block of text.split(/^(?=class )/m)) {
    const id = /^class \S+ (\S+)/.exec(block);
    const sent = /Sent (\d+) bytes (\d+) pkt/.exec(block);
    if (id && sent) classes.set(id[1], { bytes: BigInt(sent[1]), packets: BigInt(sent[2]) });
  }
  return classes;
}

let cached = { atMs: -Infinity, rows: [] };

/** Every served varbind in lexicographic OID order (column, then queue index). */
function rows() {
  const now = Date.now();
  if (now - cached.atMs < COUNTER_CACHE_MS) return cached.rows;
  const inClasses = readClasses(config.inDev);
  const outClasses = readClasses(config.outDev);
  const zero = { bytes: 0n, packets: 0n };
  const queues = [...config.queues].sort((a, b) => a.index - b.index);
  const columns = [
    [2, 'string', (q) => q.name],
    [3, 'ipaddress', () => config.targetIp],
    [4, 'ipaddress', () => '255.255.255.255'],
    [5, 'ipaddress', () => '0.0.0.0'],
    [6, 'ipaddress', () => '0.0.0.0'],
    [7, 'integer', () => String(config.ifIndex)],
    [8, 'counter64', (q) => String((inClasses.get(q.classId) ?? zero).bytes)],
    [9, 'counter64', (q) => String((outClasses.get(q.classId) ?? zero).bytes)],
    [10, 'counter', (q) => String((inClasses.get(q.classId) ?? zero).packets % TWO_TO_32)],
    [11, 'counter', (q) => String((outClasses.get(q.classId) ?? zero).packets % TWO_TO_32)],
  ];
  const list = [];
  for (const [column, type, value] of columns) {
    for (const q of queues) list.push({ oid: [...ENTRY, column, q.index], type, value: value(q) });
  }
  cached = { atMs: now, rows: list };
  return list;
}

function parseOid(text) {
  return text
    .trim()
    .replace(/^\./, '')
    .split('.')
    .filter((s) => s !== '')
    .map(Number);
}

/** Lexicographic OID order: component by component, a prefix first. */
function compareOids(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

function answer(row) {
  if (!row) return 'NONE\n';
  return `.${row.oid.join('.')}\n${row.type}\n${row.value}\n`;
}

function handle(command, oidText) {
  const oid = parseOid(oidText);
  if (command === 'get') return answer(rows().find((r) => compareOids(r.oid, oid) === 0));
  return answer(rows().find((r) => compareOids(r.oid, oid) > 0));
}

// Lines arrive one at a time; get and getnext are followed by one OID line, set by an OID and a value line.
const lines = readline.createInterface({ input: process.stdin, terminal: false });
let pending = null;
lines.on('line', (raw) => {
  const line = raw.trim();
  if (pending) {
    pending.args.push(line);
    if (pending.args.length < pending.need) return;
    const { command, args } = pending;
    pending = null;
    process.stdout.write(command === 'set' ? 'not-writable\n' : handle(command, args[0]));
    return;
  }
  switch (line.toLowerCase()) {
    case 'ping':
      process.stdout.write('PONG\n');
      break;
    case 'get':
    case 'getnext':
      pending = { command: line.toLowerCase(), need: 1, args: [] };
      break;
    case 'set':
      pending = { command: 'set', need: 2, args: [] };
      break;
    case '':
      break;
    default:
      process.stdout.write('NONE\n');
  }
});
// snmpd closes the pipe when it exits: so does this.
lines.on('close', () => process.exit(0));
