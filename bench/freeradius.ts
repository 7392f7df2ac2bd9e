/**
 * FreeRADIUS (Debian `freeradius`, 3.2.x) as a benchmark target, with a minimal self-contained configuration written
 * into a temp dir and run in the foreground: `freeradius -f -d <dir> -D /usr/share/freeradius -l stdout`.
 *
 * - mode 'files': the `files` module reads a users file with a Cleartext-Password and the reply for every user;
 *   `pap` authenticates.
 * - mode 'redis': one Redis EVAL per request through rlm_redis, against the benchmark's private redis-server: a Lua
 *   script checks the one-time grant (password and MAC), deletes it and returns the password, which `authorize`
 *   puts in control:Cleartext-Password for `pap`; the reply is set in post-auth.
 *
 * The thread pool is sized for a 2-core machine (THREAD_POOL), and the client must send Message-Authenticator,
 * as Limpah requires by default (BlastRADIUS).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Credential } from './load';

export const FREERADIUS_BIN = '/usr/sbin/freeradius';
export const FREERADIUS_LIBDIR = '/usr/lib/freeradius';
const DICT_DIR = '/usr/share/freeradius';
const READY_LINE = 'Ready to process requests';
const READY_TIMEOUT_MS = 15_000;

export const THREAD_POOL = { start_servers: 4, max_servers: 8, min_spare_servers: 4, max_spare_servers: 8 } as const;

/** Key prefix of the grants the 'redis' mode reads (hashes with password and mac, as Limpah's grants). */
export const FR_GRANT_PREFIX = 'frbench:grant:';

/**
 * The Lua script run by EVAL for every request: KEYS[1] is the grant, ARGV[1] the Calling-Station-Id. When the grant
 * exists for that MAC it is deleted (one use, even if pap then finds the password wrong) and its password returned;
 * otherwise '' and pap rejects. Written without braces, percent signs or double
 * quotes, so it passes through unlang and rlm_redis argument splitting unchanged.
 */
export const FR_LUA =
  "local v = redis.call('HMGET', KEYS[1], 'password', 'mac') " +
  "if v[1] and v[2] == ARGV[1] then redis.call('DEL', KEYS[1]) return v[1] end return ''";

/** The Access-Accept attributes both FreeRADIUS modes send: the same set, in the same order, Limpah sends to a MikroTik. */
export const FR_REPLY: ReadonlyArray<readonly [string, string]> = [
  // Listed first so FreeRADIUS signs the Accept with it first, as Limpah does (BlastRADIUS); it computes the value.
  ['Message-Authenticator', '0x00000000000000000000000000000000'],
  ['Session-Timeout', '3600'],
  ['Idle-Timeout', '600'],
  ['Acct-Interim-Interval', '300'],
  ['Mikrotik-Rate-Limit', '"1024k/2048k"'],
  ['WISPr-Bandwidth-Max-Up', '1024000'],
  ['WISPr-Bandwidth-Max-Down', '2048000'],
  ['Mikrotik-Total-Limit', '1073741824'],
  ['Mikrotik-Total-Limit-Gigawords', '0'],
];

export type FreeradiusMode = 'files' | 'redis';

export interface FreeradiusTarget {
  readonly port: number;
  readonly pid: number;
  readonly command: string;
  stop(): Promise<void>;
}

export interface FreeradiusOptions {
  mode: FreeradiusMode;
  secret: string;
  /** mode 'files': the users file's entries. */
  users?: readonly Credential[];
  /** mode 'redis': the benchmark's redis-server. */
  redis?: { port: number; password: string };
}

export function freeradiusInstalled(): boolean {
  return existsSync(FREERADIUS_BIN);
}

export function rlmRedisInstalled(): boolean {
  return existsSync(join(FREERADIUS_LIBDIR, 'rlm_redis.so'));
}

/** A single-quoted FreeRADIUS string; the benchmark's values never need escaping, so anything odd is refused. */
function sq(value: string): string {
  if (!/^[\w./:@+-]*$/.test(value)) throw new Error(`unexpected characters for a FreeRADIUS config value: ${JSON.stringify(value)}`);
  return `'${value}'`;
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    sock.once('error', reject);
    sock.bind(0, '127.0.0.1', () => {
      const { port } = sock.address();
      sock.close(() => resolve(port));
    });
  });
}

function usersFile(users: readonly Credential[]): string {
  const reply = FR_REPLY.map(([name, value]) => `\t${name} = ${value}`).join(',\n');
  return users.map((u) => `${u.username}\tCleartext-Password := ${JSON.stringify(u.password)}\n${reply}\n`).join('\n');
}

