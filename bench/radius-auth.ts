/**
 * npm run bench:radius: Access-Request -> Access-Accept throughput, latency and server CPU per authorization.
 *
 * A private redis-server, one server under test at a time, and one load generator here (bench/load.ts) that keeps a
 * fixed number of requests in flight with the same packets for every server:
 *  - Limpah, in a child process (bench/radius-server.ts), with full Redis admission: every request consumes a fresh
 *    one-time grant and admits a session;
 *  - when Debian's freeradius is installed, FreeRADIUS with the files module, and FreeRADIUS with one Redis EVAL per
 *    request (rlm_redis, against the same redis-server; the script checks and consumes a one-time grant).
 * Server CPU is utime+stime of the server's process from /proc/<pid>/stat before and after each level, divided by
 * the number of requests; the same for redis-server.
 *
 * The last table is the figure issue 15 asks for: CPU per authorization, Limpah's process plus its redis-server
 * beside FreeRADIUS's plus its redis-server, and their ratio (target <= 1). The defaults are that measurement:
 * 16,000 requests with 64 in flight (as radclient -p 64 keeps them) after 4,000 warm-up requests.
 *
 * Environment: BENCH_REQUESTS (per level, default 16000), BENCH_CONCURRENCY (default 64; a list such as 1,8,32,128
 * for a sweep), BENCH_WARMUP (requests at concurrency 8 before the levels, not reported; default 4000),
 * BENCH_TARGETS (default limpah,freeradius-files,freeradius-redis), BENCH_CPU_PROF (a folder: run Limpah's server
 * with node --cpu-prof, then node dist/bench/cpuprofile-top.js <file>), BENCH_SERVER_NODE_ARGS (more node flags for
 * Limpah's server, e.g. --perf-basic-prof for `perf record`).
 * Limpah's synthetic site (bench/radius-server.ts) admits about 48,000 sessions (100 Gbps uplink, 2 Mbps each): keep
 * BENCH_REQUESTS x levels + BENCH_WARMUP below that, or the last requests are rejected (and shown as such).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Redis } from 'ioredis';
import { registerScripts } from '../src/redis/scripts';
import type { RedisClient } from '../src/redis/client';
import { Keys } from '../src/redis/keys';
import { createGrant, GRANT_TTL_MS } from '../src/grants/grants';
import { startEmbeddedRedis } from '../src/redis/embedded';
import { inspect, Vendor } from '../src/radius/codec';
import { BENCH_SECRET } from './site';
import { npmCommand } from './command';
import {
  FR_GRANT_PREFIX,
  FREERADIUS_BIN,
  FREERADIUS_LIBDIR,
  freeradiusInstalled,
  rlmRedisInstalled,
  startFreeradius,
  THREAD_POOL,
} from './freeradius';
import {
  benchMac,
  clockTicksPerSecond,
  type Credential,
  machineCpuMicros,
  openClient,
  percentile,
  prepareRequests,
  processCpuMicros,
  runLoad,
  type LoadResult,
} from './load';

const SECRET = BENCH_SECRET;
const LEVELS = (process.env['BENCH_CONCURRENCY'] ?? '64').split(',').map(Number);
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 16000);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 4000);
const TARGETS = (process.env['BENCH_TARGETS'] ?? 'limpah,freeradius-files,freeradius-redis').split(',');
const CPU_PROF = process.env['BENCH_CPU_PROF'];
const SERVER_NODE_ARGS = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);

type TargetId = 'limpah' | 'freeradius-files' | 'freeradius-redis';
const LABEL: Record<TargetId, string> = {
  limpah: 'Limpah',
  'freeradius-files': 'FreeRADIUS files',
  'freeradius-redis': 'FreeRADIUS+Redis',
};

interface Target {
  readonly pid: number;
  readonly port: number;
  /** n credentials valid for one request each (Limpah and FreeRADIUS+Redis consume them). */
  credentials(n: number): Promise<Credential[]>;
  stop(): Promise<void>;
}

interface Row {
  readonly result: LoadResult;
  readonly cpuUs: number;
  readonly redisUs: number;
  /** Share of the machine's CPU used by processes other than the server, redis-server and this load generator. */
  readonly othersPct: number;
}

let macSeq = 0;

function randomCredential(): Credential {
  // Same lengths as Limpah's grants (g- and 12 characters, 16-character password), so the packets are the same size.
  return { username: `g-${randomBytes(6).toString('hex')}`, password: randomBytes(8).toString('hex'), mac: benchMac(macSeq++) };
}

