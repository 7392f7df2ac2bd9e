import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { registerScripts } from '../../src/redis/scripts';
import type { RedisClient } from '../../src/redis/client';
import { paths } from '../../src/paths';
import { Keys } from '../../src/redis/keys';
import { ensureChilli, type ChilliBuild } from './chilli-build';
import { eventually } from '../support/eventually';
import { dhcp, inNs, LAB_NET, makeTopology, phoneMac, sh, spawnInNs, type Topology } from './netns';

export const LAB_SECRETS = Object.freeze({
  radius: 'lab-radius-secret-1',
  uam: 'lab-uam-secret-1',
  telemetryKey: 'lmp_lab_telemetry_0123456789abcdef',
});
/** Where the lab compiles Limpah and its tools: its own folder, so a test run compiling dist/ at the same time is never raced. */
export const LAB_DIST = join(paths.root, '.lab-cache', 'dist');
export const LAB_NASID = 'lab-chilli';
export const LAB_HOTSPOT = 'aula-desa-lab';
export const PORTAL_URL = `http://${LAB_NET.coreIp}`;
export const FILES_URL = `http://${LAB_NET.fileServerIp}`;

/**
 * The lab's site: one village hall behind the Chilli, and one agency whose pushed usage sets what citizens get.
 * Capacity = 12000 - 1000 headroom - the agency's claim (its usage + 20%, or 10000 committed with no data).
 */
export function labSite(): object {
  return {
    name: 'Limpah lab',
    outsideOfficeFraction: 1,
    uplink: { capacityKbps: 12000, headroomKbps: 1000 },
    kecamatan: ['Lab'],
    telemetry: { apiKeys: [{ name: 'lab', key: LAB_SECRETS.telemetryKey }] },
    agencies: [{ id: 'dinkes', name: 'Dinas Kesehatan', committedKbps: 10000 }],
    hotspots: [
      {
        id: LAB_HOTSPOT,
        name: 'Aula Desa Lab',
        kecamatan: 'Lab',
        kind: 'village-hall',
        loginMethods: ['click'],
        nas: [{ type: 'chilli', ip: LAB_NET.gwWanIp, identifier: LAB_NASID, secret: LAB_SECRETS.radius, uamSecret: LAB_SECRETS.uam }],
        quota: { maxSessions: 10, downKbps: 1024, upKbps: 512, sessionMinutes: 60, dailyMinutes: 180, dailyMB: 500, interimSeconds: 60, idleMinutes: 10 },
      },
    ],
  };
}

/**
 * chilli.conf for the lab: the project's own template (nas/coova-chilli/limpah-chilli.conf, the file users copy)
 * with its placeholders filled in, followed by what is particular to this machine (interfaces, addresses, files).
 */
export function chilliConf(dir: string, lanIf: string): string {
  const template = readFileSync(join(paths.root, 'nas', 'coova-chilli', 'limpah-chilli.conf'), 'utf8');
  const filled = template
    .replaceAll('LIMPAH_IP', LAB_NET.coreIp)
    .replaceAll('PORTAL_URL', PORTAL_URL)
    .replaceAll('RADIUS_SECRET', LAB_SECRETS.radius)
    .replaceAll('UAM_SECRET', LAB_SECRETS.uam)
    .replaceAll('NASID', LAB_NASID);
  return `${filled}
# --- the lab's gateway ---
fg
dhcpif ${lanIf}
tundev tun0
net ${LAB_NET.clientNet}
uamlisten ${LAB_NET.uamIp}
uamport 3990
radiuslisten ${LAB_NET.gwWanIp}
nasip ${LAB_NET.gwWanIp}
dns1 ${LAB_NET.coreIp}
dns2 ${LAB_NET.coreIp}
statedir ${dir}
cmdsocket ${join(dir, 'chilli.sock')}
pidfile ${join(dir, 'chilli.pid')}
${process.env['LIMPAH_LAB_CHILLI_DEBUG'] ? 'debug\n' : ''}`;
}

/** A line of `chilli_query list`. */
export interface ChilliSession {
  readonly mac: string;
  readonly ip: string;
  readonly state: string;
  readonly authenticated: boolean;
  readonly username: string;
  readonly sessionTime: number;
  readonly sessionTimeout: number;
  readonly idleTimeout: number;
  readonly inputOctets: number;
  readonly outputOctets: number;
  readonly maxTotalOctets: number;
  readonly swapOctets: boolean;
  readonly maxUpBps: number;
  readonly maxDownBps: number;
  readonly raw: string;
}

