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
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FREERADIUS_BIN, FREERADIUS_LIBDIR, radiusdPreamble, sq as singleQuoted, startFreeradiusProcess } from '../test/support/freeradius-process';
import type { Credential } from './load';

export { FREERADIUS_BIN, FREERADIUS_LIBDIR };
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
  return singleQuoted('FreeRADIUS config value', value);
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
  return `${radiusdPreamble({ generatedBy: `bench/freeradius.ts (mode ${options.mode})`, dir, maxRequests: 16384, log: '  auth = no\n  auth_badpass = no\n  auth_goodpass = no' })}
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

export async function startFreeradius(options: FreeradiusOptions): Promise<FreeradiusTarget> {
  const fr = await startFreeradiusProcess({
    bin: FREERADIUS_BIN,
    readyTimeoutMs: READY_TIMEOUT_MS,
    label: 'FreeRADIUS',
    tempPrefix: `limpah-bench-freeradius-${options.mode}-`,
    async prepare(dir) {
      if (options.mode === 'files') await writeFile(join(dir, 'users'), usersFile(options.users ?? []), { mode: 0o600 });
    },
    radiusdConf: (dir, port) => radiusdConf(dir, port, options),
  });
  return { port: fr.port, pid: fr.child.pid!, command: fr.command, stop: () => fr.stop() };
}