async function inBatches<T>(n: number, make: () => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  while (out.length < n) out.push(...(await Promise.all(Array.from({ length: Math.min(500, n - out.length) }, make))));
  return out;
}

async function startLimpah(redisUrl: string, redis: RedisClient): Promise<Target> {
  const execArgv = [...(CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : []), ...SERVER_NODE_ARGS];
  const child: ChildProcess = fork(join(__dirname, 'radius-server.js'), [], { env: { ...process.env, REDIS_URL: redisUrl }, execArgv });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`Limpah's bench server exited with code ${code} before it was ready`)));
    child.on('message', (m: { type: string; port?: number }) => {
      if (m.type === 'ready') resolve(m.port!);
    });
  });
  child.removeAllListeners('exit');
  const keys = new Keys('bench');
  return {
    pid: child.pid!,
    port,
    credentials: (n) =>
      inBatches(n, async () => {
        const g = await createGrant(redis, keys, { hotspotId: 'bench', mac: benchMac(macSeq++) });
        return { username: g.username, password: g.password, mac: g.mac };
      }),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.send({ type: 'stop' });
      await exited;
    },
  };
}

async function startFreeradiusTarget(
  id: 'freeradius-files' | 'freeradius-redis',
  redis: RedisClient,
  redisPort: number,
  redisPassword: string,
): Promise<Target & { command: string }> {
  if (id === 'freeradius-files') {
    // The users file holds a password and the reply for each user; files does not consume them, so the levels reuse them.
    const users = Array.from({ length: Math.max(REQUESTS, WARMUP) }, randomCredential);
    const fr = await startFreeradius({ mode: 'files', secret: SECRET, users });
    return { ...fr, credentials: async (n) => users.slice(0, n) };
  }
  const fr = await startFreeradius({ mode: 'redis', secret: SECRET, redis: { port: redisPort, password: redisPassword } });
  return {
    ...fr,
    credentials: async (n) => {
      const creds = Array.from({ length: n }, randomCredential);
      const pipe = redis.pipeline();
      for (const c of creds) {
        pipe.hset(FR_GRANT_PREFIX + c.username, { password: c.password, mac: c.mac });
        pipe.pexpire(FR_GRANT_PREFIX + c.username, GRANT_TTL_MS);
      }
      await pipe.exec();
      return creds;
    },
  };
}

const ATTRIBUTE_NAMES: Record<number, string> = { 27: 'Session-Timeout', 28: 'Idle-Timeout', 80: 'Message-Authenticator', 85: 'Acct-Interim-Interval' };
const VSA_NAMES: Record<string, string> = {
  [`${Vendor.Mikrotik}:8`]: 'Mikrotik-Rate-Limit',
  [`${Vendor.Mikrotik}:17`]: 'Mikrotik-Total-Limit',
  [`${Vendor.Mikrotik}:18`]: 'Mikrotik-Total-Limit-Gigawords',
  [`${Vendor.WISPr}:7`]: 'WISPr-Bandwidth-Max-Up',
  [`${Vendor.WISPr}:8`]: 'WISPr-Bandwidth-Max-Down',
};

/** The attributes of a reply, in order, named (for the "what each server answered" lines). */
function describeReply(packet: Buffer | undefined): string {
  const p = packet && inspect(packet);
  if (!p) return '(no Access-Accept received)';
  const show = (name: string, v: Buffer): string =>
    name === 'Message-Authenticator' ? name : name === 'Mikrotik-Rate-Limit' ? `${name}=${v.toString('latin1')}` : v.length === 4 ? `${name}=${v.readUInt32BE(0)}` : name;
  const names = p.attributes.map(([type, value]) => {
    if (type === 26 && value.length >= 6) {
      const key = `${value.readUInt32BE(0)}:${value[4]}`;
      return show(VSA_NAMES[key] ?? `VSA ${key}`, value.subarray(6));
    }
    return show(ATTRIBUTE_NAMES[type] ?? `attribute ${type}`, value);
  });
  return `${packet!.length} bytes: ${names.join(', ')}`;
}

function fmt(n: number, digits = 0, width = 7): string {
  return (Number.isFinite(n) ? n.toFixed(digits) : '-').padStart(width);
}

