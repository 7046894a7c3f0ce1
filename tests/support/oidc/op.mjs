// A real OpenID provider for the sign-in tests: node-oidc-provider 8 on 127.0.0.1, started and stopped by
// tests/fixtures/oidc.py. Configured entirely from the environment:
//   OP_PORT     port to listen on (the issuer is http://127.0.0.1:OP_PORT)
//   OP_CLIENTS  JSON list of client metadata (client_id, client_secret, redirect_uris…)
//   OP_JWKS     optional JSON {keys: [private JWKs]} to sign ID tokens with (so tests know the key)
//   OP_PICTURES optional path of a JSON file {login: picture URL}, read at every sign-in, so that a test
//               can give an account a `picture` claim pointing at a server it started
// Dev interactions are on: any login name with any password signs in as the account of that name.
// Dynamic client registration (RFC 7591) is open, for the Mastodon-style registration tests.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const port = Number(process.env.OP_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OP_CLIENTS || '[]');
const jwks = process.env.OP_JWKS ? JSON.parse(process.env.OP_JWKS) : undefined;

function pictureOf(id) {
  if (!process.env.OP_PICTURES) return undefined;
  try {
    return JSON.parse(readFileSync(process.env.OP_PICTURES, 'utf8'))[id];
  } catch {
    return undefined;  // no file yet: no account has a picture
  }
}

const provider = new Provider(issuer, {
  clients,
  ...(jwks ? { jwks } : {}),
  pkce: { methods: ['S256'], required: () => true },
  features: {
    devInteractions: { enabled: true },
    registration: { enabled: true },
  },
  cookies: { keys: ['test-only-cookie-key-0123456789abcdef'] },
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username', 'picture'],
  },
  async findAccount(ctx, id) {
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: `${id}@example.test`,
          email_verified: !id.startsWith('unverified'),
          name: `User ${id}`,
          preferred_username: id,
          picture: pictureOf(id),
        };
      },
    };
  },
});
provider.proxy = false;

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(`ready ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