/** One running lab; `stop()` takes all of it down. */
export interface Lab {
  readonly topology: Topology;
  readonly dir: string;
  readonly redis: RedisClient;
  readonly keys: Keys;
  readonly chilli: ChilliBuild;
  /** The phones' namespaces, MACs and DHCP addresses. */
  readonly phones: ReadonlyArray<{ readonly ns: string; readonly mac: string; readonly ip: string }>;
  /** Limpah's log lines so far (JSON). */
  limpahLog(): Array<Record<string, unknown>>;
  /** chilli_query list, parsed. */
  chilliSessions(): Promise<ChilliSession[]>;
  /** A command in a phone's namespace. */
  phone(index: number, cmd: string, args: readonly string[], timeoutMs?: number): Promise<string>;
  /** curl from the core namespace (Limpah's own network), for the admin and usage APIs. */
  coreCurl(args: readonly string[]): Promise<string>;
  /** Stops Chilli (SIGKILL: no Accounting-Off, as after a power cut; SIGTERM: a clean stop) and starts it again. */
  restartChilli(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  /** A wrapper that runs Debian's Chromium inside a namespace, for playwright's executablePath. */
  chromiumIn(ns: string): string;
  stop(): Promise<void>;
}

function spawnLogged(child: ChildProcess, file: string): void {
  const out = createWriteStream(file, { flags: 'a' });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
}

/**
 * Waits until `fn` gives a value (undefined or false: not yet) and returns it; on timeout, the error says what was
 * awaited and adds `detail()` (a log tail). The polling is test/support's eventually().
 */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false> | T | undefined | false, ms: number, detail: () => string = () => ''): Promise<T> {
  try {
    return await eventually(
      async () => {
        const v = await fn();
        if (v === undefined || v === false) throw new Error('not yet');
        return v as T;
      },
      { what, timeoutMs: ms, intervalMs: 200 },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${detail()}`);
  }
}

function stopChild(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGTERM', ms = 5000): Promise<void> {
  // Chilli's forked helpers inherit its stdout: the pipes are closed here, not left to them.
  const closePipes = () => {
    child?.stdout?.destroy();
    child?.stderr?.destroy();
  };
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve(closePipes());
  const exited = once(child, 'exit').then(() => undefined);
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  return exited.finally(() => {
    clearTimeout(timer);
    closePipes();
  });
}

/** Builds (once) and starts the whole lab: namespaces, redis, Limpah, a file server, Chilli, and DHCP for each phone. */
export async function startLab(options: { phones?: number; log?: (line: string) => void } = {}): Promise<Lab> {
  const log = options.log ?? (() => undefined);
  const chilli = await ensureChilli(log);
  // The compiled Limpah, as `npm start` runs it.
  log('compiling Limpah');
  await sh(process.execPath, [join(paths.root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(paths.root, 'tsconfig.lab.json'), '--outDir', LAB_DIST], 120_000);
  const dir = mkdtempSync(join(tmpdir(), 'limpah-lab-'));
  chmodSync(dir, 0o755);
  const topology = await makeTopology(dir, options.phones ?? 2);
  const children: ChildProcess[] = [];
  let chilliProc: ChildProcess | undefined;
  let redis: RedisClient | undefined;
  const limpahLines: Array<Record<string, unknown>> = [];
  const stop = async () => {
    await stopChild(chilliProc);
    for (const c of children.reverse()) await stopChild(c);
    redis?.disconnect();
    await topology.destroy();
    // LIMPAH_LAB_KEEP=1 keeps the logs and configuration for a look after a failure.
    if (process.env['LIMPAH_LAB_KEEP']) log(`lab files kept in ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  };
  try {
    // Redis on a unix socket: sockets in the file system cross namespaces, so the test reads the same ledger.
    const sock = join(dir, 'redis.sock');
    const redisProc = spawn('redis-server', ['--port', '0', '--unixsocket', sock, '--unixsocketperm', '700', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(redisProc);
    spawnLogged(redisProc, join(dir, 'redis.log'));
    redis = registerScripts(new Redis(sock, { maxRetriesPerRequest: 2 }));
    redis.on('error', () => undefined);
    await waitFor('redis-server', async () => (await redis!.ping()) === 'PONG', 10_000);

    writeFileSync(join(dir, 'site.json'), JSON.stringify(labSite(), null, 2));
    const files = spawnInNs(topology.core, process.execPath, [join(LAB_DIST, 'test', 'lab', 'file-server.js'), LAB_NET.fileServerIp, '80']);
    children.push(files);
    spawnLogged(files, join(dir, 'files.log'));

    const limpah = spawnInNs(topology.core, 'env', [
      `PATH=${process.env['PATH'] ?? ''}`,
      `HTTP_HOST=${LAB_NET.coreIp}`,
      'HTTP_PORT=80',
      `RADIUS_HOST=${LAB_NET.coreIp}`,
      `PUBLIC_URL=${PORTAL_URL}`,
      `REDIS_URL=unix://${sock}`,
      `SITE_FILE=${join(dir, 'site.json')}`,
      `DATA_DIR=${join(dir, 'data')}`,
      'LOG_LEVEL=info',
      process.execPath,
      join(LAB_DIST, 'src', 'main.js'),
    ]);
    children.push(limpah);
    const limpahLog = createWriteStream(join(dir, 'limpah.log'));
    let buf = '';
    limpah.stdout!.on('data', (d: Buffer) => {
      limpahLog.write(d);
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      for (const p of parts) {
        try {
          limpahLines.push(JSON.parse(p) as Record<string, unknown>);
        } catch {
          limpahLines.push({ msg: p });
        }
      }
    });
    limpah.stderr!.pipe(limpahLog);
    await waitFor('Limpah to start', () => limpahLines.find((l) => l['msg'] === 'Limpah is running'), 30_000, () => readFileSync(join(dir, 'limpah.log'), 'utf8'));
    await waitFor('the file server', () => inNs(topology.core, 'curl', ['-sf', '-o', '/dev/null', `${FILES_URL}/bytes/1`]).then(() => true), 10_000);

    const confFile = join(dir, 'chilli.conf');
    writeFileSync(confFile, chilliConf(dir, topology.lanIf));
    const startChilli = async () => {
      rmSync(join(dir, 'chilli.sock'), { force: true });
      chilliProc = spawnInNs(topology.gw, chilli.chilli, ['-c', confFile]);
      spawnLogged(chilliProc, join(dir, 'chilli.log'));
      await waitFor('Chilli to listen', () => sh(chilli.query, ['-s', join(dir, 'chilli.sock'), 'list']).then(() => true), 20_000, () => readFileSync(join(dir, 'chilli.log'), 'utf8').slice(-3000));
    };
    await startChilli();

    const phones: Array<{ ns: string; mac: string; ip: string }> = [];
    for (const [i, ns] of topology.phones.entries()) {
      log(`DHCP for ${ns}`);
      phones.push({ ns, mac: phoneMac(i), ip: await dhcp(topology, ns) });
    }

    const chromiumWrappers = new Map<string, string>();
    const lab: Lab = {
      topology,
      dir,
      redis,
      keys: new Keys('limpah'),
      chilli,
      phones,
      limpahLog: () => limpahLines,
      async chilliSessions() {
        const out = await sh(chilli.query, ['-s', join(dir, 'chilli.sock'), 'list']);
        return out
          .split('\n')
          .filter((l) => l.trim())
          .map((line) => {
            // As chilli.c prints "list": MAC IP state session-id authenticated user-name time/timeout idle/timeout
            // in/max-in out/max-out max-total swapoctets bucket%/max-up bucket%/max-down url (rates in bit/s).
            const f = line.trim().split(/\s+/);
            const pair = (i: number) => (f[i] ?? '0/0').split('/').map((x) => Number(x.replace('%', '')));
            return {
              mac: f[0] ?? '',
              ip: f[1] ?? '',
              state: f[2] ?? '',
              authenticated: f[4] === '1',
              username: f[5] ?? '',
              sessionTime: pair(6)[0]!,
              sessionTimeout: pair(6)[1]!,
              idleTimeout: pair(7)[1]!,
              inputOctets: pair(8)[0]!,
              outputOctets: pair(9)[0]!,
              maxTotalOctets: Number(f[10] ?? 0),
              swapOctets: f[11] === '1',
              maxUpBps: pair(12)[1]!,
              maxDownBps: pair(13)[1]!,
              raw: line,
            };
          });
      },
      phone: (index, cmd, args, timeoutMs) => inNs(phones[index]!.ns, cmd, args, timeoutMs),
      coreCurl: (args) => inNs(topology.core, 'curl', ['-sS', ...args]),
      async restartChilli(signal) {
        await stopChild(chilliProc, signal);
        await startChilli();
      },
      chromiumIn(ns) {
        let wrapper = chromiumWrappers.get(ns);
        if (!wrapper) {
          wrapper = join(dir, `chromium-${ns}.sh`);
          writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${ns} ${process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'} "$@"\n`);
          chmodSync(wrapper, 0o755);
          chromiumWrappers.set(ns, wrapper);
        }
        return wrapper;
      },
      stop,
    };
    return lab;
  } catch (err) {
    const logs = ['limpah.log', 'chilli.log']
      .map((f) => {
        try {
          return `--- ${f} ---\n${readFileSync(join(dir, f), 'utf8').slice(-3000)}`;
        } catch {
          return '';
        }
      })
      .join('\n');
    await stop();
    throw new Error(`${(err as Error).message}\n${logs}`);
  }
}
