/**
 * npm run bench: Access-Request -> Access-Accept throughput and latency with full Redis admission.
 * A private redis-server, the server in a child process (its CPU measured alone), and a client here that keeps
 * a fixed number of requests in flight. Every request consumes a fresh grant and admits a session.
 */
import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Keys } from '../src/pool/keys';
import { createGrant, type Grant } from '../src/pool/grants';
import { startEmbeddedRedis } from '../src/redis/embedded';
import { Code, encodeRequest } from '../src/radius/codec';

const SECRET = 'bench-secret-123456';
const LEVELS = (process.env['BENCH_CONCURRENCY'] ?? '1,8,32,128').split(',').map(Number);
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 4000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function main(): Promise<void> {
  const redisServer = await startEmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'limpah-bench-')), appendOnly: false });
  const child = fork(join(__dirname, 'radius-server.js'), [], { env: { ...process.env, REDIS_URL: redisServer.url } });
  const ask = <T>(type: string) =>
    new Promise<T>((resolve) => {
      const on = (m: { type: string } & T) => {
        if (m.type === type) {
          child.off('message', on);
          resolve(m);
        }
      };
      child.on('message', on);
      if (type !== 'ready') child.send({ type });
    });
  const { port } = await ask<{ port: number }>('ready');
  const redis = new Redis(redisServer.url);
  const keys = new Keys('bench');
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));

  console.log(`# npm run bench  (RADIUS Access-Request -> Access-Accept, PAP + Message-Authenticator, full Redis admission)`);
  console.log(`# node ${process.version}, ${REQUESTS} requests per level, server CPU measured in its own process`);
  console.log('concurrency  req/s    p50 ms  p99 ms  server CPU us/auth  accepted');

  let macSeq = 0;
  for (const concurrency of LEVELS) {
    const grants: Grant[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const n = macSeq++;
      const mac = `02:00:${[(n >> 24) & 255, (n >> 16) & 255, (n >> 8) & 255, n & 255].map((b) => b.toString(16).padStart(2, '0')).join(':')}`.toUpperCase();
      grants.push(await createGrant(redis, keys, { hotspotId: 'bench', mac }));
    }
    const pending = new Map<number, { start: bigint; resolve: (code: number) => void }>();
    sock.removeAllListeners('message');
    sock.on('message', (msg) => {
      const p = pending.get(msg[1]!);
      if (p) {
        pending.delete(msg[1]!);
        latencies.push(Number(process.hrtime.bigint() - p.start) / 1e6);
        p.resolve(msg[0]!);
      }
    });
    const latencies: number[] = [];
    let accepted = 0;
    let next = 0;
    const freeIds = Array.from({ length: 256 }, (_, i) => i);
    const cpuBefore = (await ask<{ usage: NodeJS.CpuUsage }>('cpu')).usage;
    const t0 = process.hrtime.bigint();
    const worker = async () => {
      while (next < grants.length) {
        const g = grants[next++]!;
        const id = freeIds.pop()!;
        const packet = encodeRequest(
          Code.AccessRequest,
          [['User-Name', g.username], ['User-Password', g.password], ['Calling-Station-Id', g.mac], ['NAS-IP-Address', '127.0.0.1']],
          SECRET,
          { identifier: id, messageAuthenticator: true },
        );
        const code = await new Promise<number>((resolve) => {
          pending.set(id, { start: process.hrtime.bigint(), resolve });
          sock.send(packet, port, '127.0.0.1');
        });
        freeIds.push(id);
        if (code === Code.AccessAccept) accepted++;
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpuAfter = (await ask<{ usage: NodeJS.CpuUsage }>('cpu')).usage;
    const cpuUs = cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system;
    latencies.sort((a, b) => a - b);
    console.log(
      `${String(concurrency).padStart(11)}  ${(REQUESTS / seconds).toFixed(0).padStart(6)}  ${percentile(latencies, 50).toFixed(2).padStart(6)}  ${percentile(latencies, 99).toFixed(2).padStart(6)}  ${(cpuUs / REQUESTS).toFixed(0).padStart(18)}  ${accepted}/${REQUESTS}`,
    );
  }
  child.send({ type: 'stop' });
  await new Promise((r) => child.once('exit', r));
  sock.close();
  redis.disconnect();
  await redisServer.stop();
}

void main();
