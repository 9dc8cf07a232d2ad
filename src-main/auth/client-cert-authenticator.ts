// Upstream's x509 client-certificate authenticator: the HTTPS server asks every client for a
// certificate but lets the handshake succeed without one (so bearer tokens and anonymous
// requests still work); a certificate that the cluster CA verified is the user named by its CN,
// in the groups of its O values. One the CA did not sign, or not meant for client auth, is
// rejected (401), never ignored.
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { AuthenticationRejected, type Authenticator, type UserInfo } from './authenticator.ts';

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';

/** The TLS options that make the server ask for, but not require, a client certificate. */
export const requestClientCertificate = { requestCert: true, rejectUnauthorized: false } as const;

function values(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : [v].flat();
}

export class ClientCertAuthenticator implements Authenticator {
  authenticate(req: IncomingMessage): UserInfo | undefined {
    const socket = req.socket as Partial<TLSSocket>;
    const cert = socket.getPeerCertificate?.();
    // No certificate: an empty object (or nothing on a plain socket).
    if (!cert || !cert.raw) return undefined;
    // socket.authorized: the chain verified against the CA the server was given.
    if (!socket.authorized) throw new AuthenticationRejected(`client certificate "${values(cert.subject?.CN).join(',')}": ${String(socket.authorizationError ?? 'not verified')}`);
    // Checked on every request, as upstream verifies each one: a kept-alive connection must not
    // outlive its certificate (the handshake checked it only when it was made).
    const now = Date.now();
    if (Date.parse(cert.valid_to) <= now || Date.parse(cert.valid_from) > now) throw new AuthenticationRejected(`client certificate "${values(cert.subject?.CN).join(',')}": x509: certificate has expired or is not yet valid`);
    if (cert.ext_key_usage && !cert.ext_key_usage.includes(CLIENT_AUTH_OID)) throw new AuthenticationRejected(`client certificate "${values(cert.subject?.CN).join(',')}" is not for client authentication`);
    const name = values(cert.subject?.CN)[0];
    if (!name) throw new AuthenticationRejected('client certificate has no common name');
    return { name, groups: [...values(cert.subject?.O), 'system:authenticated'] };
  }
}
