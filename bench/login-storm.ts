/**
 * npm run bench:storm: a login storm at one park, and the steady cost of accounting, against the real Limpah.
 *
 * Limpah runs as it is deployed: `node dist/src/main.js` in a child process (WORKERS of them behind the primary when
 * WORKERS > 1), with a private redis-server (REDIS_URL), a site file written here (one park, its router on
 * 127.0.0.1, a quota that admits every phone: nothing the quota allows may be refused), LOG_LEVEL=warn,
 * NODE_ENV=production. This process is the load: phones over HTTP and their router over RADIUS.
 *
 *  1. Storm: BENCH_PHONES phones (distinct MACs) arrive evenly over BENCH_ARRIVAL_SECONDS. Each does what a
 *     citizen's phone and the MikroTik router do, with no think time: POST the splash (the fields the router's
 *     login.html posts, without chap-id, so the router logs in with PAP), POST the splash form ("Sambungkan",
 *     method=click, the form's own signed fields and token), read the username and password the router-login page
 *     hands to the router, Access-Request (PAP, Message-Authenticator first) from 127.0.0.1, Accounting-Start, and
 *     BENCH_INTERIMS Interim-Updates (at once: their cost, not their timing). Latency per step from a keep-alive
 *     agent of BENCH_SOCKETS sockets (queueing in the agent counts), outcomes per step, and the CPU of Limpah (the
 *     primary and its workers) and redis-server from /proc/<pid>/stat over the storm, per login.
 *  2. Steady accounting: BENCH_SESSIONS live sessions (the storm's, and the rest admitted through RADIUS with grants
 *     written directly to Redis by src/grants/grants.ts createGrant, as bench/radius-auth.ts does: the portal's grant
 *     rate limits would take minutes), then Interim-Updates at BENCH_SESSIONS / 300 per second (a 300 s interim
 *     interval) for BENCH_STEADY_SECONDS; CPU of Limpah and Redis per second of that, and per interim, against
 *     BENCH_IDLE_SECONDS of the same sessions without traffic before it (the background jobs).
 *
 * Environment: BENCH_PHONES (default 2000), BENCH_ARRIVAL_SECONDS (10), BENCH_WORKERS (Limpah's WORKERS, a list run
 * one after the other, default 1; e.g. 1,2), BENCH_SOURCE ('phone': every phone its own address in
 * X-Forwarded-For, TRUST_PROXY=true, as when the portal sees the phones' addresses; 'nat': all from one address, as
 * behind a router that masquerades the portal's traffic — the grant limit per network then applies), BENCH_SOCKETS
 * (HTTP keep-alive sockets, default 64), BENCH_INTERIMS (per phone in the storm, default 0), BENCH_SESSIONS (steady
 * phase, default 20000; 0 skips it), BENCH_STEADY_SECONDS (60), BENCH_IDLE_SECONDS (10), BENCH_REDIS_AOF (1: the
 * private redis-server appends to an AOF, fsync every second, as Limpah's own embedded Redis does; 0: no
 * persistence), BENCH_TIMEOUT_MS (HTTP and RADIUS, default 5000), BENCH_WARMUP (logins before the storm, not reported, so
 * that the JIT has compiled the hot paths as in a server that has been running; default 200; their sessions stay live).
 * Needs dist/: `npm run bench:storm` builds it (npm run build:bench); run directly, build first with
 * `npx tsc -p tsconfig.bench.json`. Other benchmarks share the machine: `flock /tmp/limpah-bench.lock npm run bench:storm`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { createGrant } from '../src/grants/grants';
import { freePort, startEmbeddedRedis } from '../src/redis/embedded';
import { Keys } from '../src/redis/keys';
import type { RedisClient } from '../src/redis/client';
import { registerScripts } from '../src/redis/scripts';
import { Code, type ReplyAttribute } from '../src/radius/codec';
import { formFields } from '../test/support/html';
import { commandLine } from './command';
import { benchMac, clockTicksPerSecond, machineCpuMicros, percentile, processCpuMicros } from './load';
import { StormRadiusClient, type RadiusReply } from './storm-radius';

const PHONES = Number(process.env['BENCH_PHONES'] ?? 2000);
const ARRIVAL_S = Number(process.env['BENCH_ARRIVAL_SECONDS'] ?? 10);
const WORKER_COUNTS = (process.env['BENCH_WORKERS'] ?? '1').split(',').map(Number);
const SOURCE = (process.env['BENCH_SOURCE'] ?? 'phone') as 'phone' | 'nat';
const SOCKETS = Number(process.env['BENCH_SOCKETS'] ?? 64);
const STORM_INTERIMS = Number(process.env['BENCH_INTERIMS'] ?? 0);
const SESSIONS = Number(process.env['BENCH_SESSIONS'] ?? 20_000);
const STEADY_S = Number(process.env['BENCH_STEADY_SECONDS'] ?? 60);
const IDLE_S = Number(process.env['BENCH_IDLE_SECONDS'] ?? 10);
const REDIS_AOF = (process.env['BENCH_REDIS_AOF'] ?? '1') !== '0';
const TIMEOUT_MS = Number(process.env['BENCH_TIMEOUT_MS'] ?? 5000);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 200);
const ENV_NAMES = ['BENCH_PHONES', 'BENCH_ARRIVAL_SECONDS', 'BENCH_WORKERS', 'BENCH_SOURCE', 'BENCH_SOCKETS', 'BENCH_INTERIMS', 'BENCH_SESSIONS',
  'BENCH_STEADY_SECONDS', 'BENCH_IDLE_SECONDS', 'BENCH_REDIS_AOF', 'BENCH_TIMEOUT_MS', 'BENCH_WARMUP'];

const SECRET = 'storm-secret-7f3a9c21';
const HOTSPOT = 'taman-storm';
const NAS_IDENTIFIER = 'MikroTik-Storm';
const NAMESPACE = 'limpah';
const ROUTER = 'http://10.5.48.1';
const PUBLIC_URL = 'http://portal.storm';
/** The interim interval the site gives sessions (Acct-Interim-Interval), the steady phase's rate: sessions / this per second. */
const INTERIM_SECONDS = 300;
/** The steady phase's MACs, after the storm's; the warm-up's after those. */
const STEADY_MAC_BASE = 1_000_000;
const WARMUP_MAC_BASE = 2_000_000;
/** Per-session rate ceiling: small, so that the 10 Gbps uplink holds every session's ceiling and nothing is throttled. */
const QUOTA = { downKbps: 256, upKbps: 128, minDownKbps: 256, minUpKbps: 128 };
const UPLINK_KBPS = 10_000_000;

