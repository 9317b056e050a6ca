/**
 * A stand-in for the Cognito hosted UI's back channel, on 127.0.0.1: the JWKS and the token
 * endpoint of the authorization-code flow with PKCE. A test plays the person at the authorize
 * step by calling `issueCode(challenge, claims)`; the token endpoint then checks the verifier
 * against that challenge, as Cognito does, and returns an RS256-signed ID token.
 */
import { createHash, createSign, generateKeyPairSync, type KeyObject, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

export function signJwt(privateKey: KeyObject, kid: string, payload: Record<string, unknown>): string {
  const head = `${b64({ alg: 'RS256', kid, typ: 'JWT' })}.${b64(payload)}`;
  return `${head}.${createSign('RSA-SHA256').update(head).sign(privateKey).toString('base64url')}`;
}

export class FakeIdp {
  readonly clientId = 'test-console-client';
  readonly kid = 'test-key-1';
  private readonly keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  /** A key the pool never published: tokens signed with it must be refused. */
  readonly strangerKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  private readonly codes = new Map<string, { challenge: string; claims: Record<string, unknown>; key: KeyObject }>();
  private server?: Server;
  url = '';
  tokenRequests = 0;
  /** Who "signs in" at the authorize step a browser is sent to (the hosted UI's login form, skipped). */
  signedInAs?: Record<string, unknown>;

  get issuer(): string {
    return `${this.url}/issuer`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const send = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json', connection: 'close' });
          res.end(JSON.stringify(body));
        };
        if (req.method === 'GET' && req.url === '/issuer/.well-known/jwks.json') {
          const jwk = this.keys.publicKey.export({ format: 'jwk' });
          return send(200, { keys: [{ ...jwk, kid: this.kid, alg: 'RS256', use: 'sig' }] });
        }
        const url = new URL(req.url ?? '/', this.url);
        if (req.method === 'GET' && url.pathname === '/oauth2/authorize' && this.signedInAs) {
          const code = this.issueCode(url.searchParams.get('code_challenge') ?? '', this.signedInAs);
          const back = new URL(url.searchParams.get('redirect_uri') ?? '');
          back.searchParams.set('code', code);
          back.searchParams.set('state', url.searchParams.get('state') ?? '');
          res.writeHead(302, { location: back.toString(), connection: 'close' });
          return res.end();
        }
        if (req.method === 'GET' && url.pathname === '/logout') {
          res.writeHead(302, { location: url.searchParams.get('logout_uri') ?? '/', connection: 'close' });
          return res.end();
        }
        if (req.method === 'POST' && req.url === '/oauth2/token') {
          this.tokenRequests++;
          const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
          const issued = this.codes.get(form.get('code') ?? '');
          this.codes.delete(form.get('code') ?? '');
          const verifier = form.get('code_verifier') ?? '';
          const ok =
            issued &&
            form.get('grant_type') === 'authorization_code' &&
            form.get('client_id') === this.clientId &&
            createHash('sha256').update(verifier).digest('base64url') === issued.challenge;
          if (!ok || !issued) return send(400, { error: 'invalid_grant' });
          const now = Math.floor(Date.now() / 1000);
          const idToken = signJwt(issued.key, this.kid, {
            iss: this.issuer,
            aud: this.clientId,
            token_use: 'id',
            iat: now,
            exp: now + 3600,
            sub: randomBytes(8).toString('hex'),
            ...issued.claims,
          });
          return send(200, { id_token: idToken, access_token: 'opaque', token_type: 'Bearer', expires_in: 3600 });
        }
        send(404, { error: 'not_found' });
      });
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** What the hosted UI does when the person has signed in: a one-time code bound to the PKCE challenge. */
  issueCode(challenge: string, claims: Record<string, unknown>, options: { signWith?: KeyObject } = {}): string {
    const code = randomBytes(12).toString('hex');
    this.codes.set(code, { challenge, claims, key: options.signWith ?? this.keys.privateKey });
    return code;
  }

  /** The environment that points the console at this stand-in. */
  env(): Record<string, string> {
    return {
      COGNITO_USER_POOL_ID: 'eu-north-1_TestPool',
      COGNITO_CLIENT_ID: this.clientId,
      COGNITO_DOMAIN: this.url,
      COGNITO_ISSUER: this.issuer,
      COGNITO_JWKS_URI: `${this.issuer}/.well-known/jwks.json`,
    };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
