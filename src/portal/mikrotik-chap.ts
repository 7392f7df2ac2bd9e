import { chapResponse } from '../grants/chap';

/**
 * Decodes a MikroTik octal-escaped string ($(chap-id), $(chap-challenge)): `\ooo` is one byte, any other
 * character stands for itself. Returns null when the text is not such a string.
 */
export function decodeMikrotikOctal(text: string): Buffer | null {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; ) {
    const ch = text.charCodeAt(i);
    if (ch === 0x5c) {
      const oct = /^[0-3][0-7]{2}/.exec(text.slice(i + 1, i + 4));
      if (!oct) return null;
      bytes.push(parseInt(oct[0], 8));
      i += 4;
    } else {
      if (ch > 0x7e || ch < 0x20) return null;
      bytes.push(ch);
      i += 1;
    }
  }
  return Buffer.from(bytes);
}

/** The password field MikroTik's HTTP CHAP login expects: hex(MD5(chap-id ‖ password ‖ chap-challenge)), the RADIUS CHAP response. */
export function mikrotikChapPassword(chapId: Buffer, password: string, chapChallenge: Buffer): string {
  return chapResponse(chapId[0]!, password, chapChallenge).toString('hex');
}
