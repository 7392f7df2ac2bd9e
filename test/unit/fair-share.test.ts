import { sharesWithinHotspotLimits } from '../../src/control/allocator';
import { fairShares, rerateDecisions } from '../../src/pool/fair-share';

describe('weighted max-min fair shares', () => {
  it('gives everyone their ceiling when capacity is plenty', () => {
    const s = fairShares(10_000, [
      { id: 'a', weight: 1, ceilingKbps: 2048 },
      { id: 'b', weight: 1, ceilingKbps: 1024 },
    ]);
    expect([...s]).toEqual([['b', 1024], ['a', 2048]]);
  });

  it('splits scarce capacity by weight, and gives what a capped session cannot use to the others', () => {
    const s = fairShares(3000, [
      { id: 'park-1', weight: 1, ceilingKbps: 2048 },
      { id: 'park-2', weight: 1, ceilingKbps: 2048 },
      { id: 'hall-1', weight: 2, ceilingKbps: 500 },
    ]);
    expect(s.get('hall-1')).toBe(500);
    expect(s.get('park-1')).toBe(1250);
    expect(s.get('park-2')).toBe(1250);
  });

  it('never hands out more than the capacity, and nothing when there is none', () => {
    const claimants = Array.from({ length: 37 }, (_, i) => ({ id: `s${i}`, weight: 1 + (i % 3), ceilingKbps: 256 + i * 97 }));
    for (const cap of [0, 1, 999, 12_345, 1_000_000]) {
      const total = [...fairShares(cap, claimants).values()].reduce((a, b) => a + b, 0);
      expect(total).toBeLessThanOrEqual(cap);
    }
    expect([...fairShares(0, claimants).values()].every((v) => v === 0)).toBe(true);
  });
});

describe('re-rating decisions', () => {
  const opts = { hysteresis: 0.15, stepUp: 1.5, minKbps: 256 };
  it('steps down at once, up gently, and ignores small changes', () => {
    const current = new Map([['down', 2048], ['up', 512], ['same', 1000], ['floor', 1024]]);
    const fair = new Map([['down', 700], ['up', 2048], ['same', 1100], ['floor', 10]]);
    expect(rerateDecisions(current, fair, opts)).toEqual([
      { id: 'down', fromKbps: 2048, toKbps: 700 },
      { id: 'up', fromKbps: 512, toKbps: 768 },
      { id: 'floor', fromKbps: 1024, toKbps: 256 },
    ]);
  });
});

describe('fair shares within hotspot limits', () => {
  const session = (id: string, hotspotId: string, max: number) => ({
    id, hotspotId, hotspotMaxShareKbps: max, state: 'active', nasIp: '', downKbps: 0, upKbps: 0, weight: 1,
    ceilingDownKbps: 2048, ceilingUpKbps: 1024, minDownKbps: 256, minUpKbps: 128, needsRerate: false,
  });
  it('holds a hotspot at its maxShareKbps and shares the rest among the others', () => {
    const sessions = [session('p1', 'park', 1500), session('p2', 'park', 1500), session('p3', 'park', 1500), session('h1', 'hall', 0)];
    const shares = sharesWithinHotspotLimits(4000, sessions, sessions.map((s) => ({ id: s.id, weight: 1, ceilingKbps: 2048 })));
    expect(shares.get('p1')! + shares.get('p2')! + shares.get('p3')!).toBeLessThanOrEqual(1500);
    expect(shares.get('h1')).toBe(2048);
  });
});
