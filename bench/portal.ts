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
import { gzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import pino from 'pino';
import { startEmbeddedRedis } from '../src/redis/embedded';
import { buildServices } from '../src/services';
import { benchSite } from './site';

const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 3000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);

interface Reply { status: number; body: string; headers: Record<string, string | string[] | undefined> }

function post(agent: Agent, port: number, path: string, form: Record<string, string>, headers: Record<string, string> = {}): Promise<Reply> {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

function hidden(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  const form = /<form[^>]*action="\/hotspot\/mikrotik\/connect"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1] ?? '';
  for (const m of form.matchAll(/name="([^"]+)" value="([^"]*)"/g)) out[m[1]!] = m[2]!.replace(/&#34;/g, '"').replace(/&amp;/g, '&');
  return out;
}

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
  const redis = new Redis(redisServer.url, { enableAutoPipelining: true });
  const services = await buildServices({
    redis, namespace: 'bench', site: benchSite({ maxSessions: 1_000_000, downKbps: 2048, upKbps: 1024 }),
    logger: pino({ level: 'silent' }), publicUrl: 'http://portal.bench', reaperIntervalMs: 3_600_000,
    spoolDir: mkdtempSync(join(tmpdir(), 'limpah-bench-spool-')),
  });
  const server = createServer(services.app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const mac = (i: number) => ['02', '00', ...[24, 16, 8, 0].map((s) => ((i >> s) & 255).toString(16).padStart(2, '0'))].join(':').toUpperCase();
  const router = (i: number) => ({
    mac: mac(i), 'link-login-only': 'http://10.5.50.1/login', 'link-orig': 'http://example.org/', 'chap-id': '\\011',
    'chap-challenge': '\\357\\123\\045\\001\\002\\003\\004\\005\\006\\007\\010\\011\\012\\013\\014\\015', identity: 'Bench',
  });

  const sample = await post(agent, port, '/hotspot/mikrotik', router(0));
  const css = await new Promise<string>((resolve) => {
    request({ host: '127.0.0.1', port, path: '/static/portal.css', agent }, (res) => {
      let b = '';
      res.on('data', (c: Buffer) => (b += c.toString()));
      res.on('end', () => resolve(b));
    }).end();
  });
  const gz = await post(agent, port, '/hotspot/mikrotik', router(0), { 'accept-encoding': 'gzip' });
  console.log(`# npm run bench:portal  (${REQUESTS} requests per route, ${CONCURRENCY} in flight, keep-alive, node ${process.version})`);
  console.log(`splash page: ${Buffer.byteLength(sample.body)} B HTML + ${Buffer.byteLength(css)} B CSS = ${Buffer.byteLength(sample.body) + Buffer.byteLength(css)} B (limit 20480); ` +
    `gzipped: ${gzipSync(sample.body).length} B + ${gzipSync(css).length} B; served with content-encoding: ${gz.headers['content-encoding'] ?? 'none'}`);

  await load('splash (POST)', REQUESTS, (i) => post(agent, port, '/hotspot/mikrotik', router(i)));
  const forms = await Promise.all(Array.from({ length: REQUESTS }, (_, i) => post(agent, port, '/hotspot/mikrotik', router(100_000 + i)).then((r) => hidden(r.body))));
  await load('connect (grant)', REQUESTS, (i) => post(agent, port, '/hotspot/mikrotik/connect', forms[i]!));

  agent.destroy();
  server.close();
  await services.stop();
  redis.disconnect();
  await redisServer.stop();
}

void main();