function siteFile(maxSessions: number): object {
  return {
    name: 'Login storm',
    uplink: { capacityKbps: UPLINK_KBPS, headroomKbps: 0 },
    hotspots: [
      {
        id: HOTSPOT,
        name: 'Taman Kota (storm)',
        kecamatan: 'Baamang',
        kind: 'park',
        nas: [{ type: 'mikrotik', ip: '127.0.0.1', identifier: NAS_IDENTIFIER, secret: SECRET }],
        quota: { maxSessions, ...QUOTA, sessionMinutes: 120, dailyMinutes: 240, dailyMB: 2048, interimSeconds: INTERIM_SECONDS },
        loginMethods: ['click'],
      },
    ],
  };
}

// ---------------------------------------------------------------------------------------------------------------
// CPU of a process tree, from /proc

/** The primary and every process below it (the workers of WORKERS > 1). */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const out: number[] = [];
  const walk = (pid: number): void => {
    out.push(pid);
    for (const c of children.get(pid) ?? []) walk(c);
  };
  walk(root);
  return out;
}

function cpuOf(pids: readonly number[]): number {
  let us = 0;
  for (const pid of pids) {
    try {
      us += processCpuMicros(pid);
    } catch {
      // A worker that died: its time is lost (the run says how many processes it measured).
    }
  }
  return us;
}

interface CpuWindow {
  readonly limpahUs: number;
  readonly redisUs: number;
  readonly selfUs: number;
  readonly othersUs: number;
  readonly wallUs: number;
}

