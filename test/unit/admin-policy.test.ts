import { can } from '../../src/admin/policy';
import type { Actor } from '../../src/admin/operators';

const actor = (role: Actor['role'], scope: Partial<Actor['scope']> = {}): Actor => ({ kind: 'operator', name: role, role, scope: { kecamatan: [], hotspots: [], ...scope } });
const admin = actor('admin');
const viewer = actor('viewer');
const op = actor('operator', { kecamatan: ['Baamang'], hotspots: ['pasar-lama'] });
const taman = { id: 'taman-kota', kecamatan: 'Baamang' };
const pasar = { id: 'pasar-lama', kecamatan: 'Ketapang' };
const pelabuhan = { id: 'pelabuhan', kecamatan: 'Ketapang' };

describe('the admin policy, can(actor, action, target)', () => {
  it('lets an admin do everything and a viewer nothing', () => {
    for (const who of [admin, viewer]) {
      const yes = who === admin;
      expect([can(who, 'change'), can(who, 'administer'), can(who, 'hotspot.change', taman), can(who, 'kecamatan.change', 'Ketapang'),
        can(who, 'vouchers.change', { hotspots: [], kecamatan: [] }), can(who, 'block.lift', { by: who.name })]).toEqual(Array(6).fill(yes));
    }
  });

  it('lets an operator change what is in its scope, by hotspot or by kecamatan, and nothing site-wide', () => {
    expect([can(op, 'change'), can(op, 'administer')]).toEqual([true, false]);
    expect([can(op, 'hotspot.change', taman), can(op, 'hotspot.change', pasar), can(op, 'hotspot.change', pelabuhan)]).toEqual([true, true, false]);
    expect([can(op, 'kecamatan.change', 'Baamang'), can(op, 'kecamatan.change', 'Ketapang')]).toEqual([true, false]);
  });

  it('lets an operator use vouchers only for a scope wholly its own, never for every hotspot or a hotspot that is gone', () => {
    expect(can(op, 'vouchers.change', { hotspots: [taman, pasar], kecamatan: ['Baamang'] })).toBe(true);
    expect(can(op, 'vouchers.change', { hotspots: [], kecamatan: [] })).toBe(false);
    expect(can(op, 'vouchers.change', { hotspots: [taman, pelabuhan], kecamatan: [] })).toBe(false);
    expect(can(op, 'vouchers.change', { hotspots: [undefined], kecamatan: [] })).toBe(false);
    expect(can(op, 'vouchers.change', { hotspots: [], kecamatan: ['Ketapang'] })).toBe(false);
  });

  it('lets an operator lift only its own device blocks', () => {
    expect([can(op, 'block.lift', { by: 'operator' }), can(op, 'block.lift', { by: 'siti' })]).toEqual([true, false]);
  });
});