async function measure(target: Target, socket: Awaited<ReturnType<typeof openClient>>, concurrency: number, n: number, redisPid: number): Promise<Row> {
  const requests = prepareRequests(await target.credentials(n), SECRET);
  const machine0 = machineCpuMicros();
  const self0 = processCpuMicros(process.pid);
  const cpu0 = processCpuMicros(target.pid);
  const redis0 = processCpuMicros(redisPid);
  const result = await runLoad({ socket, port: target.port, secret: SECRET, requests, concurrency });
  const cpuUs = processCpuMicros(target.pid) - cpu0;
  const redisUs = processCpuMicros(redisPid) - redis0;
  const selfUs = processCpuMicros(process.pid) - self0;
  const machine1 = machineCpuMicros();
  const othersUs = machine1.busy - machine0.busy - cpuUs - redisUs - selfUs;
  const othersPct = Math.max(0, (100 * othersUs) / (machine1.total - machine0.total));
  return { result, cpuUs, redisUs, othersPct };
}

function rowLine(label: string, concurrency: number, row: Row): string {
  const r = row.result;
  const notes = [r.rejected ? `${r.rejected} rejected` : '', r.lost ? `${r.lost} lost` : '', r.invalid ? `${r.invalid} invalid` : '']
    .filter(Boolean)
    .join(', ');
  return (
    `${label.padEnd(17)} ${String(concurrency).padStart(4)} ${fmt(r.requests / r.seconds)} ${fmt(percentile(r.latencies, 50), 2)} ${fmt(percentile(r.latencies, 99), 2)}` +
    ` ${fmt(row.cpuUs / r.requests, 0, 14)} ${fmt(row.redisUs / r.requests, 0, 13)} ${fmt(row.othersPct, 0, 7)}%  ${r.accepted}/${r.requests}${notes ? ` (${notes})` : ''}`
  );
}

const HEADER = `${'server'.padEnd(17)} conc   req/s  p50 ms  p99 ms  server us/auth  redis us/auth  others  accepted`;

