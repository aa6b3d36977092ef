// The web console in headless Chromium (playwright-core, Debian's chromium), against the running
// service. Run by tests/e2e/console.sh with ITEMPATH_URL, ITEMPATH_ADMIN_PASSWORD, CHROMIUM and
// SHOTS (the folder the screenshots go to, docs/images by default). Prints one line per check
// and exits 1 if any failed.
//
// An admin signs in through the hosted page, creates a user (a weak password first: the error
// shows at the field), sets the user's password and sees password_changed among the user's
// security events; the user, signed in in another browser, is signed out cleanly; the user signs
// in again and sees only their own pages; the admin revokes the user's sessions and the user's
// console ends again; the last admin cannot be deleted and the console says why; a client is
// registered and its secret shown once; on its page a second secret is added (shown once) and the
// first deleted, an empty JWK Set is refused at its field, the lifetime, rate limit, grant types
// and redirect URIs are changed (read back through the API), and the client is disabled and
// deleted, each confirmed; a signing key is rotated, the Retire dialog warns that retiring k1
// ends the console's own session, and after a reload (signed in again with k2) k1 is retired;
// a setting out of range is refused at its field and a good one saved; the operator creates a
// tenant and rotates its key; sign-out goes back to the console's signed-out page. axe-core
// checks every page and new page state (no serious or critical finding) and no page breaks its
// Content-Security-Policy.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const base = process.env.ITEMPATH_URL;
const adminPassword = process.env.ITEMPATH_ADMIN_PASSWORD;
const executablePath = process.env.CHROMIUM;
const shots = process.env.SHOTS;
const tenant = 'default';
const issuer = `${base}/${tenant}`;
const consoleUrl = `${issuer}/console`;
const timeout = 30_000;
const axeSource = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
let failures = 0;
let checks = 0;

function check(ok, what) {
  checks++;
  if (ok) console.log(`ok: ${what}`);
  else { failures++; console.log(`FAIL: ${what}`); }
  return ok;
}

// --- the server's side of the console, without a browser ------------------------------------
const redirect = await fetch(`${base}/console`, { redirect: 'manual' });
check(redirect.status === 302 && redirect.headers.get('location') === consoleUrl,
  `GET /console redirects to the tenant's console ${consoleUrl} (${redirect.status} ${redirect.headers.get('location')})`);
const pageAnswer = await fetch(consoleUrl);
const csp = pageAnswer.headers.get('content-security-policy') ?? '';
check(pageAnswer.status === 200 && /script-src 'self'(;|$)/.test(csp) && !csp.includes('unsafe-inline') && csp.includes("frame-ancestors 'none'"),
  `the console page allows only its own scripts: ${csp}`);
const builtIn = await fetch(`${issuer}/.well-known/openid-configuration`).then((r) => r.json());
check(Boolean(builtIn.authorization_endpoint), 'the tenant publishes its OpenID configuration');

// --- the browser ------------------------------------------------------------------------------
const browser = await chromium.launch({
  executablePath, headless: true, timeout,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run'],
});

async function newPage(name) {
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  context.setDefaultTimeout(timeout);
  const page = await context.newPage();
  page.on('console', (message) => {
    const text = message.text();
    if (/Content Security Policy/i.test(text)) check(false, `${name}: the page broke its CSP: ${text}`);
    else if (message.type() === 'error' && !text.startsWith('Failed to load resource')) console.log(`${name} browser console: ${text}`);
  });
  page.on('pageerror', (error) => check(false, `${name}: script error: ${error.message}`));
  return page;
}

const ready = (page) => page.waitForSelector('body[data-state="ready"], body[data-state="signed-out"]');
const heading = async (page) => (await page.locator('main h1').textContent())?.trim();
/** Waits until the page shows the heading, rendered in full (a hash change renders asynchronously). */
const until = (page, title) => page.waitForFunction((t) => document.querySelector('main h1')?.textContent === t
  && ['ready', 'signed-out'].includes(document.body.dataset.state), title);

async function axeCheck(page, what) {
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ['violations'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of result.violations) console.log(`axe (${what}): ${v.impact} ${v.id}: ${v.help} (${v.nodes.length} nodes)`);
  check(bad.length === 0, `axe-core: no serious or critical finding on ${what}${bad.length ? `: ${bad.map((v) => v.id).join(', ')}` : ''}`);
}

async function shot(page, name) {
  const path = `${shots}/console-${name}.png`;
  await page.screenshot({ path, fullPage: true });
  check(true, `screenshot ${path}`);
}

