// SQL for spent CSRF tokens of the HTML forms (table spent_form_tokens, migration 022).
import type { Queryable } from '../db/db.ts';

/**
 * Marks the token's nonce spent: true the first time, false ever after (two submissions racing
 * each other: the primary key lets one through). Rows an hour past their expiry go on the way.
 */
export async function spendFormToken(q: Queryable, nonce: string, expires: Date): Promise<boolean> {
  await q.query("DELETE FROM spent_form_tokens WHERE expires_at < now() - interval '1 hour'");
  const rows = await q.query(
    'INSERT INTO spent_form_tokens (nonce, expires_at) VALUES ($1, $2) ON CONFLICT (nonce) DO NOTHING RETURNING nonce',
    [nonce, expires.toISOString()],
  );
  return rows.length === 1;
}
