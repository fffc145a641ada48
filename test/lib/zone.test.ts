import { describe, expect, it } from 'vitest';
import { zoneOrUtc } from '../../src/lib/zone.js';

describe('zoneOrUtc', () => {
  it('keeps a zone the runtime knows, and says the same the second time', () => {
    expect(zoneOrUtc('America/New_York')).toBe('America/New_York');
    expect(zoneOrUtc('America/New_York')).toBe('America/New_York');
  });

  it('falls back to UTC for an unknown or empty zone, every time', () => {
    expect(zoneOrUtc('Fantasia/Castle')).toBe('UTC');
    expect(zoneOrUtc('Fantasia/Castle')).toBe('UTC');
    expect(zoneOrUtc('')).toBe('UTC');
  });
});
