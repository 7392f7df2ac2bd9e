import { createHash, timingSafeEqual } from 'node:crypto';
import { chapResponse } from '../grants/chap';

/**
 * CoovaChilli's UAM protocol (redir.c): the redirect to the portal carries `md`, the upper-case hex
 * MD5(url-without-md ‖ uamsecret); the login answer is hex(MD5(0x00 ‖ password ‖ newchal)) with
 * newchal = MD5(challenge ‖ uamsecret) when a uamsecret is set. Chilli sends newchal as CHAP-Challenge and
 * 0x00 ‖ response as CHAP-Password in its Access-Request.
 */

/** Checks `md` against the URL exactly as Chilli built it, up to `&md=`. */
export function verifyChilliMd(fullUrl: string, uamSecret: string): boolean {
  const at = fullUrl.lastIndexOf('&md=');
  if (at < 0) return false;
  // md ends the URL: a parameter after it (a "reply=" added to a link, say) is not covered, so it is refused.
  const given = fullUrl.slice(at + 4);
  if (!/^[0-9A-Fa-f]{32}$/.test(given)) return false;
  const expected = createHash('md5').update(fullUrl.slice(0, at)).update(uamSecret).digest();
  return timingSafeEqual(expected, Buffer.from(given, 'hex'));
}

/** The challenge Chilli hands to RADIUS: MD5(challenge ‖ uamsecret). */
export function chilliNewChallenge(challenge: Buffer, uamSecret: string): Buffer {
  return createHash('md5').update(challenge).update(uamSecret).digest();
}

/** The `response` for `/logon`: hex(MD5(0x00 ‖ password ‖ newchal)). */
export function chilliChapResponse(password: string, newChallenge: Buffer): string {
  return chapResponse(0, password, newChallenge).toString('hex');
}
