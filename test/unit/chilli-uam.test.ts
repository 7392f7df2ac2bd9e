import { createHash } from 'node:crypto';
import { chilliChapResponse, chilliNewChallenge, verifyChilliMd } from '../../src/portal/chilli-uam';

describe('CoovaChilli UAM', () => {
  const secret = 'uam-secret-123';
  const base = 'http://portal.test/hotspot/chilli?res=notyet&uamip=10.1.0.1&uamport=3990&challenge=0123456789abcdef0123456789abcdef&mac=AA-BB-CC-DD-EE-FF&nasid=chilli-aula';
  const md = createHash('md5').update(base).update(secret).digest('hex').toUpperCase();

  it('accepts the md Chilli computed over its redirect, and nothing altered', () => {
    expect(verifyChilliMd(`${base}&md=${md}`, secret)).toBe(true);
    expect(verifyChilliMd(`${base.replace('AA-BB', 'AA-BC')}&md=${md}`, secret)).toBe(false);
    expect(verifyChilliMd(`${base}&md=${md}`, 'other-secret')).toBe(false);
    expect(verifyChilliMd(base, secret)).toBe(false);
    expect(verifyChilliMd(`${base}&md=zz`, secret)).toBe(false);
    // Nothing may follow md: a parameter added after it is not covered by the signature.
    expect(verifyChilliMd(`${base}&md=${md}&reply=Hubungi%20081234`, secret)).toBe(false);
  });

  it('answers the challenge as Chilli and RADIUS CHAP expect', () => {
    const challenge = Buffer.from('0123456789abcdef0123456789abcdef', 'hex');
    const newchal = chilliNewChallenge(challenge, secret);
    expect(newchal).toEqual(createHash('md5').update(Buffer.concat([challenge, Buffer.from(secret)])).digest());
    const response = chilliChapResponse('rahasia', newchal);
    expect(response).toBe(createHash('md5').update(Buffer.concat([Buffer.from([0]), Buffer.from('rahasia'), newchal])).digest('hex'));
  });
});