async function main(): Promise<void> {
  const setEnv = ['BENCH_REQUESTS', 'BENCH_CONCURRENCY', 'BENCH_WARMUP', 'BENCH_TARGETS', 'BENCH_CPU_PROF', 'BENCH_SERVER_NODE_ARGS']
    .filter((k) => process.env[k] !== undefined)
    .map((k) => `${k}=${/^[\w.,:/=-]*$/.test(process.env[k]!) ? process.env[k] : `'${process.env[k]}'`}`);
  const script = relative(process.cwd(), process.argv[1]!) || process.argv[1]!;
  const direct = ['node', ...process.execArgv, script].join(' ');
  const npm = npmCommand();
  console.log(`# command: ${[...setEnv, npm ?? direct].join(' ')}${npm ? `  (which runs ${direct} after the build)` : ''}`);
  console.log(`# RADIUS Access-Request -> Access-Accept: PAP + Message-Authenticator; User-Name, User-Password, Calling-Station-Id, NAS-IP-Address`);
  console.log(
    `# node ${process.version}, ${cpus().length} CPUs; ${REQUESTS} requests per level, concurrency ${LEVELS.join(',')}, ` +
      `${WARMUP} warm-up requests per server (not reported); one server runs at a time`,
  );
  console.log(`# server us/auth: server CPU, utime+stime of the server process (all threads) from /proc/<pid>/stat, ${1000 / clockTicksPerSecond()} ms ticks, / requests;`);
  console.log(`# redis us/auth: the same for the private redis-server; others: share of the machine's CPU used meanwhile by other processes`);
  console.log(`# (not this benchmark), from /proc/stat. Every reply is verified (both authenticators) before it counts.`);
  console.log(`# Limpah runs with logging off (pino level silent), as FreeRADIUS writes no line per request by default.`);

  const dataDir = mkdtempSync(join(tmpdir(), 'limpah-bench-'));
  const redisServer = await startEmbeddedRedis({ dataDir, appendOnly: false });
  const redisUrl = new URL(redisServer.url);
  const redis = registerScripts(new Redis(redisServer.url));
  const socket = await openClient();
  const rows = new Map<TargetId, Map<number, Row>>();
  const samples = new Map<TargetId, string>();
  let current: Target | undefined;
  const stopCurrent = async (): Promise<void> => {
    const t = current;
    current = undefined;
    await t?.stop();
  };
  process.once('SIGINT', () => void stopCurrent().then(() => redisServer.stop()).then(() => process.exit(130)));

  try {
    for (const id of TARGETS as TargetId[]) {
      if (!(id in LABEL)) throw new Error(`unknown BENCH_TARGETS entry "${id}"`);
      if (id !== 'limpah') {
        if (!freeradiusInstalled()) {
          console.log(`# ${LABEL[id]}: skipped, ${FREERADIUS_BIN} is not installed (apt-get install -y freeradius)`);
          continue;
        }
        if (id === 'freeradius-redis' && !rlmRedisInstalled()) {
          console.log(`# ${LABEL[id]}: skipped, ${FREERADIUS_LIBDIR}/rlm_redis.so is absent (apt-get install -y freeradius-redis)`);
          continue;
        }
      }
      if (id === 'limpah') {
        current = await startLimpah(redisServer.url, redis);
        const nodeArgs = [...(CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', CPU_PROF] : []), ...SERVER_NODE_ARGS];
        console.log(`# ${LABEL[id]}: node ${[...nodeArgs, relative(process.cwd(), join(__dirname, 'radius-server.js'))].join(' ')}, pid ${current.pid}`);
      } else {
        const fr = await startFreeradiusTarget(id, redis, redisServer.port, decodeURIComponent(redisUrl.password));
        current = fr;
        console.log(
          `# ${LABEL[id]}: ${fr.command}, pid ${fr.pid}; thread pool start_servers=${THREAD_POOL.start_servers} max_servers=${THREAD_POOL.max_servers}` +
            (id === 'freeradius-redis' ? `, redis pool ${THREAD_POOL.start_servers}-${THREAD_POOL.max_servers} connections` : ''),
        );
      }
      if (WARMUP > 0) await measure(current, socket, 8, WARMUP, redisServer.pid!);
      const byLevel = new Map<number, Row>();
      rows.set(id, byLevel);
      for (const concurrency of LEVELS) {
        const row = await measure(current, socket, concurrency, REQUESTS, redisServer.pid!);
        byLevel.set(concurrency, row);
        console.log(`#   ${rowLine(LABEL[id], concurrency, row)}`);
        samples.set(id, samples.get(id) ?? describeReply(row.result.sampleAccept));
      }
      await stopCurrent();
    }
  } finally {
    await stopCurrent();
    socket.close();
    redis.disconnect();
    await redisServer.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  console.log('');
  console.log(HEADER);
  for (const concurrency of LEVELS) {
    for (const [id, byLevel] of rows) console.log(rowLine(LABEL[id], concurrency, byLevel.get(concurrency)!));
  }
  console.log('');
  for (const [id, sample] of samples) console.log(`# ${LABEL[id]} Access-Accept: ${sample}`);

  const busiest = Math.max(...[...rows.values()].flatMap((byLevel) => [...byLevel.values()].map((r) => r.othersPct)));
  if (busiest > 15) {
    console.log(`# warning: other processes used up to ${busiest.toFixed(0)}% of the machine's CPU during a level; run again on a quiet machine`);
  }

  const limpah = rows.get('limpah');
  const frRedis = rows.get('freeradius-redis');
  const frFiles = rows.get('freeradius-files');
  if (limpah && !frRedis && !frFiles) console.log('# no FreeRADIUS measured in this run: no ratios');
  if (limpah && (frRedis || frFiles)) {
    // CPU per authorization, all of it: the server's process and its redis-server's (the files module has none).
    const perAuth = (r: Row): number => (r.cpuUs + r.redisUs) / r.result.requests;
    console.log('');
    console.log('# CPU per authorization = server us/auth + redis us/auth; the target is Limpah <= FreeRADIUS with one Redis EVAL per request');
    console.log(`conc  ${'Limpah (node + redis)'.padStart(24)}  ${'FreeRADIUS+Redis (server + redis)'.padStart(36)}  ratio (target <= 1)  req/s Limpah / FreeRADIUS files (target >= 1)`);
    for (const concurrency of LEVELS) {
      const l = limpah.get(concurrency)!;
      const r = frRedis?.get(concurrency);
      const f = frFiles?.get(concurrency);
      const split = (row: Row): string => `${fmt(perAuth(row), 0, 4)} us (${fmt(row.cpuUs / row.result.requests, 0, 1)} + ${fmt(row.redisUs / row.result.requests, 0, 1)})`;
      const tput = f ? l.result.requests / l.result.seconds / (f.result.requests / f.result.seconds) : NaN;
      console.log(
        `${String(concurrency).padStart(4)}  ${split(l).padStart(24)}  ${(r ? split(r) : '-').padStart(36)}  ${fmt(r ? perAuth(l) / perAuth(r) : NaN, 2, 19)}  ${fmt(tput, 2, 45)}`,
      );
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
