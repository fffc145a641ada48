import { describe, expect, it } from 'vitest';
import { RollingWindow } from '../../src/lib/rolling-window.js';

describe('RollingWindow', () => {
  it('lets `requests` go in a window, then says how long until the oldest leaves it', () => {
    const window = new RollingWindow(3, 1000);
    expect([0, 10, 20].map((t) => window.take(t))).toEqual([0, 0, 0]);
    expect(window.take(500)).toBe(500);
    expect(window.take(999)).toBe(1);
    expect(window.take(1000)).toBe(0);
    expect(window.take(1005)).toBe(5);
  });

  it('never holds one too many in any window, however late the sends come', () => {
    const window = new RollingWindow(5, 1050);
    const sent: number[] = [];
    // Sends that a stalled process makes late and then all at once.
    for (const at of [0, 204, 408, 900, 905, 910, 915, 2500, 2501, 2502]) {
      let t = at;
      for (let wait = window.take(t); wait > 0; wait = window.take(t)) t += wait;
      sent.push(t);
    }
    for (const t of sent) expect(sent.filter((s) => s > t - 1050 && s <= t).length).toBeLessThanOrEqual(5);
    expect(sent).toEqual([0, 204, 408, 900, 905, 1050, 1254, 2500, 2501, 2502]);
  });
});
