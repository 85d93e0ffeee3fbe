// TLS client certificates: a certificate the configured CA verified names its federation account in its subject CN.
import { TLSSocket } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { AccountLookup } from '../store/people.ts';
import { idsToLoad, rolesOf, type Authenticated } from './basic.ts';
import type { Caller } from './caller.ts';
import type { PersonLoader } from './person-loader.ts';

/**
 * The account id a request's connection vouches for: the subject common name (CN) of a client
 * certificate that THALAMUS_TLS_CA verified in the handshake (README, "TLS"). Null on plain
 * HTTP, without a certificate, with one the CA did not verify (asked for with `request`), or
 * with a subject of no single CN.
 */
export function certificateAccount(request: FastifyRequest): string | null {
  const socket = request.raw.socket;
  if (!(socket instanceof TLSSocket) || !socket.authorized) return null;
  const cn: unknown = socket.getPeerCertificate().subject?.CN;
  return typeof cn === 'string' && cn !== '' ? cn : null;
}

/**
 * The certificate's account as a caller: it exists, is not inactive and has roles, as Basic
 * asks (auth/basic.ts). No password is involved, so the account need not have one, and a login
 * lockout (which stops password guessing) does not stop a certificate the CA issued.
 */
function certificateCaller(id: string, account: AccountLookup): Caller | null {
  const data = account.person?.data;
  const roles = rolesOf(data);
  if (!data || data.active === false || roles.length === 0) return null;
  return { id, kind: 'person', roles, data, global: false };
}

/** Authenticates the certificate's account, loading it and the person the URL names in the same batched query as Basic does. */
export async function authenticateCertificate(
  people: PersonLoader,
  accountId: string,
  subjectOf: (callerId: string) => string | undefined,
): Promise<Authenticated | null> {
  const subjectId = subjectOf(accountId);
  const wanted = idsToLoad(accountId, subjectId);
  const rows = await Promise.all(wanted.map((id) => people.load(id)));
  const caller = certificateCaller(accountId, rows[0]);
  if (!caller) return null;
  if (subjectId === undefined) return { caller };
  return { caller, subject: rows[wanted.indexOf(subjectId)].person };
}
