/**
 * A real Debian `snmpd` (net-snmp 5.9) for the SNMP collector's tests, standing in for the core router: it runs in a
 * network namespace of its own, reachable from the test process across a veth pair and nothing else.
 *
 *   test process (root namespace)                       namespace lpsnmp-<tag>: "the router"
 *   lpsnmp<tag>  10.99.<n>.2/24  <------ veth ------>  <ifName> 10.99.<n>.1/24   snmpd udp:10.99.<n>.1:<port>
 *                                                          | ingress -> ifb "ifbq0" (HTB classes: queue BytesIn)
 *                                                          | egress HTB classes (queue BytesOut)
 *                                                          + a TCP sink/source (node) on 10.99.<n>.1:9000+
 *
 * Counter directions (the agent's point of view, like a router's):
 *   send()    test -> namespace: IN on <ifName> (ifHCInOctets), and the queue's mtxrQueueSimpleBytesIn.
 *   receive() namespace -> test: OUT on <ifName> (ifHCOutOctets), and the queue's mtxrQueueSimpleBytesOut.
 * With the agencies on the test side, receive() is an agency's download (measure.download 'out', the default) and
 * send() its upload. Counters include Ethernet/IP/TCP headers and the other direction's ACKs land in the opposite
 * counter, so they grow by a few percent more than the payload bytes returned.
 *
 * <n> is picked at random in 200-250 (test/lab uses 10.99.1, .2 and .10) and claimed with a lock file in
 * os.tmpdir(), so parallel jest workers never share one; a lock whose process is gone is swept (its namespace
 * deleted) by the next start. Nothing routes out of the namespace: it has no default route.
 *
 * The MikroTik queue table is a stand-in (test/support/mikrotik-queue-pass.js), not RouterOS.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as snmp from 'net-snmp';
import { inNs, sh, spawnInNs } from '../lab/netns';
import { kill } from './freeradius-process';

/** Debian's snmpd; LIMPAH_SNMPD_BIN to use another. */
export const SNMPD_BIN = process.env['LIMPAH_SNMPD_BIN'] ?? '/usr/sbin/snmpd';

/** MIKROTIK-MIB mtxrQueueSimpleEntry and the columns the stand-in serves (sources in mikrotik-queue-pass.js). */
export const MTXR_QUEUE_SIMPLE = Object.freeze({
  entry: '1.3.6.1.4.1.14988.1.1.2.1.1',
  name: 2,
  iface: 7,
  bytesIn: 8,
  bytesOut: 9,
  packetsIn: 10,
  packetsOut: 11,
});

const NS_PREFIX = 'lpsnmp-';
const SUBNETS = { first: 200, last: 250 } as const;
const LOCK_PREFIX = 'limpah-snmpd-net-';
/** The ifb device inside the namespace that the veth's ingress is redirected to, so HTB classes can count it. */
const IFB_IN = 'ifbq0';
/** TCP port of the sink/source for target 'interface'; queue i (0-based) gets SINK_PORT_BASE + 1 + i. */
const SINK_PORT_BASE = 9000;
/** HTB class for traffic no queue claims (SNMP, the 'interface' sink). Minor ids are hex to tc. */
const DEFAULT_CLASS = '1:ff';
const MAX_QUEUES = 200;
const MAX_OUTPUT = 64 * 1024;
const QUEUE_PASS_SCRIPT = join(__dirname, 'mikrotik-queue-pass.js');

export interface SnmpdLabOptions {
  /** v2c read-only community; random unless given. */
  community?: string;
  /** v3 user and keys (at least 8 characters); random keys unless given. */
  v3?: { user?: string; authKey?: string; privKey?: string };
  /** The agent-side veth's name, as IF-MIB ifName/ifDescr shows it (at most 15 characters). */
  ifName?: string;
  /** MikroTik simple queue names the stand-in serves, index 1, 2, ... in this order. */
  queues?: readonly string[];
  /** UDP port snmpd listens on (161 unless given; the address is the namespace's own). */
  port?: number;
  /** How long to wait for snmpd to answer after a (re)start; 10 s unless given. */
  readyTimeoutMs?: number;
}

