import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedRedis, type EmbeddedRedis } from '../../src/redis/embedded';

/** Starts one real redis-server for the whole run; each suite uses its own key namespace in it. */
export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'limpah-test-redis-'));
  const redis = await startEmbeddedRedis({ dataDir, appendOnly: false });
  process.env['LIMPAH_TEST_REDIS_URL'] = redis.url;
  (globalThis as { __limpahRedis?: EmbeddedRedis }).__limpahRedis = redis;
}
