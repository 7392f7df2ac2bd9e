/**
 * Running a real FreeRADIUS 3.x (Debian `freeradius`) in the foreground from a self-contained config in a temp dir:
 * `freeradius -f -d <dir> -D /usr/share/freeradius -l stdout`. Shared by the CoA receiver of the tests
 * (test/support/freeradius-coa.ts) and the benchmark target (bench/freeradius.ts); each writes its own radiusd.conf.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's dictionaries (MikroTik, WISPr, ChilliSpot), passed with -D. */
export const DICT_DIR = '/usr/share/freeradius';
const READY_LINE = 'Ready to process requests';
const MAX_OUTPUT = 64 * 1024;
/** Launch attempts when the picked port was taken before FreeRADIUS could bind it. */
const BIND_ATTEMPTS = 3;

/**
 * A single-quoted FreeRADIUS config / unlang string: literal, no ${} or %{} expansion. FreeRADIUS
 * 3.2.1 only unescapes \' there and keeps every other backslash as is (so 'a\\b' is a\\b, not a\b),
 * which leaves no faithful way to write a backslash next to a quote: backslashes (and control
 * characters) are refused, with an error that starts with `what`.
 */
export function sq(what: string, value: string): string {
  if (/[\\\x00-\x1f\x7f]/.test(value)) {
    throw new Error(`${what} must not contain backslashes or control characters: ${JSON.stringify(value)}`);
  }
  return `'${value.replace(/'/g, "\\'")}'`;
}

/** A UDP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released). */
export function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}

/** Resolves true once `child` has exited (at once if it already has), false after `ms` without an exit. */
export function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, ms);
    const onExit = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    child.once('exit', onExit);
  });
}

/** Stops `child`: SIGTERM, then SIGKILL if it has not exited within 3 s; a no-op when it already has. */
export async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitExit(child, 3000)) return;
  child.kill('SIGKILL');
  await waitExit(child, 3000);
}

export interface LaunchOptions {
  /** The freeradius executable. */
  bin: string;
  /** How long to wait for "Ready to process requests". */
  readyTimeoutMs: number;
  /** Starts the error messages, e.g. 'FreeRADIUS'. */
  label: string;
  /** Appended to the message when the executable cannot be spawned, e.g. ' (apt-get install freeradius)'. */
  spawnHint?: string;
}

export interface Launched {
  child: ChildProcess;
  /** The last 64 KiB of its stdout and stderr. */
  output: () => string;
}

/**
 * Spawns `bin args` and resolves once it prints "Ready to process requests". Rejects (and kills the process) when it
 * cannot be spawned, exits first, or is not ready within `readyTimeoutMs`; the error carries its output.
 */
export function launch(args: readonly string[], options: LaunchOptions): Promise<Launched> {
  const { bin, readyTimeoutMs, label, spawnHint = '' } = options;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let settled = false;
    const append = (d: Buffer): void => {
      output += d.toString();
      if (output.length > MAX_OUTPUT) output = output.slice(-MAX_OUTPUT);
      if (!settled && output.includes(READY_LINE)) {
        settled = true;
        clearTimeout(timer);
        resolve({ child, output: () => output });
      }
    };
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(new Error(`${label} ${why} (${bin} ${args.join(' ')})\n--- FreeRADIUS output ---\n${output}`));
      void kill(child);
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    child.on('error', (err) => fail(`could not be started: ${err.message}${spawnHint}`));
    child.on('exit', (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`));
    const timer = setTimeout(() => fail(`was not ready within ${readyTimeoutMs} ms`), readyTimeoutMs);
  });
}

export interface FreeradiusProcessOptions extends LaunchOptions {
  /** Prefix of the temp dir (under os.tmpdir()) that holds the config. */
  tempPrefix: string;
  /** Writes the config files other than radiusd.conf into `dir` (an empty local dictionary is already there). */
  prepare?: (dir: string) => Promise<void>;
  /** The radiusd.conf for `dir`, listening on 127.0.0.1:`port`. */
  radiusdConf: (dir: string, port: number) => string;
}

export interface FreeradiusProcess extends Launched {
  /** The temp dir holding the config; removed by stop(). */
  readonly dir: string;
  /** The port radiusd.conf listens on. */
  readonly port: number;
  /** The command line it runs, for logs. */
  readonly command: string;
  /** True once stop() has been called. */
  readonly stopping: boolean;
  /** Kills the server (SIGTERM, SIGKILL after 3 s) and removes its temp dir; later calls return the same promise. */
  stop(): Promise<void>;
}

/**
 * Writes a config into a new temp dir and starts FreeRADIUS on a free UDP port, picking another port (up to 3 times)
 * when the launch fails with a bind error. The temp dir is removed when it cannot be started.
 */
export async function startFreeradiusProcess(options: FreeradiusProcessOptions): Promise<FreeradiusProcess> {
  const dir = await mkdtemp(join(tmpdir(), options.tempPrefix));
  try {
    // Debian's dictionaries come from -D; an empty local one keeps the config self-contained and lets nothing
    // from /etc/freeradius leak in.
    await writeFile(join(dir, 'dictionary'), '# local dictionary: intentionally empty, see -D\n');
    await options.prepare?.(dir);
    const args = ['-f', '-d', dir, '-D', DICT_DIR, '-l', 'stdout'];
    let lastError: unknown;
    // The port is free when picked but could be taken before FreeRADIUS binds it: retry then.
    for (let attempt = 0; attempt < BIND_ATTEMPTS; attempt++) {
      const port = await freeUdpPort();
      await writeFile(join(dir, 'radiusd.conf'), options.radiusdConf(dir, port), { mode: 0o600 });
      let started: Launched;
      try {
        started = await launch(args, options);
      } catch (err) {
        lastError = err;
        if (err instanceof Error && /bind|in use/i.test(err.message)) continue;
        throw err;
      }
      const { child } = started;
      let stopping: Promise<void> | undefined;
      return {
        dir,
        port,
        command: `${options.bin} ${args.join(' ')}`,
        child,
        output: started.output,
        get stopping(): boolean {
          return stopping !== undefined;
        },
        stop(): Promise<void> {
          stopping ??= kill(child).then(() => rm(dir, { recursive: true, force: true }));
          return stopping;
        },
      };
    }
    throw lastError;
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
}
