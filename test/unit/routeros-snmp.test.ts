import { isIP } from 'node:net';
import { POLLER_ADDRESS_PLACEHOLDER, pollerAddressOf, routerOsSnmpScript, type SnmpScriptInput } from '../../src/admin/routeros-snmp';
import { rosSecret as rosQuoted } from '../../src/admin/routeros';
import { words } from '../support/routeros-words';

/**
 * The RouterOS commands that let Limpah poll a core router over SNMP, checked command by command against the
 * documented syntax (sources in src/admin/routeros-snmp.ts):
 *  - help.mikrotik.com/docs/display/ROS/SNMP, "Community" properties: addresses (IP/IPv6 networks), security
 *    (authorized | none | private), authentication-protocol (MD5 | SHA1), authentication-password,
 *    encryption-protocol (DES | AES), encryption-password, read-access and write-access (yes | no), name; and /snmp
 *    "enabled (yes | no)";
 *  - terraform-routeros' routeros/resource_snmp_community.go (RouterOS 7 field names): addresses, comment, disabled,
 *    and the read-only `default` flag;
 *  - SHA256: RouterOS 7 configurations in public repositories (not in the MikroTik pages above), so the script tells
 *    the engineer how to check for it and fall back to SHA1.
 */

type Check = (value: string) => boolean;
const oneOf = (...values: string[]): Check => (v) => values.includes(v);
/** A RouterOS string: a word without spaces, quotes, $, ? or brackets, or a quoted string with \\, ", $ and ? escaped. */
const str: Check = (v) => /^[^\s"$?\\[\]{};]+$/.test(v) || /^"(?:[^"\\$?]|\\["\\$?])*"$/.test(v);
const yesNo = oneOf('yes', 'no');
const prefix: Check = (v) => {
  const [ip, len, ...rest] = v.split('/');
  return rest.length === 0 && isIP(ip ?? '') !== 0 && /^\d+$/.test(len ?? '') && Number(len) <= (isIP(ip ?? '') === 4 ? 32 : 128);
};

const DOCUMENTED: Record<string, { settings?: boolean; find?: Record<string, Check>; args: Record<string, Check> }> = {
  '/snmp': { settings: true, args: { enabled: yesNo } },
  '/snmp community': {
    find: { default: yesNo, comment: str },
    args: {
      name: str, addresses: prefix, security: oneOf('authorized', 'none', 'private'), 'authentication-protocol': oneOf('MD5', 'SHA1', 'SHA256'),
      'authentication-password': str, 'encryption-protocol': oneOf('DES', 'AES'), 'encryption-password': str, 'read-access': yesNo, 'write-access': yesNo,
      comment: str, disabled: yesNo,
    },
  },
};

/** A quoted RouterOS string back to its value. */
function unquote(v: string): string {
  return v.slice(1, -1).replace(/\\(.)/g, '$1');
}

/** Checks every command of a script; returns each command's arguments by menu and verb. */
function checkScript(script: string): Array<{ menu: string; verb: string; args: Record<string, string>; selector?: string }> {
  const commands: Array<{ menu: string; verb: string; args: Record<string, string>; selector?: string }> = [];
  for (const line of script.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    expect(line.startsWith('/')).toBe(true);
    const w = words(line);
    const verbAt = w.findIndex((x) => ['set', 'add', 'remove'].includes(x));
    const menu = w.slice(0, verbAt).join(' ');
    const verb = w[verbAt]!;
    const spec = DOCUMENTED[menu];
    expect([line, spec !== undefined]).toEqual([line, true]);
    let rest = w.slice(verbAt + 1);
    let selector: string | undefined;
    if (rest[0]?.startsWith('[')) {
      selector = rest[0];
      rest = rest.slice(1);
      // [find default=yes], [find where comment="Limpah"]
      const inner = words(selector.slice(1, -1));
      expect(inner[0]).toBe('find');
      for (const cond of inner.slice(1).filter((x) => x !== 'where')) {
        const [k, v] = [cond.slice(0, cond.indexOf('=')), cond.slice(cond.indexOf('=') + 1)];
        expect([line, k, spec!.find?.[k]?.(v)]).toEqual([line, k, true]);
      }
    } else if (verb !== 'add') {
      expect([line, spec!.settings]).toEqual([line, true]);
    }
    const args: Record<string, string> = {};
    for (const arg of rest) {
      const eq = arg.indexOf('=');
      const [k, v] = [arg.slice(0, eq), arg.slice(eq + 1)];
      expect([line, k, spec!.args[k]?.(v)]).toEqual([line, k, true]);
      args[k] = v;
    }
    commands.push({ menu, verb, args, ...(selector ? { selector } : {}) });
  }
  return commands;
}

const V3: SnmpScriptInput['device'] = {
  id: 'core-router', host: '10.20.0.1', port: 161, version: '3', user: 'limpah-poller', authProtocol: 'sha256',
  authKey: 'auth-Key"with$odd?chars\\', privKey: 'priv-key-123456',
};

describe('the RouterOS commands that let Limpah poll a core router over SNMP', () => {
  it('makes a read-only SNMP v3 user (SHA-256, AES) for Limpah\'s address only, switches the built-in community off and SNMP on', () => {
    const script = routerOsSnmpScript({ device: V3, pollerAddress: '10.20.0.5', reveal: true });
    const commands = checkScript(script);
    expect(commands.map((c) => `${c.menu} ${c.verb}`)).toEqual(['/snmp community set', '/snmp community remove', '/snmp community add', '/snmp set']);
    expect(commands[0]).toMatchObject({ selector: '[find default=yes]', args: { disabled: 'yes' } });
    expect(commands[1]).toMatchObject({ selector: '[find where comment="Limpah"]' });
    const add = commands[2]!.args;
    expect(add).toMatchObject({
      name: '"limpah-poller"', addresses: '10.20.0.5/32', security: 'private', 'authentication-protocol': 'SHA256', 'encryption-protocol': 'AES',
      'read-access': 'yes', 'write-access': 'no', comment: '"Limpah"',
    });
    // The keys reach the router exactly as Limpah has them: ", $, ? and \ escaped, nothing dropped.
    expect(unquote(add['authentication-password']!)).toBe(V3.authKey);
    expect(add['authentication-password']).toBe('"auth-Key\\"with\\$odd\\?chars\\\\"');
    expect(unquote(add['encryption-password']!)).toBe(V3.privKey);
    expect(commands[3]!.args).toEqual({ enabled: 'yes' });
    expect(script).toContain('keep the file private');
  });

  it('writes SHA1 for a device set to SHA, and says how to fall back when a router lacks SHA256', () => {
    const sha1 = routerOsSnmpScript({ device: { ...V3, authProtocol: 'sha' }, pollerAddress: '10.20.0.5', reveal: true });
    expect(checkScript(sha1)[2]!.args['authentication-protocol']).toBe('SHA1');
    expect(sha1).not.toContain('SHA256');
    expect(routerOsSnmpScript({ device: V3, pollerAddress: '10.20.0.5', reveal: true })).toMatch(/If the router offers only MD5 and SHA1, set the device's authentication to SHA in Limpah/);
  });

  it('puts placeholders where the keys go unless asked to reveal them, keeping the user name', () => {
    const script = routerOsSnmpScript({ device: V3, pollerAddress: '10.20.0.5', reveal: false });
    expect(script).not.toContain('auth-Key');
    expect(script).not.toContain(V3.privKey);
    const add = checkScript(script)[2]!.args;
    expect(add).toMatchObject({ name: '"limpah-poller"', 'authentication-password': 'AUTH_KEY', 'encryption-password': 'PRIV_KEY' });
    expect(script).toContain('AUTH_KEY and PRIV_KEY stand where the keys go');
  });

  it('makes a read-only v2c community when the device is polled over v2c, its name hidden unless revealed', () => {
    const device = { id: 'old-router', host: '10.20.0.2', port: 161, version: '2c' as const, community: 'ro-Sampit$2026', authProtocol: 'sha256' as const };
    const hidden = checkScript(routerOsSnmpScript({ device, pollerAddress: '10.20.0.5', reveal: false }));
    expect(hidden[2]!.args).toEqual({ name: 'COMMUNITY', addresses: '10.20.0.5/32', security: 'none', 'read-access': 'yes', 'write-access': 'no', comment: '"Limpah"' });
    const shown = checkScript(routerOsSnmpScript({ device, pollerAddress: '10.20.0.5', reveal: true }));
    expect(unquote(shown[2]!.args['name']!)).toBe('ro-Sampit$2026');
    expect(shown[2]!.args).not.toHaveProperty('authentication-password');
  });

  it('marks an unknown poller address with a placeholder RouterOS refuses, and takes an IPv6 one as /128', () => {
    const unknown = routerOsSnmpScript({ device: V3, pollerAddress: undefined, reveal: true });
    expect(unknown).toContain(`addresses=${POLLER_ADDRESS_PLACEHOLDER} `);
    expect(unknown).toContain(`Still to replace: ${POLLER_ADDRESS_PLACEHOLDER}`);
    const v6 = routerOsSnmpScript({ device: V3, pollerAddress: '2001:db8::5', reveal: true });
    expect(checkScript(v6)[2]!.args['addresses']).toBe('2001:db8::5/128');
    expect(v6).toContain('#    /ipv6 firewall filter add chain=input protocol=udp dst-port=161 src-address=2001:db8::5');
    expect(pollerAddressOf({ address: 'radius.kotim.go.id' })).toBeUndefined();
    expect(pollerAddressOf({ address: '10.20.0.5' })).toBe('10.20.0.5');
    expect(pollerAddressOf(undefined)).toBeUndefined();
  });

  it('says when Limpah polls another port than 161, and refuses a key it could not type into the terminal', () => {
    expect(routerOsSnmpScript({ device: { ...V3, port: 1161 }, pollerAddress: '10.20.0.5', reveal: false })).toContain('must forward 1161 to 161');
    expect(() => routerOsSnmpScript({ device: { ...V3, privKey: 'priv\nkey-123' }, pollerAddress: '10.20.0.5', reveal: true })).toThrow(/control character/);
    expect(rosQuoted('a?b')).toBe('"a\\?b"');
  });
});
