import { isIP } from 'node:net';
import { loadConfig } from '../../src/config/env';
import { RADIUS_ADDRESS_PLACEHOLDER, routerOsScript, type RadiusEndpoint } from '../../src/admin/router-config';
import type { HotspotView } from '../../src/admin/service';
import type { NasRecord } from '../../src/pool/site-store';
import { words } from '../support/routeros-words';

/**
 * The generated RouterOS script, checked command by command against RouterOS's documented syntax. The property
 * tables below are quoted from MikroTik's documentation:
 *  - RouterOS CLI reference, manual.mikrotik.com/docs/cli-reference/ (radius.md, ip/hotspot.md, ip/hotspot/profile.md,
 *    ip/hotspot/walled-garden.md, ip/hotspot/walled-garden/ip.md, system/identity.md): the argument names and types;
 *  - help.mikrotik.com/docs/spaces/ROS/pages/328097/RADIUS: /radius and /radius incoming properties with defaults;
 *  - Manual:IP/Hotspot/Walled Garden (wiki.mikrotik.com): what dst-host and dst-port mean in the IP walled garden.
 */

type Check = (value: string) => boolean;

const num = (min: number, max: number): Check => (v) => /^\d+$/.test(v) && Number(v) >= min && Number(v) <= max;
const oneOf = (...values: string[]): Check => (v) => values.includes(v);
const ipv4: Check = (v) => isIP(v) === 4;
const ipv4or6: Check = (v) => isIP(v) !== 0;
/** A RouterOS string: a word without spaces, quotes, $ or brackets, or a quoted string with \\, " and $ escaped. */
const str: Check = (v) => /^[^\s"$\\[\]{};]+$/.test(v) || /^"(?:[^"\\$]|\\["\\$])*"$/.test(v);
/** A time value, e.g. 3s or 1100ms. */
const time: Check = (v) => /^\d+(?:ms|s|m|h|d|w)?$/.test(v);
/** A host name as the walled gardens take it (not a regular expression, not a wildcard). */
const hostName: Check = (v) => /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(v);
const ubit = (...bits: string[]): Check => (v) => v.split(',').every((b) => bits.includes(b));

/** Each documented menu: its commands, and for add/set the arguments with what they take. */
const DOCUMENTED: Record<string, { settings?: boolean; args: Record<string, Check> }> = {
  // system/identity (Settings Directory): "name (string): Name of the router, up to 64 characters".
  '/system identity': { settings: true, args: { name: (v) => str(v) && v.length <= 66 } },
  // radius (Directory): "service: ubit (ppp, login, hotspot, wireless, dhcp, ipsec, dot1x)", "address: address (flags=46v)
  // mandatory" ("IPv4 or IPv6 address of RADIUS server"), "secret: string", "authentication-port (integer [1..65535];
  // Default: 1812)", "accounting-port (integer [1..65535]; Default: 1813)", "timeout (time; Default: 1100ms)",
  // "src-address (ipv4/ipv6 address)", "require-message-auth: enum (no | yes-for-request-resp)", "comment (string)".
  '/radius': {
    args: {
      service: ubit('ppp', 'login', 'hotspot', 'wireless', 'dhcp', 'ipsec', 'dot1x'), address: ipv4or6, secret: str,
      'authentication-port': num(1, 65535), 'accounting-port': num(1, 65535), timeout: time, 'src-address': ipv4or6,
      'require-message-auth': oneOf('no', 'yes-for-request-resp'), comment: str,
    },
  },
  // radius/incoming (Settings Directory): "accept (yes | no; Default: no) Whether to accept unsolicited messages",
  // "port (integer; Default: 3799) The port number to listen for the requests on", "vrf".
  '/radius incoming': { settings: true, args: { accept: oneOf('yes', 'no'), port: num(1, 65535) } },
  // ip/hotspot/profile (Directory): "use-radius: bool", "radius-accounting: bool", "radius-interim-update: alt
  // { symbolic-names: enum (received), time-interval: time }", "login-by: ubit (mac, cookie, http-chap, https, http-pap,
  // trial, mac-cookie)", "nas-port-type: enum (ethernet | cable | wireless-802.11)", "html-directory: file", "name: string".
  '/ip hotspot profile': {
    args: {
      name: str, 'use-radius': oneOf('yes', 'no'), 'radius-accounting': oneOf('yes', 'no'), 'radius-interim-update': (v) => v === 'received' || time(v),
      'login-by': ubit('mac', 'cookie', 'http-chap', 'https', 'http-pap', 'trial', 'mac-cookie'), 'nas-port-type': oneOf('ethernet', 'cable', 'wireless-802.11'),
      'html-directory': str,
    },
  },
  // ip/hotspot (Directory): "interface: iface_enum mandatory", "profile: enum".
  '/ip hotspot': { args: { interface: str, profile: str } },
  // ip/hotspot/walled-garden (Directory): "dst-host: host: string", "dst-port: ports", "path", "action: enum (allow | deny)".
  '/ip hotspot walled-garden': { args: { 'dst-host': hostName, 'dst-port': num(0, 65535), action: oneOf('allow', 'deny'), comment: str } },
  // ip/hotspot/walled-garden/ip (Directory): "dst-address: range: ipRange", "dst-host: string", "protocol: enum",
  // "dst-port: num [0 .. 65535]", "action: enum (accept | drop | reject)". The wiki: dst-host is "domain name of the
  // destination web server (this is not a regular expression or a wildcard of any kind)"; dst-port is "the TCP or UDP
  // port (protocol MUST be specified explicitly in the protocol property)".
  '/ip hotspot walled-garden ip': {
    args: { 'dst-address': ipv4, 'dst-host': hostName, protocol: oneOf('tcp', 'udp'), 'dst-port': num(0, 65535), action: oneOf('accept', 'drop', 'reject'), comment: str },
  },
};

/** A selector as the script writes them: [find], [find where k=v], or the profile of the hotspot server. */
function checkSelector(menu: string, selector: string): void {
  const where = /^\[find(?: where (.+))?\]$/.exec(selector);
  if (where) {
    for (const [k, v] of (where[1] ?? '').split(' and ').filter(Boolean).map((c) => c.split(/=(.*)/s))) {
      expect({ menu, k, documented: k === 'comment' || (k ?? '') in (DOCUMENTED[menu]?.args ?? {}) }).toEqual({ menu, k, documented: true });
      expect(str(v ?? '')).toBe(true);
    }
    return;
  }
  // The profile the hotspot server uses: `get` on one item of /ip hotspot returns its "profile" argument.
  expect(selector).toBe('[/ip hotspot get [find] profile]');
}

/** Checks every command of a script against DOCUMENTED; returns them as "menu verb". */
function checkScript(script: string): string[] {
  const commands: string[] = [];
  for (const line of script.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const w = words(line);
    const verbAt = w.findIndex((x) => ['add', 'set', 'remove'].includes(x));
    expect(verbAt).toBeGreaterThan(0);
    const menu = w.slice(0, verbAt).join(' ');
    const verb = w[verbAt]!;
    const doc = DOCUMENTED[menu];
    expect({ line, documented: doc !== undefined }).toEqual({ line, documented: true });
    let rest = w.slice(verbAt + 1);
    if (verb === 'remove' || (verb === 'set' && !doc!.settings)) {
      checkSelector(menu, rest[0] ?? '');
      rest = rest.slice(1);
    }
    if (verb === 'remove') expect(rest).toEqual([]);
    for (const arg of rest) {
      const [name, value] = arg.split(/=(.*)/s) as [string, string | undefined];
      const check = doc!.args[name];
      expect({ line, name, documented: check !== undefined }).toEqual({ line, name, documented: true });
      expect({ line, name, value, valid: value !== undefined && check!(value) }).toEqual({ line, name, value, valid: true });
    }
    commands.push(`${menu} ${verb}`);
  }
  return commands;
}

const hotspot = { id: 'aula-desa-pundu', name: 'Aula Desa Pundu' } as HotspotView;
const nas = (o: Partial<NasRecord> = {}): NasRecord => ({
  ip: '10.30.1.2', type: 'mikrotik', identifier: 'MT-Pundu', secret: 's3cr3t-abc$"x', hotspotId: 'aula-desa-pundu', requireMessageAuthenticator: true,
  limitProxyState: true, coaPort: 3799, rateChange: 'coa', source: 'console', ...o,
});
const radius = (o: Partial<RadiusEndpoint> = {}): RadiusEndpoint => ({ address: '10.20.0.5', authPort: 1812, acctPort: 1813, ...o });

describe('the generated RouterOS script', () => {
  it('emits only documented commands and arguments, each with a value RouterOS takes', () => {
    const script = routerOsScript({ hotspot, nas: nas(), publicUrl: 'https://wifi.kotimkab.go.id', radius: radius() });
    expect(checkScript(script)).toEqual([
      '/system identity set',
      '/radius remove', '/radius add',
      '/radius incoming set',
      '/ip hotspot profile set',
      '/ip hotspot walled-garden remove', '/ip hotspot walled-garden add',
      '/ip hotspot walled-garden ip remove', '/ip hotspot walled-garden ip add',
    ]);
    // The checker itself refuses what RouterOS would: an undocumented argument, a host name for an address, a bad enum.
    for (const bad of ['/radius add address=wifi.example secret=x', '/radius add address=10.0.0.1 port=1812', '/radius add address=10.0.0.1 require-message-auth=yes', '/ip hotspot walled-garden ip add dst-address=10.0.0.1 action=allow', '/radius incoming set accept=yes port=0']) {
      expect(() => checkScript(bad)).toThrow();
    }
    // The hints in comments are commands too, and must paste as cleanly.
    const hints = script.split('\n').filter((l) => /^#\s+\/(radius|ip)/.test(l)).map((l) => l.replace(/^#\s+/, ''));
    expect(hints.length).toBe(2);
    expect(() => checkScript(hints[0]!)).not.toThrow();
  });

  it('takes the RADIUS address, auth and accounting ports and the CoA port from configuration, not fixed values', () => {
    const script = routerOsScript({ hotspot, nas: nas({ coaPort: 1700 }), publicUrl: 'https://wifi.kotimkab.go.id', radius: radius({ address: '10.20.0.9', authPort: 1645, acctPort: 1646 }) });
    expect(script).toContain('/radius add service=hotspot address=10.20.0.9 secret="s3cr3t-abc\\$\\"x" authentication-port=1645 accounting-port=1646 timeout=3s require-message-auth=yes-for-request-resp comment="Limpah"\n');
    expect(script).toContain('\n/radius incoming set accept=yes port=1700\n');
    expect(script).toContain('dst-port=1700 src-address=10.20.0.9');
    expect(script).not.toMatch(/1812|1813|3799/);
    checkScript(script);
  });

  it('never puts the portal host name where RouterOS needs an address, and lets the portal through on its own port', () => {
    const script = routerOsScript({ hotspot, nas: nas(), publicUrl: 'https://wifi.kotimkab.go.id', radius: radius() });
    expect(script).toMatch(/^\/radius add service=hotspot address=10\.20\.0\.5 /m);
    expect(script).toContain('/ip hotspot walled-garden add dst-host=wifi.kotimkab.go.id action=allow comment="Limpah portal"');
    expect(script).toContain('/ip hotspot walled-garden ip add dst-host=wifi.kotimkab.go.id protocol=tcp dst-port=443 action=accept comment="Limpah portal"');
    expect(script).not.toMatch(/(address|dst-address)=wifi/);
    // A portal served from an address on a port of its own: that address, that port, that scheme.
    const plain = routerOsScript({ hotspot, nas: nas(), publicUrl: 'http://10.20.0.5:3000', radius: radius() });
    expect(plain).toContain('/ip hotspot walled-garden ip add dst-address=10.20.0.5 protocol=tcp dst-port=3000 action=accept');
    expect(plain).toContain('The portal: http://10.20.0.5:3000 (TCP 3000)');
    expect(plain).not.toContain('https://');
    checkScript(plain);
  });

  it('reads as written for this router: no placeholder, no template text left over, no lost scheme or port', () => {
    const script = routerOsScript({ hotspot, nas: nas(), publicUrl: 'http://portal.kotim.test:8080', radius: radius() });
    expect(script).not.toMatch(/ROUTER_IDENTITY|LIMPAH_SECRET|LIMPAH_RADIUS_IP|PORTAL_HOST|HOTSPOT_INTERFACE|HOTSPOT_ID|portal\.example\.id/);
    expect(script).not.toContain('https://portal.kotim.test');
    expect(script).toContain('http://portal.kotim.test:8080');
    expect(script).toContain('dst-port=8080');
    expect(script).toContain('/system identity set name="MT-Pundu"');
    expect(script).toContain('#    /radius set [find where comment="Limpah"] src-address=10.30.1.2');
  });

  it('leaves the RADIUS address to replace, and says how to have it filled in, when Limpah does not know it', () => {
    const script = routerOsScript({ hotspot, nas: nas(), publicUrl: 'https://wifi.kotimkab.go.id', radius: radius({ address: undefined }) });
    expect(script).toContain(`# Still to replace: ${RADIUS_ADDRESS_PLACEHOLDER}`);
    expect(script).toContain('RADIUS_PUBLIC_ADDRESS');
    expect(script).toContain(`/radius add service=hotspot address=${RADIUS_ADDRESS_PLACEHOLDER} `);
    // RouterOS refuses it as an address, so the router cannot be left pointing at a wrong one.
    expect(() => checkScript(script)).toThrow();
  });

  it('omits require-message-auth for a router set up without Message-Authenticator (RouterOS before 7.15)', () => {
    const script = routerOsScript({ hotspot, nas: nas({ requireMessageAuthenticator: false }), publicUrl: 'https://w.example', radius: radius() });
    expect(script).not.toContain('require-message-auth=');
    checkScript(script);
  });

  it('takes an IPv6 RADIUS address, and refuses names or junk where an address or a port goes', () => {
    const v6 = routerOsScript({ hotspot, nas: nas(), publicUrl: 'https://w.example', radius: radius({ address: 'fd00::5' }) });
    expect(v6).toContain('address=fd00::5 ');
    expect(v6).toContain('#    /ipv6 firewall filter add chain=input protocol=udp dst-port=3799 src-address=fd00::5');
    checkScript(v6);
    expect(() => routerOsScript({ hotspot, nas: nas(), publicUrl: 'https://w.example', radius: radius({ address: 'wifi.kotimkab.go.id' }) })).toThrow(/not an address/);
    expect(() => routerOsScript({ hotspot, nas: nas(), publicUrl: 'https://w.example', radius: radius({ address: '10.0.0.1 ; /user add' }) })).toThrow(/not an address/);
    expect(() => routerOsScript({ hotspot, nas: nas(), publicUrl: 'https://w.example', radius: radius({ authPort: 0 }) })).toThrow(/RADIUS_AUTH_PORT/);
  });
});

describe('RADIUS_PUBLIC_ADDRESS', () => {
  it('is an IP address, validated at start, and defaults to RADIUS_HOST only when that is one reachable address', () => {
    expect(loadConfig({ RADIUS_PUBLIC_ADDRESS: '10.20.0.5' }).radius.publicAddress).toBe('10.20.0.5');
    expect(loadConfig({ RADIUS_PUBLIC_ADDRESS: 'fd00::5' }).radius.publicAddress).toBe('fd00::5');
    expect(() => loadConfig({ RADIUS_PUBLIC_ADDRESS: 'wifi.kotimkab.go.id' })).toThrow(/RADIUS_PUBLIC_ADDRESS: .*address.* \(got "wifi\.kotimkab\.go\.id"\)/);
    expect(() => loadConfig({ RADIUS_PUBLIC_ADDRESS: '0.0.0.0' })).toThrow(/RADIUS_PUBLIC_ADDRESS/);
    expect(loadConfig({}).radius.publicAddress).toBeUndefined();
    expect(loadConfig({ RADIUS_PUBLIC_ADDRESS: '' }).radius.publicAddress).toBeUndefined();
    expect(loadConfig({ RADIUS_HOST: '10.20.0.7' }).radius.publicAddress).toBe('10.20.0.7');
    expect(loadConfig({ RADIUS_HOST: '127.0.0.1' }).radius.publicAddress).toBeUndefined();
    expect(loadConfig({ RADIUS_HOST: '10.20.0.7', RADIUS_PUBLIC_ADDRESS: '203.0.113.9' }).radius.publicAddress).toBe('203.0.113.9');
  });
});
