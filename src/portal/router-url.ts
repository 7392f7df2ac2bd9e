import { BlockList, isIP } from 'node:net';

/**
 * Addresses a hotspot router's login page can have: private, shared (CGNAT), link-local and loopback ranges.
 * The portal posts credentials only there, or to a host name configured for the hotspot's routers, so that it
 * can never be used to send a citizen's browser, with credentials, to an arbitrary site.
 */
const ROUTER_RANGES = new BlockList();
ROUTER_RANGES.addSubnet('10.0.0.0', 8, 'ipv4');
ROUTER_RANGES.addSubnet('172.16.0.0', 12, 'ipv4');
ROUTER_RANGES.addSubnet('192.168.0.0', 16, 'ipv4');
ROUTER_RANGES.addSubnet('100.64.0.0', 10, 'ipv4');
ROUTER_RANGES.addSubnet('169.254.0.0', 16, 'ipv4');
ROUTER_RANGES.addSubnet('127.0.0.0', 8, 'ipv4');
ROUTER_RANGES.addSubnet('fc00::', 7, 'ipv6');
ROUTER_RANGES.addSubnet('fe80::', 10, 'ipv6');
ROUTER_RANGES.addAddress('::1', 'ipv6');

export function isRouterLoginUrl(value: string, allowedHosts: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.username || url.password) return false;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const family = isIP(host);
  if (family === 4) return ROUTER_RANGES.check(host, 'ipv4');
  if (family === 6) return ROUTER_RANGES.check(host, 'ipv6');
  return allowedHosts.some((h) => h.toLowerCase() === host);
}
