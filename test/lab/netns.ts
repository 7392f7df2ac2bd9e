import { execFile, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Runs a command, or throws with what it printed. */
export async function sh(cmd: string, args: readonly string[], timeoutMs = 30_000): Promise<string> {
  try {
    const { stdout } = await execFileP(cmd, args, { timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as Error & { stderr?: string; stdout?: string };
    throw new Error(`${cmd} ${args.join(' ')} failed: ${e.message.split('\n')[0]}\n${e.stderr ?? ''}${e.stdout ?? ''}`);
  }
}

/** A command inside a namespace. */
export const inNs = (ns: string, cmd: string, args: readonly string[], timeoutMs?: number) => sh('ip', ['netns', 'exec', ns, cmd, ...args], timeoutMs);

export function spawnInNs(ns: string, cmd: string, args: readonly string[], options: SpawnOptions = {}): ChildProcess {
  return spawn('ip', ['netns', 'exec', ns, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

/**
 * Why the lab cannot run here, or null: it needs root, `ip netns`, veth, /dev/net/tun, iptables and dhclient.
 * Checked by making (and removing) a namespace, not by reading capabilities.
 */
export async function labUnavailable(): Promise<string | null> {
  if (process.getuid?.() !== 0) return 'the lab needs root (network namespaces, veth, iptables)';
  for (const tool of ['ip', 'iptables', 'ethtool', 'dhclient', 'curl', 'redis-server']) {
    try {
      await sh('sh', ['-c', `command -v ${tool}`]);
    } catch {
      return `the lab needs ${tool}: apt-get install -y iproute2 iptables ethtool isc-dhcp-client curl redis-server`;
    }
  }
  const probe = `lpprobe-${randomBytes(3).toString('hex')}`;
  try {
    await sh('ip', ['netns', 'add', probe]);
    await inNs(probe, 'ip', ['link', 'set', 'lo', 'up']);
    await inNs(probe, 'ip', ['tuntap', 'add', 'dev', 'lptest', 'mode', 'tun']);
    return null;
  } catch (err) {
    return `this machine cannot make network namespaces with a tun device: ${(err as Error).message.split('\n')[0]}`;
  } finally {
    await sh('ip', ['netns', 'del', probe]).catch(() => undefined);
  }
}

/** The lab's addresses (10.99.x.x, inside its namespaces only). */
export const LAB_NET = Object.freeze({
  coreIp: '10.99.1.1',
  gwWanIp: '10.99.1.2',
  fileServerIp: '10.99.2.1',
  uamIp: '10.99.10.1',
  clientNet: '10.99.10.0/24',
});

export interface Topology {
  readonly tag: string;
  readonly core: string;
  readonly gw: string;
  readonly phones: readonly string[];
  /** The bridge in the gateway that the phones plug into: Chilli's dhcpif. */
  readonly lanIf: string;
  readonly wanIf: string;
  readonly dir: string;
  destroy(): Promise<void>;
}

/**
 * Three kinds of namespace: core (Limpah and a file server), gw (the router) and one per phone, each phone on a
 * bridge in gw that Chilli serves DHCP on. Names carry a random tag, so runs never collide; `destroy` removes
 * them all (deleting a namespace removes its veths).
 */
export async function makeTopology(dir: string, phoneCount: number): Promise<Topology> {
  const tag = randomBytes(3).toString('hex');
  const core = `lpcore-${tag}`;
  const gw = `lpgw-${tag}`;
  const phones = Array.from({ length: phoneCount }, (_, i) => `lpph${i + 1}-${tag}`);
  const all = [core, gw, ...phones];
  const destroy = async () => {
    for (const ns of all) await sh('ip', ['netns', 'del', ns]).catch(() => undefined);
  };
  const lanIf = 'br-lan';
  const wanIf = 'wan0';
  try {
    for (const ns of all) {
      await sh('ip', ['netns', 'add', ns]);
      await inNs(ns, 'ip', ['link', 'set', 'lo', 'up']);
    }
    // core <-> gw (WAN): created in core with the peer moved into gw, names short and per run.
    await inNs(core, 'ip', ['link', 'add', 'up0', 'type', 'veth', 'peer', 'name', wanIf, 'netns', gw]);
    await inNs(core, 'ip', ['addr', 'add', `${LAB_NET.coreIp}/24`, 'dev', 'up0']);
    await inNs(core, 'ip', ['addr', 'add', `${LAB_NET.fileServerIp}/24`, 'dev', 'up0']);
    await inNs(core, 'ip', ['link', 'set', 'up0', 'up']);
    await inNs(core, 'ip', ['route', 'add', LAB_NET.clientNet, 'via', LAB_NET.gwWanIp]);
    await inNs(gw, 'ip', ['addr', 'add', `${LAB_NET.gwWanIp}/24`, 'dev', wanIf]);
    await inNs(gw, 'ip', ['link', 'set', wanIf, 'up']);
    await inNs(gw, 'ip', ['route', 'add', 'default', 'via', LAB_NET.coreIp]);
    await inNs(gw, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    // The LAN: a bridge without an address, Chilli's dhcpif. IPv6 off: Chilli handles IPv4 only.
    await inNs(gw, 'ip', ['link', 'add', lanIf, 'type', 'bridge']);
    await inNs(gw, 'sysctl', ['-qw', `net.ipv6.conf.${lanIf}.disable_ipv6=1`]);
    await inNs(gw, 'ip', ['link', 'set', lanIf, 'up']);
    for (const [i, phone] of phones.entries()) {
      const port = `lan${i + 1}`;
      await inNs(gw, 'ip', ['link', 'add', port, 'type', 'veth', 'peer', 'name', 'wlan0', 'netns', phone]);
      await inNs(gw, 'sysctl', ['-qw', `net.ipv6.conf.${port}.disable_ipv6=1`]);
      await inNs(gw, 'ip', ['link', 'set', port, 'master', lanIf, 'up']);
      await inNs(phone, 'sysctl', ['-qw', 'net.ipv6.conf.wlan0.disable_ipv6=1']);
      await inNs(phone, 'ip', ['link', 'set', 'wlan0', 'address', phoneMac(i)]);
      await inNs(phone, 'ip', ['link', 'set', 'wlan0', 'up']);
      // Chilli reads raw frames and forwards walled-garden packets as they are: no partial checksums.
      await inNs(phone, 'ethtool', ['-K', 'wlan0', 'tx', 'off', 'tso', 'off', 'gso', 'off']);
      await inNs(gw, 'ethtool', ['-K', port, 'tx', 'off', 'tso', 'off', 'gso', 'off']);
    }
    // As Chilli's own up.sh does: the gateway's kernel must not answer or forward for the LAN itself.
    await inNs(gw, 'iptables', ['-A', 'INPUT', '-i', lanIf, '-j', 'DROP']);
    await inNs(gw, 'iptables', ['-A', 'FORWARD', '-i', lanIf, '-j', 'DROP']);
    await inNs(gw, 'iptables', ['-A', 'FORWARD', '-o', lanIf, '-j', 'DROP']);
  } catch (err) {
    await destroy();
    throw err;
  }
  return { tag, core, gw, phones, lanIf, wanIf, dir, destroy };
}

/** Each phone's MAC: locally administered, stable per phone number. */
export function phoneMac(index: number): string {
  return `02:99:00:00:00:${(index + 1).toString(16).padStart(2, '0')}`;
}

/**
 * dhclient in a phone namespace with a script that only sets the address and route on the phone's interface:
 * the default script would rewrite the machine's /etc/resolv.conf.
 */
export async function dhcp(topology: Topology, phone: string): Promise<string> {
  const script = join(topology.dir, 'dhclient-script.sh');
  writeFileSync(
    script,
    `#!/bin/sh
case "$reason" in
  BOUND|RENEW|REBIND|REBOOT)
    ip addr flush dev "$interface"
    ip addr add "$new_ip_address/\${new_subnet_mask:-255.255.255.0}" dev "$interface"
    for r in $new_routers; do ip route replace default via "$r" dev "$interface"; break; done ;;
esac
exit 0
`,
  );
  chmodSync(script, 0o755);
  const lease = join(topology.dir, `${phone}.leases`);
  const pid = join(topology.dir, `${phone}.dhclient.pid`);
  await inNs(phone, 'dhclient', ['-4', '-1', '-sf', script, '-lf', lease, '-pf', pid, 'wlan0'], 40_000);
  const addr = await inNs(phone, 'ip', ['-4', '-o', 'addr', 'show', 'dev', 'wlan0']);
  const m = /inet (\d+\.\d+\.\d+\.\d+)\//.exec(addr);
  if (!m) throw new Error(`${phone} got no address from Chilli's DHCP: ${addr}`);
  // The one-shot dhclient keeps running to renew; the lease outlives the lab, so it is stopped.
  await sh('sh', ['-c', `kill $(cat ${pid}) 2>/dev/null || true`]);
  return m[1]!;
}
