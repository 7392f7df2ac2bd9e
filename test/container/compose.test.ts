import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paths } from '../../src/paths';
import { freePort } from '../../src/redis/embedded';
import { eventually } from '../support/eventually';
import { radclient } from '../support/radclient';
import { testSite, TEST_SECRET } from '../support/site';
import { accessRequest, accounting, portalGrant, type Citizen } from './citizen';
import { buildLimpahImage, buildRedisStandIn, LIMPAH_IMAGE } from './images';
import { CONTAINERS_CONF, podman, podmanProblem, RUNTIME, runCommand, tail, ULIMITS } from './podman';

/**
 * compose.yaml as shipped, started with podman-compose: Limpah and Redis on the project's own network, Limpah's
 * ports published on the host's loopback. Two things differ from an install, both in a second compose file layered
 * over it: the images are the ones built here (Redis a stand-in, no registry being reachable), and the ports are
 * free ones on 127.0.0.1. What reaches Limpah from 127.0.0.1 through published ports comes from the network's
 * gateway (the engine masquerades local traffic), so the test site's router is that gateway; a router elsewhere
 * keeps its own address.
 */
const log = (line: string) => process.stdout.write(`[compose] ${line}\n`);

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

describe('compose.yaml', () => {
  const project = `limpah-ci-${randomBytes(4).toString('hex')}`;
  const network = `${project}_default`;
  const redisName = `${project}_redis_1`;
  const limpahName = `${project}_limpah_1`;
  const password = randomBytes(16).toString('hex');
  const work = mkdtempSync(join(tmpdir(), 'limpah-compose-'));
  let env: NodeJS.ProcessEnv;
  let portal: string;
  let authPort: number;
  let acctPort: number;
  let gateway: string;

  const compose = async (...args: string[]) => {
    const r = await runCommand('podman-compose', ['-p', project, '-f', join(work, 'compose.yaml'), '-f', join(work, 'compose.ci.yaml'), ...args], { env });
    if (r.code !== 0) throw new Error(`podman-compose ${args.join(' ')} exited with ${r.code}:\n${tail(r)}`);
    return r.stdout;
  };
  const ready = () => eventually(async () => (await fetch(`${portal}/readyz`)).status === 200, { what: `${portal}/readyz to answer 200`, timeoutMs: 30_000, intervalMs: 100 });

  beforeAll(async () => {
    const problem = podmanProblem() ?? ((await runCommand('sh', ['-c', 'command -v podman-compose'])).code !== 0 ? 'podman-compose is not installed: apt-get install -y podman-compose' : null);
    // Never a silent skip: a machine that cannot run podman-compose fails here, saying why.
    if (problem) throw new Error(`the compose test cannot run on this machine: ${problem}`);
    const built = await buildLimpahImage(log);
    const redisImage = await buildRedisStandIn(built.base);

    // The shipped file, copied so that no .env of the working tree takes part; the CI's images layered over it.
    copyFileSync(join(paths.root, 'compose.yaml'), join(work, 'compose.yaml'));
    writeFileSync(join(work, 'compose.ci.yaml'), `services:\n  redis:\n    image: ${redisImage}\n  limpah:\n    image: ${built.image}\n`);
    writeFileSync(join(work, 'containers.conf'), CONTAINERS_CONF);
    // The project's network, made first so that its gateway, where local traffic comes from, can be the site's router.
    await podman(['network', 'create', '--label', `io.podman.compose.project=${project}`, network]);
    gateway = (await podman(['network', 'inspect', '--format', '{{range .Subnets}}{{.Gateway}}{{end}}', network])).trim();
    writeFileSync(join(work, 'site.json'), JSON.stringify(testSite({ nasIp: gateway }), null, 2));

    const httpPort = await freePort();
    authPort = await freeUdpPort();
    acctPort = await freeUdpPort();
    portal = `http://127.0.0.1:${httpPort}`;
    env = {
      PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/root', CONTAINERS_CONF: join(work, 'containers.conf'),
      REDIS_PASSWORD: password, PUBLIC_URL: portal, RADIUS_PUBLIC_ADDRESS: '127.0.0.1', LIMPAH_SITE_FILE: join(work, 'site.json'),
      LIMPAH_HTTP_PUBLISH: `127.0.0.1:${httpPort}`, LIMPAH_RADIUS_AUTH_PUBLISH: `127.0.0.1:${authPort}`, LIMPAH_RADIUS_ACCT_PUBLISH: `127.0.0.1:${acctPort}`,
    };
    const started = Date.now();
    await compose('up', '-d');
    await ready();
    log(`podman-compose up -d to /readyz 200 in ${((Date.now() - started) / 1000).toFixed(1)} s (network gateway ${gateway})`);
  }, 900_000);

  afterAll(async () => {
    if (env) await runCommand('podman-compose', ['-p', project, '-f', join(work, 'compose.yaml'), '-f', join(work, 'compose.ci.yaml'), 'down', '-v'], { env });
    await runCommand('podman', ['rm', '-f', '-t', '0', limpahName, redisName]);
    await runCommand('podman', ['volume', 'rm', '-f', `${project}_redis-data`, `${project}_limpah-data`]);
    await runCommand('podman', ['network', 'rm', '-f', network]);
    rmSync(work, { recursive: true, force: true });
  });

  it('runs Redis with a password and its append-only file on a volume, and Limpah with its spool on a volume and the site file read-only, both restarted unless stopped', async () => {
    interface Mount { Type: string; Name?: string; Source: string; Destination: string; RW: boolean }
    const inspect = async (name: string) => (JSON.parse(await podman(['container', 'inspect', name])) as Array<{ Mounts: Mount[]; HostConfig: { RestartPolicy: { Name: string } } }>)[0]!;
    const redis = await inspect(redisName);
    const limpah = await inspect(limpahName);
    expect(redis.HostConfig.RestartPolicy.Name).toBe('unless-stopped');
    expect(limpah.HostConfig.RestartPolicy.Name).toBe('unless-stopped');
    expect(redis.Mounts).toEqual([expect.objectContaining({ Type: 'volume', Name: `${project}_redis-data`, Destination: '/data', RW: true })]);
    expect(limpah.Mounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Type: 'volume', Name: `${project}_limpah-data`, Destination: '/data', RW: true }),
        expect.objectContaining({ Type: 'bind', Source: join(work, 'site.json'), Destination: '/etc/limpah/site.json', RW: false }),
      ]),
    );

    // Without the password Redis refuses; with it (the service's REDISCLI_AUTH) it answers, appending to /data.
    const noAuth = await runCommand('podman', ['exec', '-e', 'REDISCLI_AUTH=', redisName, 'redis-cli', 'ping']);
    expect(noAuth.stdout + noAuth.stderr).toContain('NOAUTH');
    expect(await podman(['exec', redisName, 'redis-cli', 'config', 'get', 'appendonly'])).toBe('appendonly\nyes\n');
    expect(await podman(['exec', redisName, 'ls', '/data/appendonlydir'])).toMatch(/\.aof/);
    // Neither service's health check fails (podman runs them on demand: no systemd timers here).
    expect((await runCommand('podman', ['healthcheck', 'run', redisName])).code).toBe(0);
    expect((await runCommand('podman', ['healthcheck', 'run', limpahName])).code).toBe(0);
  });

  it('admits a citizen through the published ports: Status-Server, portal grant, Access-Accept at the pool\'s rate, Accounting Start and Stop', async () => {
    expect(await (await fetch(`${portal}/healthz`)).json()).toEqual({ status: 'ok' });
    expect((await radclient(authPort, 'status', TEST_SECRET, ['Message-Authenticator = 0x00'])).code).toBe('Access-Accept');
    const citizen: Citizen = { mac: 'AA:BB:CC:00:01:01', acctSessionId: 'd0000001', nasIp: gateway };
    const grant = await portalGrant(portal, citizen);
    const accept = await accessRequest(authPort, citizen, grant);
    expect(accept.code).toBe('Access-Accept');
    expect(accept.attributes).toMatchObject({ 'Mikrotik-Rate-Limit': '1024k/2048k' });
    expect((await accounting(acctPort, citizen, grant.username, 'Start')).code).toBe('Accounting-Response');
    expect((await accounting(acctPort, citizen, grant.username, 'Stop', ['Acct-Session-Time = 60', 'Acct-Terminate-Cause = User-Request'])).code).toBe('Accounting-Response');
  });

  const signIn = async () =>
    (
      await fetch(`${portal}/admin/login`, {
        method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ username: 'diskominfo', password: 'kota-sampit-2026' }),
      })
    ).status;

  it('keeps the first admin, made as the README says, across `down` and `up` (Redis\'s append-only file on its volume)', async () => {
    const out = await podman(['exec', '-i', limpahName, 'limpah', 'admin', 'create', 'diskominfo'], { input: 'kota-sampit-2026\n' });
    expect(out).toContain(`created admin diskominfo; sign in at ${portal}/admin`);
    expect(await signIn()).toBe(303);
    await compose('down');
    await compose('up', '-d');
    await ready();
    expect(await signIn()).toBe(303);
  });

  it('is backed up and restored as the README says: the append-only files and the spool as tar files, back into new volumes', async () => {
    const sh = async (script: string) => {
      const r = await runCommand('sh', ['-c', script], { env: { ...env, BACKUP: work } });
      if (r.code !== 0) throw new Error(`${script} exited with ${r.code}:\n${tail(r)}`);
      return r.stdout;
    };
    // The README's commands, with podman for docker and this project's names.
    expect(await sh(`podman exec ${redisName} redis-cli config set auto-aof-rewrite-percentage 0`)).toBe('OK\n');
    expect(await sh(`podman exec ${redisName} redis-cli info persistence`)).toContain('aof_rewrite_in_progress:0');
    await sh(`podman exec ${redisName} tar -C /data -c appendonlydir > "$BACKUP/redis-aof.tar"`);
    expect(await sh(`podman exec ${redisName} redis-cli config set auto-aof-rewrite-percentage 100`)).toBe('OK\n');
    await sh(`podman exec ${limpahName} tar -C /data -c spool > "$BACKUP/limpah-spool.tar"`);
    expect(await sh('tar -tf "$BACKUP/redis-aof.tar"')).toMatch(/appendonlydir\/.*\.manifest/);
    expect(await sh('tar -tf "$BACKUP/limpah-spool.tar"')).toContain('spool/');

    // The volumes lost: Redis starts empty, and nobody can sign in.
    await compose('down', '-v');
    await compose('up', '-d');
    await ready();
    expect(await signIn()).toBe(401);

    // Restored with both services stopped, then started again: the admin is back.
    const redisImage = (await podman(['container', 'inspect', '--format', '{{.ImageName}}', redisName])).trim();
    await compose('stop', 'limpah', 'redis');
    await sh(
      `podman run --rm -i ${RUNTIME.join(' ')} ${ULIMITS.join(' ')} -v ${project}_redis-data:/data --user root --entrypoint sh ${redisImage} ` +
        `-c 'rm -rf /data/appendonlydir && tar -C /data -x && chown -R redis:redis /data' < "$BACKUP/redis-aof.tar"`,
    );
    await sh(`podman run --rm -i ${RUNTIME.join(' ')} ${ULIMITS.join(' ')} -v ${project}_limpah-data:/data --entrypoint sh ${LIMPAH_IMAGE} -c 'tar -C /data -x' < "$BACKUP/limpah-spool.tar"`);
    await compose('start', 'redis', 'limpah');
    await ready();
    expect(await signIn()).toBe(303);
  });
});
