// The console: signs in through the tenant's own OpenID Provider (session.js), then shows the
// pages the signed-in user may see, each built from the documented API (api.js). Pages are
// addressed by the part after '#' (#/users/7), so the one server page serves them all.
import { Session, SignInError } from './session.js';
import { Api } from './api.js';
import { h, announce } from './dom.js';
import { profilePage, mySessionsPage } from './account.js';
import { usersPage, newUserPage, userPage } from './users.js';
import { clientsPage, newClientPage, clientPage } from './clients.js';
import { keysPage } from './keys.js';
import { settingsPage, tenantsPage } from './tenant.js';

const body = document.body.dataset;
const config = {
  issuer: body.issuer, tenant: body.tenant, tenantName: body.tenantName, clientId: body.clientId, api: body.api,
  operator: body.operator === 'true',
};
const main = document.getElementById('main');
const nav = document.getElementById('nav');
const account = document.getElementById('account');
const path = window.location.pathname;
const consolePath = new URL(`${config.issuer}/console`).pathname;

const session = new Session(config, (reason) => showSignedOut('Your session has ended', reason, 'Sign in again'));
const api = new Api(config.api, config.tenant, session);
let me = null;
let rendering = 0;

/** The pages, by the first part of the hash; admin pages are not even offered to others. */
const routes = [
  { pattern: /^\/?$/, page: profilePage, nav: 'profile' },
  { pattern: /^\/sessions$/, page: mySessionsPage, nav: 'sessions' },
  { pattern: /^\/users$/, page: usersPage, nav: 'users', admin: true },
  { pattern: /^\/users\/new$/, page: newUserPage, nav: 'users', admin: true },
  { pattern: /^\/users\/(\d+)$/, page: userPage, nav: 'users', admin: true },
  { pattern: /^\/clients$/, page: clientsPage, nav: 'clients', admin: true },
  { pattern: /^\/clients\/new$/, page: newClientPage, nav: 'clients', admin: true },
  { pattern: /^\/clients\/([^/]+)$/, page: clientPage, nav: 'clients', admin: true },
  { pattern: /^\/keys$/, page: keysPage, nav: 'keys', admin: true },
  { pattern: /^\/settings$/, page: settingsPage, nav: 'settings', admin: true },
  { pattern: /^\/tenants$/, page: tenantsPage, nav: 'tenants', admin: true, operator: true },
];

function setState(state) { document.body.dataset.state = state; }

/** Puts a page's content in <main>: its title in the window and focus on its heading. */
function show(title, ...content) {
  document.title = `${title} – Console – ${config.tenantName}`;
  const heading = h('h1', { tabindex: '-1' }, title);
  main.replaceChildren(heading, ...content.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
  heading.focus();
}

function showSignedOut(title, message, action) {
  me = null;
  nav.replaceChildren();
  account.replaceChildren();
  // Back to the same page after signing in again (the hash is kept; the signed-out page has none).
  show(title, h('p', null, message),
    h('p', null, h('button', { type: 'button', class: 'primary', onclick: () => session.signIn(window.location.hash) }, action)));
  setState('signed-out');
}

function navigation(current) {
  const links = [['profile', '#/', 'Your profile'], ['sessions', '#/sessions', 'Your sessions']];
  if (me.isAdmin) {
    links.push(['users', '#/users', 'Users'], ['clients', '#/clients', 'Clients'], ['keys', '#/keys', 'Signing keys'], ['settings', '#/settings', 'Settings']);
    if (config.operator) links.push(['tenants', '#/tenants', 'Tenants']);
  }
  nav.replaceChildren(h('ul', null, links.map(([key, href, text]) =>
    h('li', null, h('a', { href, 'aria-current': key === current ? 'page' : null }, text)))));
  account.replaceChildren(
    h('span', { class: 'who' }, `Signed in as ${me.username}`, me.isAdmin ? ' (admin)' : ''),
    h('button', { type: 'button', class: 'secondary', onclick: () => session.signOut() }, 'Sign out'));
}

/** The page the hash names, for the signed-in user. */
async function route() {
  if (!session.active) return;
  const [hashPath, hashQuery = ''] = window.location.hash.replace(/^#/, '').split('?');
  const found = routes.map((r) => ({ r, match: r.pattern.exec(hashPath) })).find((x) => x.match);
  const ticket = ++rendering;
  setState('loading');
  main.setAttribute('aria-busy', 'true');
  const context = {
    api, session, me, config, show, query: new URLSearchParams(hashQuery), params: found?.match.slice(1) ?? [],
    go: (hash) => { if (window.location.hash === hash) route(); else window.location.hash = hash; },
    stale: () => ticket !== rendering,
  };
  try {
    if (!found) {
      navigation(null);
      show('Page not found', h('p', null, 'There is no such page in the console. ', h('a', { href: '#/' }, 'Go to your profile.')));
    } else if ((found.r.admin && !me.isAdmin) || (found.r.operator && !config.operator)) {
      navigation(null);
      show('Admins only', h('p', null, 'This page is for the tenant\'s admins. You can see your own profile and sessions.'));
    } else {
      navigation(found.r.nav);
      await found.r.page(context);
    }
  } catch (error) {
    if (!session.active || context.stale()) return;
    show('Something went wrong', h('p', { role: 'alert' }, error.message));
  } finally {
    if (ticket === rendering && session.active) {
      main.removeAttribute('aria-busy');
      setState('ready');
    }
  }
}

async function start() {
  try {
    if (path === `${consolePath}/callback`) {
      const returnTo = await session.completeSignIn(new URLSearchParams(window.location.search));
      window.history.replaceState(null, '', `${consolePath}${returnTo}`);
    } else if (path === `${consolePath}/signed-out`) {
      showSignedOut('You are signed out', `You have signed out of the ${config.tenantName} console.`, 'Sign in');
      return;
    } else {
      await session.signIn(window.location.hash);
      return;
    }
    me = await api.get('/api/users/me');
    announce(`Signed in as ${me.username}`);
    window.addEventListener('hashchange', route);
    await route();
  } catch (error) {
    // The code in the address has been spent or refused: it goes.
    if (path === `${consolePath}/callback`) window.history.replaceState(null, '', consolePath);
    if (!session.active && document.body.dataset.state === 'signed-out') return;
    const message = error instanceof SignInError || error instanceof Error ? error.message : String(error);
    showSignedOut('Sign-in did not complete', message, 'Sign in again');
  }
}

start();
