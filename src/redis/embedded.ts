import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { LimpahError } from '../errors';
import type { Logger } from '../log';

export interface EmbeddedRedis {
  readonly url: string;
  readonly port: number;
  readonly pid: number | undefined;
  stop(): Promise<void>;
}

/** A free TCP port on loopback, found by binding port 0. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, host, () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface EmbeddedRedisOptions {
  dataDir: string;
  /** AOF persistence; tests turn it off. */
  appendOnly?: boolean;
  logger?: Logger;
  binary?: string;
}

/**
 * Starts a private redis-server on a free loopback port and resolves once it accepts commands.
 * Used when REDIS_URL is not set, and by the test setup.
 */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const binary = options.binary ?? 'redis-server';
  mkdirSync(options.dataDir, { recursive: true });
  const port = await freePort();
  const args = [
    '--port', String(port),
    '--bind', '127.0.0.1',
    '--protected-mode', 'yes',
    '--dir', options.dataDir,
    '--appendonly', options.appendOnly === false ? 'no' : 'yes',
    '--save', '',
    '--daemonize', 'no',
    '--loglevel', 'warning',
  ];
  const child: ChildProcess = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        reject(
          new LimpahError(
            'REDIS_SERVER_MISSING',
            `${binary} is not installed. Install the Debian package redis-server (apt-get install -y redis-server), ` +
              'or point Limpah at an existing Redis with REDIS_URL=redis://host:6379/0.',
          ),
        );
      } else {
        reject(new LimpahError('REDIS_SERVER_FAILED', `Cannot start ${binary}: ${err.message}`, { cause: err }));
      }
    };
    child.once('error', onError);
    child.once('exit', (code) =>
      reject(new LimpahError('REDIS_SERVER_FAILED', `${binary} exited with code ${code} at start:\n${output.trim()}`)),
    );
    const deadline = Date.now() + 10_000;
    const probe = () => {
      const sock = connect(port, '127.0.0.1');
      sock.once('connect', () => {
        sock.end();
        child.removeAllListeners('exit');
        child.removeListener('error', onError);
        resolve();
      });
      sock.once('error', () => {
        sock.destroy();
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          reject(new LimpahError('REDIS_SERVER_FAILED', `${binary} did not accept connections within 10 s:\n${output.trim()}`));
        } else {
          setTimeout(probe, 50);
        }
      });
    };
    probe();
  });

  let exited = false;
  child.once('exit', (code, signal) => {
    exited = true;
    if (!stopping) options.logger?.error({ code, signal }, 'embedded redis-server exited unexpectedly');
  });
  let stopping = false;
  options.logger?.info({ port, dataDir: options.dataDir, pid: child.pid }, 'started embedded redis-server (set REDIS_URL to use your own)');

  return {
    url: `redis://127.0.0.1:${port}/0`,
    port,
    pid: child.pid,
    stop: () =>
      new Promise<void>((resolve) => {
        stopping = true;
        if (exited) return resolve();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
