// The signing keys: made (ES256), sealed into the database, rotated, and opened to sign tokens.
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JWK } from 'jose';
import type { Db } from '../db/db.ts';
import { currentSigningKey, deleteExpiredKeys, installSigningKey, type SigningKeyRow } from '../store/signing-keys.ts';
import { sealPrivateKey, unsealPrivateKey } from './key-encryption.ts';

/** ECDSA P-256 with SHA-256: verified by every JOSE library, and faster to verify than EdDSA on Node 20's WebCrypto. */
export const SIGNING_ALG = 'ES256';
/** Allowed clock difference between this server and a verifier, in seconds. */
export const CLOCK_SKEW = 60;
/** Retired keys are deleted once older than the longest possible token lifetime (THALAMUS_ACCESS_TOKEN_TTL is at most a day). */
const DELETE_AFTER_SECONDS = 25 * 3600;

/** A new key pair; its id is the RFC 7638 thumbprint of the public key. */
export async function newSigningKey(kek: Uint8Array): Promise<SigningKeyRow> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicJwk);
  const public_jwk = { ...publicJwk, kid, alg: SIGNING_ALG, use: 'sig' };
  return { kid, alg: SIGNING_ALG, public_jwk, sealed_private_jwk: await sealPrivateKey(kek, kid, await exportJWK(privateKey)) };
}

/** The first key, made when there is none (several instances starting together make one between them). */
export async function ensureSigningKey(db: Db, kek: Uint8Array): Promise<{ kid: string; created: boolean }> {
  const { key, created } = await installSigningKey(db, () => newSigningKey(kek), { retireCurrent: false });
  return { kid: key.kid, created };
}

/** `thalamus keys rotate`: a new key signs from now on; the old one stays published until its tokens have expired. */
export async function rotateSigningKey(db: Db, kek: Uint8Array): Promise<{ kid: string; retired: string | null; deleted: string[] }> {
  const { key, retired } = await installSigningKey(db, () => newSigningKey(kek), { retireCurrent: true });
  const deleted = await deleteExpiredKeys(db, DELETE_AFTER_SECONDS);
  return { kid: key.kid, retired, deleted };
}

export interface SigningKey {
  kid: string;
  alg: string;
  key: CryptoKey;
}

/**
 * Signs with whichever key is current in the database, read at each issue (issuing is not
 * the hot path: a password grant runs bcrypt), so a rotation by any process takes effect at
 * once. Opened keys are kept by id, so each is unsealed once.
 */
export class Signer {
  private readonly opened = new Map<string, Promise<SigningKey>>();

  constructor(
    private readonly db: Db,
    private readonly kek: Uint8Array,
  ) {}

  async current(): Promise<SigningKey> {
    const row = (await currentSigningKey(this.db)) ?? (await this.first());
    let key = this.opened.get(row.kid);
    if (!key) {
      key = open(this.kek, row);
      key.catch(() => this.opened.delete(row.kid));
      this.opened.set(row.kid, key);
    }
    return key;
  }

  private async first(): Promise<SigningKeyRow> {
    await ensureSigningKey(this.db, this.kek);
    const row = await currentSigningKey(this.db);
    if (!row) throw new Error('no signing key after making one');
    return row;
  }
}

async function open(kek: Uint8Array, row: SigningKeyRow): Promise<SigningKey> {
  const jwk: JWK = await unsealPrivateKey(kek, row.kid, row.sealed_private_jwk);
  const key = await importJWK(jwk, row.alg);
  if (key instanceof Uint8Array) throw new Error(`signing key ${row.kid} is not an asymmetric key`);
  return { kid: row.kid, alg: row.alg, key };
}
