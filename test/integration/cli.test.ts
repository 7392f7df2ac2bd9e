import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { readAudit } from '../../src/admin/audit';
import { batchVouchers, listBatches } from '../../src/vouchers/store';
import { Keys } from '../../src/redis/keys';
import { paths } from '../../src/paths';
import { eventually, GiveUp } from '../support/eventually';
import { startHarness, type Harness } from '../support/harness';
import { testSite } from '../support/site';

/**
 * The operator CLI as an operator runs it: the compiled dist/src/cli.js in its own process, against the test
 * redis-server, next to a Limpah (the harness, or the compiled main.js). It compiles into a folder of its own, so
 * that it never rewrites dist/ under another suite's running process.
 */
const OUT = join(paths.root, 'test-output', 'cli-dist');
const CLI = join(OUT, 'src', 'cli.js');
const MAIN = join(OUT, 'src', 'main.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

describe('the operator CLI', () => {
  let h: Harness;
  const started: ChildProcess[] = [];

  beforeAll(async () => {
    spawnSync(process.execPath, [join(paths.root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(paths.root, 'tsconfig.build.json'), '--outDir', OUT], { stdio: 'inherit' });
    expect(existsSync(CLI) && existsSync(MAIN)).toBe(true);
    h = await startHarness(testSite());
  }, 180_000);

  afterAll(async () => {
    for (const child of started) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    }
    await h.close();
  });

  /** Runs the CLI against the harness's namespace (or another), with only what an operator's shell would set. */
  function cli(args: string[], o: { input?: string; namespace?: string } = {}): Promise<Run> {
    return new Promise((resolve) => {
      const child = execFile(
        process.execPath,
        [CLI, ...args],
        { env: { PATH: process.env['PATH'] ?? '', REDIS_URL: process.env['LIMPAH_TEST_REDIS_URL']!, REDIS_NAMESPACE: o.namespace ?? h.namespace } },
        (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      child.stdin!.end(o.input ?? '');
    });
  }

  const wibToday = () => new Date(Date.now() + 7 * 3600_000).toISOString().slice(0, 10);

  it('makes a batch of its own for each vouchers create, named as the console names them, with its own limits and an audit entry', async () => {
    const first = await cli(['vouchers', 'create', '--count', '2', '--hours', '24', '--devices', '1', '--mb', '500', '--hotspot', 'taman-kota-sampit', '--note', 'Musrenbang']);
    const second = await cli(['vouchers', 'create', '--count', '3', '--hours', '2', '--devices', '2', '--mb', '100', '--hotspot', 'taman-kota-sampit']);
    expect([first.code, second.code, first.stderr, second.stderr]).toEqual([0, 0, '', '']);
    const batchOf = (r: Run) => /^# batch (\S+):/m.exec(r.stdout)?.[1] ?? '';
    const [a, b] = [batchOf(first), batchOf(second)];
    // Two runs in the same minute are two batches: the sheet, the CSV and "revoke the batch" each act on one run.
    expect(a).not.toBe(b);
    for (const batch of [a, b]) expect(batch).toMatch(new RegExp(`^${wibToday()}-[0-9a-f]{6}$`));

    const batches = await listBatches(h.redis, h.services.keys);
    expect(batches.find((x) => x.batch === a)).toMatchObject({ count: 2, quotaMB: 500, deviceLimit: 1, validityMinutes: 1440, note: 'Musrenbang', createdBy: 'cli' });
    expect(batches.find((x) => x.batch === b)).toMatchObject({ count: 3, quotaMB: 100, deviceLimit: 2, validityMinutes: 120, createdBy: 'cli' });
    const codesOf = (r: Run) => [...r.stdout.matchAll(/^([A-Z0-9]{5})-([A-Z0-9]{5}) {2}/gm)].map((m) => `${m[1]}${m[2]}`).sort();
    const vouchersA = await batchVouchers(h.redis, h.services.keys, a);
    expect(vouchersA.map((v) => v.code)).toEqual(codesOf(first));
    expect(vouchersA.every((v) => v.quotaMB === 500)).toBe(true);
    expect((await batchVouchers(h.redis, h.services.keys, b)).map((v) => v.code)).toEqual(codesOf(second));

    // Through the same service as the console: the audit log says who (the CLI) and what.
    const audit = await readAudit(h.redis, h.services.keys, { action: 'vouchers.create' });
    expect(audit.filter((e) => e.target === `batch:${a}` || e.target === `batch:${b}`).map((e) => [e.actor, e.via])).toEqual([['cli', 'cli'], ['cli', 'cli']]);

    // Revoking one batch leaves the other alone.
    const revoked = await cli(['vouchers', 'revoke-batch', a]);
    expect(revoked).toMatchObject({ code: 0, stdout: `revoked 2 vouchers of batch ${a}\n` });
    expect((await batchVouchers(h.redis, h.services.keys, a)).map((v) => v.status)).toEqual(['revoked', 'revoked']);
    expect((await batchVouchers(h.redis, h.services.keys, b)).map((v) => v.status)).toEqual(['unused', 'unused', 'unused']);

    // Scoped by kecamatan as in the console; unknown places and a batch name of one's own are refused.
    const byKecamatan = await cli(['vouchers', 'create', '--count', '1', '--hours', '1', '--devices', '1', '--mb', '50', '--kecamatan', 'Baamang']);
    expect(byKecamatan.code).toBe(0);
    expect(byKecamatan.stdout).toContain('at kecamatan Baamang');
    expect(await cli(['vouchers', 'create', '--count', '1', '--hours', '1', '--devices', '1', '--mb', '50', '--hotspot', 'nowhere'])).toMatchObject({ code: 1, stderr: expect.stringContaining('unknown nowhere') });
    expect(await cli(['vouchers', 'create', '--count', '1', '--hours', '1', '--devices', '1', '--mb', '50', '--batch', 'x'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--note') });
  }, 60_000);

  it('makes a telemetry key that the usage push accepts at once, with no site file and no restart', async () => {
    const made = await cli(['new-api-key', 'dinkes-router-2', 'dinkes']);
    expect(made.code).toBe(0);
    const key = /(lmp_[A-Za-z0-9_-]{20,})/.exec(made.stdout)?.[1];
    expect(key).toBeDefined();
    const push = await request(h.services.app).post('/api/v1/agencies/usage').set('Authorization', `Bearer ${key}`)
      .send([{ agencyId: 'dinkes', downKbps: 8200, upKbps: 1900, at: new Date().toISOString() }]);
    expect(push.status).toBe(200);
    expect(push.body.stored).toBe(1);
    expect(made.stdout).toContain('It works now');
    // Limited to the agencies it was made for.
    const other = await request(h.services.app).post('/api/v1/agencies/usage').set('Authorization', `Bearer ${key}`)
      .send([{ agencyId: 'disdik', downKbps: 1, upKbps: 1, at: new Date().toISOString() }]);
    expect(other.status).toBe(400);
    expect((await readAudit(h.redis, h.services.keys, { action: 'telemetry-key.create' }))[0]).toMatchObject({ actor: 'cli', via: 'cli', target: 'telemetry-key:dinkes-router-2' });
    expect(await cli(['new-api-key', 'x', 'dinas-pariwisata'])).toMatchObject({ code: 2, stderr: expect.stringContaining('no agency dinas-pariwisata') });
  }, 30_000);

  it('makes script keys for the admin API that work at once with their role and scope, lists and revokes them', async () => {
    const made = await cli(['api-key', 'create', 'baamang-ops', '--role', 'operator', '--kecamatan', 'Baamang']);
    expect(made.code).toBe(0);
    const key = /(lmk_[A-Za-z0-9_-]{20,})/.exec(made.stdout)?.[1];
    expect(key).toBeDefined();
    await request(h.services.app).get('/api/v1/pool').set('Authorization', `Bearer ${key}`).expect(200);
    // An operator of Baamang: its own hotspot yes, another kecamatan's no.
    await request(h.services.app).post('/api/v1/hotspots/aula-desa-baamang/enable').set('Authorization', `Bearer ${key}`).expect(200);
    await request(h.services.app).post('/api/v1/hotspots/taman-kota-sampit/disable').set('Authorization', `Bearer ${key}`).expect(403);

    const listed = await cli(['api-key', 'list']);
    const id = new RegExp(`^(\\w{12})  baamang-ops  operator \\(Baamang\\)  by cli$`, 'm').exec(listed.stdout)?.[1];
    expect(id).toBeDefined();
    expect(await cli(['api-key', 'revoke', id!])).toMatchObject({ code: 0 });
    await request(h.services.app).get('/api/v1/pool').set('Authorization', `Bearer ${key}`).expect(401);
    expect((await readAudit(h.redis, h.services.keys, { actor: 'cli' })).map((e) => e.action)).toEqual(expect.arrayContaining(['api-key.create', 'api-key.revoke']));

    expect(await cli(['api-key', 'create', 'nobody', '--role', 'operator'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--kecamatan or --hotspot') });
    expect(await cli(['api-key', 'create', 'x', '--role', 'root'])).toMatchObject({ code: 2, stderr: expect.stringContaining('--role must be one of') });
  }, 30_000);

  it("prints the running Limpah's console and voucher links, whatever port it listens on", async () => {
    const namespace = `t-${randomBytes(5).toString('hex')}`;
    const child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env['PATH'] ?? '', REDIS_URL: process.env['LIMPAH_TEST_REDIS_URL']!, REDIS_NAMESPACE: namespace, HTTP_HOST: '127.0.0.1', HTTP_PORT: '0',
        RADIUS_HOST: '127.0.0.1', RADIUS_AUTH_PORT: '0', RADIUS_ACCT_PORT: '0', LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(child);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const port = await eventually(
      () => {
        const running = out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l['msg'] === 'Limpah is running');
        if (running) return Number(String(running['http']).split(':').pop());
        if (child.exitCode !== null) throw new GiveUp(`Limpah exited: ${out}`);
        throw new Error(`no "Limpah is running" line yet:\n${out}`);
      },
      { what: 'Limpah to start', timeoutMs: 45_000 },
    );
    expect(port).not.toBe(3000);
    // The announcement is written right after the "running" line. Storage: it is how main.js tells the CLI its URL
    // (cli.ts reads this field), and no read-only command prints it, so the wait reads it where the CLI will.
    const keys = new Keys(namespace);
    await eventually(async () => expect(await h.redis.hget(keys.instance(), 'publicUrl')).toBeTruthy(), { what: 'the instance announcement in Redis', timeoutMs: 5000 });

    // The operator's shell has neither HTTP_PORT nor PUBLIC_URL.
    const created = await cli(['admin', 'create', 'diskominfo'], { input: 'kota-sampit-2026\n', namespace });
    expect(created).toMatchObject({ code: 0, stdout: `created admin diskominfo; sign in at http://localhost:${port}/admin\n` });
    const signIn = await fetch(`http://127.0.0.1:${port}/admin/login`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: 'diskominfo', password: 'kota-sampit-2026' }),
    });
    expect(signIn.status).toBe(303);
    const vouchers = await cli(['vouchers', 'create', '--count', '1', '--hours', '1', '--devices', '1', '--mb', '10'], { namespace });
    expect(vouchers.stdout).toMatch(new RegExp(`^[A-Z0-9]{5}-[A-Z0-9]{5}  http://localhost:${port}/v/[A-Z0-9]{5}-[A-Z0-9]{5}$`, 'm'));
    expect((await readAudit(h.redis, keys, { action: 'operator.create' }))[0]).toMatchObject({ actor: 'cli', via: 'cli', target: 'operator:diskominfo' });
  }, 60_000);

  it('answers --help with the usage', async () => {
    const help = await cli(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('api-key create NAME --role');
  });
});
