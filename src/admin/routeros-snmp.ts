import { isIP } from 'node:net';
import type { SnmpDevice } from '../config/site';

/**
 * The RouterOS 7 commands that let Limpah read a core router's traffic counters over SNMP, for the device page of
 * the console (like the hotspot's setup script, src/admin/router-config.ts): a read-only community limited to the
 * address Limpah polls from, the default community switched off, SNMP on.
 *
 * Syntax, checked command by command in test/unit/routeros-snmp.test.ts, from:
 *  - MikroTik's SNMP manual (help.mikrotik.com/docs/display/ROS/SNMP, "Community" properties, and its RouterOS v6/v7
 *    page history): `/snmp community` takes `name`, `addresses` (IP/IPv6 networks allowed to connect; "address" in
 *    old pages), `security` (authorized | none | private), `authentication-protocol` (MD5 | SHA1),
 *    `authentication-password`, `encryption-protocol` (DES | AES; AES "available since v6.16"),
 *    `encryption-password`, `read-access` and `write-access` (yes | no); `/snmp` takes `enabled` (yes | no).
 *  - The terraform-routeros provider's /snmp/community resource (terraform-routeros/terraform-provider-routeros,
 *    routeros/resource_snmp_community.go), which reads RouterOS 7's own field names: `addresses`, `comment`,
 *    `disabled`, and the read-only `default` flag of the built-in "public" community (`[find default=yes]`).
 *  - The RouterOS scripting manual's escapes inside strings: \" \\ \$ and \? ("otherwise ? is used to print help in
 *    console").
 *  - SHA256 for `authentication-protocol` is not in MikroTik's pages above (they list MD5 and SHA1); it is what
 *    RouterOS 7 configurations in public repositories use (`authentication-protocol=SHA256 encryption-protocol=AES`,
 *    e.g. quangproo/fpt switch.rsc). The script says so, and how to fall back to SHA1, where it uses it.
 * Traps are not set up: Limpah polls, it receives no traps.
 *
 * Secrets: the script carries the community or the v3 keys only with `reveal`. The console shows the commands on the
 * device page with placeholders (a page lingers in history and on shared screens) and serves the filled-in file to
 * admins as a download (`Cache-Control: no-store`, like the hotspot's script); nothing logs it.
 */

/** Stands in for Limpah's address when it is not known; RouterOS refuses it as an address, so nothing half-works. */
export const POLLER_ADDRESS_PLACEHOLDER = 'LIMPAH_POLLER_IP';

/** What the placeholders say where a secret would be, without `reveal`. */
export const SECRET_PLACEHOLDERS = Object.freeze({ community: 'COMMUNITY', authKey: 'AUTH_KEY', privKey: 'PRIV_KEY' });

/** The comment that marks what the commands add, so that running them again replaces their community. */
const TAG = 'Limpah';

export interface SnmpScriptInput {
  /** The device as stored, secrets included (they are written only with `reveal`). */
  readonly device: Pick<SnmpDevice, 'id' | 'host' | 'port' | 'version' | 'community' | 'user' | 'authProtocol' | 'authKey' | 'privKey'>;
  /** The address the router sees Limpah's polls come from, when known. */
  readonly pollerAddress: string | undefined;
  /** Fill in the community or keys; otherwise placeholders stand there. */
  readonly reveal: boolean;
}

/**
 * A RouterOS string literal: quoted, with \\, ", $ and ? escaped (? would otherwise open the console's help while
 * the commands are pasted). A control character cannot be typed into the terminal: refused, not dropped, since a
 * key with a character missing would not match Limpah's.
 */
export function rosQuoted(value: string): string {
  if (/[\x00-\x1f\x7f]/.test(value)) throw new Error('a value for RouterOS has a control character; type it on the router by hand');
  return `"${value.replace(/[\\"$?]/g, (c) => `\\${c}`)}"`;
}

function commentText(value: string): string {
  return value.replace(/[\x00-\x1f\x7f]+/g, ' ');
}

/** Limpah's address as `addresses=` takes it: a host prefix, /32 or /128. */
function hostPrefix(address: string): string {
  const family = isIP(address);
  if (family === 0) throw new Error(`not an address: ${JSON.stringify(address)}`);
  return `${address}/${family === 4 ? 32 : 128}`;
}

/**
 * Limpah's address as the router sees its polls, as far as Limpah knows: the RADIUS address routers send to
 * (RADIUS_PUBLIC_ADDRESS), when that is an IP address; otherwise unknown (a placeholder stands in the commands).
 */
export function pollerAddressOf(radius: { readonly address: string | undefined } | undefined): string | undefined {
  const address = radius?.address;
  return address !== undefined && isIP(address) !== 0 ? address : undefined;
}

