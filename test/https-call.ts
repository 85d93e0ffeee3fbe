// One HTTPS request over a real TLS connection, presenting a client certificate or not, and what the server presented.
import type { Agent } from 'node:https';
import { request } from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface HttpsAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** SHA-256 fingerprint of the certificate the server presented on this connection. */
  served: string;
  /** The request went over a connection an earlier request had opened (keep-alive). */
  reused: boolean;
}

export interface HttpsCall {
  /** The CA the server's certificate is checked against (verification stays on). */
  ca: string | string[];
  /** The client certificate and key to present. */
  client?: { cert: string; key: string };
  headers?: Record<string, string>;
  /** A keep-alive agent to reuse connections; by default a new connection, closed after. */
  agent?: Agent;
}

/** GET `url` (https://127.0.0.1:<port>/...); rejects when the TLS handshake or the connection fails. */
export function httpsGet(url: string, { ca, client, headers = {}, agent }: HttpsCall): Promise<HttpsAnswer> {
  return new Promise((resolve, reject) => {
    const options = agent ? { agent, headers } : { agent: false as const, ca, ...client, headers };
    const req = request(url, options, (res) => {
      const socket = res.socket as TLSSocket;
      const served = socket.getPeerCertificate().fingerprint256;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, served, reused: req.reusedSocket }));
    });
    req.on('error', reject);
    req.end();
  });
}
