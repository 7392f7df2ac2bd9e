/**
 * npm run bench:portal: the splash page and "Sambungkan" (grant creation) under load, Limpah against the bare stack
 * it is built on, and the bytes a phone downloads for the splash page.
 *
 * Three processes besides this one, so that no load generator shares a process (its CPU or its event loop) with a
 * server:
 *  - Limpah's portal (bench/portal-server.ts): buildServices with the benchmark site, a private redis-server, the
 *    Redis client and the logger as main.ts makes them, NODE_ENV=production as the container image runs it;
 *  - the floor (bench/portal-floor.ts): Express 5 + helmet with Limpah's options + compression + EJS, rendering
 *    pages of the same bytes as Limpah's (made here from Limpah's own replies) with an HMAC form token; no Redis;
 *  - the load: `wrk` (closed loop: BENCH_CONNECTIONS connections, each sending its next request when the last is
 *    answered), then a fixed-rate generator (bench/open-loop.ts) at BENCH_RATE requests per second for p50/p99.
 * Both servers get the same requests. The splash request is the POST a router's login.html sends (all of its
 * fields, gzip accepted); "Sambungkan" is the splash form's post with a token valid for its MAC (signed here with
 * the portal's key, read from Redis), a fresh MAC for every request and its own source network (X-Forwarded-For;
 * Limpah trusts one proxy hop here), so that each one creates a grant and none is refused by the limits of grants
 * per device or per network. Replies other than 2xx/3xx are counted and printed; for Limpah, the grants in Redis
 * after each "Sambungkan" run are counted too.
 * CPU: utime+stime of each server process (and Limpah's redis-server) from /proc/<pid>/stat over each run, and of
 * the server's main thread alone (/proc/<pid>/task/<pid>/stat): the event loop, which limits req/s, while gzip runs
 * on the thread pool; "others" is what the rest of the machine used meanwhile (not the servers, redis-server or wrk).
 *
 * Environment: BENCH_RUNS (rounds of both routes on both servers, default 3), BENCH_DURATION (seconds per wrk run,
 * default 10), BENCH_WARMUP (seconds of wrk per server and route before the first round, default 3),
 * BENCH_CONNECTIONS (default 32), BENCH_THREADS (wrk threads, default 1), BENCH_RATE (default 500) and
 * BENCH_RATE_SECONDS (default 10) for the fixed-rate run (BENCH_RATE=0 skips it), BENCH_ROUTES (default
 * splash,connect), BENCH_CPU_PROF (a folder: both servers run with node --cpu-prof into <folder>/limpah and
 * <folder>/floor; then node dist/bench/cpuprofile-top.js <file>), BENCH_SERVER_NODE_ARGS (more node flags for both
 * servers, e.g. --max-semi-space-size=32), LOG_LEVEL (Limpah's, default info).
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { paths } from '../src/paths';
import { FormSigner, loadFormKey } from '../src/portal/form-token';
import type { RedisClient } from '../src/redis/client';
import { Keys } from '../src/redis/keys';
import { registerScripts } from '../src/redis/scripts';
import { startEmbeddedRedis } from '../src/redis/embedded';
import { formFields } from '../test/support/html';
import { MIKROTIK_CHAP_CHALLENGE, MIKROTIK_CHAP_ID } from '../test/support/fake-nas';
import { commandLine } from './command';
import { benchMac, clockTicksPerSecond, machineCpuMicros, percentile, processCpuMicros } from './load';
import type { OpenLoopJob, OpenLoopResult } from './open-loop';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const DURATION_S = Number(process.env['BENCH_DURATION'] ?? 10);
const WARMUP_S = Number(process.env['BENCH_WARMUP'] ?? 3);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);
const THREADS = Number(process.env['BENCH_THREADS'] ?? 1);
const RATE = Number(process.env['BENCH_RATE'] ?? 500);
const RATE_S = Number(process.env['BENCH_RATE_SECONDS'] ?? 10);
const ROUTES = (process.env['BENCH_ROUTES'] ?? 'splash,connect').split(',') as Route[];
const CPU_PROF = process.env['BENCH_CPU_PROF'];
const SERVER_NODE_ARGS = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
const ENV_NAMES = ['BENCH_RUNS', 'BENCH_DURATION', 'BENCH_WARMUP', 'BENCH_CONNECTIONS', 'BENCH_THREADS', 'BENCH_RATE', 'BENCH_RATE_SECONDS', 'BENCH_ROUTES', 'BENCH_CPU_PROF', 'BENCH_SERVER_NODE_ARGS', 'LOG_LEVEL'];

const PUBLIC_URL = 'http://portal.bench';
const ROUTER = 'http://10.5.50.1';
const LUA = join(paths.root, 'bench', 'portal-replay.lua');
/** Distinct requests in a wrk run's file: each MAC comes back at most a few times a minute, under the grant limit per device. */
const WRK_LINES = 20_000;

