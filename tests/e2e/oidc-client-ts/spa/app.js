// The single-page app: oidc-client-ts's UserManager against the tenant's issuer, and the API
// called with the access token from this origin (CORS). config.js (written by the test's static
// server) sets window.spaConfig = { authority, clientId, api }.
/* global oidc */
'use strict';

const config = window.spaConfig;
const users = new oidc.UserManager({
  authority: config.authority,
  client_id: config.clientId,
  redirect_uri: `${location.origin}/callback.html`,
  post_logout_redirect_uri: `${location.origin}/`,
  scope: 'openid profile email offline_access',
  loadUserInfo: true,               // the userinfo endpoint, from this origin too
  automaticSilentRenew: false,      // the Refresh button renews, with the refresh token
});

const element = (id) => document.getElementById(id);
const show = (id, text) => { const e = element(id); if (e) e.textContent = text; };
const ready = (state) => { document.body.dataset.state = state; };

async function showUser() {
  const user = await users.getUser();
  show('status', user ? `signed in as ${user.profile.preferred_username}` : 'signed out');
  return user;
}

async function callApi() {
  const user = await users.getUser();
  if (!user) throw new Error('not signed in');
  const response = await fetch(`${config.api}/api/users/me`, { headers: { Authorization: `Bearer ${user.access_token}` } });
  const body = await response.json();
  show('api-result', JSON.stringify({ status: response.status, username: body.username }));
}

async function refresh() {
  const before = await users.getUser();
  if (!before) throw new Error('not signed in');
  const after = await users.signinSilent();   // with a refresh token: the token endpoint, no iframe
  show('refresh-result', JSON.stringify({
    rotated: Boolean(after.refresh_token) && after.refresh_token !== before.refresh_token,
    newAccessToken: after.access_token !== before.access_token,
    username: after.profile.preferred_username,
  }));
  await showUser();
}

function button(id, action) {
  const b = element(id);
  if (!b) return;
  b.addEventListener('click', async () => {
    ready('busy');
    try { await action(); ready('done'); } catch (error) { show('error', String(error)); ready('error'); }
  });
}

async function start() {
  if (location.pathname === '/callback.html') {
    await users.signinRedirectCallback();
    location.replace('/');
    return;
  }
  if (new URLSearchParams(location.search).has('state')) {
    // Back from the end-session endpoint.
    await users.signoutRedirectCallback();
    history.replaceState(null, '', '/');
  }
  await showUser();
  button('signin', () => users.signinRedirect());
  button('call-api', callApi);
  button('refresh', refresh);
  button('signout', () => users.signoutRedirect());
  ready('ready');
}

// For the test: the stored user (tokens included).
window.spa = { user: () => users.getUser() };
start().catch((error) => { show('error', String(error)); ready('error'); });
