import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster, Redis } from 'ioredis';
import { paths } from '../paths';
import { scriptSender } from './script-call';

/**
 * Limpah's Lua scripts, one per file in src/redis/scripts/, named `<name>-<numberOfKeys>.lua` as in BullMQ, each
 * with a contract header (KEYS, ARGV, what it returns). Pieces several scripts share (the key names they build,
 * Redis time and WIB days, booking the pool, what a voucher has left) live in scripts/lib/ and are pulled in by a
 * line `-- @include <name>`, each at most once per script.
 *
 * Every script is registered as a command when a client is made (registerScripts, called by connectRedis and the
 * test and benchmark harnesses), and typed here: `redis.admit(...)` needs no cast and no lazy definition.
 *
 * On a single Redis (or one behind Sentinel) a call goes out as one RESP frame (script-call.ts) rather than through
 * ioredis's script path, which builds and throws away a few kilobytes per call (bench:radius).
 */

type Reply = Array<string | number>;

/** The commands the scripts add to a client; the parameter names are the scripts' KEYS, then their ARGV. */
export interface ScriptCommands {
  admit(
    ...a: [
      pool: string, hotspot: string, hotspotLive: string, grant: string, session: string, leases: string, device: string,
      deviceBlock: string,
      prefix: string, sessionId: string, mac: string, hotspotId: string, nasIp: string, acctSessionId: string,
      pendingLeaseMs: number | string, requestCacheMs: number | string, credentialKind: string, credential: string,
      deviceSalt: string, aggregateRetentionSec: number | string, requestKey: string,
    ]
  ): Promise<Reply>;
  account(
    ...a: [
      pool: string, session: string, leases: string, unmatchedAccounting: string, grant: string,
      prefix: string, status: string, sessionId: string, acctSessionId: string, sessionTimeSec: number,
      inputBytes: number, outputBytes: number, terminateCause: string, recordJson: string, closedRetentionSec: number,
      hotspotId: string, framedIp: string, nasIp: string, mac: string, aggregateRetentionSec: number | string,
    ]
  ): Promise<[string, string]>;
  release(
    ...a: [
      pool: string, session: string, hotspotLive: string, leases: string,
      prefix: string, sessionId: string, reason: string, closedRetentionSec: number, onlyIfExpired: '1' | '0',
    ]
  ): Promise<'released' | 'not-live' | 'lease-renewed'>;
  rerate(
    ...a: [pool: string, session: string, allocatorEpoch: string, hotspot: string, downKbps: number, upKbps: number, epoch: number | '']
  ): Promise<[string, number, number]>;
  allocatorLease(...a: [lease: string, epoch: string, owner: string, leaseMs: number]): Promise<number>;
  redeemVoucher(
    ...a: [voucher: string, voucherDevices: string, deviceBlock: string, hotspot: string, mac: string, hotspotId: string, retentionMs: number]
  ): Promise<[string, number, number, number?, number?]>;
  revokeVoucher(...a: [voucher: string]): Promise<number>;
  recordRefusal(...a: [refusals: string, mac: string, refusalJson: string, cap: number, windowMs: number]): Promise<number>;
  /** ARGV: triples of agency id, measurement time (ms) and JSON record. */
  recordUsage(agencyUsage: string, ...triples: Array<string | number>): Promise<number>;
  rateLimit(...a: [deviceCounter: string, sourceCounter: string, perDevice: number, perSource: number, windowMs: number]): Promise<number>;
  rateRefund(...a: [deviceCounter: string, sourceCounter: string]): Promise<number>;
  loginAttempt(
    ...a: [accountFromAddress: string, account: string, address: string, accountFromAddressLimit: number, accountLimit: number, addressLimit: number, windowMs: number]
  ): Promise<[number, number]>;
  loginSuccess(...a: [accountFromAddress: string, account: string, address: string]): Promise<number>;
  setOperatorRole(...a: [operators: string, operator: string, prefix: string, username: string, role: string, disabled: '1' | '0']): Promise<number>;
}