/** What a transfer moved: payload bytes (TCP, without headers) and the time it took. */
export interface Transfer {
  readonly bytes: number;
  readonly ms: number;
}

/** 'interface': traffic no queue counts (only the interface counters); otherwise a queue name. */
export type TransferTarget = 'interface' | (string & {});

export interface SnmpdLab {
  /** The agent's address (10.99.<n>.1, inside the namespace), reachable from the test process. */
  readonly host: string;
  /** UDP port snmpd listens on. */
  readonly port: number;
  /** The test process's address on the veth (10.99.<n>.2): the only source the v2c community accepts. */
  readonly clientIp: string;
  /** v2c read-only community (limited to clientIp). */
  readonly community: string;
  /** v3 authPriv user (rouser ... priv). */
  readonly v3: { user: string; authProtocol: 'sha256'; authKey: string; privProtocol: 'aes'; privKey: string };
  /** The agent-side veth interface name, as IF-MIB ifName and ifDescr show it. */
  readonly ifName: string;
  /** MikroTik simple queue names served by the stand-in, mtxrQueueSimpleIndex 1, 2, ... in this order. */
  readonly queues: readonly string[];
  /** The network namespace snmpd runs in. */
  readonly namespace: string;
  /**
   * Pushes `bytes` of TCP payload from the test process to the namespace at about `kbps` (1000 bit/s): IN on the
   * agent's interface (ifHCInOctets) and, for a queue name, that queue's mtxrQueueSimpleBytesIn. Resolves when the
   * sink has taken it all, with the bytes written and the elapsed ms.
   */
  send(bytes: number, kbps: number, target?: TransferTarget): Promise<Transfer>;
  /**
   * The other direction: the namespace sends `bytes` to the test process at about `kbps`: OUT on the agent's
   * interface (ifHCOutOctets) and, for a queue name, that queue's mtxrQueueSimpleBytesOut. Resolves with the bytes
   * received.
   */
  receive(bytes: number, kbps: number, target?: TransferTarget): Promise<Transfer>;
  /**
   * Stops and starts snmpd, as a router reboot looks over SNMP: sysUpTime starts again from 0, the v3 engine ID stays
   * and snmpEngineBoots goes up by one. Interface counters (the kernel's) keep counting; `resetQueueCounters`
   * recreates the tc classes so the queue counters start again from 0.
   */
  restart(opts?: { resetQueueCounters?: boolean }): Promise<void>;
  /** Recreates the tc classes while snmpd runs on: the queue counters start again from 0, as a queue recreated on a router. */
  resetQueueCounters(): Promise<void>;
  /** SIGSTOP to snmpd: it stops answering (requests time out) until resume(). */
  silence(): void;
  /** SIGCONT to snmpd: it answers again (and then answers the requests queued meanwhile). */
  resume(): void;
  /** The last 64 KiB of snmpd's output (stdout and stderr), for error messages. */
  output(): string;
  /**
   * What the link carried so far, as the kernel counts it on the test's end of the veth (headers included, as a
   * router's interface counters do): `toAgent` is what send() moved (the agent's IN), `fromAgent` what receive()
   * moved (its OUT). Independent of snmpd: read from /sys in the test's own namespace.
   */
  linkBytes(): { toAgent: number; fromAgent: number };
  /** Kills the processes, deletes the namespace (and with it the veth pair), the temp dir and the lock. */
  stop(): Promise<void>;
}

/** What a lock file records: enough for another worker to clean up after a worker that died. */
interface LockRecord {
  readonly pid: number;
  readonly namespace: string;
  readonly rootIf: string;
  readonly dir: string;
}

