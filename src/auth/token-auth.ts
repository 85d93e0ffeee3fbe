// Bearer: a verified access token, still backed by its subject's row as read for this request.
import type { AccountLookup } from '../store/people.ts';
import { idsToLoad, rolesOf, type Authenticated } from './basic.ts';
import type { AccessToken, BearerVerifier } from './bearer.ts';
import type { Caller } from './caller.ts';
import { credentialFingerprint } from './credential-fingerprint.ts';
import type { PersonLoader } from './person-loader.ts';
import type { RevocationList } from './revocation-list.ts';

export interface TokenAuth {
  people: PersonLoader;
  bearer: BearerVerifier;
  revocations: RevocationList;
}

/**
 * The token's person as a caller, if the row read now still backs the token: the account is
 * active, its stored hash is the one the token was issued against (a new password ends its
 * tokens), and the token is not revoked. The caller's roles are those the token carries that
 * the account still holds. No query of its own: the row comes from the batched lookup, with
 * the revocation epoch read in the same query. A login lockout does not stop a valid token.
 */
async function personCaller(auth: TokenAuth, token: AccessToken, account: AccountLookup): Promise<Caller | null> {
  const data = account.person?.data;
  if (!data || data.active === false || typeof data.password !== 'string') return null;
  if (credentialFingerprint(token.sub, data.password) !== token.fp) return null;
  if (await auth.revocations.isRevoked(token, account.revocationEpoch)) return null;
  const held = rolesOf(data);
  const roles = token.roles.filter((role) => held.includes(role));
  if (roles.length === 0) return null;
  return { id: token.sub, kind: 'person', roles, data, global: false };
}

export async function authenticateBearer(
  auth: TokenAuth,
  tokenText: string,
  subjectOf: (callerId: string) => string | undefined,
): Promise<Authenticated | null> {
  const token = await auth.bearer.verify(tokenText);
  if (!token || token.kind !== 'person') return null;
  const subjectId = subjectOf(token.sub);
  const wanted = idsToLoad(token.sub, subjectId);
  const rows = await Promise.all(wanted.map((id) => auth.people.load(id)));
  const caller = await personCaller(auth, token, rows[0]);
  if (!caller) return null;
  if (subjectId === undefined) return { caller };
  return { caller, subject: rows[wanted.indexOf(subjectId)].person };
}

/** The token and its caller when it holds now (as the API would decide), else null: what introspection answers from. */
export async function holdingToken(auth: TokenAuth, tokenText: string): Promise<{ token: AccessToken; caller: Caller } | null> {
  const token = await auth.bearer.verify(tokenText);
  if (!token || token.kind !== 'person') return null;
  const caller = await personCaller(auth, token, await auth.people.load(token.sub));
  return caller ? { token, caller } : null;
}
