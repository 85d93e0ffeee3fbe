// Errors a handler throws: an HTTP status and a message safe to show the caller.

export class AppError extends Error {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  /** More members of the JSON body beside "error" (RFC 6749's error_description). */
  readonly fields: Record<string, string>;

  constructor(statusCode: number, message: string, headers: Record<string, string> = {}, fields: Record<string, string> = {}) {
    super(message);
    this.name = 'AppError';
    this.statusCode = statusCode;
    this.headers = headers;
    this.fields = fields;
  }
}

/** Raised for a setting that cannot be used; the process prints its message and exits 1. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** An expected failure of a CLI command: printed as one line, exit code 1. */
export class CliError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliError';
  }
}

export const badRequest = (message: string) => new AppError(400, message);
export const unauthorized = (message = 'Unauthorized Access', realm = 'Thalamus') =>
  new AppError(401, message, { 'WWW-Authenticate': `Basic realm="${realm}", charset="UTF-8"` });
/** A Bearer token that does not hold (RFC 6750 §3.1). */
export const invalidAccessToken = () =>
  new AppError(401, 'The access token is invalid, expired or revoked', {
    'WWW-Authenticate': 'Bearer realm="Thalamus", error="invalid_token"',
  });
export const forbidden = (message = 'Not permitted') => new AppError(403, message);
export const notFound = (message = 'Not found') => new AppError(404, message);
export const unprocessable = (message: string) => new AppError(422, message);

/** What went wrong, in a word or a line: a system error's code (ENOENT, EACCES), else its message. */
export function reasonOf(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const code = (err as NodeJS.ErrnoException).code;
  return typeof code === 'string' && /^E[A-Z]+$/.test(code) ? code : err.message;
}
