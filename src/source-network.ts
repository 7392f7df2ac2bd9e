import { isIP } from 'node:net';
import { normalizeSourceIp } from './radius/nas-directory';

/**
 * The network a request comes from, as a rate-limit subject: an IPv4 address as it is (also IPv4-mapped), an IPv6
 * address as its /64 (one host commonly holds a whole /64, and counting single addresses in it would give a
 * guesser endless fresh ones), anything else as 'unknown' (a forged header cannot make keys at will). The address
 * is the request's as Express gives it (X-Forwarded-For only with TRUST_PROXY).
 */
export function sourceNetwork(address: string): string {
  const ip = normalizeSourceIp(address);
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family !== 6) return 'unknown';
  const groups = (text: string | undefined): string[] => (text ? text.split(':').flatMap((g) => (g.includes('.') ? ['0', '0'] : [g])) : []);
  const [head, tail] = ip.split('%')[0]!.split('::');
  const before = groups(head);
  const after = groups(tail);
  const all = [...before, ...Array<string>(Math.max(0, 8 - before.length - after.length)).fill('0'), ...after];
  return `${all.slice(0, 4).map((g) => parseInt(g, 16).toString(16)).join(':')}::/64`;
}
