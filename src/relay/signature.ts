// The webhook signature: HMAC-SHA256 of the raw body with the subscription's secret (RFC 2104), as X-Thalamus-Signature.
import { createHmac } from 'node:crypto';

export function signatureHeader(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}
