// A single-page app signs in with oidc-client-ts, in headless Chromium driven by playwright-core,
// against the running service. Run by tests/e2e/oidc-client-ts.sh with ITEMPATH_URL,
// ITEMPATH_ADMIN_PASSWORD, SPA_PORT (the service's CORS allows http://127.0.0.1:SPA_PORT),
// CHROMIUM (Debian's, launched as it is: no browser download) and SHOT (where the sign-in page's
// screenshot goes). Prints one line per check and exits 1 if any failed.
//
// The app (spa/) is served from here: index.html, callback.html, app.js, config.js and the
// package's browser bundle. The flow: Sign in -> the hosted sign-in page -> the callback -> the
// API with the access token -> Refresh (the refresh token rotates) -> Sign out (id_token_hint)
// -> back at the app; then the last refresh token is refused and a new sign-in asks again.
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { chromium } from 'playwright-core';

const base = process.env.ITEMPATH_URL;
const adminPassword = process.env.ITEMPATH_ADMIN_PASSWORD;
const spaPort = Number(process.env.SPA_PORT);
const executablePath = process.env.CHROMIUM;
const shot = process.env.SHOT;
const tenant = 'default';
const issuer = `${base}/${tenant}`;
const origin = `http://127.0.0.1:${spaPort}`;
const timeout = 30_000;
let failures = 0;
let checks = 0;

function check(ok, what) {
  checks++;
  if (ok) console.log(`ok: ${what}`);
  else { failures++; console.log(`FAIL: ${what}`); }
  return ok;
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

// --- the tenant's admin registers the app and creates a user ---------------------------------
const admin = (await api('POST', '/api/users/login', null, { username: 'admin', password: adminPassword })).accessToken;
const tenantName = (await api('GET', `/api/tenants/${tenant}`, admin)).name;
const stamp = `${Date.now()}-${process.pid}`;
const client = await api('POST', '/api/clients', admin, {
  clientId: `spa-${stamp}`, name: 'Stations SPA', type: 'public', tokenEndpointAuthMethod: 'none',
  grantTypes: ['authorization_code', 'refresh_token'],
  allowedScopes: ['openid', 'profile', 'email', 'offline_access'],
  redirectUris: [`${origin}/callback.html`], postLogoutRedirectUris: [`${origin}/`],
});
check(client.clientId === `spa-${stamp}` && !client.clientSecret, `registered the public client ${client.clientId} (no secret)`);
const username = `spa-user-${stamp}`;
const password = `Spa-${randomBytes(9).toString('base64url')}`;
await api('POST', '/api/users', admin, { username, password, email: `${username}@example.com`, type: 'user' });
check(true, `created the user ${username}`);

// --- the app's static server ------------------------------------------------------------------
const here = new URL('.', import.meta.url);
const files = {
  '/': ['spa/index.html', 'text/html'],
  '/index.html': ['spa/index.html', 'text/html'],
  '/callback.html': ['spa/callback.html', 'text/html'],
  '/app.js': ['spa/app.js', 'text/javascript'],
  '/oidc-client-ts.min.js': ['node_modules/oidc-client-ts/dist/browser/oidc-client-ts.min.js', 'text/javascript'],
};
const configJs = `window.spaConfig = ${JSON.stringify({ authority: issuer, clientId: client.clientId, api: base })};\n`;
const server = createServer(async (request, response) => {
  const path = new URL(request.url, origin).pathname;
  try {
    if (path === '/config.js') {
      response.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'no-store' });
      response.end(configJs);
    } else if (files[path]) {
      const [file, type] = files[path];
      const body = await readFile(new URL(file, here));
      response.writeHead(200, { 'Content-Type': `${type}; charset=utf-8`, 'Cache-Control': 'no-store' });
      response.end(body);
    } else {
      response.writeHead(404, { 'Content-Type': 'text/plain' });
      response.end('not found');
    }
  } catch (error) {
    response.writeHead(500, { 'Content-Type': 'text/plain' });
    response.end(String(error));
  }
});
await new Promise((resolve, reject) => { server.once('error', reject); server.listen(spaPort, '127.0.0.1', resolve); });

// --- the browser --------------------------------------------------------------------------------
const browser = await chromium.launch({
  executablePath, headless: true, timeout,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});
const context = await browser.newContext({ viewport: { width: 720, height: 440 } });
context.setDefaultTimeout(timeout);
const page = await context.newPage();
// What went wrong in the page, for the log: script errors, and failed answers other than a favicon.
page.on('console', (message) => {
  if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) console.log(`browser console: ${message.text()}`);
});
page.on('response', (response) => {
  if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) console.log(`browser: HTTP ${response.status()} for ${response.url()}`);
});
page.on('pageerror', (error) => console.log(`browser page error: ${error.message}`));

