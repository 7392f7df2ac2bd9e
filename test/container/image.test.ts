import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from '../../src/pool/pool';
import { paths } from '../../src/paths';
import { Keys } from '../../src/redis/keys';
import { freePort, startEmbeddedRedis, type EmbeddedRedis } from '../../src/redis/embedded';
import { eventually } from '../support/eventually';
import { radclient } from '../support/radclient';
import { testRedis } from '../support/redis';
import { testSite, TEST_SECRET } from '../support/site';
import { accessRequest, accounting, portalGrant, type Citizen } from './citizen';
import { buildLimpahImage, type Built } from './images';
import { containerLog, exitCode, runLimpah, type LimpahContainer } from './limpah-container';
import { podman, podmanProblem, RUNTIME, runCommand, ULIMITS } from './podman';

/**
 * The image as shipped: the Dockerfile built with podman (on a stand-in for node:20-slim, see stand-in-base.ts) and
 * run as an operator runs it, against a real redis-server on loopback, with radclient as the router. What
 * test/integration/main-process.test.ts proves of `npm start`, proved of the image.
 */
const FIGURES = join(paths.root, 'test-output', 'container-figures.json');
const log = (line: string) => process.stdout.write(`[container] ${line}\n`);

describe('the container image', () => {
  const id = randomBytes(4).toString('hex');
  const volume = `limpah-ci-data-${id}`;
  const names: string[] = [];
  const figures: Record<string, number | string> = {};
  const suiteStarted = Date.now();
  let built: Built;
  let redisDir: string | undefined;
  let redis: EmbeddedRedis;
  let store: ReturnType<typeof testRedis>;
  let pool: Pool;
  let siteDir: string | undefined;
  let siteFile: string;
  let limpah: LimpahContainer;

  const start = async (name: string) => {
    names.push(name);
    return runLimpah({ image: built.image, name, httpPort: await freePort(), volume, siteFile, env: { REDIS_URL: redis.url } });
  };

  beforeAll(async () => {
    const problem = podmanProblem();
    // Never a silent skip: a machine that cannot run podman fails here, saying why.
    if (problem) throw new Error(`the container tests cannot run on this machine: ${problem}`);
    built = await buildLimpahImage(log);
    figures['imageSizeMB'] = Math.round(built.sizeBytes / 1e6);
    figures['buildSeconds'] = built.buildSeconds;

    // The site file is what the tests' own site parses to: a parsed site is a valid site file.
    siteDir = mkdtempSync(join(tmpdir(), 'limpah-site-'));
    siteFile = join(siteDir, 'site.json');
    writeFileSync(siteFile, JSON.stringify(testSite(), null, 2));
    redisDir = mkdtempSync(join(tmpdir(), 'limpah-container-redis-'));
    redis = await startEmbeddedRedis({ dataDir: redisDir, appendOnly: true });
    store = testRedis(redis.url);
    pool = new Pool(store.redis, new Keys('limpah'));
    await podman(['volume', 'create', volume]);

    limpah = await start(`limpah-ci-${id}-a`);
    figures['readySeconds'] = limpah.readySeconds;
    log(`container started and ready (/readyz 200) in ${limpah.readySeconds.toFixed(2)} s`);
  }, 900_000);

  afterAll(async () => {
    for (const name of names) await runCommand('podman', ['rm', '-f', '-t', '0', name]);
    await runCommand('podman', ['volume', 'rm', '-f', volume]);
    store?.redis.disconnect();
    await redis?.stop();
    for (const dir of [siteDir, redisDir]) if (dir) rmSync(dir, { recursive: true, force: true });
    figures['suiteSeconds'] = (Date.now() - suiteStarted) / 1000;
    if (built) {
      mkdirSync(join(paths.root, 'test-output'), { recursive: true });
      writeFileSync(FIGURES, `${JSON.stringify({ ...figures, measuredAt: new Date().toISOString() }, null, 2)}\n`);
      log(`figures: ${JSON.stringify(figures)} (also in ${FIGURES})`);
    }
  });

  it('holds what runs and nothing else, runs as the unprivileged user node, and keeps its data on the /data volume', async () => {
    const [image] = JSON.parse(await podman(['image', 'inspect', built.image])) as Array<{
      Config: { User: string; Env: string[]; Volumes: Record<string, unknown>; ExposedPorts: Record<string, unknown> };
      Healthcheck?: { Test: string[] };
    }>;
    const config = image!.Config;
    expect(config.User).toBe('node');
    expect(Object.keys(config.Volumes)).toEqual(['/data']);
    expect(config.Env).toEqual(expect.arrayContaining(['DATA_DIR=/data', 'NODE_ENV=production']));
    expect(Object.keys(config.ExposedPorts).sort()).toEqual(['1812/udp', '1813/udp', '3000/tcp']);
    expect(image!.Healthcheck?.Test.join(' ')).toContain('/healthz');

    const present = (list: string[]) => list.map((p) => `[ -e ${p} ] && echo ${p}`).join('; ');
    const forbidden = [
      '/app/test', '/app/bench', '/app/scripts', '/app/dist/test', '/app/dist/bench', '/app/tsconfig.json', '/app/node_modules/typescript',
      '/app/node_modules/jest', '/app/node_modules/ts-jest', '/app/node_modules/@types', '/app/node_modules/playwright-core',
      // Nothing of the build machine: the CA bundle and npmrc given to the build for npm, npm's cache.
      '/usr/local/etc/npmrc', '/etc/ssl/certs/ca-certificates.crt', '/root/.npm',
    ];
    const needed = ['/app/dist/src/main.js', '/app/dist/src/cli.js', '/app/src/redis/scripts', '/app/src/radius/dictionaries', '/app/views', '/app/public', '/app/sites/example-kotim.json', '/app/nas/mikrotik/login.html', '/usr/local/bin/limpah'];
    // Looked at as root, who sees everything (/root is closed to node).
    const listing = await podman([
      'run', '--rm', ...RUNTIME, ...ULIMITS, '--network=none', '--user', 'root', built.image, 'sh', '-c', `${present(forbidden)}; echo ---; ${present(needed)}; true`,
    ]);
    const [found = '', have = ''] = listing.split('---\n');
    expect(found.trim()).toBe('');
    expect(have.trim().split('\n')).toEqual(needed);
    // As it runs: uid 1000, owner of /data, and the code it runs is not its to change.
    const who = await podman(['run', '--rm', ...RUNTIME, ...ULIMITS, '--network=none', built.image, 'sh', '-c', 'id -u; stat -c %U /data; touch /app/x 2>/dev/null && echo app-writable; true']);
    expect(who.trim().split('\n')).toEqual(['1000', 'node']);
  });

  it('will not start without a Redis to use: the image has no redis-server of its own, and says to set REDIS_URL', async () => {
    const r = await runCommand('podman', ['run', '--rm', ...RUNTIME, ...ULIMITS, '--network=none', built.image]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/The container image has no redis-server: point Limpah at a Redis with REDIS_URL=redis:\/\//);
  });

  it('answers /healthz, /readyz, the splash page and Status-Server, and its HEALTHCHECK passes', async () => {
    expect(await (await fetch(`${limpah.portal}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${limpah.portal}/readyz`)).status).toBe(200);
    const splash = await fetch(`${limpah.portal}/hotspot/mikrotik`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ mac: 'AA:BB:CC:00:00:01', 'link-login-only': 'http://10.5.50.1/login', identity: 'MikroTik-Taman' }),
    });
    expect(splash.status).toBe(200);
    const page = await splash.text();
    expect(page).toContain('Taman Kota Sampit');
    expect(page).toContain('Sambungkan');
    // Static assets come from the image's public/ (the splash links them with a version).
    const css = /href="(\/static\/[^"]+\.css[^"]*)"/.exec(page)?.[1];
    expect(css).toBeDefined();
    expect((await fetch(`${limpah.portal}${css}`)).status).toBe(200);
    expect((await radclient(limpah.authPort, 'status', TEST_SECRET, ['Message-Authenticator = 0x00'])).code).toBe('Access-Accept');
    // The image's HEALTHCHECK, run by the engine in the container (podman runs it on demand without systemd).
    expect((await runCommand('podman', ['healthcheck', 'run', limpah.name])).code).toBe(0);
  });

  it("admits a citizen: portal grant, PAP Access-Request, Access-Accept at the pool's rate, Accounting Start and Stop", async () => {
    const before = await pool.snapshot();
    const citizen: Citizen = { mac: 'AA:BB:CC:00:00:02', acctSessionId: 'c0000001' };
    const grant = await portalGrant(limpah.portal, citizen);
    expect(grant.splash).toContain('Taman Kota Sampit');

    const accept = await accessRequest(limpah.authPort, citizen, grant);
    expect(accept.code).toBe('Access-Accept');
    // The park's quota is 2048/1024 kbps and the pool has room: the whole of it, as RouterOS reads it (up/down).
    expect(accept.attributes).toMatchObject({ 'Mikrotik-Rate-Limit': '1024k/2048k', 'WISPr-Bandwidth-Max-Down': '2048000', 'Session-Timeout': '3600' });
    expect(await pool.snapshot()).toMatchObject({ allocDownKbps: before.allocDownKbps + 2048, allocUpKbps: before.allocUpKbps + 1024, sessions: before.sessions + 1 });

    expect((await accounting(limpah.acctPort, citizen, grant.username, 'Start', ['Acct-Session-Time = 0'])).code).toBe('Accounting-Response');
    expect(await pool.session(grant.username)).toMatchObject({ state: 'active' });
    const stop = ['Acct-Session-Time = 600', 'Acct-Input-Octets = 2000000', 'Acct-Output-Octets = 9000000', 'Acct-Terminate-Cause = User-Request'];
    expect((await accounting(limpah.acctPort, citizen, grant.username, 'Stop', stop)).code).toBe('Accounting-Response');
    expect(await pool.session(grant.username)).toMatchObject({ state: 'closed', sessionTime: '600', inputBytes: '2000000', outputBytes: '9000000' });
    expect(await pool.snapshot()).toEqual(before);
  });

  it('makes the first admin with the `limpah` command, as its start-up log says, who signs in and gets a router\'s login.html', async () => {
    const hint = (await containerLog(limpah.name)).find((l) => String(l['msg']).startsWith('no console account yet'));
    expect(hint?.['msg']).toContain('`docker exec -it <container> limpah admin create <username>`');

    expect(await podman(['exec', limpah.name, 'limpah', 'help'])).toContain('limpah admin create USERNAME');
    const out = await podman(['exec', '-i', limpah.name, 'limpah', 'admin', 'create', 'diskominfo', '--name', 'Admin Diskominfo'], { input: 'kota-sampit-2026\n' });
    expect(out).toContain(`created admin diskominfo; sign in at ${limpah.portal}/admin`);

    const signIn = await fetch(`${limpah.portal}/admin/login`, {
      method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: 'diskominfo', password: 'kota-sampit-2026' }),
    });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const loginHtml = await fetch(`${limpah.portal}/admin/hotspots/taman-kota-sampit/login.html`, { headers: { cookie } });
    expect(loginHtml.status).toBe(200);
    // nas/mikrotik/login.html from the image, filled in with this portal's address.
    expect(await loginHtml.text()).toContain(limpah.portal);
  });

  it('spools accounting on its volume while Redis is down, stops on SIGTERM, and a new container on the volume replays it', async () => {
    const before = await pool.snapshot();
    const citizen: Citizen = { mac: 'AA:BB:CC:00:00:03', acctSessionId: 'c0000002' };
    const grant = await portalGrant(limpah.portal, citizen);
    expect((await accessRequest(limpah.authPort, citizen, grant)).code).toBe('Access-Accept');
    expect((await accounting(limpah.acctPort, citizen, grant.username, 'Start')).code).toBe('Accounting-Response');

    // Redis goes away: the router's Stop is answered once it is on disk, in the volume.
    await redis.stop();
    const stop = ['Acct-Session-Time = 300', 'Acct-Input-Octets = 1000', 'Acct-Output-Octets = 5000', 'Acct-Terminate-Cause = User-Request'];
    expect((await accounting(limpah.acctPort, citizen, grant.username, 'Stop', stop)).code).toBe('Accounting-Response');
    const spool = join((await podman(['volume', 'inspect', '--format', '{{.Mountpoint}}', volume])).trim(), 'spool');
    const spooled = readdirSync(spool).filter((f) => f.startsWith('accounting-'));
    expect(spooled).toHaveLength(1);
    expect(readFileSync(join(spool, spooled[0]!), 'utf8')).toContain(grant.username);

    // docker stop / podman stop: SIGTERM, and Limpah exits by itself with 0 (a SIGKILL after the grace time would be 137).
    const stopping = Date.now();
    await podman(['stop', '--time', '10', limpah.name]);
    figures['stopSeconds'] = (Date.now() - stopping) / 1000;
    expect(await exitCode(limpah.name)).toBe(0);
    expect((await containerLog(limpah.name)).find((l) => l['msg'] === 'shutting down')).toMatchObject({ reason: 'SIGTERM' });
    await podman(['rm', limpah.name]);

    // Redis back, with its AOF: the session is still open there. A new container on the same volume closes it.
    redis = await startEmbeddedRedis({ dataDir: redisDir!, appendOnly: true, port: redis.port, password: redis.password });
    expect(await eventually(() => pool.session(grant.username), { what: 'Redis to answer again' })).toMatchObject({ state: 'active' });
    const next = await start(`limpah-ci-${id}-b`);
    await eventually(async () => expect(await pool.session(grant.username)).toMatchObject({ state: 'closed', sessionTime: '300', inputBytes: '1000' }), {
      what: 'the spooled Stop to be replayed from the volume',
      timeoutMs: 20_000,
    });
    await eventually(() => expect(readdirSync(spool).filter((f) => f.startsWith('accounting-'))).toEqual([]), { what: 'the spool to be emptied' });
    expect(await pool.snapshot()).toEqual(before);
    expect(existsSync(spool)).toBe(true);
    await podman(['stop', '--time', '10', next.name]);
    expect(await exitCode(next.name)).toBe(0);
  });
});
