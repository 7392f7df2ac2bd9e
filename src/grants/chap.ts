import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * RFC 1994 / RFC 2865 5.3: CHAP-Password is one octet of CHAP ident followed by
 * MD5(ident ‖ password ‖ challenge). The challenge is CHAP-Challenge, or the Request Authenticator without it.
 */
export function verifyChap(chapPassword: Buffer, challenge: Buffer, password: string): boolean {
  if (chapPassword.length !== 17) return false;
  const expected = chapResponse(chapPassword[0]!, password, challenge);
  return timingSafeEqual(expected, chapPassword.subarray(1));
}

export function chapResponse(ident: number, password: string, challenge: Buffer): Buffer {
  return createHash('md5').update(Buffer.from([ident])).update(password, 'utf8').update(challenge).digest();
}