/** The page at a phone's width: it fits without scrolling sideways; a screenshot is kept. */
async function narrowShot(page, name) {
  const wide = page.viewportSize();
  await page.setViewportSize({ width: 390, height: 844 });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `${name} at 390 px: no sideways scrolling (${overflow} px too wide)`);
  await shot(page, `${name}-narrow`);
  await page.setViewportSize(wide);
}

async function signIn(page, username, password) {
  await page.waitForURL((url) => url.href.startsWith(`${issuer}/login`));
  await page.fill('input[name="username"]', username);
  await page.fill('input[name="password"]', password);
  await Promise.all([page.waitForURL((url) => url.href.startsWith(consoleUrl)), page.click('button[type="submit"]')]);
  await ready(page);
}

/** What the service holds at path, read with the admin's own API login (not through the console). */
async function readBack(path) {
  const login = await fetch(`${base}/api/users/login`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: adminPassword }),
  }).then((r) => r.json());
  return fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${login.accessToken}` } }).then((r) => r.json());
}

async function confirm(page, action) {
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await dialog.getByRole('button', { name: action, exact: true }).click();
}

const username = 'jordan';
const email = 'jordan@example.com';
const firstPassword = 'Jordan-First-Pass-1';
const secondPassword = 'Jordan-Second-Pass-2';
const thirdPassword = 'Jordan-Third-Pass-3';
const admin = await newPage('admin');
const user = await newPage('user');

try {
  // The admin: /console -> the hosted sign-in page -> back to the console, signed in.
  await admin.goto(`${base}/console`);
  await signIn(admin, 'admin', adminPassword);
  check(await heading(admin) === 'Your profile', `the admin lands on "Your profile" (${await heading(admin)})`);
  check(new URL(admin.url()).pathname === '/default/console', `the callback's address is cleaned up (${admin.url()})`);
  check(await admin.getByRole('link', { name: 'Users' }).isVisible(), 'an admin sees Users in the navigation');
  await axeCheck(admin, 'the profile page');
  await shot(admin, 'profile');
  await narrowShot(admin, 'profile');

  await admin.getByRole('link', { name: 'Users' }).click();
  await until(admin, 'Users');
  check(true, 'Users lists the tenant\'s users');
  check(await admin.getByRole('link', { name: 'admin', exact: true }).isVisible(), 'the list shows the admin');

  // Create a user: a weak password is refused at the field, in the API's words.
  await admin.getByRole('link', { name: 'Create user' }).click();
  await until(admin, 'Create user');
  await admin.getByLabel('Username').fill(username);
  await admin.getByLabel('Email').fill(email);
  await admin.getByLabel('Password').fill('short');
  await admin.getByRole('button', { name: 'Create user' }).click();
  const passwordInput = admin.getByLabel('Password');
  await admin.waitForSelector('input[name="password"][aria-invalid="true"]');
  const passwordError = (await admin.locator('input[name="password"] ~ .field-error').textContent())?.trim();
  check(/Password must be at least/.test(passwordError ?? ''), `a weak password is refused at the password field: "${passwordError}"`);
  check(await passwordInput.evaluate((el) => el === document.activeElement), 'the field in error has the focus');
  await axeCheck(admin, 'the new user form with an error');
  await shot(admin, 'create-user');
  await passwordInput.fill(firstPassword);
  await admin.getByRole('button', { name: 'Create user' }).click();
  await until(admin, `User ${username}`);
  check(true, `the user ${username} is created and its page shows`);

  // Search by prefix finds the user.
  await admin.goto(`${consoleUrl}#/users?by=email&prefix=jord&page=0`);
  await admin.waitForFunction(() => document.querySelector('main caption')?.textContent.includes('starts with “jord”')
    && document.body.dataset.state === 'ready');
  check(await admin.getByRole('link', { name: username, exact: true }).isVisible(), 'a search by email prefix finds the user');
  await axeCheck(admin, 'the users page');
  await shot(admin, 'users');
  await narrowShot(admin, 'users');

  // The user signs in in another browser and sees only their own pages.
  await user.goto(consoleUrl);
  await signIn(user, username, firstPassword);
  check(await heading(user) === 'Your profile', `${username} lands on "Your profile"`);
  check(await user.getByRole('link', { name: 'Users' }).count() === 0, 'a non-admin has no Users in the navigation');
  await user.getByRole('link', { name: 'Your sessions' }).click();
  await until(user, 'Your sessions');
  check((await user.locator('main table tbody tr').count()) >= 1 && (await user.locator('main').textContent()).includes('this console'),
    'Your sessions lists the console\'s own session');
  await axeCheck(user, 'a non-admin\'s sessions page');
  await shot(user, 'non-admin');
  await user.goto(`${consoleUrl}#/users`);
  await until(user, 'Admins only');
  check(true, 'a non-admin who types #/users gets "Admins only"');

  // The admin sets the user's password: confirmed first, password_changed among the events.
  await admin.getByRole('link', { name: username, exact: true }).click();
  await until(admin, `User ${username}`);
  await admin.getByLabel('New password').fill(secondPassword);
  await admin.getByRole('button', { name: 'Set password' }).click();
  await confirm(admin, 'Set password');
  await admin.waitForFunction(() => document.querySelector('#events-heading')
    && [...document.querySelectorAll('main code')].some((c) => c.textContent === 'password_changed'));
  await ready(admin);
  check(true, 'after Set password the user\'s security events show password_changed');
  check((await admin.locator('main').textContent()).includes('No active sessions.'), 'and the user has no session left');
  await axeCheck(admin, 'the user page');

  // The user's console notices at its next call: it ends cleanly, with a way back in.
  await user.getByRole('link', { name: 'Your profile' }).click();
  await until(user, 'Your session has ended');
  check(true, 'the user\'s console ends cleanly: "Your session has ended"');
  await axeCheck(user, 'the session-ended page');
  await user.getByRole('button', { name: 'Sign in again' }).click();
  await signIn(user, username, secondPassword);
  check(await heading(user) === 'Your profile', `${username} signs in again with the new password`);

  // The user's own password: a wrong current one is refused at its field; the right one changes it.
  await user.getByLabel('Current password').fill('Not-The-Password-9');
  await user.getByLabel('New password').fill(thirdPassword);
  await user.getByRole('button', { name: 'Change password' }).click();
  await user.waitForSelector('input[name="currentPassword"][aria-invalid="true"]');
  const currentError = (await user.locator('input[name="currentPassword"] ~ .field-error').textContent())?.trim();
  check(currentError === 'Current password is incorrect', `a wrong current password is refused at its field: "${currentError}"`);
  await user.getByLabel('Current password').fill(secondPassword);
  await user.getByLabel('New password').fill(thirdPassword);
  await user.getByRole('button', { name: 'Change password' }).click();
  await user.locator('main .notice').waitFor();
  check((await user.locator('main .notice').textContent()).includes('Your password was changed'), `${username} changes their own password and stays signed in`);

  // The admin revokes every session of the user.
  await admin.reload();
  await until(admin, `User ${username}`);
  check((await admin.locator('#sessions-heading ~ .table-scroll tbody tr').count()) >= 1, 'the admin sees the user\'s new session');
  await shot(admin, 'user');
  await narrowShot(admin, 'user');
  await admin.getByRole('button', { name: 'Revoke all sessions' }).click();
  await confirm(admin, 'Revoke all sessions');
  await admin.waitForFunction(() => document.querySelector('main')?.textContent.includes('No active sessions.'));
  check(true, 'Revoke all sessions leaves the user with none');
  await user.getByRole('link', { name: 'Your sessions' }).click();
  await until(user, 'Your session has ended');
  check(true, 'the user\'s console ends again after the revocation');

  // The last admin: the rule is on the page, deactivate and delete are not offered, and the
  // service's refusal of a demotion is shown in words at the field.
  await admin.goto(`${consoleUrl}#/users/1`);
  await until(admin, 'User admin');
  const rule = await admin.locator('#last-admin-rule').textContent();
  check(rule.includes('the last one cannot be deactivated, demoted or deleted') && rule.includes('admin is the last active admin of this tenant'),
    `the admin's page states the last-admin rule and that admin is the last one: "${rule}"`);
  check(await admin.getByRole('button', { name: 'Delete user' }).isDisabled() && await admin.getByRole('button', { name: 'Deactivate user' }).isDisabled(),
    'Deactivate and Delete are not offered for the last active admin');
  await admin.getByLabel('Admin of this tenant').uncheck();
  await admin.getByRole('button', { name: 'Save changes' }).click();
  await confirm(admin, 'Save changes');
  await admin.waitForSelector('input[name="isAdmin"][aria-invalid="true"]');
  const refusal = (await admin.locator('input[name="isAdmin"] ~ .field-error').textContent())?.trim();
  check(refusal === 'The last active admin of a tenant cannot be deactivated or demoted', `demoting the last admin is refused in words at the field: "${refusal}"`);

  // A client: registered, its secret shown once, never again on its page.
  await admin.getByRole('link', { name: 'Clients' }).click();
  await until(admin, 'Clients');
  await admin.getByRole('link', { name: 'Register client' }).click();
  await until(admin, 'Register client');
  await admin.getByLabel('Name').fill('Nightly export');
  await admin.getByRole('button', { name: 'Register client' }).click();
  const secret = admin.locator('.secret-value');
  await secret.waitFor();
  const secretText = (await secret.textContent()).trim();
  check(/^[A-Za-z0-9_-]{43}$/.test(secretText), 'the new client\'s secret is shown once, with a Copy button');
  await axeCheck(admin, 'the registered client with its secret');
  await shot(admin, 'client-secret');
  await narrowShot(admin, 'client-secret');
  // A secret is random: the worst case, one without a hyphen to break at, must fit a phone too.
  await admin.setViewportSize({ width: 390, height: 844 });
  const worstCase = await admin.evaluate(() => {
    const value = document.querySelector('.secret-value');
    const shown = value.textContent;
    value.textContent = 'S'.repeat(shown.length);
    const overflow = document.documentElement.scrollWidth - window.innerWidth;
    value.textContent = shown;
    return overflow;
  });
  await admin.setViewportSize({ width: 1100, height: 760 });
  check(worstCase <= 0, `a secret with nowhere to break fits at 390 px too (${worstCase} px too wide)`);
  const clientId = (await admin.locator('main p', { hasText: 'Client id:' }).locator('code').textContent()).trim();
  await admin.getByRole('link', { name: 'Go to Nightly export' }).click();
  await until(admin, 'Client Nightly export');
  check(!(await admin.locator('main').textContent()).includes(secretText), 'the client\'s page does not show the secret again');

  // Its secrets: a new one is shown once; deleting the first (confirmed) leaves only the new one's id.
  const secretIds = () => admin.locator('#secrets-heading ~ .table-scroll tbody th').allTextContents();
  const [firstSecret] = await secretIds();
  await admin.getByRole('button', { name: 'Add secret' }).click();
  await admin.locator('main .secret-value').waitFor();
  const added = (await admin.locator('main .secret-value').textContent()).trim();
  const ids = await secretIds();
  const addedId = ids.find((id) => id !== firstSecret);
  check(/^[A-Za-z0-9_-]{43}$/.test(added) && ids.length === 2 && (await admin.locator('main .secret').textContent()).includes(`New secret ${addedId}`),
    `Add secret shows the new secret ${addedId} once, beside ${firstSecret} in the list`);
  await axeCheck(admin, 'a client\'s page with a new secret');
  await admin.getByRole('button', { name: `Delete secret ${firstSecret}` }).click();
  await confirm(admin, 'Delete secret');
  await admin.waitForFunction((id) => document.body.dataset.state === 'ready' && !document.querySelector('main .secret')
    && [...document.querySelectorAll('#secrets-heading ~ .table-scroll tbody th')].map((th) => th.textContent).join() === id, addedId);
  check(!(await admin.locator('main').textContent()).includes(added), `Delete secret (confirmed) leaves only ${addedId}, by its id: the secret is not shown again`);

  // The registration: a refusal shows at the field it names; the changes are saved (read back through the API).
  await admin.getByLabel('Public keys (JWK Set)').fill('{"keys": []}');
  await admin.getByRole('button', { name: 'Save changes' }).click();
  await admin.waitForSelector('textarea[name="jwks"][aria-invalid="true"]');
  const jwksError = (await admin.locator('textarea[name="jwks"] ~ .field-error').textContent())?.trim();
  check(/^jwks must hold 1 to \d+ keys$/.test(jwksError ?? ''), `a JWK Set without keys is refused at its field: "${jwksError}"`);
  await axeCheck(admin, 'a client\'s registration with a refused field');
  await admin.getByLabel('Public keys (JWK Set)').fill('');
  await admin.getByLabel('Access token lifetime').fill('600');
  await admin.getByLabel('Token requests per minute').fill('120');
  await admin.getByLabel('Grant type authorization_code').check();
  await admin.getByLabel('Redirect URIs', { exact: true }).fill('https://export.example.com/callback');
  await admin.getByRole('button', { name: 'Save changes' }).click();
  await admin.waitForFunction(() => document.body.dataset.state === 'ready' && document.querySelector('main .facts')?.textContent.includes('600 seconds'));
  check(true, 'the client\'s page shows the saved registration');
  await shot(admin, 'client');
  await narrowShot(admin, 'client');
  // Disabled, after the dialog; then read back through the API.
  await admin.getByLabel('Disabled (its tokens stop)').check();
  await admin.getByRole('button', { name: 'Save changes' }).click();
  await confirm(admin, 'Disable client');
  await admin.waitForFunction(() => document.body.dataset.state === 'ready' && /StateDisabled/.test(document.querySelector('main .facts')?.textContent));
  check(true, 'Disable (confirmed) shows the client disabled');
  const stored = await readBack(`/api/clients/${encodeURIComponent(clientId)}`);
  check(stored.accessTokenLifetimeSeconds === 600 && stored.rateLimitPerMinute === 120 && stored.jwks === null
    && stored.grantTypes.includes('authorization_code') && stored.redirectUris.join() === 'https://export.example.com/callback',
    `the service holds the changed registration of ${clientId} (${stored.accessTokenLifetimeSeconds} s, ${stored.rateLimitPerMinute}/min, ${stored.grantTypes}, ${stored.redirectUris})`);
  check(stored.disabled === true, `the service holds ${clientId} disabled (${stored.disabled})`);
  // Deleted, after the dialog: back to the list, where it is gone.
  await admin.getByRole('button', { name: 'Delete client' }).click();
  await confirm(admin, 'Delete client');
  await until(admin, 'Clients');
  check(await admin.getByRole('link', { name: 'Nightly export' }).count() === 0, 'Delete client (confirmed) leaves it out of the list');

  // Signing keys: rotate (confirmed); the new version signs from now on.
  await admin.getByRole('link', { name: 'Signing keys' }).click();
  await until(admin, 'Signing keys');
  await admin.getByRole('button', { name: 'Rotate key' }).click();
  await confirm(admin, 'Rotate key');
  await admin.waitForFunction(() => [...document.querySelectorAll('main tbody th')].some((th) => th.textContent === 'k2')
    && document.body.dataset.state === 'ready');
  check((await admin.locator('main tbody tr', { hasText: 'k2' }).textContent()).includes('Current'), 'Rotate key makes k2 the current version');
  check(await admin.locator('main tbody tr', { hasText: 'k2' }).getByRole('button').count() === 0
    && await admin.locator('main tbody tr', { hasText: 'k1' }).getByRole('button', { name: 'Retire key k1' }).count() === 1,
    'the current key k2 offers no Retire button (k1 does)');
  // Retiring k1 would end this console's own session, signed with k1: the dialog says so (cancelled here).
  await admin.getByRole('button', { name: 'Retire key k1' }).click();
  const retireWarning = await admin.getByRole('dialog').textContent();
  await confirm(admin, 'Cancel');
  check(retireWarning.includes('This console\'s own session was signed with k1'), 'the Retire dialog warns that the console\'s own session (k1) would end');
  // After a reload the console signs in again at once (the provider's browser session), with k2: k1 retires (confirmed).
  await Promise.all([admin.waitForURL((url) => url.pathname.endsWith('/console/callback')), admin.reload()]);
  await until(admin, 'Signing keys');
  await admin.getByRole('button', { name: 'Retire key k1' }).click();
  await confirm(admin, 'Retire key');
  await admin.waitForFunction(() => document.body.dataset.state === 'ready'
    && /Retired/.test([...document.querySelectorAll('main tbody tr')].find((tr) => tr.querySelector('th')?.textContent === 'k1')?.textContent));
  check(true, 'Retire key (confirmed) shows k1 retired');
  await axeCheck(admin, 'the signing keys page');
  await shot(admin, 'keys');
  await narrowShot(admin, 'keys');

  // Settings: a value out of range is refused at its field, in the API's words; a good one is saved.
  await admin.getByRole('link', { name: 'Settings', exact: true }).click();
  await until(admin, 'Tenant settings');
  const minLength = admin.getByLabel('Shortest password');
  await minLength.fill('7');
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await admin.waitForSelector('input[name="passwordMinLength"][aria-invalid="true"]');
  const rangeError = (await admin.locator('input[name="passwordMinLength"] ~ .field-error').textContent())?.trim();
  check(/passwordMinLength/.test(rangeError ?? ''), `a setting out of range is refused at its field: "${rangeError}"`);
  await minLength.fill('10');
  await admin.getByRole('button', { name: 'Save settings' }).click();
  await admin.waitForFunction(() => document.querySelector('input[name="passwordMinLength"]')?.value === '10'
    && !document.querySelector('input[aria-invalid="true"]'));
  const saved = await readBack(`/api/tenants/${tenant}`);
  check(saved.settings?.passwordMinLength === 10, `the service holds passwordMinLength 10 (${saved.settings?.passwordMinLength})`);
  // An API scope, then single sign-on with Microsoft with its write-only client secret.
  await admin.getByLabel('Scope name').fill('stations:read');
  await admin.getByLabel('Description').fill('Read the stations');
  await admin.getByRole('button', { name: 'Add scope' }).click();
  await admin.waitForFunction(() => [...document.querySelectorAll('#scopes-heading ~ .table-scroll code')].some((c) => c.textContent === 'stations:read'));
  check(true, 'the API scope stations:read is added');
  await admin.getByLabel('Authority').fill('https://login.microsoftonline.com/organizations/v2.0');
  await admin.getByLabel('Application (client) id').fill('00000000-0000-0000-0000-000000000000');
  await admin.getByLabel('Entra tenant ids').fill('11111111-1111-1111-1111-111111111111');
  await admin.getByLabel('Client secret').fill('entra-client-secret-value');
  await admin.getByRole('button', { name: 'Turn on single sign-on' }).click();
  await admin.waitForFunction(() => document.querySelector('#sso-heading ~ p')?.textContent === 'On, with a client secret stored.');
  check(!(await admin.locator('main').textContent()).includes('entra-client-secret-value') && await admin.getByLabel('Client secret').inputValue() === '',
    'single sign-on is on, its client secret stored and never shown');
  await axeCheck(admin, 'the settings page');
  await shot(admin, 'settings');
  await narrowShot(admin, 'settings');

  // The operator tenant's admin creates a tenant; its console is one link away.
  await admin.getByRole('link', { name: 'Tenants', exact: true }).click();
  await until(admin, 'Tenants');
  await admin.getByLabel('Tenant id').fill('acme');
  await admin.locator('input[name="name"]').fill('Acme Logistics');
  await admin.getByLabel('First admin\'s username').fill('acme-admin');
  await admin.getByLabel('First admin\'s password').fill('Acme-Admin-Pass-1');
  await admin.getByRole('button', { name: 'Create tenant' }).click();
  await admin.waitForFunction(() => document.querySelector('main .notice')?.textContent.includes('Tenant acme created')
    && document.body.dataset.state === 'ready');
  check(await admin.getByRole('link', { name: 'Console of Acme Logistics' }).isVisible(), 'the new tenant is listed with a link to its console');
  await axeCheck(admin, 'the tenants page');
  await shot(admin, 'tenants');
  await narrowShot(admin, 'tenants');

  // The operator admin switches to the new tenant's keys and rotates them.
  await admin.getByRole('link', { name: 'Keys of Acme Logistics' }).click();
  await until(admin, 'Signing keys of acme');
  await admin.getByRole('button', { name: 'Rotate key' }).click();
  await confirm(admin, 'Rotate key');
  await admin.waitForFunction(() => [...document.querySelectorAll('main tbody th')].some((th) => th.textContent === 'k2')
    && document.body.dataset.state === 'ready');
  check((await admin.locator('main caption').textContent()).includes('acme'), 'the operator admin rotates the key of the tenant acme from the operator console');

  // Sign out: the provider ends the browser session and comes back to the console.
  await admin.getByRole('button', { name: 'Sign out' }).click();
  await admin.waitForURL(`${consoleUrl}/signed-out`);
  await until(admin, 'You are signed out');
  check(true, 'Sign out returns to the console\'s signed-out page');
  await axeCheck(admin, 'the signed-out page');
  await shot(admin, 'signed-out');
  await admin.getByRole('button', { name: 'Sign in' }).click();
  await admin.waitForURL((url) => url.href.startsWith(`${issuer}/login`));
  check(true, 'signing in again asks for the password');
} catch (error) {
  check(false, `the flow stopped (admin at ${admin.url()}, user at ${user.url()}): ${error.message.split('\n')[0]}`);
} finally {
  await browser.close();
}

console.log(`${checks - failures} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
