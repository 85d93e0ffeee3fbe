// Certificates made at test time: a CA, server and client certificates it signs (node-forge; keys from node:crypto).
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import forge from 'node-forge';

export interface Issued {
  /** PEM certificate. */
  cert: string;
  /** PEM PKCS#8 private key (-----BEGIN PRIVATE KEY-----). */
  key: string;
  /** SHA-256 fingerprint as Node's TLS reports it (`getPeerCertificate().fingerprint256`). */
  fingerprint256: string;
}

export interface Authority extends Issued {
  /** A certificate this CA signs: a client certificate for `cn`, or a server certificate for localhost and 127.0.0.1. */
  issue(options: { cn: string; server?: boolean }): Issued;
}

/** An RSA key pair made natively (forge's own generator takes seconds), in both forms. */
function keyPair(): { pem: string; forgeKeys: { publicKey: forge.pki.rsa.PublicKey; privateKey: forge.pki.rsa.PrivateKey } } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgePrivate = forge.pki.privateKeyFromPem(pem);
  return { pem, forgeKeys: { privateKey: forgePrivate, publicKey: forge.pki.setRsaPublicKey(forgePrivate.n, forgePrivate.e) } };
}

function newCertificate(cn: string, publicKey: forge.pki.PublicKey): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // Positive (high bit clear), unique per certificate.
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  // Valid from an hour ago (clocks drift) for a day: longer than any test.
  cert.validity.notBefore = new Date(Date.now() - 3_600_000);
  cert.validity.notAfter = new Date(Date.now() + 86_400_000);
  cert.setSubject([{ name: 'commonName', value: cn }]);
  return cert;
}

function issued(cert: forge.pki.Certificate, key: string): Issued {
  const pem = forge.pki.certificateToPem(cert);
  return { cert: pem, key, fingerprint256: new X509Certificate(pem).fingerprint256 };
}

/** A new self-signed certificate authority named `CN=<name>`. */
export function makeAuthority(name: string): Authority {
  const caKeys = keyPair();
  const ca = newCertificate(name, caKeys.forgeKeys.publicKey);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.forgeKeys.privateKey, forge.md.sha256.create());
  return {
    ...issued(ca, caKeys.pem),
    issue({ cn, server = false }) {
      const leafKeys = keyPair();
      const leaf = newCertificate(cn, leafKeys.forgeKeys.publicKey);
      leaf.setIssuer(ca.subject.attributes);
      leaf.setExtensions([
        { name: 'basicConstraints', cA: false, critical: true },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        server ? { name: 'extKeyUsage', serverAuth: true } : { name: 'extKeyUsage', clientAuth: true },
        { name: 'authorityKeyIdentifier', keyIdentifier: ca.generateSubjectKeyIdentifier().getBytes() },
        ...(server
          ? [
              {
                name: 'subjectAltName',
                altNames: [
                  { type: 2, value: 'localhost' },
                  { type: 7, ip: '127.0.0.1' },
                ],
              },
            ]
          : []),
      ]);
      leaf.sign(caKeys.forgeKeys.privateKey, forge.md.sha256.create());
      return issued(leaf, leafKeys.pem);
    },
  };
}