function cpuMeter(limpahPids: readonly number[], redisPid: number): () => CpuWindow {
  const l0 = cpuOf(limpahPids);
  const r0 = processCpuMicros(redisPid);
  const s0 = processCpuMicros(process.pid);
  const m0 = machineCpuMicros();
  const t0 = process.hrtime.bigint();
  return () => {
    const limpahUs = cpuOf(limpahPids) - l0;
    const redisUs = processCpuMicros(redisPid) - r0;
    const selfUs = processCpuMicros(process.pid) - s0;
    const m1 = machineCpuMicros();
    const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
    return { limpahUs, redisUs, selfUs, othersUs: Math.max(0, m1.busy - m0.busy - limpahUs - redisUs - selfUs), wallUs };
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The phones' HTTP

interface HttpReply {
  readonly status: number;
  readonly body: string;
  readonly ms: number;
}

function post(agent: Agent, port: number, path: string, body: string, xff: string): Promise<HttpReply> {
  const start = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent, host: '127.0.0.1', port, path, method: 'POST', timeout: TIMEOUT_MS,
        headers: {
          'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'accept-encoding': 'gzip',
          'x-forwarded-for': xff, 'user-agent': 'Mozilla/5.0 (Linux; Android 13) limpah-login-storm',
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString();
          resolve({ status: res.statusCode ?? 0, body: text, ms: Number(process.hrtime.bigint() - start) / 1e6 });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no reply within ${TIMEOUT_MS} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** A phone's address at the park (a /20 of hotspot addresses), or the router's public address for 'nat'. */
function phoneSource(n: number): string {
  return SOURCE === 'nat' ? '203.0.113.7' : `10.5.${48 + ((n >>> 8) & 15)}.${n & 255}`;
}

/** What the router's login.html posts to the portal (nas/mikrotik/login.html, as RouterOS fills it in), without CHAP. */
function splashBody(mac: string, ip: string): string {
  return new URLSearchParams({
    mac, ip, username: '', 'link-login': `${ROUTER}/login?dst=http%3A%2F%2Fexample.org%2F`, 'link-login-only': `${ROUTER}/login`,
    'link-orig': 'http://example.org/', error: '', identity: NAS_IDENTIFIER, 'server-name': 'hotspot1', hotspot: HOTSPOT,
  }).toString();
}

// ---------------------------------------------------------------------------------------------------------------
// The router's RADIUS

interface Ports {
  readonly http: number;
  readonly auth: number;
  readonly acct: number;
}

function accessRequest(username: string, password: string, mac: string, ip: string, acctSessionId: string): ReplyAttribute[] {
  return [
    ['User-Name', username], ['User-Password', password], ['Calling-Station-Id', mac], ['Called-Station-Id', 'hotspot1'],
    ['NAS-Identifier', NAS_IDENTIFIER], ['NAS-IP-Address', '127.0.0.1'], ['NAS-Port-Type', 'Wireless-802.11'], ['Service-Type', 'Login-User'],
    ['Framed-IP-Address', ip], ['Acct-Session-Id', acctSessionId],
  ];
}

function accountingRequest(
  status: 'Start' | 'Interim-Update',
  s: { username: string; mac: string; ip: string; acctSessionId: string },
  sessionTimeSec: number,
  bytes: number,
): ReplyAttribute[] {
  return [
    ['User-Name', s.username], ['Acct-Status-Type', status], ['Acct-Session-Id', s.acctSessionId], ['Calling-Station-Id', s.mac],
    ['NAS-Identifier', NAS_IDENTIFIER], ['NAS-IP-Address', '127.0.0.1'], ['Framed-IP-Address', s.ip], ['Acct-Session-Time', sessionTimeSec],
    ['Acct-Input-Octets', bytes % 2 ** 32], ['Acct-Output-Octets', (bytes * 4) % 2 ** 32], ['Acct-Input-Gigawords', Math.floor(bytes / 2 ** 32)],
    ['Acct-Output-Gigawords', Math.floor((bytes * 4) / 2 ** 32)],
  ];
}

// ---------------------------------------------------------------------------------------------------------------
// Tallies

class Step {
  readonly ms: number[] = [];
  readonly outcomes = new Map<string, number>();
  count(outcome: string, ms?: number): void {
    this.outcomes.set(outcome, (this.outcomes.get(outcome) ?? 0) + 1);
    if (ms !== undefined) this.ms.push(ms);
  }
  get(outcome: string): number {
    return this.outcomes.get(outcome) ?? 0;
  }
  line(label: string): string {
    const sorted = [...this.ms].sort((a, b) => a - b);
    const outcomes = [...this.outcomes].sort((a, b) => b[1] - a[1]).map(([o, n]) => `${n} ${o}`).join(', ');
    return `${label.padEnd(18)} ${f1(percentile(sorted, 50)).padStart(7)} ${f1(percentile(sorted, 99)).padStart(7)} ${f1(sorted[sorted.length - 1] ?? NaN).padStart(7)}  ${outcomes}`;
  }
}

const f0 = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '-');
const f1 = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '-');
const pct = (us: number, wallUs: number): string => `${((100 * us) / wallUs).toFixed(0)}%`;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function radiusOutcome(r: RadiusReply, expected: number): string {
  if (r.code === null) return 'lost (no valid reply)';
  if (r.code === expected) return 'ok';
  if (r.code === Code.AccessReject) return `refused: ${r.replyMessage ?? '(no Reply-Message)'}`;
  return `code ${r.code}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Limpah, as deployed

interface Limpah {
  readonly child: ChildProcess;
  readonly ports: Ports;
  readonly pids: number[];
  /** Warnings and errors Limpah logged, by message. */
  readonly logged: Map<string, number>;
  stop(): Promise<void>;
}

async function startLimpah(work: string, redisUrl: string, workers: number): Promise<Limpah> {
  const mainJs = join(__dirname, '..', 'src', 'main.js');
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run npm run build:bench (npm run bench:storm does)`);
  const ports: Ports = { http: await freePort(), auth: await freePort(), acct: await freePort() };
  const site = join(work, 'site.json');
  writeFileSync(site, JSON.stringify(siteFile(Math.max(PHONES, SESSIONS) + WARMUP + 100), null, 2));
  const child = spawn(process.execPath, [mainJs], {
    env: {
      PATH: process.env['PATH'], NODE_ENV: 'production', REDIS_URL: redisUrl, SITE_FILE: site, DATA_DIR: join(work, 'data'), LOG_LEVEL: 'warn',
      WORKERS: String(workers), HTTP_HOST: '127.0.0.1', HTTP_PORT: String(ports.http), RADIUS_HOST: '127.0.0.1',
      RADIUS_AUTH_PORT: String(ports.auth), RADIUS_ACCT_PORT: String(ports.acct), PUBLIC_URL: PUBLIC_URL, REDIS_NAMESPACE: NAMESPACE,
      TRUST_PROXY: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logged = new Map<string, number>();
  let tail = '';
  const onLine = (line: string): void => {
    if (!line.trim()) return;
    let msg = line.slice(0, 160);
    try {
      const o = JSON.parse(line) as { msg?: string; level?: number };
      msg = `${o.level === 40 ? 'warn' : o.level === 50 ? 'error' : o.level === 60 ? 'fatal' : `level ${o.level}`}: ${o.msg}`;
    } catch {
      // Not pino's JSON: the line as it is.
    }
    logged.set(msg, (logged.get(msg) ?? 0) + 1);
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffered = '';
    stream.on('data', (d: Buffer) => {
      buffered += d.toString();
      tail = (tail + d.toString()).slice(-4000);
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const l of lines) onLine(l);
    });
  }
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  // Ready: /readyz answers 200 (Redis reached, site loaded) and the primary has its workers.
  const deadline = Date.now() + 30_000;
  const agent = new Agent({ keepAlive: false });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Limpah exited with code ${child.exitCode} before it was ready:\n${tail}`);
    if (Date.now() > deadline) throw new Error(`Limpah was not ready within 30 s:\n${tail}`);
    const ok = await new Promise<boolean>((resolve) => {
      request({ agent, host: '127.0.0.1', port: ports.http, path: '/readyz', timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      }).on('error', () => resolve(false)).end();
    });
    if (ok && processTree(child.pid!).length >= (workers > 1 ? workers + 1 : 1)) break;
    await sleep(200);
  }
  await sleep(workers > 1 ? 1500 : 300);
  return {
    child, ports, logged,
    pids: processTree(child.pid!),
    stop: async () => {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The storm

interface LiveSession {
  readonly username: string;
  readonly mac: string;
  readonly ip: string;
  readonly acctSessionId: string;
  readonly startedAt: number;
  interims: number;
}

interface StormResult {
  readonly steps: Record<'splash' | 'connect' | 'access' | 'start' | 'interim' | 'login', Step>;
  readonly sessions: LiveSession[];
  readonly cpu: CpuWindow;
  readonly seconds: number;
  /** How late the phones started behind their arrival times (this process's event loop), ms. */
  readonly lateP99Ms: number;
}

async function phone(n: number, macBase: number, limpah: Limpah, agent: Agent, radius: StormRadiusClient, steps: StormResult['steps'], sessions: LiveSession[]): Promise<void> {
  const mac = benchMac(macBase + n);
  // The warm-up asks from elsewhere, so that it takes nothing from the storm's grant limit per network ('nat').
  const ip = macBase === WARMUP_MAC_BASE && SOURCE === 'nat' ? '198.51.100.9' : phoneSource(macBase + n);
  const xff = ip;
  const t0 = process.hrtime.bigint();
  const fail = (step: Step, outcome: string, ms?: number): void => step.count(outcome, ms);

  let splash: HttpReply;
  try {
    splash = await post(agent, limpah.ports.http, '/hotspot/mikrotik', splashBody(mac, ip), xff);
  } catch (err) {
    return fail(steps.splash, `error: ${(err as Error).message}`);
  }
  const at = splash.body.indexOf('action="/hotspot/mikrotik/connect"');
  if (splash.status !== 200 || at === -1) return fail(steps.splash, `HTTP ${splash.status}${splash.status === 200 ? ' without the Sambungkan form' : ''}`, splash.ms);
  steps.splash.count('200', splash.ms);

  const form = formFields(splash.body.slice(splash.body.lastIndexOf('<form', at)));
  const fields = { ...form.fields, method: form.fields['method'] ?? 'click' };
  let connect: HttpReply;
  try {
    connect = await post(agent, limpah.ports.http, form.action, new URLSearchParams(fields).toString(), xff);
  } catch (err) {
    return fail(steps.connect, `error: ${(err as Error).message}`);
  }
  if (connect.status !== 200 || !connect.body.includes(`action="${ROUTER}/login"`)) return fail(steps.connect, `HTTP ${connect.status}`, connect.ms);
  const login = formFields(connect.body).fields;
  const username = login['username'];
  const password = login['password'];
  if (!username || !password) return fail(steps.connect, 'no credentials in the router-login page', connect.ms);
  steps.connect.count('200', connect.ms);

  const acctSessionId = (0x81000000 + macBase + n).toString(16);
  const access = await radius.request(limpah.ports.auth, Code.AccessRequest, accessRequest(username, password, mac, ip, acctSessionId));
  steps.access.count(radiusOutcome(access, Code.AccessAccept), access.code === null ? undefined : access.ms);
  if (access.code !== Code.AccessAccept) return;

  const session: LiveSession = { username, mac, ip, acctSessionId, startedAt: Date.now(), interims: 0 };
  const start = await radius.request(limpah.ports.acct, Code.AccountingRequest, accountingRequest('Start', session, 0, 0));
  steps.start.count(radiusOutcome(start, Code.AccountingResponse), start.code === null ? undefined : start.ms);
  if (start.code !== Code.AccountingResponse) return;
  steps.login.count('ok', Number(process.hrtime.bigint() - t0) / 1e6);
  sessions.push(session);

  for (let i = 0; i < STORM_INTERIMS; i++) {
    const r = await sendInterim(radius, limpah.ports.acct, session);
    steps.interim.count(radiusOutcome(r, Code.AccountingResponse), r.code === null ? undefined : r.ms);
  }
}

function sendInterim(radius: StormRadiusClient, acctPort: number, s: LiveSession): Promise<RadiusReply> {
  s.interims++;
  // Counters as a router reports them: totals since the start, each interim ~2 MB more.
  const sessionTimeSec = Math.max(1, Math.round((Date.now() - s.startedAt) / 1000));
  return radius.request(acctPort, Code.AccountingRequest, accountingRequest('Interim-Update', s, sessionTimeSec, s.interims * 2_000_000));
}

/** Logins before the storm, not reported: the JIT compiles the hot paths, as in a server that has been running. */
async function warmUp(limpah: Limpah, radius: StormRadiusClient): Promise<void> {
  const agent = new Agent({ keepAlive: true, maxSockets: 8 });
  const steps: StormResult['steps'] = { splash: new Step(), connect: new Step(), access: new Step(), start: new Step(), interim: new Step(), login: new Step() };
  for (let i = 0; i < WARMUP; i += 8) {
    await Promise.all(Array.from({ length: Math.min(8, WARMUP - i) }, (_, k) => phone(i + k, WARMUP_MAC_BASE, limpah, agent, radius, steps, [])));
  }
  agent.destroy();
  if (steps.login.get('ok') !== WARMUP) throw new Error(`warm-up: ${steps.login.get('ok')}/${WARMUP} logins; splash ${[...steps.splash.outcomes]} connect ${[...steps.connect.outcomes]} access ${[...steps.access.outcomes]}`);
}

async function storm(limpah: Limpah, redisPid: number, radius: StormRadiusClient): Promise<StormResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: SOCKETS, maxFreeSockets: SOCKETS });
  const steps: StormResult['steps'] = { splash: new Step(), connect: new Step(), access: new Step(), start: new Step(), interim: new Step(), login: new Step() };
  const sessions: LiveSession[] = [];
  const late: number[] = [];
  const meter = cpuMeter(limpah.pids, redisPid);
  const t0 = Date.now();
  const spacingMs = (ARRIVAL_S * 1000) / PHONES;
  const running: Array<Promise<void>> = [];
  await new Promise<void>((allStarted) => {
    let next = 0;
    // One timer walks the arrival schedule: every phone whose time has come starts (no 2,000 timers).
    const tick = (): void => {
      const now = Date.now() - t0;
      while (next < PHONES && next * spacingMs <= now) {
        late.push(now - next * spacingMs);
        running.push(phone(next, 0, limpah, agent, radius, steps, sessions));
        next++;
      }
      if (next < PHONES) setTimeout(tick, Math.max(0, Math.min(5, next * spacingMs - now)));
      else allStarted();
    };
    tick();
  });
  await Promise.all(running);
  const cpu = meter();
  agent.destroy();
  late.sort((a, b) => a - b);
  return { steps, sessions, cpu, seconds: (Date.now() - t0) / 1000, lateP99Ms: percentile(late, 99) };
}

// ---------------------------------------------------------------------------------------------------------------
// Steady accounting

interface SteadyResult {
  readonly sessions: number;
  readonly admitted: { readonly seconds: number; readonly refused: Map<string, number> };
  readonly idle: CpuWindow;
  readonly steady: CpuWindow;
  readonly interim: Step;
  readonly ratePerSec: number;
}

/** Sessions up to `total`: grants written to Redis directly, admitted through RADIUS and started, 32 at a time. */
async function admitDirect(limpah: Limpah, redis: RedisClient, radius: StormRadiusClient, sessions: LiveSession[], total: number): Promise<SteadyResult['admitted']> {
  const keys = new Keys(NAMESPACE);
  const refused = new Map<string, number>();
  const t0 = Date.now();
  let n = 0;
  const need = Math.max(0, total - sessions.length);
  const worker = async (): Promise<void> => {
    while (n < need) {
      const i = n++;
      const mac = benchMac(STEADY_MAC_BASE + i);
      const ip = `10.${64 + ((i >>> 16) & 63)}.${(i >>> 8) & 255}.${i & 255}`;
      const grant = await createGrant(redis, keys, { hotspotId: HOTSPOT, mac });
      const acctSessionId = (0x82000000 + i).toString(16);
      const access = await radius.request(limpah.ports.auth, Code.AccessRequest, accessRequest(grant.username, grant.password, mac, ip, acctSessionId));
      if (access.code !== Code.AccessAccept) {
        const o = radiusOutcome(access, Code.AccessAccept);
        refused.set(o, (refused.get(o) ?? 0) + 1);
        continue;
      }
      const s: LiveSession = { username: grant.username, mac, ip, acctSessionId, startedAt: Date.now(), interims: 0 };
      const start = await radius.request(limpah.ports.acct, Code.AccountingRequest, accountingRequest('Start', s, 0, 0));
      if (start.code !== Code.AccountingResponse) {
        const o = `Accounting-Start ${radiusOutcome(start, Code.AccountingResponse)}`;
        refused.set(o, (refused.get(o) ?? 0) + 1);
        continue;
      }
      sessions.push(s);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return { seconds: (Date.now() - t0) / 1000, refused };
}

async function steady(limpah: Limpah, redisPid: number, redis: RedisClient, radius: StormRadiusClient, sessions: LiveSession[]): Promise<SteadyResult> {
  const admitted = await admitDirect(limpah, redis, radius, sessions, SESSIONS);
  const idleMeter = cpuMeter(limpah.pids, redisPid);
  await sleep(IDLE_S * 1000);
  const idle = idleMeter();

  const ratePerSec = sessions.length / INTERIM_SECONDS;
  const interim = new Step();
  const meter = cpuMeter(limpah.pids, redisPid);
  const t0 = Date.now();
  const total = Math.floor(ratePerSec * STEADY_S);
  const inFlight: Array<Promise<void>> = [];
  let sent = 0;
  // Open loop: each interim leaves at its time, whether or not earlier ones were answered.
  while (sent < total) {
    const due = Math.floor(((Date.now() - t0) / 1000) * ratePerSec);
    while (sent < Math.min(due, total)) {
      const s = sessions[sent % sessions.length]!;
      sent++;
      inFlight.push(sendInterim(radius, limpah.ports.acct, s).then((r) => interim.count(radiusOutcome(r, Code.AccountingResponse), r.code === null ? undefined : r.ms)));
    }
    await sleep(10);
  }
  await Promise.all(inFlight);
  return { sessions: sessions.length, admitted, idle, steady: meter(), interim, ratePerSec };
}

// ---------------------------------------------------------------------------------------------------------------

async function runOnce(workers: number): Promise<string[]> {
  const work = mkdtempSync(join(tmpdir(), 'limpah-storm-'));
  const redisServer = await startEmbeddedRedis({ dataDir: join(work, 'redis'), appendOnly: REDIS_AOF });
  const redis = registerScripts(new Redis(redisServer.url));
  const radius = await StormRadiusClient.open(SECRET, 8, TIMEOUT_MS);
  let limpah: Limpah | undefined;
  const out: string[] = [];
  const say = (line = ''): void => {
    console.log(line);
    out.push(line);
  };
  try {
    limpah = await startLimpah(work, redisServer.url, workers);
    say(`## WORKERS=${workers}: Limpah pid ${limpah.child.pid} (${limpah.pids.length} process${limpah.pids.length > 1 ? 'es: primary + workers' : ''}), redis-server pid ${redisServer.pid}`);

    if (WARMUP > 0) await warmUp(limpah, radius);
    const s = await storm(limpah, redisServer.pid!, radius);
    const accepted = s.steps.access.get('ok');
    const logins = s.steps.login.get('ok');
    const c = s.cpu;
    say(`storm: ${PHONES} phones arriving over ${ARRIVAL_S} s (${f0(PHONES / ARRIVAL_S)}/s), done in ${f1(s.seconds)} s; phones started late p99 ${f1(s.lateP99Ms)} ms (this process)`);
    say(`${'step'.padEnd(18)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)}  outcomes`);
    say(s.steps.splash.line('splash POST'));
    say(s.steps.connect.line('Sambungkan POST'));
    say(s.steps.access.line('Access-Request'));
    say(s.steps.start.line('Accounting-Start'));
    if (STORM_INTERIMS > 0) say(s.steps.interim.line('Interim-Update'));
    say(s.steps.login.line('whole login'));
    say(`logged in ${logins}/${PHONES}; refused though the quota allows (maxSessions ${Math.max(PHONES, SESSIONS) + WARMUP + 100}): ${PHONES - accepted}`);
    say(
      `CPU over the storm: Limpah ${f1(c.limpahUs / 1e6)} s (${pct(c.limpahUs, c.wallUs)} of one core), redis-server ${f1(c.redisUs / 1e6)} s (${pct(c.redisUs, c.wallUs)}); ` +
        `load generator ${f1(c.selfUs / 1e6)} s; others ${pct(c.othersUs, c.wallUs)}`,
    );
    say(`CPU per login: Limpah ${f0(c.limpahUs / Math.max(1, logins))} µs + redis ${f0(c.redisUs / Math.max(1, logins))} µs = ${f0((c.limpahUs + c.redisUs) / Math.max(1, logins))} µs ` +
      `(${(1e6 / ((c.limpahUs + c.redisUs) / Math.max(1, logins))).toFixed(0)} logins per core-second)`);

    if (SESSIONS > 0) {
      const fromStorm = s.sessions.length;
      const st = await steady(limpah, redisServer.pid!, redis, radius, s.sessions);
      const refused = [...st.admitted.refused].map(([o, n]) => `${n} ${o}`).join(', ');
      say(`steady: ${st.sessions} live sessions (${fromStorm} from the storm, the rest with grants written to Redis by createGrant and admitted through RADIUS ` +
        `in ${f1(st.admitted.seconds)} s${refused ? `; not admitted: ${refused}` : ''})`);
      const perSec = (us: number, w: CpuWindow): string => `${f1(us / (w.wallUs / 1e6) / 1000)} ms/s`;
      say(`  idle ${IDLE_S} s (no RADIUS traffic): Limpah ${perSec(st.idle.limpahUs, st.idle)} (${pct(st.idle.limpahUs, st.idle.wallUs)}), redis ${perSec(st.idle.redisUs, st.idle)} (${pct(st.idle.redisUs, st.idle.wallUs)})`);
      const w = st.steady;
      const n = st.interim.ms.length;
      const extraUs = (us: number, idleUs: number): number => us - idleUs * (w.wallUs / st.idle.wallUs);
      say(`  interims at ${f1(st.ratePerSec)}/s (${st.sessions} sessions / ${INTERIM_SECONDS} s) for ${STEADY_S} s: ${st.interim.line('').trim()}`);
      say(`  CPU: Limpah ${perSec(w.limpahUs, w)} (${pct(w.limpahUs, w.wallUs)}), redis ${perSec(w.redisUs, w)} (${pct(w.redisUs, w.wallUs)}); ` +
        `per interim above idle: Limpah ${f0(extraUs(w.limpahUs, st.idle.limpahUs) / Math.max(1, n))} µs, redis ${f0(extraUs(w.redisUs, st.idle.redisUs) / Math.max(1, n))} µs; others ${pct(w.othersUs, w.wallUs)}`);
      const info = await redis.info('memory');
      say(`  redis used_memory ${/used_memory_human:(\S+)/.exec(info)?.[1] ?? '?'} with ${st.sessions} live sessions`);
    }
    if (radius.invalid) say(`RADIUS replies that failed verification or matched nothing: ${radius.invalid}`);
    const logged = [...limpah.logged].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([m, n]) => `${n}x ${m}`);
    say(`Limpah logged (LOG_LEVEL=warn): ${logged.length ? logged.join('; ') : 'nothing'}`);
  } finally {
    await limpah?.stop();
    radius.close();
    redis.disconnect();
    await redisServer.stop();
    rmSync(work, { recursive: true, force: true });
  }
  return out;
}

async function main(): Promise<void> {
  const header = [
    `# command: ${commandLine(ENV_NAMES)}`,
    `# node ${process.version}, ${cpus().length} CPUs; Limpah: node ${relative(process.cwd(), join(__dirname, '..', 'src', 'main.js'))} (NODE_ENV=production, LOG_LEVEL=warn), ` +
      `WORKERS ${WORKER_COUNTS.join(' then ')}; a private redis-server (${REDIS_AOF ? 'AOF, fsync every second' : 'no persistence'}) per run`,
    `# site: one park, router 127.0.0.1 (MikroTik), maxSessions ${Math.max(PHONES, SESSIONS) + WARMUP + 100}, ${QUOTA.downKbps}/${QUOTA.upKbps} kbps a session, uplink ${UPLINK_KBPS / 1e6} Gbps; ` +
      `interim interval ${INTERIM_SECONDS} s`,
    `# storm (after ${WARMUP} warm-up logins, not reported): ${PHONES} phones over ${ARRIVAL_S} s: splash POST -> Sambungkan POST -> Access-Request (PAP + Message-Authenticator) -> Accounting-Start` +
      `${STORM_INTERIMS ? ` -> ${STORM_INTERIMS} Interim-Update(s)` : ''}; no think time; HTTP keep-alive agent of ${SOCKETS} sockets, gzip accepted; ` +
      `source ${SOURCE === 'phone' ? 'each phone its own address (X-Forwarded-For, TRUST_PROXY=true)' : 'one address for all (a NATing router)'}`,
    `# CPU: utime+stime from /proc/<pid>/stat (${1000 / clockTicksPerSecond()} ms ticks) of Limpah's process tree and of redis-server; "others" is the rest of the machine`,
    SESSIONS > 0 ? `# steady: ${SESSIONS} live sessions, Interim-Updates at sessions/${INTERIM_SECONDS} per second for ${STEADY_S} s after ${IDLE_S} s idle` : '# steady: skipped (BENCH_SESSIONS=0)',
  ];
  for (const l of header) console.log(l);
  const results: Array<[number, string[]]> = [];
  for (const workers of WORKER_COUNTS) {
    console.log('');
    results.push([workers, await runOnce(workers)]);
  }
  if (results.length > 1) {
    console.log('');
    console.log('# summary');
    for (const l of header) console.log(l);
    for (const [, lines] of results) for (const l of lines) console.log(l);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
