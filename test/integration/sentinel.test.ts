import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../../src/config/env';
import { connectRedis } from '../../src/redis/connect';
import { freePort, startEmbeddedRedis, type EmbeddedRedis } from '../../src/redis/embedded';
import { eventually, GiveUp } from '../support/eventually';

const run = promisify(execFile);

/** A real redis-server in Sentinel mode on loopback, watching a real master. */
async function startSentinel(masterPort: number, password: string): Promise<{ port: number; child: ChildProcess }> {
  const dir = mkdtempSync(join(tmpdir(), 'limpah-sentinel-'));
  const port = await freePort();
  const conf = join(dir, 'sentinel.conf');
  writeFileSync(
    conf,
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      `sentinel monitor limpah 127.0.0.1 ${masterPort} 1`,
      `sentinel auth-pass limpah ${password}`,
      'sentinel down-after-milliseconds limpah 1000',
    ].join('\n'),
  );
  const child = spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' });
  try {
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new GiveUp(`redis-server --sentinel exited with ${child.exitCode}`);
        const { stdout } = await run('redis-cli', ['-p', String(port), 'sentinel', 'get-master-addr-by-name', 'limpah']);
        expect(stdout.trim().split('\n')).toEqual(['127.0.0.1', String(masterPort)]);
      },
      { what: `the sentinel on ${port} to answer with its master` },
    );
  } catch (err) {
    child.kill('SIGTERM');
    throw err;
  }
  return { port, child };
}

describe('Redis through Sentinel (REDIS_SENTINELS, REDIS_MASTER_NAME)', () => {
  let master: EmbeddedRedis;
  let sentinel: { port: number; child: ChildProcess };
  beforeAll(async () => {
    master = await startEmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'limpah-master-')), appendOnly: false });
    sentinel = await startSentinel(master.port, master.password);
  });
  afterAll(async () => {
    sentinel?.child.kill('SIGTERM');
    await master?.stop();
  });

  it('finds the master through the sentinel and uses it', async () => {
    const config = loadConfig({
      REDIS_SENTINELS: `127.0.0.1:${sentinel.port}`,
      REDIS_MASTER_NAME: 'limpah',
      REDIS_PASSWORD: master.password,
    });
    const redis = connectRedis(config.redis, undefined);
    try {
      await redis.set('{limpah}:sentinel-check', 'ok');
      expect(await redis.get('{limpah}:sentinel-check')).toBe('ok');
      const role = (await redis.call('ROLE')) as [string];
      expect(role[0]).toBe('master');
    } finally {
      redis.disconnect();
    }
  });

  it('refuses a sentinel list without a master name, or with REDIS_URL too', () => {
    expect(() => loadConfig({ REDIS_SENTINELS: '127.0.0.1:26379' })).toThrow(/REDIS_MASTER_NAME/);
    expect(() => loadConfig({ REDIS_SENTINELS: '127.0.0.1:26379', REDIS_MASTER_NAME: 'x', REDIS_URL: 'redis://h:1' })).toThrow(/not both/);
    expect(() => loadConfig({ REDIS_CLUSTER_NODES: '127.0.0.1:7000', REDIS_URL: 'redis://h:1' })).toThrow(/not both/);
    expect(() => loadConfig({ REDIS_SENTINELS: 'nohostport' })).toThrow(/REDIS_SENTINELS/);
  });
});