export function routerOsSnmpScript(o: SnmpScriptInput): string {
  const d = o.device;
  const poller = o.pollerAddress === undefined ? POLLER_ADDRESS_PLACEHOLDER : hostPrefix(o.pollerAddress);
  const secret = (value: string | undefined, placeholder: string) => (o.reveal && value ? rosQuoted(value) : placeholder);
  const v3 = d.version === '3';
  const authProtocol = d.authProtocol === 'sha' ? 'SHA1' : 'SHA256';
  // The v3 user name is not a secret: it is written as typed even without `reveal`. The v2c community is.
  const name = v3 ? rosQuoted(d.user ?? '') : secret(d.community, SECRET_PLACEHOLDERS.community);
  const lines = [
    `# Limpah: RouterOS 7 commands that let Limpah read this router's traffic counters over SNMP ${v3 ? 'v3' : 'v2c'}`,
    `# (device ${commentText(d.id)}, ${commentText(d.host)}). Generated by the Limpah console.`,
    ...(o.reveal
      ? [`# It holds the SNMP ${v3 ? 'keys' : 'community'}: keep the file private, and delete it once it is on the router.`]
      : [
          v3
            ? `# ${SECRET_PLACEHOLDERS.authKey} and ${SECRET_PLACEHOLDERS.privKey} stand where the keys go: an admin downloads the file with them filled in.`
            : `# ${SECRET_PLACEHOLDERS.community} stands where the community goes: an admin downloads the file with it filled in.`,
        ]),
    '# Paste it into the router\'s terminal; running it again replaces the community it added.',
    ...(o.pollerAddress === undefined
      ? [
          `# Still to replace: ${POLLER_ADDRESS_PLACEHOLDER}, the address Limpah polls this router from. Limpah does not know it:`,
          '# set RADIUS_PUBLIC_ADDRESS in Limpah\'s environment (when Limpah polls from that address), or write it in by hand.',
        ]
      : [`# Limpah polls from ${o.pollerAddress} (RADIUS_PUBLIC_ADDRESS); if this router sees Limpah's packets come from another address, change addresses=.`]),
    ...(d.port !== 161 ? [`# Limpah polls UDP port ${d.port}, not 161: RouterOS answers SNMP on 161, so a NAT in front of it must forward ${d.port} to 161.`] : []),
    '',
    '# 1. Switch off the built-in community ("public": SNMP v1/v2c, read from any address). Skip this line if other',
    '#    monitoring still polls with it.',
    '/snmp community set [find default=yes] disabled=yes',
    '',
    ...(v3
      ? [
          `# 2. The SNMP v3 user Limpah polls with: read only, authentication ${authProtocol === 'SHA256' ? 'SHA-256' : 'SHA-1'} and AES encryption`,
          '#    (security=private), accepted only from Limpah\'s address.',
          ...(authProtocol === 'SHA256'
            ? [
                '#    authentication-protocol=SHA256 needs a RouterOS 7 that offers it (type `/snmp community add authentication-protocol=`',
                '#    and press Tab). If the router offers only MD5 and SHA1, set the device\'s authentication to SHA in Limpah',
                '#    and download these commands again.',
              ]
            : []),
          `/snmp community remove [find where comment=${rosQuoted(TAG)}]`,
          `/snmp community add name=${name} addresses=${poller} security=private authentication-protocol=${authProtocol} authentication-password=${secret(d.authKey, SECRET_PLACEHOLDERS.authKey)} encryption-protocol=AES encryption-password=${secret(d.privKey, SECRET_PLACEHOLDERS.privKey)} read-access=yes write-access=no comment=${rosQuoted(TAG)}`,
        ]
      : [
          '# 2. The read-only community Limpah polls with, accepted only from Limpah\'s address. SNMP v2c sends the',
          '#    community in clear: prefer SNMP v3 (set the device to version 3 in Limpah) where the network is not yours.',
          `/snmp community remove [find where comment=${rosQuoted(TAG)}]`,
          `/snmp community add name=${name} addresses=${poller} security=none read-access=yes write-access=no comment=${rosQuoted(TAG)}`,
        ]),
    '',
    '# 3. SNMP on. If the input firewall drops what it does not know, also run (then move the rule above the drop rules):',
    `#    ${o.pollerAddress !== undefined && isIP(o.pollerAddress) === 6 ? '/ipv6' : '/ip'} firewall filter add chain=input protocol=udp dst-port=161 src-address=${o.pollerAddress ?? POLLER_ADDRESS_PLACEHOLDER} action=accept comment=${rosQuoted(`${TAG} SNMP`)}`,
    '/snmp set enabled=yes',
    '',
  ];
  return lines.join('\n');
}
