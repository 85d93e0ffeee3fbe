// One-time messages across a redirect: a short-lived cookie naming a fixed message, cleared when shown.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { parseCookie, stringifySetCookie } from 'cookie';

const COOKIE = 'thalamus_flash';
// The cookie only names a message: nobody can make a page say anything but these.
const MESSAGES = { 'password-updated': 'Password updated' } as const;
export type FlashKey = keyof typeof MESSAGES;

function cookie(request: FastifyRequest, value: string, maxAge: number): string {
  return stringifySetCookie({
    name: COOKIE,
    value,
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    maxAge,
    secure: request.protocol === 'https',
  });
}

/** Shows MESSAGES[key] on the next page that takes it (within five minutes). */
export function setFlash(request: FastifyRequest, reply: FastifyReply, key: FlashKey): void {
  reply.header('Set-Cookie', cookie(request, key, 300));
}

/** The pending message, if any, and clears it so it is shown once. HEAD leaves it in place. */
export function takeFlash(request: FastifyRequest, reply: FastifyReply): string | null {
  const value = parseCookie(request.headers.cookie ?? '')[COOKIE];
  if (value === undefined || request.method !== 'GET') return null;
  reply.header('Set-Cookie', cookie(request, '', 0));
  return Object.hasOwn(MESSAGES, value) ? MESSAGES[value as FlashKey] : null;
}
