import { describe, expect, it } from 'vitest';
import { createSecretBox, parseKey, SecretKeyError } from '../../src/lib/secret-box.js';

const K1 = Buffer.alloc(32, 1);
const K2 = Buffer.alloc(32, 2);

describe('secret box (AES-256-GCM at rest)', () => {
  it('seals so that the plaintext is not in the stored value, and opens it again', () => {
    const box = createSecretBox({ current: K1, previous: [] });
    const sealed = box.seal('xoxb-1234-secret', 'installations:T:TAAA');
    expect(sealed).not.toContain('xoxb');
    expect(sealed).not.toBe(box.seal('xoxb-1234-secret', 'installations:T:TAAA'));
    expect(box.open(sealed, 'installations:T:TAAA')).toBe('xoxb-1234-secret');
    expect(box.isStale(sealed)).toBe(false);
  });

  it('refuses a value moved to another row or changed by one bit', () => {
    const box = createSecretBox({ current: K1, previous: [] });
    const sealed = box.seal('secret', 'crm_connections:a');
    expect(() => box.open(sealed, 'crm_connections:b')).toThrow();
    const last = sealed.at(-2) === 'A' ? 'B' : 'A';
    expect(() => box.open(`${sealed.slice(0, -2)}${last}${sealed.at(-1)}`, 'crm_connections:a')).toThrow();
  });

  it('opens values sealed under a previous key and marks them for re-encryption', () => {
    const old = createSecretBox({ current: K1, previous: [] }).seal('secret', 'c');
    const rotated = createSecretBox({ current: K2, previous: [K1] });
    expect(rotated.open(old, 'c')).toBe('secret');
    expect(rotated.isStale(old)).toBe(true);
    expect(rotated.isStale('plain text from before encryption')).toBe(true);
    expect(rotated.open('plain text from before encryption', 'c')).toBe('plain text from before encryption');
    expect(() => createSecretBox({ current: K2, previous: [] }).open(old, 'c')).toThrow(SecretKeyError);
  });

  it('refuses to seal without a key', () => {
    expect(() => createSecretBox(null).seal('secret', 'c')).toThrow(SecretKeyError);
  });

  it('reads a key as base64 or hex, 32 bytes only', () => {
    expect(parseKey(K1.toString('base64'))).toEqual(K1);
    expect(parseKey(K2.toString('hex'))).toEqual(K2);
    expect(parseKey('too-short')).toBeNull();
    expect(parseKey(Buffer.alloc(16).toString('base64'))).toBeNull();
  });
});
