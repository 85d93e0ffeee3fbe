// The TLS files (certificate, key, client CA): read and checked at start, and read again on SIGHUP without dropping a connection.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { Server as TlsServer, createSecureContext } from 'node:tls';
import type { Config } from '../config.ts';
import { ConfigError, reasonOf } from '../errors.ts';

/** What Fastify's `https` option gets: the PEM files, and whether (and how firmly) client certificates are asked for. */
export interface HttpsOptions {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  requestCert: boolean;
  /** `require`: a client without a certificate the CA verified is refused in the handshake. */
  rejectUnauthorized: boolean;
}

interface TlsFiles {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
}

function read(setting: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new ConfigError(`${setting}: cannot read ${path}: ${reasonOf(err)}`);
  }
}

/** Every certificate of a PEM bundle parses, and there is at least one (an empty or a key file would verify nobody). */
function checkCa(path: string, ca: Buffer): void {
  const blocks = ca.toString('latin1').match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  const fix = 'give the PEM file of the CA certificates that issue the client certificates (-----BEGIN CERTIFICATE-----)';
  if (blocks.length === 0) throw new ConfigError(`THALAMUS_TLS_CA: ${path} holds no PEM certificate: ${fix}`);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (err) {
      throw new ConfigError(`THALAMUS_TLS_CA: certificate ${i + 1} of ${path} does not parse (${reasonOf(err)}): ${fix}`);
    }
  });
}

/** The certificate and key parse and belong together (an OpenSSL code alone tells an operator nothing); the CA bundle parses. */
function readTlsFiles(certPath: string, keyPath: string, caPath: string | null): TlsFiles {
  const cert = read('THALAMUS_TLS_CERT', certPath);
  const key = read('THALAMUS_TLS_KEY', keyPath);
  try {
    createSecureContext({ cert });
  } catch (err) {
    throw new ConfigError(
      `THALAMUS_TLS_CERT: ${certPath} is not a PEM certificate (${reasonOf(err)}): give the certificate file (-----BEGIN CERTIFICATE-----)`,
    );
  }
  try {
    createSecureContext({ key });
  } catch (err) {
    throw new ConfigError(
      `THALAMUS_TLS_KEY: ${keyPath} is not an unencrypted PEM private key (${reasonOf(err)}): give the key file (-----BEGIN PRIVATE KEY-----)`,
    );
  }
  try {
    createSecureContext({ cert, key });
  } catch {
    throw new ConfigError(
      `THALAMUS_TLS_KEY: ${keyPath} does not match the certificate in THALAMUS_TLS_CERT (${certPath}): give the key the certificate was issued for`,
    );
  }
  if (caPath === null) return { cert, key };
  const ca = read('THALAMUS_TLS_CA', caPath);
  checkCa(caPath, ca);
  return { cert, key, ca };
}

/** Serving TLS ourselves: the files as checked now, with the client-certificate setting; null when serving plain HTTP. */
export function httpsOptions(config: Config): HttpsOptions | null {
  if (!config.tlsCert || !config.tlsKey) return null;
  return {
    ...readTlsFiles(config.tlsCert, config.tlsKey, config.tlsCa),
    requestCert: config.tlsClientCert !== 'off',
    rejectUnauthorized: config.tlsClientCert === 'require',
  };
}

interface Log {
  info(message: string): void;
  error(message: string): void;
}

/** Subject and expiry of the certificate now served, for the log. */
function describe(cert: Buffer): string {
  const { subject, validTo } = new X509Certificate(cert);
  return `${subject.replace(/\n/g, ', ')}, valid until ${validTo}`;
}

/**
 * SIGHUP: the certificate, key and CA read again from disk and, when they check out, used for
 * every new connection (tls.Server#setSecureContext); open connections keep the context they
 * were made with, so none is dropped. Files that do not check out change nothing: the server
 * goes on with the previous ones, and one line says why. Returns whether the new files are in use.
 */
export function reloadTls(server: unknown, config: Config, log: Log): boolean {
  if (!(server instanceof TlsServer) || !config.tlsCert || !config.tlsKey) {
    log.info('SIGHUP: not serving TLS (THALAMUS_TLS_CERT is not set), nothing to reload');
    return false;
  }
  let files: TlsFiles;
  try {
    files = readTlsFiles(config.tlsCert, config.tlsKey, config.tlsCa);
  } catch (err) {
    log.error(`SIGHUP: TLS files not reloaded, still serving the previous certificate: ${reasonOf(err)}`);
    return false;
  }
  server.setSecureContext(files);
  log.info(`SIGHUP: TLS certificate${files.ca ? ', key and client CA' : ' and key'} reloaded from disk (${describe(files.cert)})`);
  return true;
}