/** Why the lab cannot run here, or null. */
export async function snmpdLabUnavailable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'the snmpd lab needs root (network namespaces, veth pairs, tc)';
  if (!existsSync(SNMPD_BIN)) return `snmpd is not installed (${SNMPD_BIN} is missing): apt-get install -y snmpd`;
  try {
    await sh('ip', ['netns', 'list']);
  } catch (err) {
    return `ip netns is not available: apt-get install -y iproute2 (${(err as Error).message.split('\n')[0]})`;
  }
  try {
    await sh('tc', ['-V']);
  } catch {
    return 'tc is not available: apt-get install -y iproute2';
  }
  return null;
}

/** Starts snmpd in a new namespace and resolves once it answers a v2c GET. */
export async function startSnmpd(opts: SnmpdLabOptions = {}): Promise<SnmpdLab> {
  const unavailable = await snmpdLabUnavailable();
  if (unavailable) throw new Error(unavailable);

  const ifName = opts.ifName ?? 'vlan101';
  const queues = [...(opts.queues ?? ['dinkes', 'disdik'])];
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/.test(ifName)) throw new Error(`ifName must be 1-15 of [A-Za-z0-9_.-]: ${ifName}`);
  if (ifName === IFB_IN || ifName === 'lo') throw new Error(`ifName ${ifName} is taken inside the namespace`);
  if (queues.length > MAX_QUEUES) throw new Error(`at most ${MAX_QUEUES} queues`);
  for (const q of queues) {
    if (!/^[\x21-\x7e][\x20-\x7e]{0,63}$/.test(q) || q === 'interface') throw new Error(`queue names must be printable ASCII and not 'interface': ${JSON.stringify(q)}`);
  }
  if (new Set(queues).size !== queues.length) throw new Error(`queue names must differ: ${queues.join(', ')}`);
  const community = opts.community ?? `ro-${randomBytes(6).toString('hex')}`;
  const v3 = {
    user: opts.v3?.user ?? 'limpah-poller',
    authProtocol: 'sha256' as const,
    authKey: opts.v3?.authKey ?? `auth-${randomBytes(8).toString('hex')}`,
    privProtocol: 'aes' as const,
    privKey: opts.v3?.privKey ?? `priv-${randomBytes(8).toString('hex')}`,
  };
  for (const [what, value] of [['community', community], ['v3 user', v3.user], ['v3 authKey', v3.authKey], ['v3 privKey', v3.privKey]] as const) {
    if (!/^[\x21-\x7e]+$/.test(value) || /["\\]/.test(value)) throw new Error(`${what} must be printable ASCII without spaces, quotes or backslashes`);
  }
  if (v3.authKey.length < 8 || v3.privKey.length < 8) throw new Error('v3 keys must be at least 8 characters (USM passphrases)');
  const port = opts.port ?? 161;
  const readyTimeoutMs = opts.readyTimeoutMs ?? 10_000;

  sweepStaleLocks();
  const tag = randomBytes(3).toString('hex');
  const namespace = `${NS_PREFIX}${tag}`;
  const rootIf = `lpsnmp${tag}`;
  const dir = join(tmpdir(), `limpah-snmpd-${tag}`);
  mkdirSync(join(dir, 'persist'), { recursive: true, mode: 0o700 });
  mkdirSync(join(dir, 'no-mibs'), { recursive: true });
  const { subnet, lockPath } = claimSubnet({ pid: process.pid, namespace, rootIf, dir });
  const host = `10.99.${subnet}.1`;
  const clientIp = `10.99.${subnet}.2`;
  const portFor = (target: TransferTarget): number => {
    if (target === 'interface') return SINK_PORT_BASE;
    const i = queues.indexOf(target);
    if (i < 0) throw new Error(`no queue ${JSON.stringify(target)}: the lab serves ${queues.join(', ')} (or 'interface')`);
    return SINK_PORT_BASE + 1 + i;
  };

  let snmpd: ChildProcess | undefined;
  let sink: ChildProcess | undefined;
  let output = '';
  const append = (d: Buffer): void => {
    output += d.toString();
    if (output.length > MAX_OUTPUT) output = output.slice(-MAX_OUTPUT);
  };
  const cleanupSync = (): void => {
    for (const child of [snmpd, sink]) {
      if (child?.pid && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGCONT');
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    removeLabSync({ pid: process.pid, namespace, rootIf, dir }, lockPath);
  };
  liveLabs.add(cleanupSync);
  ensureExitHook();

  const queueConfig = {
    tcBin: whichSync('tc'),
    outDev: ifName,
    inDev: IFB_IN,
    ifIndex: 0,
    targetIp: clientIp,
    queues: queues.map((name, i) => ({ index: i + 1, name, classId: classIdFor(i) })),
  };

  const startAgent = async (): Promise<void> => {
    const persisted = join(dir, 'persist', 'snmpd.conf');
    // -C: no system config. The persistent file (engine boots, localized user keys) is read back on a restart the
    // way a router keeps it, so the engine ID stays and snmpEngineBoots goes up.
    const confs = [join(dir, 'snmpd.conf'), ...(existsSync(persisted) ? [persisted] : [])];
    const args = ['-f', '-Lo', '-C', '-c', confs.join(','), '-p', join(dir, 'snmpd.pid'), `udp:${host}:${port}`];
    output += `--- ${SNMPD_BIN} ${args.join(' ')}\n`;
    const child = spawnInNs(namespace, SNMPD_BIN, args, {
      // No MIB files are needed (every OID is numeric); Debian ships few, and snmpd would complain about each.
      env: { ...process.env, MIBS: '', MIBDIRS: join(dir, 'no-mibs'), SNMP_PERSISTENT_DIR: join(dir, 'persist') },
    });
    snmpd = child;
    child.stdout!.on('data', append);
    child.stderr!.on('data', append);
    child.on('error', (err) => append(Buffer.from(`spawn error: ${err.message}\n`)));
    await waitAnswering(child);
    await liveInterfaceCounters(host, port, `${community}-rw`);
  };

  const waitAnswering = async (child: ChildProcess): Promise<void> => {
    const end = Date.now() + readyTimeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`snmpd exited before it answered (code ${child.exitCode}, signal ${child.signalCode})\n--- snmpd output ---\n${output}`);
      }
      if (await answersV2c(host, port, community)) return;
      if (Date.now() > end) {
        throw new Error(`snmpd did not answer a v2c GET of sysUpTime at ${host}:${port} within ${readyTimeoutMs} ms\n--- snmpd output ---\n${output}`);
      }
      await sleep(50);
    }
  };

  const stopAgent = async (): Promise<void> => {
    const child = snmpd;
    if (!child) return;
    // A silenced (stopped) snmpd would not act on SIGTERM until continued.
    if (child.pid && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGCONT');
    await kill(child);
    snmpd = undefined;
  };

  const stopAll = async (): Promise<void> => {
    await stopAgent();
    if (sink) await kill(sink);
    sink = undefined;
    // The pass_persist script exits with snmpd (its stdin closes); anything left in the namespace goes now.
    await killNamespacePids(namespace);
    await sh('ip', ['netns', 'del', namespace]).catch(() => undefined);
    await sh('ip', ['link', 'del', rootIf]).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    try {
      unlinkSync(lockPath);
    } catch {
      // already gone
    }
    liveLabs.delete(cleanupSync);
  };

  try {
    await sh('ip', ['netns', 'add', namespace]);
    await inNs(namespace, 'ip', ['link', 'set', 'lo', 'up']);
    await sh('ip', ['link', 'add', rootIf, 'type', 'veth', 'peer', 'name', ifName, 'netns', namespace]);
    // No IPv6: router solicitations and neighbour discovery would add to the counters the tests read.
    await sh('sysctl', ['-qw', `net.ipv6.conf.${rootIf}.disable_ipv6=1`]);
    await sh('ip', ['addr', 'add', `${clientIp}/24`, 'dev', rootIf]);
    await sh('ip', ['link', 'set', rootIf, 'up']);
    await inNs(namespace, 'sysctl', ['-qw', `net.ipv6.conf.${ifName}.disable_ipv6=1`]);
    await inNs(namespace, 'ip', ['addr', 'add', `${host}/24`, 'dev', ifName]);
    await inNs(namespace, 'ip', ['link', 'set', ifName, 'up']);
    await inNs(namespace, 'ip', ['link', 'add', IFB_IN, 'type', 'ifb']).catch((err: Error) => {
      throw new Error(`cannot make an ifb device in the namespace (modprobe ifb?): ${err.message}`);
    });
    await inNs(namespace, 'sysctl', ['-qw', `net.ipv6.conf.${IFB_IN}.disable_ipv6=1`]);
    await inNs(namespace, 'ip', ['link', 'set', IFB_IN, 'up']);
    await inNs(namespace, 'tc', ['qdisc', 'add', 'dev', ifName, 'handle', 'ffff:', 'ingress']);
    await inNs(namespace, 'tc', ['filter', 'add', 'dev', ifName, 'parent', 'ffff:', 'protocol', 'ip', 'u32', 'match', 'u32', '0', '0',
      'action', 'mirred', 'egress', 'redirect', 'dev', IFB_IN]);
    await makeQueueClasses(namespace, ifName, IFB_IN, queues.length);
    queueConfig.ifIndex = Number((await inNs(namespace, 'cat', [`/sys/class/net/${ifName}/ifindex`])).trim());
    writeFileSync(join(dir, 'queues.json'), JSON.stringify(queueConfig, null, 2));
    writeFileSync(join(dir, 'snmpd.conf'), snmpdConf({ tag, dir, community, clientIp, v3, ifName }), { mode: 0o600 });

    sink = spawnInNs(namespace, process.execPath, ['-e', SINK_SCRIPT, host, ...queues.map((_, i) => String(SINK_PORT_BASE + 1 + i)), String(SINK_PORT_BASE)]);
    sink.stderr!.on('data', append);
    await new Promise<void>((resolve, reject) => {
      const s = sink!;
      const timer = setTimeout(() => reject(new Error(`the traffic sink did not start\n${output}`)), 10_000);
      s.stdout!.on('data', (d: Buffer) => {
        if (d.toString().includes('READY')) {
          clearTimeout(timer);
          resolve();
        }
      });
      s.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the traffic sink exited (code ${code})\n${output}`));
      });
    });

    await startAgent();
  } catch (err) {
    await stopAll().catch(() => undefined);
    throw err;
  }

  let stopping: Promise<void> | undefined;
  return {
    host,
    port,
    clientIp,
    community,
    v3,
    ifName,
    queues,
    namespace,
    send: async (bytes, kbps, target = 'interface') => transfer('send', host, clientIp, portFor(target), bytes, kbps),
    receive: async (bytes, kbps, target = 'interface') => transfer('receive', host, clientIp, portFor(target), bytes, kbps),
    async restart(restartOpts = {}) {
      await stopAgent();
      if (restartOpts.resetQueueCounters) await makeQueueClasses(namespace, ifName, IFB_IN, queues.length, true);
      await startAgent();
    },
    resetQueueCounters: () => makeQueueClasses(namespace, ifName, IFB_IN, queues.length, true),
    silence() {
      if (!snmpd?.pid) throw new Error('snmpd is not running');
      process.kill(snmpd.pid, 'SIGSTOP');
    },
    resume() {
      if (!snmpd?.pid) throw new Error('snmpd is not running');
      process.kill(snmpd.pid, 'SIGCONT');
    },
    output: () => output,
    linkBytes: () => ({
      toAgent: Number(readFileSync(`/sys/class/net/${rootIf}/statistics/tx_bytes`, 'utf8')),
      fromAgent: Number(readFileSync(`/sys/class/net/${rootIf}/statistics/rx_bytes`, 'utf8')),
    }),
    stop() {
      stopping ??= stopAll();
      return stopping;
    },
  };
}

/** tc's class id for queue i (0-based): minor ids are hexadecimal to tc, and it prints them so. */
function classIdFor(i: number): string {
  return `1:${(0x10 + i).toString(16)}`;
}

/**
 * One HTB class per queue on the agent's interface (egress: BytesOut, matched by source port) and on the ifb that
 * its ingress is redirected to (BytesIn, matched by destination port), plus a default class for everything else.
 * Rates are far above what the tests send: the classes count, they do not shape. `replace` drops the old classes
 * first, so their counters start again from 0.
 */
async function makeQueueClasses(ns: string, outDev: string, inDev: string, queueCount: number, replace = false): Promise<void> {
  const htb = ['htb', 'rate', '1gbit', 'ceil', '1gbit', 'burst', '1mb', 'cburst', '1mb', 'quantum', '60000'];
  for (const [dev, portMatch] of [[outDev, 'sport'], [inDev, 'dport']] as const) {
    if (replace) await inNs(ns, 'tc', ['qdisc', 'del', 'dev', dev, 'root']).catch(() => undefined);
    await inNs(ns, 'tc', ['qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb', 'default', DEFAULT_CLASS.split(':')[1]!]);
    await inNs(ns, 'tc', ['class', 'add', 'dev', dev, 'parent', '1:', 'classid', '1:1', ...htb]);
    await inNs(ns, 'tc', ['class', 'add', 'dev', dev, 'parent', '1:1', 'classid', DEFAULT_CLASS, ...htb]);
    for (let i = 0; i < queueCount; i++) {
      const classId = classIdFor(i);
      await inNs(ns, 'tc', ['class', 'add', 'dev', dev, 'parent', '1:1', 'classid', classId, ...htb]);
      await inNs(ns, 'tc', ['filter', 'add', 'dev', dev, 'parent', '1:', 'protocol', 'ip', 'prio', '1', 'u32',
        'match', 'ip', portMatch, String(SINK_PORT_BASE + 1 + i), '0xffff', 'flowid', classId]);
    }
  }
}

function snmpdConf(o: {
  tag: string;
  dir: string;
  community: string;
  clientIp: string;
  v3: { user: string; authKey: string; privKey: string };
  ifName: string;
}): string {
  return `# Generated by test/support/snmpd.ts: a stand-in core router for the SNMP collector's tests.
[snmp] persistentDir ${o.dir}/persist
sysName limpah-core-${o.tag}
sysLocation test namespace ${NS_PREFIX}${o.tag}
sysContact limpah tests
sysServices 6
# A fixed engine ID (text format): a restart keeps it, as a rebooted router does.
engineID limpah-snmpd-${o.tag}
dontLogTCPWrappersConnects yes
rocommunity ${o.community} ${o.clientIp}
# Write access to NET-SNMP-AGENT-MIB nsCache only, from the test: see liveInterfaceCounters().
rwcommunity ${o.community}-rw ${o.clientIp} .1.3.6.1.4.1.8072.1.5
createUser ${o.v3.user} SHA-256 "${o.v3.authKey}" AES "${o.v3.privKey}"
rouser ${o.v3.user} priv
# MIKROTIK-MIB mtxrQueueSimpleTable stand-in (not RouterOS), counting tc classes on ${o.ifName} and ${IFB_IN}.
pass_persist .1.3.6.1.4.1.14988.1.1.2.1 ${process.execPath} ${QUEUE_PASS_SCRIPT} ${o.dir}/queues.json
`;
}

/**
 * Net-SNMP refreshes its IF-MIB data every 3 s (nsCacheTimeout of ifTable), so a poll reads counters up to 3 s old
 * and a 5-s interval holds one or two refreshes: rates of 0.6x or 1.2x what moved, exact only on average. A router's
 * own counters are read when asked. The stand-in is made to answer the same way: ifTable's cache timeout set to 0
 * (NET-SNMP-AGENT-MIB nsCacheTimeout, 1.3.6.1.4.1.8072.1.5.3.1.2.<table OID>) reloads it at every request.
 */
async function liveInterfaceCounters(host: string, port: number, rwCommunity: string): Promise<void> {
  const session = snmp.createSession(host, rwCommunity, { port, version: snmp.Version2c, timeout: 1000, retries: 2 });
  try {
    await new Promise<void>((resolve, reject) =>
      session.set([{ oid: '1.3.6.1.4.1.8072.1.5.3.1.2.1.3.6.1.2.1.2.2', type: snmp.ObjectType.Integer, value: 0 }], (err) =>
        err ? reject(new Error(`could not turn off snmpd's IF-MIB cache: ${err.message}`)) : resolve(),
      ),
    );
  } finally {
    session.close();
  }
}

/** True when the agent answers a v2c GET of sysUpTime.0 within 300 ms. */
function answersV2c(host: string, port: number, community: string): Promise<boolean> {
  return new Promise((resolve) => {
    const session = snmp.createSession(host, community, { port, version: snmp.Version2c, timeout: 300, retries: 0 });
    session.on('error', () => undefined);
    session.get(['1.3.6.1.2.1.1.3.0'], (err) => {
      session.close();
      resolve(!err);
    });
  });
}

/**
 * One TCP transfer across the veth. The first line tells the namespace's server what to do ('SINK', or
 * 'SOURCE <bytes> <kbps>'); it is a few bytes, not counted in the result.
 */
async function transfer(direction: 'send' | 'receive', host: string, clientIp: string, port: number, bytes: number, kbps: number): Promise<Transfer> {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new Error(`bytes must be a whole number >= 0: ${bytes}`);
  if (!(kbps > 0)) throw new Error(`kbps must be > 0: ${kbps}`);
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, localAddress: clientIp });
    let started = 0;
    let moved = 0;
    socket.on('error', reject);
    socket.once('connect', () => {
      started = Date.now();
      if (direction === 'receive') {
        socket.on('data', (d: Buffer) => (moved += d.length));
        socket.write(`SOURCE ${bytes} ${kbps}\n`);
      } else {
        socket.write('SINK\n');
        socket.resume(); // nothing comes back but the end
        pace(socket, bytes, kbps).then(
          (written) => {
            moved = written;
            socket.end();
          },
          (err: Error) => socket.destroy(err),
        );
      }
    });
    socket.once('close', (hadError) => {
      if (!hadError) resolve({ bytes: moved, ms: Date.now() - started });
    });
  });
}