type Route = 'splash' | 'connect';
type Side = 'limpah' | 'floor';
const PATH: Record<Route, string> = { splash: '/hotspot/mikrotik', connect: '/hotspot/mikrotik/connect' };
const LABEL: Record<Route, string> = { splash: 'splash', connect: 'Sambungkan' };

interface Server {
  readonly side: Side;
  readonly pid: number;
  readonly port: number;
  readonly child: ChildProcess;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  /** As it came over the wire (compressed when the server compressed it). */
  readonly bytes: number;
  readonly encoding: string;
}

function post(port: number, path: string, body: string, gzip: boolean, xff = '10.255.0.1'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1', port, path, method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': xff,
          'accept-language': 'id-ID,id;q=0.9,en-US;q=0.8,en;q=0.7',
          ...(gzip ? { 'accept-encoding': 'gzip' } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const encoding = res.headers['content-encoding'] ?? 'none';
          resolve({ status: res.statusCode ?? 0, body: (encoding === 'gzip' ? gunzipSync(raw) : raw).toString(), bytes: raw.length, encoding });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function get(port: number, path: string, gzip: boolean): Promise<Reply> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port, path, headers: gzip ? { 'accept-encoding': 'gzip' } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: '', bytes: Buffer.concat(chunks).length, encoding: res.headers['content-encoding'] ?? 'none' }));
    }).on('error', reject).end();
  });
}

