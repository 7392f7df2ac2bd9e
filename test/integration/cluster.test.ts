import type { Cluster } from 'ioredis';
import type { ScriptCommands } from '../../src/redis/scripts';
import { loadConfig } from '../../src/config/env';
import { connectRedis } from '../../src/redis/connect';
import pino from 'pino';
import { Allocator } from '../../src/control/allocator';
import { createGrant } from '../../src/grants/grants';
import { Keys } from '../../src/redis/keys';
import { Pool } from '../../src/pool/pool';
import { reconcile } from '../../src/pool/reconcile';
import { upsertSite } from '../../src/pool/site-store';
import { SessionControl } from '../../src/radius/session-control';
import { NasDirectory } from '../../src/radius/nas-directory';
import { CoaClient } from '../../src/radius/coa-client';
import { startCluster, type TestCluster } from '../support/cluster';
import { testSite } from '../support/site';

const HOTSPOT = 'taman-kota-sampit';

describe('the pool on a real three-master Redis Cluster', () => {
  let cluster: TestCluster;
  let redis: Cluster & ScriptCommands;
  beforeAll(async () => {
    cluster = await startCluster();
    // As main.ts connects with REDIS_CLUSTER_NODES.
    const config = loadConfig({ REDIS_CLUSTER_NODES: cluster.nodes.map((n) => `${n.host}:${n.port}`).join(',') });
    redis = connectRedis(config.redis, undefined) as Cluster & ScriptCommands;
  }, 60_000);
  afterAll(async () => {
    redis?.disconnect();
    await cluster?.stop();
  });

  it('runs every script, since all keys of a namespace share one hash tag, whichever master owns it', async () => {
    for (const namespace of ['kotim', 'seruyan', 'katingan']) {
      const keys = new Keys(namespace);
      await upsertSite(redis, keys, testSite());
      const pool = new Pool(redis, keys);
      const mac = 'AA:00:00:00:09:01';
      const g = await createGrant(redis, keys, { hotspotId: HOTSPOT, mac });
      const admitted = await pool.admit({
        sessionId: g.username, mac, hotspotId: HOTSPOT, nasIp: '127.0.0.1', acctSessionId: 'c1', requestKey: 'c1', credential: { kind: 'pap', value: g.password },
      });
      expect(admitted).toMatchObject({ ok: true, downKbps: 2048 });
      const acct = { mac, hotspotId: HOTSPOT, sessionId: g.username, acctSessionId: 'c1', inputBytes: 10, outputBytes: 20, terminateCause: '', framedIp: '', nasIp: '127.0.0.1', record: {} };
      expect((await pool.account({ ...acct, status: 'start', sessionTimeSec: 0 })).code).toBe('ok');
      expect((await reconcile(redis, keys)).drift).toBe(false);
      const allocator = new Allocator({
        redis, keys, pool, logger: pino({ level: 'silent' }),
        sessions: new SessionControl({ pool, nas: new NasDirectory(redis, keys, pino({ level: 'silent' })), coa: new CoaClient(pino({ level: 'silent' })), logger: pino({ level: 'silent' }) }),
      });
      expect(await allocator.runOnce()).toMatchObject({ leader: true, rerated: 0 });
      expect((await pool.account({ ...acct, status: 'stop', sessionTimeSec: 60 })).code).toBe('ok');
      expect(await pool.snapshot()).toMatchObject({ allocDownKbps: 0, sessions: 0 });
    }
    // The namespaces' pools live on more than one master: the scripts ran wherever their slot is.
    const owners = new Set<string>();
    for (const n of ['kotim', 'seruyan', 'katingan']) {
      for (const node of redis.nodes('master')) {
        if ((await node.exists(`{${n}}:pool`).catch(() => 0)) === 1) owners.add(`${node.options.host}:${node.options.port}`);
      }
    }
    expect(owners.size).toBeGreaterThan(1);
  }, 60_000);
});
