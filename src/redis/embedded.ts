import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, createServer } from 'node:net';
import { LimpahError } from '../errors';
import type { Logger } from '../log';
import { inContainerImage } from '../paths';

export interface EmbeddedRedis {
  readonly url: string;
  readonly port: number;
  readonly password: string;
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
  /** Called when redis-server exits while Limpah still needs it. */
  onUnexpectedExit?: (code: number | null, signal: NodeJS.Signals | null) => void;
  /** To start again where an earlier server was (tests of a Redis restart): its port and password. */
  port?: number;
  password?: string;
}

const PID_FILE = 'limpah-redis.pid';
/** The running server's URL with its password, for `npm run cli` (see startEmbeddedRedis). */
export const URL_FILE = 'limpah-redis.url';

function isRedisProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('redis-server');
  } catch {
    return false;
  }
}

/**
 * A redis-server left running by a Limpah that was killed (SIGKILL, a crash) still owns the data folder; two
 * servers appending to one AOF would corrupt it. Stop the old one first.
 */
async function stopOrphan(dataDir: string, logger: Logger | undefined): Promise<void> {
  const file = join(dataDir, PID_FILE);
  if (!existsSync(file)) return;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (Number.isInteger(pid) && pid > 1 && isRedisProcess(pid)) {
    logger?.warn({ pid, dataDir }, 'stopping a redis-server left running by an earlier Limpah on this data folder');
    process.kill(pid, 'SIGTERM');
    for (let i = 0; i < 100 && isRedisProcess(pid); i++) await new Promise((r) => setTimeout(r, 50));
    if (isRedisProcess(pid)) process.kill(pid, 'SIGKILL');
  }
  unlinkSync(file);
}

/**
 * Starts a private redis-server on a free loopback port and resolves once it accepts commands.
 * Used when REDIS_URL is not set, and by the test setup.
 */
export async function startEmbeddedRedis(options: EmbeddedRedisOptions): Promise<EmbeddedRedis> {
  const binary = options.binary ?? 'redis-server';
  // The AOF holds NAS secrets: the folder is the owner's alone, and the server wants a password.
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  chmodSync(options.dataDir, 0o700);
  await stopOrphan(options.dataDir, options.logger);
  const password = options.password ?? randomBytes(24).toString('hex');
  const port = options.port ?? (await freePort());
  // The configuration goes through stdin ("redis-server -"), so the password never shows in the process list.
  const config = [
    `port ${port}`,
    'bind 127.0.0.1',
    'protected-mode yes',
    `dir "${options.dataDir.replace(/(["\\])/g, '\\$1')}"`,
    `appendonly ${options.appendOnly === false ? 'no' : 'yes'}`,
    'save ""',
    'daemonize no',
    'loglevel warning',
    `requirepass ${password}`,
  ].join('\n');
  const child: ChildProcess = spawn(binary, ['-'], { stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin?.on('error', () => undefined); // ENOENT: reported through the 'error' event below
  child.stdin?.end(`${config}\n`);
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') {
        reject(
          new LimpahError(
            'REDIS_SERVER_MISSING',
            inContainerImage
              ? `The container image has no ${binary}: point Limpah at a Redis with REDIS_URL=redis://:password@host:6379/0 (compose.yaml does).`
              : `${binary} is not installed. Install the Debian package redis-server (apt-get install -y redis-server), ` +
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

  const pidFile = join(options.dataDir, PID_FILE);
  if (child.pid) writeFileSync(pidFile, `${child.pid}\n`, { mode: 0o600 });
  // For `npm run cli` on this machine: where the server is and its password, readable by the owner only (the
  // folder is 0700 too), gone when the server stops.
  const urlFile = join(options.dataDir, URL_FILE);
  const url = `redis://:${password}@127.0.0.1:${port}/0`;
  writeFileSync(urlFile, `${url}\n`, { mode: 0o600 });
  let exited = false;
  let stopping = false;
  child.once('exit', (code, signal) => {
    exited = true;
    if (existsSync(pidFile)) unlinkSync(pidFile);
    if (existsSync(urlFile)) unlinkSync(urlFile);
    if (!stopping) {
      options.logger?.error({ code, signal }, 'embedded redis-server exited unexpectedly');
      options.onUnexpectedExit?.(code, signal);
    }
  });
  options.logger?.info({ port, dataDir: options.dataDir, pid: child.pid }, 'started embedded redis-server (set REDIS_URL to use your own)');

  return {
    url,
    port,
    password,
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
