import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry } from 'prom-client';
import type { Logger } from './log';

/**
 * Several Limpah processes on one machine (WORKERS): the primary forks them and does nothing else but keep them
 * running. Workers share the HTTP port (the primary hands out connections) and the RADIUS UDP sockets (one socket,
 * read by every worker: the kernel gives each datagram to one of them). What must happen once — the reaper,
 * reconcile, capacity, the SNMP collector, the history sampler, retention — runs in the leader, worker 1; the
 * allocator is one anyway (its Redis lease). A retransmission that reaches another worker gets the same answer:
 * admission caches its result in Redis, and accounting counts only what grew.
 */

export type WorkerRole = 'leader' | 'follower';

/** A worker's request for everyone's metrics (/metrics), and the primary's answer, over the cluster channel. */
export const METRICS_REQUEST = 'limpah:metrics';
export interface MetricsReply {
  readonly type: typeof METRICS_REQUEST;
  readonly id: number;
  readonly text?: string;
  readonly error?: string;
}

/** What the primary tells a worker through its environment. */
export const WORKER_ENV = Object.freeze({ index: 'LIMPAH_WORKER_INDEX', role: 'LIMPAH_WORKER_ROLE', redisUrl: 'LIMPAH_WORKER_REDIS_URL' });

export function workerCount(setting: number | 'auto'): number {
  return setting === 'auto' ? Math.max(1, availableParallelism()) : setting;
}

/** This process as a worker: its index (1-based) and role, or null in a single process or the primary. */
export function thisWorker(env: NodeJS.ProcessEnv = process.env): { index: number; role: WorkerRole; redisUrl: string | undefined } | null {
  if (!cluster.isWorker) return null;
  const index = Number(env[WORKER_ENV.index] ?? 0);
  return { index, role: env[WORKER_ENV.role] === 'leader' ? 'leader' : 'follower', redisUrl: env[WORKER_ENV.redisUrl] || undefined };
}

export interface Supervisor {
  /** Resolves when every worker has said it is running (or rejects when one failed to start). */
  readonly ready: Promise<void>;
  /** SIGTERM to every worker; resolves when all have exited (the caller bounds the wait). */
  stop(): Promise<void>;
}

/** How long a worker that keeps dying waits before it is started again, at most. */
const MAX_RESTART_DELAY_MS = 10_000;

/**
 * Forks `count` workers and restarts any that exits unexpectedly, with the same index and role, after a delay that
 * grows while it keeps failing. `redisUrl` is the embedded Redis the primary started, if it did.
 */
export function superviseWorkers(count: number, logger: Logger, redisUrl: string | undefined): Supervisor {
  let stopping = false;
  const byIndex = new Map<number, Worker>();
  const failures = new Map<number, number>();
  const started = new Set<number>();
  let markReady: () => void = () => undefined;
  let failStart: (err: Error) => void = () => undefined;
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failStart = reject;
  });

  // /metrics in any worker shows every worker's: the worker asks here, prom-client gathers them all.
  const aggregator = new AggregatorRegistry();
  const fork = (index: number) => {
    const worker = cluster.fork({
      [WORKER_ENV.index]: String(index),
      [WORKER_ENV.role]: index === 1 ? 'leader' : 'follower',
      ...(redisUrl ? { [WORKER_ENV.redisUrl]: redisUrl } : {}),
    });
    byIndex.set(index, worker);
    worker.on('message', (m: unknown) => {
      const request = m as { type?: string; id?: number };
      if (request?.type === METRICS_REQUEST) {
        const answer = (reply: Omit<MetricsReply, 'type' | 'id'>) => {
          if (worker.isConnected()) worker.send({ type: METRICS_REQUEST, id: request.id, ...reply });
        };
        aggregator.clusterMetrics().then((text) => answer({ text }), (err: Error) => answer({ error: err.message }));
        return;
      }
      if (m !== 'limpah:running') return;
      failures.set(index, 0);
      started.add(index);
      if (started.size === count) markReady();
    });
    worker.on('exit', (code, signal) => {
      if (byIndex.get(index) === worker) byIndex.delete(index);
      if (stopping) return;
      if (!started.has(index)) {
        failStart(new Error(`worker ${index} exited before it was running (code ${code}, signal ${signal}); its log says why`));
        return;
      }
      const n = (failures.get(index) ?? 0) + 1;
      failures.set(index, n);
      const delay = Math.min(MAX_RESTART_DELAY_MS, 250 * 2 ** (n - 1));
      logger.error({ worker: index, code, signal, restartInMs: delay }, 'a worker exited; starting it again');
      setTimeout(() => {
        if (!stopping) fork(index);
      }, delay).unref();
    });
  };
  for (let i = 1; i <= count; i++) fork(i);

  return {
    ready,
    async stop() {
      stopping = true;
      const exits = [...byIndex.values()].map((w) => new Promise<void>((resolve) => (w.isDead() ? resolve() : w.once('exit', () => resolve()))));
      for (const w of byIndex.values()) w.process.kill('SIGTERM');
      await Promise.all(exits);
    },
  };
}

/** Tells the primary this worker is running (no-op outside a cluster). */
export function reportRunning(): void {
  if (cluster.isWorker) process.send?.('limpah:running');
}
