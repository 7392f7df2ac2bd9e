/**
 * npm run bench:portal: requests per second and p50/p99 latency of the splash page and of "Sambungkan" (grant
 * creation) under load, and the bytes a phone downloads for the splash page, raw and gzipped. The portal runs in
 * this process on a loopback port with a private redis-server; the load comes from keep-alive HTTP clients here.
 */
import { mkdtempSync } from 'node:fs';
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { formFields } from '../test/support/html';
import { MIKROTIK_CHAP_CHALLENGE, MIKROTIK_CHAP_ID } from '../test/support/fake-nas';
import { benchMac } from './load';
import { Redis } from 'ioredis';
import { registerScripts } from '../src/redis/scripts';
import type { RedisClient } from '../src/redis/client';
import pino from 'pino';
import { startEmbeddedRedis } from '../src/redis/embedded';
import { buildServices } from '../src/services';
import { benchSite } from './site';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 3000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);

/** `bytes`: what came over the wire (compressed when the server compressed it); `body`: the text as sent. */
interface Reply { status: number; body: string; bytes: number; headers: Record<string, string | string[] | undefined> }

function send(agent: Agent, port: number, path: string, form: Record<string, string> | null, headers: Record<string, string> = {}): Promise<Reply> {
  const body = form ? new URLSearchParams(form).toString() : '';
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1', port, path, method: form ? 'POST' : 'GET', agent,
        headers: form ? { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...headers } : headers,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks);
          const text = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw).toString() : raw.toString();
          resolve({ status: res.statusCode ?? 0, body: text, bytes: raw.length, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const post = (agent: Agent, port: number, path: string, form: Record<string, string>, headers?: Record<string, string>) => send(agent, port, path, form, headers);


async function load(name: string, count: number, fn: (i: number) => Promise<Reply>): Promise<void> {
  const latencies: number[] = [];
  let next = 0;
  let ok = 0;
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const t = process.hrtime.bigint();
        const r = await fn(i);
        latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (r.status === 200) ok++;
      }
    }),
  );
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  latencies.sort((a, b) => a - b);
  const p = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!.toFixed(2);
  console.log(`${name.padEnd(22)} ${(count / sec).toFixed(0).padStart(7)} req/s  p50 ${p(0.5).padStart(6)} ms  p99 ${p(0.99).padStart(6)} ms  ${ok}/${count} ok`);
}

async function main(): Promise<void> {
  const redisServer = await startEmbeddedRedis({ dataDir: mkdtempSync(join(tmpdir(), 'limpah-bench-portal-')), appendOnly: false });
  const redis = registerScripts(new Redis(redisServer.url, { enableAutoPipelining: true }));
  const services = await buildServices({
    redis, namespace: 'bench', site: benchSite({ maxSessions: 1_000_000, downKbps: 2048, upKbps: 1024 }),
    logger: pino({ level: 'silent' }), publicUrl: 'http://portal.bench', reaperIntervalMs: 3_600_000,
    spoolDir: mkdtempSync(join(tmpdir(), 'limpah-bench-spool-')),
  });
  const server = createServer(services.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const router = (i: number) => ({
    mac: benchMac(i), 'link-login-only': 'http://10.5.50.1/login', 'link-orig': 'http://example.org/', 'chap-id': MIKROTIK_CHAP_ID,
    'chap-challenge': MIKROTIK_CHAP_CHALLENGE, identity: 'Bench',
  });

  const sample = await post(agent, port, '/hotspot/mikrotik', router(0));
  const css = await send(agent, port, '/static/portal.css', null);
  // Asked as a phone asks: what the server sends compressed, counted as it came over the wire.
  const gz = await post(agent, port, '/hotspot/mikrotik', router(0), { 'accept-encoding': 'gzip' });
  const cssGz = await send(agent, port, '/static/portal.css', null, { 'accept-encoding': 'gzip' });
  console.log(`# npm run bench:portal  (${REQUESTS} requests per route, ${CONCURRENCY} in flight, keep-alive, node ${process.version})`);
  console.log(`splash page: ${sample.bytes} B HTML + ${css.bytes} B CSS = ${sample.bytes + css.bytes} B (limit 20480); ` +
    `sent gzipped: ${gz.bytes} B (content-encoding: ${gz.headers['content-encoding'] ?? 'none'}) + ${cssGz.bytes} B (content-encoding: ${cssGz.headers['content-encoding'] ?? 'none'})`);

  await load('splash (POST)', REQUESTS, (i) => post(agent, port, '/hotspot/mikrotik', router(i)));
  const forms = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => post(agent, port, '/hotspot/mikrotik', router(100_000 + i)).then((r) => formFields(r.body.slice(r.body.indexOf('<form method="post" action="/hotspot/mikrotik/connect"'))).fields)));
  await load('connect (grant)', REQUESTS, (i) => post(agent, port, '/hotspot/mikrotik/connect', forms[i]!));

  agent.destroy();
  server.close();
  await services.stop();
  redis.disconnect();
  await redisServer.stop();
}

void main();
