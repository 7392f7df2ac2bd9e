import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '../../src/paths';
import { eventually, GiveUp } from '../support/eventually';
import { radclient } from '../support/radclient';

const MAIN = join(paths.root, 'dist', 'src', 'main.js');

interface Run {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stderr: () => string;
  exited: Promise<number | null>;
}

const started: ChildProcess[] = [];

/** Running, not a zombie: a killed parent's children are reaped late, or never, in some containers. */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function run(env: Record<string, string>): Run {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env['PATH'] ?? '', HTTP_HOST: '127.0.0.1', RADIUS_HOST: '127.0.0.1', HTTP_PORT: '0', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Array<Record<string, unknown>> = [];
  let err = '';
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const parts = buf.split('\n');
    buf = parts.pop()!;
    for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  started.push(child);
  return { child, lines, stderr: () => err, exited };
}

/** Waits for the "running" line; if the process exits first or it takes too long, fails with its output. */
async function running(r: Run): Promise<Record<string, unknown>> {
  try {
    return await eventually(
      () => {
        if (r.child.exitCode !== null) throw new GiveUp(`exited with ${r.child.exitCode}`);
        return found(r.lines.find((l) => l['msg'] === 'Limpah is running'), 'no "Limpah is running" line yet');
      },
      { what: 'the "Limpah is running" line', timeoutMs: 20_000 },
    );
  } catch (err) {
    throw new Error(`Limpah did not start: ${(err as Error).message}\n${r.lines.map((l) => JSON.stringify(l)).join('\n')}\n${r.stderr()}`);
  }
}

/** `value`, or an error saying what is missing while it is not there yet (for eventually()). */
function found<T>(value: T | undefined, missing: string): T {
  if (value === undefined) throw new Error(missing);
  return value;
}