async function startServer(side: Side, script: string, env: Record<string, string>): Promise<Server> {
  const execArgv = [...(CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', join(CPU_PROF, side)] : []), ...SERVER_NODE_ARGS];
  const child = fork(join(__dirname, script), [], { env: { ...process.env, NODE_ENV: 'production', ...env }, execArgv });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the ${side} server exited with code ${code} before it was ready`)));
    child.on('message', (m: { type: string; port?: number }) => {
      if (m.type === 'ready') resolve(m.port!);
    });
  });
  child.removeAllListeners('exit');
  return { side, pid: child.pid!, port, child };
}

async function stopServer(s: Server | undefined): Promise<void> {
  if (!s || s.child.exitCode !== null) return;
  const exited = new Promise((r) => s.child.once('exit', r));
  s.child.send({ type: 'stop' });
  await exited;
}

/** Requests made so far: each request gets its own MAC and source network, never used by an earlier file. */
let seq = 0;

function source(n: number): string {
  return `10.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** What a router's login.html posts to the splash route (nas/mikrotik/login.html, as RouterOS fills it in). */
function splashBody(mac: string): string {
  return new URLSearchParams({
    mac, ip: '10.5.50.42', username: '', 'link-login': `${ROUTER}/login?dst=http%3A%2F%2Fexample.org%2F`, 'link-login-only': `${ROUTER}/login`,
    'link-orig': 'http://example.org/', error: '', 'chap-id': MIKROTIK_CHAP_ID, 'chap-challenge': MIKROTIK_CHAP_CHALLENGE, identity: 'Bench',
    'server-name': 'hotspot1', hotspot: 'bench',
  }).toString();
}

/** The splash form's post for a device: the form's fields as the page has them, with this MAC and a token for it. */
type ConnectBody = (mac: string) => string;

function requestsFile(dir: string, route: Route, lines: number, connectBody: ConnectBody): string {
  const file = join(dir, `${route}-${seq}.txt`);
  const out: string[] = [];
  for (let i = 0; i < lines; i++, seq++) {
    const mac = benchMac(seq);
    out.push(`${source(seq)}\t${route === 'splash' ? splashBody(mac) : connectBody(mac)}`);
  }
  writeFileSync(file, `${out.join('\n')}\n`);
  return file;
}

/** utime + stime of a process's main thread (the event loop; the thread pool's gzip work is not in it), in µs. */
function mainThreadCpuMicros(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / clockTicksPerSecond();
}

interface Usage {
  /** CPU of the server process (all its threads; its main thread alone), of its redis-server (Limpah), and of the rest of the machine, in µs. */
  readonly serverUs: number;
  readonly mainUs: number;
  readonly redisUs: number;
  readonly othersUs: number;
  readonly wallUs: number;
}

/** CPU use of the server (and redis-server) over `work`; `others` excludes them and the load generator `loadPid`. */
async function measured<T>(server: Server, redisPid: number | undefined, work: (started: (loadPid: number) => void) => Promise<T>): Promise<{ result: T; usage: Usage }> {
  const cpu = (pid: number | undefined) => (pid === undefined ? 0 : processCpuMicros(pid));
  let loadPid: number | undefined;
  let loadUs = 0;
  const poll = setInterval(() => {
    try {
      if (loadPid !== undefined) loadUs = cpu(loadPid);
    } catch {
      // The load generator has just exited: its last reading stands.
    }
  }, 50);
  const s0 = cpu(server.pid);
  const main0 = mainThreadCpuMicros(server.pid);
  const r0 = cpu(redisPid);
  const m0 = machineCpuMicros();
  const t0 = process.hrtime.bigint();
  const result = await work((pid) => {
    loadPid = pid;
  });
  const wallUs = Number(process.hrtime.bigint() - t0) / 1000;
  clearInterval(poll);
  const serverUs = cpu(server.pid) - s0;
  const mainUs = mainThreadCpuMicros(server.pid) - main0;
  const redisUs = cpu(redisPid) - r0;
  const m1 = machineCpuMicros();
  return { result, usage: { serverUs, mainUs, redisUs, othersUs: Math.max(0, m1.busy - m0.busy - serverUs - redisUs - loadUs), wallUs } };
}

interface WrkResult {
  readonly reqPerSec: number;
  readonly requests: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx3xx: number;
  readonly socketErrors: number;
  readonly output: string;
}

function ms(value: string, unit: string): number {
  return Number(value) * (unit === 'us' ? 0.001 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 1);
}

function parseWrk(output: string): WrkResult {
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(output);
  const count = /(\d+) requests in/.exec(output);
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s|m)\b/m.exec(output);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\b/m.exec(output);
  if (!rps || !count || !p50 || !p99) throw new Error(`could not read wrk's output:\n${output}`);
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(output);
  return {
    reqPerSec: Number(rps[1]),
    requests: Number(count[1]),
    p50Ms: ms(p50[1]!, p50[2]!),
    p99Ms: ms(p99[1]!, p99[2]!),
    non2xx3xx: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
    socketErrors: errors ? errors.slice(1).map(Number).reduce((a, b) => a + b, 0) : 0,
    output,
  };
}

function wrkArgs(port: number, route: Route, file: string, seconds: number): string[] {
  return ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${seconds}s`, '--latency', '-s', LUA, `http://127.0.0.1:${port}`, '--', file, PATH[route], String(THREADS)];
}

function runWrk(args: string[], started: (pid: number) => void): Promise<WrkResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    started(child.pid!);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(parseWrk(out)) : reject(new Error(`wrk exited with code ${code}:\n${out}`))));
  });
}

function runOpenLoop(job: OpenLoopJob, started: (pid: number) => void): Promise<OpenLoopResult> {
  return new Promise((resolve, reject) => {
    const child = fork(join(__dirname, 'open-loop.js'), [], { execArgv: [] });
    started(child.pid!);
    child.once('message', (r: OpenLoopResult) => resolve(r));
    child.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`the fixed-rate generator exited with code ${code}`))));
    child.send(job);
  });
}

async function scanCount(redis: RedisClient, pattern: string, unlink: boolean): Promise<number> {
  let cursor = '0';
  let n = 0;
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 5000);
    cursor = next;
    n += found.length;
    if (unlink && found.length) await redis.unlink(...found);
  } while (cursor !== '0');
  return n;
}

interface Row {
  readonly wrk: WrkResult;
  readonly usage: Usage;
  /** Limpah's "Sambungkan": grants found in Redis after the run. */
  readonly grants?: number;
}

const pct = (us: number, wallUs: number) => `${((100 * us) / wallUs).toFixed(0)}%`;
const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);