/** A connection as ioredis makes it, before the scripts are registered. */
export type BareRedisClient = Redis | Cluster;

/** Each command and its script's number of keys: the files in scripts/ must be exactly these. */
export const SCRIPT_KEYS: { readonly [C in keyof ScriptCommands]: number } = Object.freeze({
  admit: 8,
  account: 5,
  release: 4,
  rerate: 4,
  allocatorLease: 2,
  redeemVoucher: 4,
  revokeVoucher: 1,
  recordRefusal: 1,
  recordUsage: 1,
  rateLimit: 2,
  rateRefund: 2,
  loginAttempt: 3,
  loginSuccess: 3,
  setOperatorRole: 2,
});

/** One script file, its includes resolved. */
export interface ScriptFile {
  readonly name: string;
  readonly command: string;
  readonly numberOfKeys: number;
  readonly lua: string;
}

const INCLUDE = /^--\s*@include\s+([a-z][a-z0-9-]*)\s*$/gm;

/** Replaces each `-- @include <name>` line by scripts/lib/<name>.lua (itself resolved), each name once. */
export function resolveIncludes(source: string, libDir: string, file: string, seen = new Set<string>()): string {
  return source.replace(INCLUDE, (_, name: string) => {
    if (seen.has(name)) return `-- (lib/${name}.lua: included above)`;
    seen.add(name);
    const path = join(libDir, `${name}.lua`);
    if (!existsSync(path)) throw new Error(`Lua script ${file} includes "${name}", but ${path} does not exist`);
    return resolveIncludes(readFileSync(path, 'utf8'), libDir, `lib/${name}.lua`, seen).trimEnd();
  });
}

export function readScripts(dir: string = paths.luaScripts): ScriptFile[] {
  const libDir = join(dir, 'lib');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.lua'))
    .sort()
    .map((file) => {
      const m = /^([a-z][a-z0-9-]*)-(\d+)\.lua$/.exec(file);
      if (!m) throw new Error(`Lua script ${file} must be named <name>-<numberOfKeys>.lua`);
      const lua = resolveIncludes(readFileSync(join(dir, file), 'utf8'), libDir, file);
      return { name: m[1]!, command: camel(m[1]!), numberOfKeys: Number(m[2]), lua };
    });
}

let bundled: readonly ScriptFile[] | undefined;

/** The scripts as shipped, read and checked against SCRIPT_KEYS once per process. */
export function shippedScripts(): readonly ScriptFile[] {
  if (bundled) return bundled;
  const files = readScripts();
  const expected = new Map(Object.entries(SCRIPT_KEYS));
  const wrong = [
    ...files.filter((f) => expected.get(f.command) !== f.numberOfKeys).map((f) => `${f.name}-${f.numberOfKeys}.lua has no command ${f.command} with ${f.numberOfKeys} keys in SCRIPT_KEYS`),
    ...[...expected].filter(([c, n]) => !files.some((f) => f.command === c && f.numberOfKeys === n)).map(([c, n]) => `SCRIPT_KEYS has ${c} (${n} keys) but no script file for it`),
  ];
  if (wrong.length > 0) throw new Error(`The Lua scripts and src/redis/scripts.ts disagree: ${wrong.join('; ')}`);
  bundled = Object.freeze(files);
  return bundled;
}

/**
 * Registers every script on a new client; every client Limpah, its tests and its benchmarks use comes through here.
 * ioredis's defineCommand registers them for pipelines and a Cluster; on a single Redis the command itself is then
 * replaced by a sender of one frame per call (script-call.ts).
 */
export function registerScripts<C extends BareRedisClient>(client: C): C & ScriptCommands {
  for (const s of shippedScripts()) {
    client.defineCommand(s.command, { numberOfKeys: s.numberOfKeys, lua: s.lua });
    if (!client.isCluster) Object.defineProperty(client, s.command, { value: scriptSender(client as Redis, s), configurable: true, writable: true });
  }
  return client as C & ScriptCommands;
}

function camel(name: string): string {
  return name.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}
