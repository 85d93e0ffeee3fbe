// A request as the Python clients send it: json.dumps text, no Content-Type, HTTP Basic (requests' auth=).
import type { FastifyInstance } from 'fastify';
import { basic } from '../helper.ts';

export interface Account {
  id: string;
  password: string;
}

/** requests.<method>(url, data=json.dumps(body), auth=(user, password)): the body goes as raw text. */
export function pythonRequest(
  app: FastifyInstance,
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  auth: Account,
  body?: unknown,
) {
  const headers: Record<string, string | undefined> = {
    authorization: basic(auth.id, auth.password),
    'user-agent': 'python-requests/2.31.0',
    'content-type': undefined,
  };
  return app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: JSON.stringify(body, null, 1) }) });
}