const text = async (id) => (await page.locator(`#${id}`).textContent())?.trim() ?? '';
const appReady = async () => {
  await page.waitForSelector('body[data-state="ready"], body[data-state="error"]');
  const error = await text('error');
  if (error) console.log(`app error: ${error}`);
  return !error;
};
const click = async (id) => {
  await page.click(`#${id}`);
  await page.waitForSelector('body[data-state="done"], body[data-state="error"]');
  const error = await text('error');
  if (error) console.log(`app error: ${error}`);
  return !error;
};
const onSignInPage = () => page.waitForURL((url) => url.href.startsWith(`${issuer}/login`));
const sessionCookie = async () => (await context.cookies(base)).find((c) => c.name === `itempath_session.${tenant}`);

try {
  await page.goto(`${origin}/`);
  check(await appReady() && (await text('status')) === 'signed out', 'the app starts signed out');

  // Sign in: the authorize request goes on to the hosted sign-in page.
  await page.click('#signin');
  await onSignInPage();
  check(true, `Sign in leads to the hosted sign-in page (${new URL(page.url()).pathname})`);
  const title = await page.title();
  check(title === `Sign in – ${tenantName}`, `its title is "Sign in – ${tenantName}" (got "${title}")`);
  check((await page.locator('h1').textContent())?.trim() === tenantName, `its heading is the tenant's name "${tenantName}"`);
  check(await page.locator('input[name="username"]').isVisible() && await page.locator('input[name="password"][type="password"]').isVisible(),
    'it has the inputs username and password');
  await page.screenshot({ path: shot, fullPage: true });
  check(true, `screenshot of the sign-in page: ${shot}`);

  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL(`${origin}/`), page.click('button[type="submit"]')]);
  check(await appReady() && (await text('status')) === `signed in as ${username}`,
    `after the callback the app is signed in as ${username} (${await text('status')})`);
  const first = await page.evaluate(() => window.spa.user());
  check(Boolean(first?.access_token && first.id_token && first.refresh_token), 'the app holds an access token, an ID token and a refresh token');
  check(first?.profile?.email === `${username}@example.com`, `the profile has the email from userinfo (${first?.profile?.email})`);
  check(Boolean(await sessionCookie()), `the browser holds the session cookie itempath_session.${tenant}`);

  // The API from the app's origin, with the access token (CORS).
  const apiOk = await click('call-api');
  const me = JSON.parse((await text('api-result')) || '{}');
  check(apiOk && me.status === 200 && me.username === username, `Call API: GET /api/users/me answers 200 for ${username} (${JSON.stringify(me)})`);

  // Refresh: signinSilent redeems the refresh token; a public client's token rotates.
  const refreshOk = await click('refresh');
  const refreshed = JSON.parse((await text('refresh-result')) || '{}');
  check(refreshOk && refreshed.rotated === true && refreshed.newAccessToken === true,
    `Refresh: a new access token and a new refresh token (${JSON.stringify(refreshed)})`);
  const second = await page.evaluate(() => window.spa.user());
  check(Boolean(second?.refresh_token) && second.refresh_token !== first?.refresh_token, 'the stored refresh token changed');
  const againOk = await click('call-api');
  check(againOk && JSON.parse((await text('api-result')) || '{}').status === 200, 'Call API with the new access token: 200');

  // Sign out: the end-session endpoint with id_token_hint, then back at the app's "/".
  await page.click('#signout');
  await page.waitForURL((url) => url.origin === origin && url.pathname === '/');
  check(await appReady() && (await text('status')) === 'signed out', `Sign out returns to ${origin}/ signed out`);
  check(new URL(page.url()).search === '', 'the app took the sign-out answer off its address');
  check(!(await sessionCookie()), 'the session cookie is gone');

  // The last refresh token is refused now.
  const refused = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: second?.refresh_token ?? '', client_id: client.clientId }),
  });
  const refusedBody = await refused.json().catch(() => ({}));
  check(refused.status === 400 && refusedBody.error === 'invalid_grant',
    `after sign-out the last refresh token is refused: HTTP ${refused.status} ${refusedBody.error}`);

  // A new sign-in asks for the password again.
  await page.click('#signin');
  await onSignInPage();
  check(await page.locator('input[name="password"]').isVisible(), 'a new Sign in shows the sign-in page again');
} catch (error) {
  check(false, `the flow stopped at ${page.url()}: ${error.message.split('\n')[0]}`);
} finally {
  await browser.close();
  server.close();
}

console.log(`${checks - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