function radiusdConf(dir: string, port: number, options: FreeradiusOptions): string {
  const modules: string[] = ['  pap {\n  }'];
  let authorize: string;
  let postAuth = '';
  if (options.mode === 'files') {
    modules.push(`  files {\n    filename = ${sq(join(dir, 'users'))}\n  }`);
    authorize = '    files\n    pap';
  } else {
    const redis = options.redis!;
    modules.push(`  redis {
    server = 127.0.0.1
    port = ${redis.port}
    password = ${sq(redis.password)}
    database = 0
    query_timeout = 5
    pool {
      start = ${THREAD_POOL.start_servers}
      min = ${THREAD_POOL.start_servers}
      max = ${THREAD_POOL.max_servers}
      spare = ${THREAD_POOL.max_spare_servers}
      uses = 0
      retry_delay = 1
      lifetime = 0
      idle_timeout = 0
    }
  }`);
    // rlm_redis splits its argument on spaces (a quoted word stays whole) after expanding %{...}; inside this
    // double-quoted unlang string the script's own double quotes are written \".
    const evalCall = `%{redis:EVAL \\"${FR_LUA}\\" 1 ${FR_GRANT_PREFIX}%{User-Name} %{Calling-Station-Id}}`;
    authorize = `    update control {\n      &Cleartext-Password := "${evalCall}"\n    }\n    pap`;
    postAuth = `    update reply {\n${FR_REPLY.map(([name, value]) => `      &${name} := ${value}`).join('\n')}\n    }`;
  }
  return `# Generated by bench/freeradius.ts (mode ${options.mode})
prefix = /usr
exec_prefix = /usr
sysconfdir = /etc
localstatedir = /var
name = radiusd
confdir = ${dir}
raddbdir = ${dir}
logdir = ${dir}
run_dir = ${dir}
radacctdir = ${dir}
libdir = ${FREERADIUS_LIBDIR}
pidfile = ${dir}/radiusd.pid
max_request_time = 30
cleanup_delay = 5
max_requests = 16384
hostname_lookups = no
proxy_requests = no

log {
  destination = stdout
  colourise = no
  auth = no
  auth_badpass = no
  auth_goodpass = no
}

# No user/group: runs as the benchmark's user (root here), nothing to chown.
security {
  allow_core_dumps = no
  max_attributes = 200
  reject_delay = 0
  status_server = no
}

# Comparable to a 2-core machine.
thread pool {
  start_servers = ${THREAD_POOL.start_servers}
  max_servers = ${THREAD_POOL.max_servers}
  min_spare_servers = ${THREAD_POOL.min_spare_servers}
  max_spare_servers = ${THREAD_POOL.max_spare_servers}
  max_requests_per_server = 0
  max_queue_size = 65536
}

client bench {
  ipaddr = 127.0.0.1
  proto = udp
  secret = ${sq(options.secret)}
  require_message_authenticator = yes
  nas_type = other
}

modules {
${modules.join('\n')}
}

server bench {
  listen {
    type = auth
    ipaddr = 127.0.0.1
    port = ${port}
  }
  authorize {
${authorize}
  }
  authenticate {
    Auth-Type PAP {
      pap
    }
  }
  post-auth {
${postAuth}
  }
}
`;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitExit(child, 3000)) return;
  child.kill('SIGKILL');
  await waitExit(child, 3000);
}

function launch(args: string[]): Promise<{ child: ChildProcess; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(FREERADIUS_BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let settled = false;
    const append = (d: Buffer): void => {
      output = (output + d.toString()).slice(-64 * 1024);
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
      void kill(child);
      reject(new Error(`FreeRADIUS ${why} (${FREERADIUS_BIN} ${args.join(' ')})\n--- FreeRADIUS output ---\n${output}`));
    };
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    child.on('error', (err) => fail(`could not be started: ${err.message}`));
    child.on('exit', (code, signal) => fail(`exited before it was ready (code ${code}, signal ${signal})`));
    const timer = setTimeout(() => fail(`was not ready within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
  });
}

export async function startFreeradius(options: FreeradiusOptions): Promise<FreeradiusTarget> {
  const dir = await mkdtemp(join(tmpdir(), `limpah-bench-freeradius-${options.mode}-`));
  try {
    // Debian's dictionaries (MikroTik, WISPr) come from -D; the local one stays empty.
    await writeFile(join(dir, 'dictionary'), '# local dictionary: intentionally empty, see -D\n');
    if (options.mode === 'files') await writeFile(join(dir, 'users'), usersFile(options.users ?? []), { mode: 0o600 });
    let lastError: unknown;
    // The port is free when picked but could be taken before FreeRADIUS binds it: retry then.
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freeUdpPort();
      await writeFile(join(dir, 'radiusd.conf'), radiusdConf(dir, port, options), { mode: 0o600 });
      const args = ['-f', '-d', dir, '-D', DICT_DIR, '-l', 'stdout'];
      let started: Awaited<ReturnType<typeof launch>>;
      try {
        started = await launch(args);
      } catch (err) {
        lastError = err;
        if (err instanceof Error && /bind|in use/i.test(err.message)) continue;
        throw err;
      }
      const { child } = started;
      let stopping: Promise<void> | undefined;
      return {
        port,
        pid: child.pid!,
        command: `${FREERADIUS_BIN} ${args.join(' ')}`,
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
