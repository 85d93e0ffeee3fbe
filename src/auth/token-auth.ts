// Bearer: a verified access token, still backed by its subject's row as read for this request.
import type { ClientLookup } from '../store/clients.ts';
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
  /** A registered client's row, with the revocation epoch (one query; client tokens are for services, not the hot path). */
  clients: (id: string) => Promise<ClientLookup>;
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

/** A client token's caller, if the client is still registered with the same secret and the token is not revoked. */
async function clientCaller(auth: TokenAuth, token: AccessToken): Promise<Caller | null> {
  const { client, revocationEpoch } = await auth.clients(token.sub);
  if (!client || credentialFingerprint(token.sub, client.secret_hash) !== token.fp) return null;
  if (await auth.revocations.isRevoked(token, revocationEpoch)) return null;
  const roles = token.roles.filter((role) => client.roles.includes(role));
  if (roles.length === 0) return null;
  return { id: token.sub, kind: 'client', roles, data: {}, global: false };
}

export async function authenticateBearer(
  auth: TokenAuth,
  tokenText: string,
  subjectOf: (callerId: string) => string | undefined,
): Promise<Authenticated | null> {
  const token = await auth.bearer.verify(tokenText);
  if (!token) return null;
  const subjectId = subjectOf(token.sub);
  if (token.kind === 'client') {
    const [caller, subject] = await Promise.all([
      clientCaller(auth, token),
      subjectId === undefined ? undefined : auth.people.load(subjectId),
    ]);
    if (!caller) return null;
    return subject === undefined ? { caller } : { caller, subject: subject.person };
  }
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
  if (!token) return null;
  const caller =
    token.kind === 'client' ? await clientCaller(auth, token) : await personCaller(auth, token, await auth.people.load(token.sub));
  return caller ? { token, caller } : null;
}
