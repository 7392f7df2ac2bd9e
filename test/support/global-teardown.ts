import type { EmbeddedRedis } from '../../src/redis/embedded';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { __limpahRedis?: EmbeddedRedis }).__limpahRedis?.stop();
}