const PACE_TICK_MS = 10;
const PACE_CHUNK = Buffer.alloc(16 * 1024, 0x61);

/** Writes `bytes` to `socket` at about `kbps` (1000 bit/s): each tick, what is due by the next one. */
async function pace(socket: Socket, bytes: number, kbps: number): Promise<number> {
  const bytesPerMs = kbps / 8;
  const start = Date.now();
  let written = 0;
  while (written < bytes) {
    const due = Math.min(bytes, Math.floor((Date.now() - start + PACE_TICK_MS) * bytesPerMs));
    while (written < due) {
      const n = Math.min(PACE_CHUNK.length, due - written);
      written += n;
      if (!socket.write(PACE_CHUNK.subarray(0, n))) await new Promise((r) => socket.once('drain', r));
    }
    if (written < bytes) await sleep(PACE_TICK_MS);
  }
  return written;
}

/**
 * The namespace's side of send()/receive(): a TCP server per port (argv: address, ports...), printing READY once all
 * listen. Plain JS for `node -e`; its pacing is pace() above.
 */
const SINK_SCRIPT = `
const net = require('node:net');
const [host, ...ports] = process.argv.slice(1);
const chunk = Buffer.alloc(16 * 1024, 0x62);
async function pace(sock, bytes, kbps) {
  const perMs = kbps / 8, start = Date.now();
  let written = 0;
  while (written < bytes) {
    const due = Math.min(bytes, Math.floor((Date.now() - start + ${PACE_TICK_MS}) * perMs));
    while (written < due) {
      const n = Math.min(chunk.length, due - written);
      written += n;
      if (!sock.write(chunk.subarray(0, n))) await new Promise((r) => sock.once('drain', r));
    }
    if (written < bytes) await new Promise((r) => setTimeout(r, ${PACE_TICK_MS}));
  }
}
let listening = 0;
for (const port of ports) {
  net.createServer((sock) => {
    let head = Buffer.alloc(0), mode = null;
    sock.on('error', () => undefined);
    sock.on('data', (d) => {
      if (mode) return;
      head = Buffer.concat([head, d]);
      const nl = head.indexOf(10);
      if (nl < 0) return;
      const [cmd, bytes, kbps] = head.subarray(0, nl).toString().split(' ');
      if (cmd === 'SINK') mode = 'sink';
      else if (cmd === 'SOURCE') {
        mode = 'source';
        pace(sock, Number(bytes), Number(kbps)).then(() => sock.end(), () => sock.destroy());
      } else sock.destroy();
    });
    sock.on('end', () => { if (mode !== 'source') sock.end(); });
  }).listen(Number(port), host, () => { if (++listening === ports.length) process.stdout.write('READY\\n'); });
}
`;