function rowText(side: Side, r: Row): string {
  const w = r.wrk;
  const perReq = (us: number) => f0(us / w.requests);
  const cpu = `node ${pct(r.usage.serverUs, r.usage.wallUs)} (${perReq(r.usage.serverUs)} µs/req; main thread ${pct(r.usage.mainUs, r.usage.wallUs)}, ${perReq(r.usage.mainUs)} µs/req)` +
    (side === 'limpah' ? `, redis ${pct(r.usage.redisUs, r.usage.wallUs)} (${perReq(r.usage.redisUs)} µs/req)` : '');
  const bad = [`${w.non2xx3xx} non-2xx/3xx`, ...(w.socketErrors ? [`${w.socketErrors} socket errors`] : []), ...(r.grants !== undefined ? [`${r.grants} grants stored`] : [])];
  return `${f0(w.reqPerSec).padStart(6)} req/s  p50 ${f1(w.p50Ms).padStart(5)} ms  p99 ${f1(w.p99Ms).padStart(5)} ms  CPU ${cpu}; others ${pct(r.usage.othersUs, r.usage.wallUs)}; ${w.requests} replies, ${bad.join(', ')}`;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function wrkInstalled(): boolean {
  const r = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return !r.error;
}

async function main(): Promise<void> {
  if (!wrkInstalled()) {
    console.error('bench:portal needs wrk, the HTTP load generator, to load the servers from its own process.');
    console.error('Install it: apt-get install -y wrk   (Debian/Ubuntu; elsewhere see https://github.com/wg/wrk)');
    process.exitCode = 1;
    return;
  }
  console.log(`# command: ${commandLine(ENV_NAMES)}`);
  console.log(`# node ${process.version}, ${cpus().length} CPUs; ${spawnSync('wrk', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]!.replace(/ Copyright.*/, '')}`);
  console.log(`# load: wrk -t ${THREADS} -c ${CONNECTIONS} -d ${DURATION_S}s --latency -s bench/portal-replay.lua (POSTs with Accept-Encoding: gzip and a phone's Accept-Language), ` +
    `${RUNS} round(s) after ${WARMUP_S} s of warm-up per server and route; then ${RATE} req/s for ${RATE_S} s from bench/open-loop.ts`);

  const work = mkdtempSync(join(tmpdir(), 'limpah-bench-portal-'));
  const redisServer = await startEmbeddedRedis({ dataDir: join(work, 'redis'), appendOnly: false });
  const redis = registerScripts(new Redis(redisServer.url));
  const keys = new Keys('bench');
  let limpah: Server | undefined;
  let floor: Server | undefined;
  try {
    if (CPU_PROF) for (const side of ['limpah', 'floor']) mkdirSync(join(CPU_PROF, side), { recursive: true });
    limpah = await startServer('limpah', 'portal-server.js', { REDIS_URL: redisServer.url, BENCH_PUBLIC_URL: PUBLIC_URL, BENCH_SPOOL_DIR: join(work, 'spool') });
    const formKey = await loadFormKey(redis, keys);
    const signer = new FormSigner(formKey);

    // Limpah's splash page and its form, as a phone gets them; the form's fields are what "Sambungkan" posts.
    const sampleMac = benchMac(seq++);
    const splash = await post(limpah.port, PATH.splash, splashBody(sampleMac), false);
    const splashGz = await post(limpah.port, PATH.splash, splashBody(sampleMac), true);
    if (splash.status !== 200) throw new Error(`Limpah's splash answered ${splash.status}:\n${splash.body}`);
    const form = formFields(splash.body.slice(splash.body.indexOf('<form method="post" action="/hotspot/mikrotik/connect"')));
    const { token: sampleToken, lang: _lang, method: _method, ...signedSample } = form.fields;
    if (signer.verify(signedSample, sampleToken ?? '') !== 'ok') {
      throw new Error(`the splash form signs other fields than ${Object.keys(signedSample).join(', ')}: update connectBody in bench/portal.ts`);
    }
    const connectBody: ConnectBody = (mac) => {
      const signed = { ...signedSample, mac };
      return new URLSearchParams({ ...form.fields, mac, token: signer.sign(signed) }).toString();
    };
    const grantMac = benchMac(seq++);
    const connect = await post(limpah.port, PATH.connect, connectBody(grantMac), false);
    const connectGz = await post(limpah.port, PATH.connect, connectBody(benchMac(seq++)), true);
    if (connect.status !== 200 || !connect.body.includes('id="router-login"')) throw new Error(`Limpah's "Sambungkan" answered ${connect.status}:\n${connect.body}`);
    const css = await get(limpah.port, '/static/portal.css', false);
    const cssGz = await get(limpah.port, '/static/portal.css', true);

    // The floor's pages: Limpah's, with what changes per request put back as EJS tags.
    const login = formFields(connect.body).fields;
    const nonce = /<script nonce="([^"]+)"/.exec(connect.body)?.[1];
    if (!login['username'] || !login['password'] || !nonce) throw new Error(`no credentials or nonce in Limpah's router-login page:\n${connect.body}`);
    const views = join(work, 'floor-views');
    mkdirSync(views);
    writeFileSync(join(views, 'splash.ejs'), splash.body.replaceAll(sampleMac, '<%= mac %>').replaceAll(sampleToken!, '<%= token %>'));
    writeFileSync(join(views, 'connect.ejs'), connect.body.replaceAll(login['username'], '<%= username %>').replaceAll(login['password'], '<%= password %>').replaceAll(nonce, '<%= nonce %>'));
    floor = await startServer('floor', 'portal-floor.js', { BENCH_FLOOR_VIEWS: views, BENCH_FORM_KEY: formKey.toString('base64') });
    const floorSplash = await post(floor.port, PATH.splash, splashBody(sampleMac), false);
    const floorSplashGz = await post(floor.port, PATH.splash, splashBody(sampleMac), true);
    const floorConnect = await post(floor.port, PATH.connect, connectBody(benchMac(seq++)), false);
    const floorConnectGz = await post(floor.port, PATH.connect, connectBody(benchMac(seq++)), true);
    if (floorSplash.status !== 200 || floorConnect.status !== 200) throw new Error(`the floor answered ${floorSplash.status} / ${floorConnect.status}`);

    console.log(`# Limpah: node dist/bench/portal-server.js, pid ${limpah.pid} (redis-server pid ${redisServer.pid}); floor: node dist/bench/portal-floor.js, pid ${floor.pid}; NODE_ENV=production`);
    console.log(`# splash page: ${splash.bytes} B HTML + ${css.bytes} B CSS = ${splash.bytes + css.bytes} B (limit 20480); sent gzipped: ` +
      `${splashGz.bytes} B (content-encoding: ${splashGz.encoding}) + ${cssGz.bytes} B (content-encoding: ${cssGz.encoding})`);
    console.log(`# same bytes on both sides: splash ${splash.bytes} B (gzip ${splashGz.bytes} B) Limpah, ${floorSplash.bytes} B (gzip ${floorSplashGz.bytes} B) floor; ` +
      `"Sambungkan" ${connect.bytes} B (gzip ${connectGz.bytes} B) Limpah, ${floorConnect.bytes} B (gzip ${floorConnectGz.bytes} B) floor`);
    console.log('');

    const servers: Record<Side, Server> = { limpah, floor };
    const run = async (side: Side, route: Route, seconds: number): Promise<Row> => {
      const server = servers[side];
      const file = requestsFile(work, route, WRK_LINES, connectBody);
      const counting = side === 'limpah' && route === 'connect';
      if (counting) await scanCount(redis, keys.grant('*'), true);
      const { result, usage } = await measured(server, side === 'limpah' ? redisServer.pid : undefined, (started) => runWrk(wrkArgs(server.port, route, file, seconds), started));
      rmSync(file);
      return { wrk: result, usage, ...(counting ? { grants: await scanCount(redis, keys.grant('*'), false) } : {}) };
    };

    for (const route of ROUTES) for (const side of ['limpah', 'floor'] as const) if (WARMUP_S > 0) await run(side, route, WARMUP_S);
    const rows: Record<Route, Record<Side, Row[]>> = { splash: { limpah: [], floor: [] }, connect: { limpah: [], floor: [] } };
    for (let round = 1; round <= RUNS; round++) {
      for (const route of ROUTES) {
        // Alternating which server goes first, so that a drift in the machine's load favours neither.
        const order: Side[] = round % 2 ? ['limpah', 'floor'] : ['floor', 'limpah'];
        const got: Partial<Record<Side, Row>> = {};
        for (const side of order) got[side] = await run(side, route, DURATION_S);
        rows[route].limpah.push(got.limpah!);
        rows[route].floor.push(got.floor!);
        const ratio = got.limpah!.wrk.reqPerSec / got.floor!.wrk.reqPerSec;
        console.log(`round ${round} ${LABEL[route]}: Limpah / floor = ${ratio.toFixed(2)}`);
        console.log(`  Limpah ${rowText('limpah', got.limpah!)}`);
        console.log(`  floor  ${rowText('floor', got.floor!)}`);
      }
    }

    const fixed: Array<{ route: Route; side: Side; r: OpenLoopResult; usage: Usage }> = [];
    if (RATE > 0) {
      for (const route of ROUTES) {
        for (const side of ['limpah', 'floor'] as const) {
          const file = requestsFile(work, route, Math.ceil(RATE * RATE_S), connectBody);
          const job: OpenLoopJob = { port: servers[side].port, path: PATH[route], file, ratePerSec: RATE, seconds: RATE_S };
          const { result, usage } = await measured(servers[side], side === 'limpah' ? redisServer.pid : undefined, (started) => runOpenLoop(job, started));
          fixed.push({ route, side, r: result, usage });
        }
      }
    }

    console.log('');
    console.log(`# closed loop (wrk, ${CONNECTIONS} connections): median of ${RUNS} round(s); each round's ratio above`);
    console.log(`${'route'.padEnd(11)} ${'Limpah req/s'.padStart(12)} ${'floor req/s'.padStart(12)}  ratio  ${'Limpah p50/p99 ms'.padStart(17)}  ${'floor p50/p99 ms'.padStart(16)}  Limpah CPU µs/req main/node+redis  floor main/node`);
    for (const route of ROUTES) {
      const l = rows[route].limpah;
      const fl = rows[route].floor;
      const m = (rs: Row[], pick: (r: Row) => number) => median(rs.map(pick));
      const ratios = l.map((r, i) => r.wrk.reqPerSec / fl[i]!.wrk.reqPerSec);
      console.log(
        `${LABEL[route].padEnd(11)} ${f0(m(l, (r) => r.wrk.reqPerSec)).padStart(12)} ${f0(m(fl, (r) => r.wrk.reqPerSec)).padStart(12)}  ${median(ratios).toFixed(2)}  ` +
          `${`${f1(m(l, (r) => r.wrk.p50Ms))} / ${f1(m(l, (r) => r.wrk.p99Ms))}`.padStart(17)}  ${`${f1(m(fl, (r) => r.wrk.p50Ms))} / ${f1(m(fl, (r) => r.wrk.p99Ms))}`.padStart(16)}  ` +
          `${`${f0(m(l, (r) => r.usage.mainUs / r.wrk.requests))}/${f0(m(l, (r) => r.usage.serverUs / r.wrk.requests))} + ${f0(m(l, (r) => r.usage.redisUs / r.wrk.requests))}`.padStart(32)}  ${`${f0(m(fl, (r) => r.usage.mainUs / r.wrk.requests))}/${f0(m(fl, (r) => r.usage.serverUs / r.wrk.requests))}`.padStart(15)}` +
          `   (ratios ${ratios.map((x) => x.toFixed(2)).join(', ')})`,
      );
    }
    if (fixed.length) {
      console.log('');
      console.log(`# fixed rate (bench/open-loop.ts, ${RATE} req/s for ${RATE_S} s; latency from each request's due time)`);
      console.log(`${'route'.padEnd(11)} ${'server'.padEnd(7)} ${'p50 ms'.padStart(7)} ${'p99 ms'.padStart(7)} ${'max ms'.padStart(7)}  achieved   CPU node (+redis)`);
      for (const { route, side, r, usage } of fixed) {
        const others = Object.entries(r.otherStatus).map(([s, n]) => `${n}x ${s}`);
        const bad = [...others, ...(r.errors ? [`${r.errors} errors`] : [])];
        console.log(
          `${LABEL[route].padEnd(11)} ${side.padEnd(7)} ${f1(percentile(r.latenciesMs, 50)).padStart(7)} ${f1(percentile(r.latenciesMs, 99)).padStart(7)} ${f1(r.latenciesMs[r.latenciesMs.length - 1] ?? NaN).padStart(7)}` +
            `  ${f0(r.sent / r.seconds).padStart(4)} req/s  ${pct(usage.serverUs, usage.wallUs)}${side === 'limpah' ? ` (+${pct(usage.redisUs, usage.wallUs)})` : ''}` +
            `; ${r.latenciesMs.length}/${r.sent} 2xx/3xx${bad.length ? ` (${bad.join(', ')})` : ''}`,
        );
      }
    }
    const busiest = Math.max(...ROUTES.flatMap((route) => [...rows[route].limpah, ...rows[route].floor].map((r) => (100 * r.usage.othersUs) / r.usage.wallUs)));
    if (busiest > 15) {
      console.log(`# warning: other processes used up to ${busiest.toFixed(0)}% of a CPU during a run. The two servers spend their CPU differently`);
      console.log('# (the floor gzips on the thread pool, Limpah on its event loop), so a busy machine moves the ratios: run again on a quiet one');
    }
  } finally {
    await stopServer(limpah);
    await stopServer(floor);
    redis.disconnect();
    await redisServer.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
