import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { CodedError, ErrorCode } from './errors.js';

/**
 * Secrets at rest (bot tokens, CRM webhook secrets): AES-256-GCM under `ENCRYPTION_KEY`. A sealed
 * value names its key by a short hash, so values sealed under a previous key still open during a
 * rotation, and `isStale` tells the start-up pass which ones to rewrite. The row a value belongs to
 * is authenticated with it: a ciphertext copied into another row does not open.
 */

export interface EncryptionKeys {
  current: Buffer;
  /** Still accepted for reading while stored values are re-encrypted under `current`. */
  previous: Buffer[];
}

export interface SecretBox {
  seal(plaintext: string, context: string): string;
  /** The plaintext of a sealed value; a value stored before encryption existed is returned as is. */
  open(stored: string, context: string): string;
  /** True for a value in plain text or sealed under a previous key. */
  isStale(stored: string): boolean;
}

export class SecretKeyError extends CodedError {
  readonly code = ErrorCode.SecretKeyUnknown;
}

const PREFIX = 'kpi-enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

function keyId(key: Buffer): string {
  return createHash('sha256').update(key).digest('hex').slice(0, 8);
}

/** 32 bytes given as base64 (`openssl rand -base64 32`) or 64 hex digits; null when it is neither. */
export function parseKey(text: string): Buffer | null {
  const trimmed = text.trim();
  const key = /^[0-9a-f]{64}$/i.test(trimmed) ? Buffer.from(trimmed, 'hex') : Buffer.from(trimmed, 'base64');
  return key.length === 32 ? key : null;
}

export function isSealed(stored: string): boolean {
  return stored.startsWith(PREFIX);
}

/** Without keys (one-workspace mode stores no secret) sealing refuses and only plain values open. */
export function createSecretBox(keys: EncryptionKeys | null): SecretBox {
  const byId = new Map((keys ? [keys.current, ...keys.previous] : []).map((k) => [keyId(k), k]));
  const currentId = keys ? keyId(keys.current) : null;
  return {
    seal(plaintext, context) {
      if (!keys) throw new SecretKeyError('no ENCRYPTION_KEY is set, so no secret can be stored');
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', keys.current, iv).setAAD(Buffer.from(context));
      const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
      return `${PREFIX}${currentId}:${iv.toString('base64url')}:${body.toString('base64url')}`;
    },
    open(stored, context) {
      if (!isSealed(stored)) return stored;
      const [id = '', iv = '', body = ''] = stored.slice(PREFIX.length).split(':');
      const key = byId.get(id);
      if (!key) {
        throw new SecretKeyError(
          `a stored secret is encrypted under key ${id}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_KEY_PREVIOUS`,
        );
      }
      const bytes = Buffer.from(body, 'base64url');
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url')).setAAD(Buffer.from(context));
      decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)), decipher.final()]).toString(
        'utf8',
      );
    },
    isStale(stored) {
      return !stored.startsWith(`${PREFIX}${currentId}:`);
    },
  };
}