/** Claims a free 10.99.<n>.0/24 with an exclusive lock file; skips one whose address the machine already has. */
function claimSubnet(record: LockRecord): { subnet: number; lockPath: string } {
  const candidates = Array.from({ length: SUBNETS.last - SUBNETS.first + 1 }, (_, i) => SUBNETS.first + i);
  for (let i = candidates.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [candidates[i], candidates[j]] = [candidates[j]!, candidates[i]!];
  }
  const inUse = execFileSync('ip', ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' });
  for (const subnet of candidates) {
    if (inUse.includes(` 10.99.${subnet}.`)) continue;
    const lockPath = join(tmpdir(), `${LOCK_PREFIX}${subnet}.lock`);
    try {
      writeFileSync(lockPath, JSON.stringify(record), { flag: 'wx' });
      return { subnet, lockPath };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  throw new Error(`no free 10.99.x.0/24 in ${SUBNETS.first}-${SUBNETS.last} for the snmpd lab (lock files ${join(tmpdir(), LOCK_PREFIX)}*)`);
}

/** Removes what a worker that died (its pid is gone) left behind: its processes, namespace, temp dir and lock. */
function sweepStaleLocks(): void {
  for (const name of readdirSync(tmpdir())) {
    if (!name.startsWith(LOCK_PREFIX) || !name.endsWith('.lock')) continue;
    const lockPath = join(tmpdir(), name);
    let record: LockRecord;
    try {
      record = JSON.parse(readFileSync(lockPath, 'utf8')) as LockRecord;
    } catch {
      continue; // being written right now, or not ours to judge
    }
    if (pidAlive(record.pid) || !record.namespace.startsWith(NS_PREFIX)) continue;
    removeLabSync(record, lockPath);
  }
}

function removeLabSync(record: LockRecord, lockPath: string): void {
  const quiet = { stdio: 'ignore' as const, timeout: 10_000 };
  try {
    const pids = execFileSync('ip', ['netns', 'pids', record.namespace], { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore'] });
    for (const pid of pids.split(/\s+/).filter(Boolean).map(Number)) {
      try {
        process.kill(pid, 'SIGCONT');
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  } catch {
    // no such namespace
  }
  try {
    execFileSync('ip', ['netns', 'del', record.namespace], quiet);
  } catch {
    // already gone
  }
  try {
    execFileSync('ip', ['link', 'del', record.rootIf], quiet);
  } catch {
    // went with the namespace
  }
  rmSync(record.dir, { recursive: true, force: true });
  try {
    unlinkSync(lockPath);
  } catch {
    // already gone
  }
}

async function killNamespacePids(ns: string): Promise<void> {
  const pids = await sh('ip', ['netns', 'pids', ns]).catch(() => '');
  for (const pid of pids.split(/\s+/).filter(Boolean).map(Number)) {
    try {
      process.kill(pid, 'SIGCONT');
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function whichSync(tool: string): string {
  return execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Labs not yet stopped, cleaned up synchronously if the worker exits first. */
const liveLabs = new Set<() => void>();
let exitHooked = false;
function ensureExitHook(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const cleanup of liveLabs) cleanup();
  });
}

