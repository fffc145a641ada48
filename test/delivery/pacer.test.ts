import { describe, expect, it } from 'vitest';
import { channelKey, Pacer } from '../../src/delivery/pacer.js';

const limits = { perChannelPerSecond: 1, perMethodPerSecond: { 'chat.postMessage': 10 } };
const post = (channel: string) => ['chat.postMessage', channelKey(channel)];

describe('Pacer', () => {
  it('spaces posts into one channel about a second apart, and posts overall by the method rate', () => {
    const pacer = new Pacer(limits);
    expect(pacer.reserve(post('C1'), 0)).toBe(0);
    // Another channel only waits for the method's pace; the same channel for its own.
    expect(pacer.reserve(post('C2'), 0)).toBeCloseTo(102, 0);
    expect(pacer.reserve(post('C1'), 0)).toBeCloseTo(1100, 0);
    expect(pacer.slotFor(post('C3'), 0)).toBeCloseTo(1202, 0);
  });

  it('pauses one key for a Retry-After without touching the others', () => {
    const pacer = new Pacer(limits);
    pacer.pause(channelKey('C1'), 30_000);
    expect(pacer.slotFor(post('C1'), 0)).toBe(30_000);
    expect(pacer.slotFor(post('C2'), 0)).toBe(0);
    expect(pacer.slotFor(post('C1'), 31_000)).toBe(31_000);
  });

  it('does not hold back methods it has no limit for', () => {
    const pacer = new Pacer(limits);
    pacer.reserve(['files.getUploadURLExternal'], 0);
    expect(pacer.slotFor(['files.getUploadURLExternal'], 0)).toBe(0);
  });
});
