// Registered clients against the running service with oauth4webapi, as a Node service would use it:
// discovery (RFC 8414), client_credentials, introspection and revocation, each with
// client_secret_basic, client_secret_post and private_key_jwt (a key made here). The clients are
// registered through the management API first. Run by tests/e2e/oauth4webapi.sh with ITEMPATH_URL
// and ITEMPATH_ADMIN_PASSWORD; prints one line per check and exits 1 if any failed.
import * as oauth from 'oauth4webapi';
import { webcrypto } from 'node:crypto';

const base = process.env.ITEMPATH_URL;
const adminPassword = process.env.ITEMPATH_ADMIN_PASSWORD;
const tenant = 'default';
const scope = 'stations:read';
// The service is on loopback HTTP here; a deployment is HTTPS.
const insecure = { [oauth.allowInsecureRequests]: true };
let failures = 0;
let checks = 0;

function check(ok, what) {
  checks++;
  if (ok) console.log(`ok: ${what}`);
  else { failures++; console.log(`FAIL: ${what}`); }
}

async function api(method, path, token, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status} ${text}`);
  return text ? JSON.parse(text) : null;
}

const admin = (await api('POST', '/api/users/login', null, { username: 'admin', password: adminPassword })).accessToken;
await api('PATCH', `/api/tenants/${tenant}`, admin, { apiScopes: [{ name: scope, description: 'Read stations' }] });

// The tenant's issuer and its RFC 8414 metadata, validated by the library.
const issuer = new URL(`${base}/${tenant}`);
const as = await oauth.processDiscoveryResponse(issuer, await oauth.discoveryRequest(issuer, { algorithm: 'oauth2', ...insecure }));
check(as.grant_types_supported.includes('client_credentials'), 'metadata: client_credentials supported');
check(as.token_endpoint_auth_methods_supported.includes('private_key_jwt'), 'metadata: private_key_jwt supported');

// A key pair for private_key_jwt, made here; only its public half is registered.
const keys = await webcrypto.subtle.generateKey(
  { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' }, true, ['sign', 'verify']);
const kid = `e2e-${Date.now()}`;
const { kty, n, e } = await webcrypto.subtle.exportKey('jwk', keys.publicKey);
const stamp = `${Date.now()}-${process.pid}`;

const methods = [
  { method: 'client_secret_basic', auth: (secret) => oauth.ClientSecretBasic(secret) },
  { method: 'client_secret_post', auth: (secret) => oauth.ClientSecretPost(secret) },
  { method: 'private_key_jwt', auth: () => oauth.PrivateKeyJwt({ key: keys.privateKey, kid }), jwks: { keys: [{ kty, n, e, kid, alg: 'RS256', use: 'sig' }] } },
];

for (const { method, auth, jwks } of methods) {
  const registered = await api('POST', '/api/clients', admin, {
    clientId: `e2e-${method}-${stamp}`, name: `e2e ${method}`, grantTypes: ['client_credentials'],
    tokenEndpointAuthMethod: method, allowedScopes: [scope], ...(jwks ? { jwks } : {}),
  });
  const client = { client_id: registered.clientId };
  const clientAuth = auth(registered.clientSecret);

  const tokens = await oauth.processClientCredentialsResponse(as, client,
    await oauth.clientCredentialsGrantRequest(as, client, clientAuth, new URLSearchParams({ scope }), insecure));
  check(typeof tokens.access_token === 'string' && tokens.token_type === 'bearer' && tokens.scope === scope && tokens.expires_in > 0,
    `${method}: client_credentials gives a bearer token with scope ${scope}`);

  const verify = await fetch(`${base}/api/auth/verify`, { headers: { Authorization: `Bearer ${tokens.access_token}` } });
  check(verify.status === 200 && verify.headers.get('x-auth-client-id') === client.client_id, `${method}: /api/auth/verify names the client`);

  const active = await oauth.processIntrospectionResponse(as, client,
    await oauth.introspectionRequest(as, client, auth(registered.clientSecret), tokens.access_token, insecure));
  check(active.active === true && active.client_id === client.client_id && active.scope === scope, `${method}: introspection sees the token active`);

  await oauth.processRevocationResponse(await oauth.revocationRequest(as, client, auth(registered.clientSecret), tokens.access_token, insecure));
  const revoked = await oauth.processIntrospectionResponse(as, client,
    await oauth.introspectionRequest(as, client, auth(registered.clientSecret), tokens.access_token, insecure));
  check(revoked.active === false, `${method}: after revocation introspection sees it inactive`);

  if (registered.clientSecret) {
    try {
      await oauth.processClientCredentialsResponse(as, client,
        await oauth.clientCredentialsGrantRequest(as, client, auth(`${registered.clientSecret}x`), new URLSearchParams(), insecure));
      check(false, `${method}: a wrong secret is refused`);
    } catch (error) {
      // With Basic the 401 carries a Basic challenge, which the library reports as such.
      const refused = (error instanceof oauth.ResponseBodyError && error.error === 'invalid_client' && error.status === 401)
        || (error instanceof oauth.WWWAuthenticateChallengeError && error.status === 401 && error.cause.some((c) => c.scheme === 'basic'));
      check(refused, `${method}: a wrong secret is refused with invalid_client (${error.constructor.name})`);
    }
  }
}

console.log(`${checks - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
