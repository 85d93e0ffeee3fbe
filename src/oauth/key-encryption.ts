// The key-encryption key that seals the signing keys at rest, and sealing itself (JWE, dir + A256GCM).
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CompactEncrypt, compactDecrypt, type JWK } from 'jose';
import type { Config } from '../config.ts';
import { ConfigError } from '../errors.ts';

/** Where the embedded database keeps its own key-encryption key when none is given. */
export const EMBEDDED_KEY_FILE = 'thalamus-key-encryption-key';

/**
 * The rule (README, "Tokens"): THALAMUS_KEY_ENCRYPTION_KEY when set. Otherwise, with the
 * embedded database, a random key kept in a file of the data directory (created on first use,
 * mode 0600), so `npm start` issues tokens with nothing to configure. With PostgreSQL there is
 * no default: instances on several machines must share one key, so the operator gives it, and
 * until then this is null and the token endpoint answers 503 (Bearer verification still works:
 * the public keys are not secret).
 */
export function keyEncryptionKey(config: Pick<Config, 'keyEncryptionKey' | 'databaseUrl' | 'dataDir'>): Uint8Array | null {
  if (config.keyEncryptionKey) return new Uint8Array(config.keyEncryptionKey);
  if (config.databaseUrl) return null;
  const path = join(config.dataDir, EMBEDDED_KEY_FILE);
  try {
    return fromHexFile(path, readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const key = randomBytes(32);
  try {
    writeFileSync(path, `${key.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // Another process made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fromHexFile(path, readFileSync(path, 'utf8'));
    throw err;
  }
  return new Uint8Array(key);
}

function fromHexFile(path: string, text: string): Uint8Array {
  const hex = text.trim();
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new ConfigError(`${path}: expected the 64 hex digits of a key-encryption key`);
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/** A private JWK sealed for the database; the key id is in the authenticated header, so a sealed key cannot be moved to another row. */
export async function sealPrivateKey(kek: Uint8Array, kid: string, jwk: JWK): Promise<string> {
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(jwk)))
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: 'jwk+json', kid })
    .encrypt(kek);
}

export class KeyUnsealError extends Error {
  constructor(kid: string) {
    super(
      `THALAMUS_KEY_ENCRYPTION_KEY does not open signing key ${kid} (was the key-encryption key changed? \`thalamus keys rotate\` with the new one makes a key it opens)`,
    );
    this.name = 'KeyUnsealError';
  }
}

export async function unsealPrivateKey(kek: Uint8Array, kid: string, sealed: string): Promise<JWK> {
  try {
    const { plaintext, protectedHeader } = await compactDecrypt(sealed, kek, {
      keyManagementAlgorithms: ['dir'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    if (protectedHeader.kid !== kid) throw new KeyUnsealError(kid);
    return JSON.parse(new TextDecoder().decode(plaintext)) as JWK;
  } catch {
    throw new KeyUnsealError(kid);
  }
}