/** `npm start` as a new user runs it: the compiled main.ts in its own process. */
describe('the Limpah process', () => {
  beforeAll(() => {
    execFileSync(process.execPath, [join(paths.root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(paths.root, 'tsconfig.build.json')], {
      stdio: 'inherit',
    });
  }, 120_000);

  // A failed expectation must not leave a Limpah (and its redis-server) running after the test.
  afterEach(async () => {
    for (const child of started.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    }
  });

  it('starts its own redis-server and the example site, answers HTTP and RADIUS, and stops it all on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'limpah-main-'));
    const r = run({ DATA_DIR: dataDir, LOG_LEVEL: 'info' });
    const ready = await running(r);
    const embedded = r.lines.find((l) => String(l['msg']).startsWith('started embedded redis-server'))!;
    expect(embedded).toBeDefined();
    expect(r.lines.some((l) => String(l['msg']).includes('loaded the example site'))).toBe(true);
    expect(existsSync(join(dataDir, 'redis', 'appendonlydir'))).toBe(true);

    const httpPort = Number(String(ready['http']).split(':').pop());
    const authPort = Number(String(ready['radiusAuth']).split(':').pop());
    const health = await fetch(`http://127.0.0.1:${httpPort}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const status = await radclient(authPort, 'status', 'limpah-demo-secret', ['Message-Authenticator = 0x00']);
    expect(status.code).toBe('Access-Accept');

    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    expect(existsSync(join(dataDir, 'redis', 'limpah-redis.pid'))).toBe(false);
    expect(alive(Number(embedded['pid']))).toBe(false);
    // No secret ever reaches the log.
    expect(JSON.stringify(r.lines)).not.toContain('limpah-demo-secret');
  });

  it('runs several workers on the same ports (WORKERS=2), starts a killed one again, and stops them all on SIGTERM', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'limpah-main-'));
    const r = run({ DATA_DIR: dataDir, WORKERS: '2' });
    await eventually(() => found(r.lines.find((l) => l['msg'] === 'Limpah is running in several worker processes'), 'not running yet'), {
      what: 'the primary saying its workers run', timeoutMs: 30_000,
    });
    const workers = r.lines.filter((l) => l['msg'] === 'Limpah is running');
    expect(workers.map((l) => l['worker']).sort()).toEqual([1, 2]);
    // One redis-server, started by the primary, for both.
    expect(r.lines.filter((l) => String(l['msg']).startsWith('started embedded redis-server'))).toHaveLength(1);
    // The same HTTP and RADIUS ports in both workers: the primary shares them.
    expect(new Set(workers.map((l) => `${l['http']} ${l['radiusAuth']} ${l['radiusAcct']}`)).size).toBe(1);
    const httpPort = Number(String(workers[0]!['http']).split(':').pop());
    const authPort = Number(String(workers[0]!['radiusAuth']).split(':').pop());

    // /metrics, from whichever worker answers, counts every worker's RADIUS requests: 6 Status-Servers in all,
    // and the pool gauges (read from Redis) once, not once per worker.
    for (let i = 0; i < 6; i++) expect((await radclient(authPort, 'status', 'limpah-demo-secret', ['Message-Authenticator = 0x00'])).code).toBe('Access-Accept');
    const metricsReply = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
    const metrics = await metricsReply.text();
    if (metricsReply.status !== 200) throw new Error(`/metrics: ${metricsReply.status} ${metrics.slice(0, 2000)}\n${r.lines.filter((l) => Number(l["level"]) >= 40).map((l) => JSON.stringify(l)).join("\n")}`);
    expect(metrics).toMatch(/^limpah_radius_packets_received_total\{app="limpah"\} 6$/m);
    const sessions = /^limpah_pool_sessions\{app="limpah"\} (\d+)$/m.exec(metrics);
    expect(sessions?.[1]).toBe('0');

    // Worker 1 (the leader) dies: worker 2 answers meanwhile, and the primary starts worker 1 again.
    const leaderPid = Number(workers.find((l) => l['worker'] === 1)!['pid']);
    process.kill(leaderPid, 'SIGKILL');
    await eventually(() => expect(alive(leaderPid)).toBe(false), { what: 'worker 1 gone', timeoutMs: 5000 });
    expect((await radclient(authPort, 'status', 'limpah-demo-secret', ['Message-Authenticator = 0x00'])).code).toBe('Access-Accept');
    expect(await (await fetch(`http://127.0.0.1:${httpPort}/healthz`)).json()).toEqual({ status: 'ok' });
    await eventually(
      () => found(r.lines.find((l) => l['msg'] === 'Limpah is running' && l['worker'] === 1 && Number(l['pid']) !== leaderPid), 'worker 1 not back yet'),
      { what: 'worker 1 started again', timeoutMs: 20_000 },
    );
    expect(r.lines.some((l) => l['msg'] === 'a worker exited; starting it again' && l['worker'] === 1)).toBe(true);

    const pids = r.lines.filter((l) => l['msg'] === 'Limpah is running').map((l) => Number(l['pid']));
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    for (const pid of pids) expect(alive(pid)).toBe(false);
    expect(existsSync(join(dataDir, 'redis', 'limpah-redis.pid'))).toBe(false);
  });

  it('has no account until the documented CLI command makes the first admin, who can then sign in', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'limpah-main-'));
    const r = run({ DATA_DIR: dataDir });
    const ready = await running(r);
    const httpPort = Number(String(ready['http']).split(':').pop());
    const signIn = (username: string, password: string) =>
      fetch(`http://127.0.0.1:${httpPort}/admin/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username, password }) });
    for (const [u, p] of [['admin', 'admin'], ['admin', ''], ['diskominfo', 'kota-sampit-2026']]) expect((await signIn(u!, p!)).status).toBe(401);
    // The log says how to make one.
    const hint = await eventually(() => found(r.lines.find((l) => String(l['msg']).startsWith('no console account yet')), 'no "no console account yet" line yet'), {
      what: 'the log line that says how to make the first admin',
      timeoutMs: 20_000,
    });
    expect(hint).toMatchObject({ console: expect.stringMatching(/\/admin$/) });

    const cli = join(paths.root, 'dist', 'src', 'cli.js');
    const env = { PATH: process.env['PATH'] ?? '', DATA_DIR: dataDir };
    const out = execFileSync(process.execPath, [cli, 'admin', 'create', 'diskominfo', '--name', 'Admin Diskominfo'], { env, input: 'kota-sampit-2026\n', encoding: 'utf8' });
    expect(out).toContain('created admin diskominfo');
    expect(() => execFileSync(process.execPath, [cli, 'admin', 'create', 'pendek'], { env, input: 'short\n', stdio: 'pipe' })).toThrow(/at least 12 characters/);
    const ok = await signIn('diskominfo', 'kota-sampit-2026');
    expect(ok.status).toBe(303);
    expect(ok.headers.get('location')).toBe('/admin');
    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
    // The CLI's connection file goes with the server.
    expect(existsSync(join(dataDir, 'redis', 'limpah-redis.url'))).toBe(false);
  });

  it('stops a redis-server orphaned by a killed Limpah before starting its own on the same data', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'limpah-main-'));
    const first = run({ DATA_DIR: dataDir });
    await running(first);
    const orphanPid = Number(first.lines.find((l) => String(l['msg']).startsWith('started embedded'))!['pid']);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(alive(orphanPid)).toBe(true); // still running, orphaned

    const second = run({ DATA_DIR: dataDir });
    await running(second);
    expect(second.lines.some((l) => String(l['msg']).includes('left running by an earlier Limpah'))).toBe(true);
    expect(alive(orphanPid)).toBe(false);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);
  });

  it('shuts down when its redis-server dies under it', async () => {
    const r = run({ DATA_DIR: mkdtempSync(join(tmpdir(), 'limpah-main-')) });
    await running(r);
    const pid = Number(r.lines.find((l) => String(l['msg']).startsWith('started embedded'))!['pid']);
    process.kill(pid, 'SIGKILL');
    expect(await r.exited).toBe(1);
  });

  it('exits with a message naming the variable when the environment is wrong', async () => {
    const r = run({ RADIUS_AUTH_PORT: 'radius' });
    expect(await r.exited).toBe(1);
    expect(r.stderr()).toContain('RADIUS_AUTH_PORT');
  });

  it('exits with a message naming the Debian package and REDIS_URL when redis-server is missing', async () => {
    const emptyBin = mkdtempSync(join(tmpdir(), 'limpah-nobin-'));
    const r = run({ PATH: emptyBin, DATA_DIR: mkdtempSync(join(tmpdir(), 'limpah-main-')) });
    expect(await r.exited).toBe(1);
    const fatal = r.lines.find((l) => l['level'] === 60);
    expect(String(fatal?.['msg'])).toMatch(/redis-server is not installed.*apt-get install -y redis-server.*REDIS_URL/);
  });

  it('exits with the field path when the site file is broken', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'limpah-main-'));
    const site = join(dir, 'site.json');
    writeFileSync(site, JSON.stringify({ uplink: { capacityKbps: 1000, headroomKbps: 10 }, hotspots: [{ id: 'X Y' }] }));
    const r = run({ DATA_DIR: dir, SITE_FILE: site });
    expect(await r.exited).toBe(1);
    const fatal = r.lines.find((l) => l['level'] === 60);
    expect(String(fatal?.['msg'])).toContain('hotspots[0].id');
    expect(String(fatal?.['msg'])).toContain('hotspots[0].quota');
  });
});
