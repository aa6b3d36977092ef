// The tenant's registered OAuth clients, for its admins: the list (paged on the server), a new
// client (its secret shown once, with a copy button), one client's page: every field of its
// registration the API lets an admin change (only the changed ones are sent; a refusal shows at
// the field it names), its secrets (add: shown once; delete), disabling and deleting it. The
// console's own client is shown but cannot be changed.
import { h, announce, confirmAction, field, form, table, when, uniqueId } from './dom.js';
import { fieldOf } from './words.js';

const PAGE_SIZE = 20;
const grants = ['client_credentials', 'authorization_code', 'refresh_token', 'password'];
const methods = [
  ['client_secret_basic', 'Client secret (HTTP Basic)'], ['client_secret_post', 'Client secret (form post)'],
  ['private_key_jwt', 'Private key JWT'], ['none', 'None (public client)'],
];
const list = (text) => text.split(/\s+/).filter(Boolean);

export async function clientsPage({ api, show, query, stale }) {
  const page = Math.max(0, Number.parseInt(query.get('page') ?? '0', 10) || 0);
  const answer = await api.get(`/api/clients?limit=${PAGE_SIZE}&page=${page}`);
  if (stale()) return;
  const pages = Math.max(1, Math.ceil(answer.total / PAGE_SIZE));
  show('Clients',
    h('p', null, 'Apps and services that get tokens from this tenant. The console\'s own client, ',
      h('a', { href: '#/clients/itempath-console' }, 'itempath-console'), ', is built in and not listed.'),
    h('p', null, h('a', { href: '#/clients/new', class: 'button primary' }, 'Register client')),
    table({
      caption: `Registered clients (${answer.total})`,
      columns: ['Name', 'Client id', 'Type', 'Grant types', 'State'],
      empty: 'No registered clients yet.',
      rows: answer.clients.map((c) => [
        h('a', { href: `#/clients/${encodeURIComponent(c.clientId)}` }, c.name), h('code', null, c.clientId), c.type,
        c.grantTypes.join(', ') || '–', c.disabled ? 'Disabled' : 'Active',
      ]),
    }),
    pages > 1 ? h('nav', { class: 'pager', 'aria-label': 'Clients pages' },
      page > 0 ? h('a', { href: `#/clients?page=${page - 1}`, rel: 'prev' }, 'Previous page') : null,
      h('span', null, `Page ${page + 1} of ${pages}`),
      page + 1 < pages ? h('a', { href: `#/clients?page=${page + 1}`, rel: 'next' }, 'Next page') : null) : null);
}

/** A secret shown this once, with a button that copies it. */
function secretOnce(secret, what) {
  const id = uniqueId('secret');
  const copied = h('span', { role: 'status', class: 'hint' });
  return h('div', { class: 'notice secret' },
    h('p', null, h('strong', null, `${what}: shown this once.`), ' Copy it now; the service keeps only its digest.'),
    h('p', null, h('code', { id, class: 'secret-value' }, secret)),
    h('button', {
      type: 'button', class: 'secondary small', 'aria-describedby': id,
      onclick: async () => {
        try { await navigator.clipboard.writeText(secret); copied.textContent = ' Copied.'; } catch { copied.textContent = ' Select the text and copy it.'; }
      },
    }, 'Copy secret'), copied);
}

// The optional numbers of a registration: [name, label, unit, min, max, what empty means] (the
// API's ranges, docs/clients.md). Empty sends null: the field is removed.
const limits = [
  ['accessTokenLifetimeSeconds', 'Access token lifetime', 'seconds', 60, 86_400, 'the tenant\'s access token lifetime'],
  ['rateLimitPerMinute', 'Token requests per minute', 'requests', 1, 1_000_000, 'no limit'],
];
const number = (n) => n.toLocaleString('en');

/** Every field of a registration the API lets an admin set, filled from c (a new client: null). */
function registrationFields(c) {
  return [
    field({ label: 'Name', name: 'name', value: c?.name, required: true }),
    field({ label: 'Type', name: 'type', value: c?.type ?? 'confidential', options: [['confidential', 'Confidential (a server that keeps a secret)'], ['public', 'Public (a browser or native app)']] }),
    field({
      label: 'Client authentication', name: 'tokenEndpointAuthMethod', value: c?.tokenEndpointAuthMethod ?? 'client_secret_basic', options: methods,
      hint: 'A public client uses none; Private key JWT needs the client\'s public keys below.',
    }),
    ...grants.map((g) => field({ label: `Grant type ${g}`, name: `grant:${g}`, type: 'checkbox', value: c ? c.grantTypes.includes(g) : g === 'client_credentials' })),
    field({ label: 'Allowed scopes', name: 'allowedScopes', value: c?.allowedScopes.join(' '), hint: 'Separated by spaces: the tenant\'s API scopes, openid, profile, email, offline_access.' }),
    field({ label: 'Redirect URIs', name: 'redirectUris', value: c?.redirectUris.join(' '), hint: 'Separated by spaces; matched exactly. Needed for the authorization code flow.' }),
    field({ label: 'Post-logout redirect URIs', name: 'postLogoutRedirectUris', value: c?.postLogoutRedirectUris.join(' '), hint: 'Separated by spaces.' }),
    field({ label: 'Ask users to consent (third-party app)', name: 'requireConsent', type: 'checkbox', value: c?.requireConsent }),
    ...limits.map(([name, label, unit, min, max, empty]) => field({
      label, name, value: c?.[name] ?? '', inputmode: 'numeric', hint: `${name}: ${number(min)}–${number(max)} ${unit}; empty for ${empty}.`,
    })),
    field({
      label: 'Public keys (JWK Set)', name: 'jwks', type: 'textarea', value: c?.jwks ? JSON.stringify(c.jwks, null, 2) : '',
      hint: 'jwks: JSON such as {"keys": [...]}, public RS256, PS256 or ES256 keys; needed for Private key JWT. Empty for none.',
    }),
  ];
}

/** The form's values as the API's fields, or null after showing at its field what is wrong. */
function registrationBody(values, f) {
  const body = {
    name: values.name.trim(), type: values.type, tokenEndpointAuthMethod: values.tokenEndpointAuthMethod,
    grantTypes: grants.filter((g) => values[`grant:${g}`]),
    allowedScopes: list(values.allowedScopes), redirectUris: list(values.redirectUris),
    postLogoutRedirectUris: list(values.postLogoutRedirectUris), requireConsent: values.requireConsent,
  };
  if (!body.name) { f.error('Enter a name.', 'name'); return null; }
  for (const [name] of limits) {
    const text = values[name].trim();
    if (text && !/^\d{1,9}$/.test(text)) { f.error(`${name} must be a whole number, or empty`, name); return null; }
    body[name] = text ? Number(text) : null;
  }
  body.jwks = null;
  if (values.jwks.trim()) {
    try { body.jwks = JSON.parse(values.jwks); } catch (error) { f.error(`jwks is not valid JSON: ${error.message}`, 'jwks'); return null; }
  }
  return body;
}

const fieldNames = ['name', 'clientId', 'type', 'tokenEndpointAuthMethod', 'grantTypes', 'allowedScopes', 'redirectUris', 'postLogoutRedirectUris',
  'requireConsent', ...limits.map(([name]) => name), 'jwks', 'disabled'];

/** Shows an API refusal at the field it names (a grant type's first box for grantTypes). */
function refused(f, error, grantTypes) {
  const name = fieldOf(error.message, fieldNames);
  f.error(error.message, name === 'grantTypes' ? `grant:${grantTypes[0] ?? grants[0]}` : name);
}

const same = (a, b) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const sorted = (items) => [...items].sort();

export async function newClientPage({ api, show }) {
  const [name, ...rest] = registrationFields(null);
  const fields = [name, field({ label: 'Client id', name: 'clientId', hint: 'Optional: letters, digits and . _ ~ -; generated when empty.' }), ...rest];
  const result = h('div');
  const create = form({
    label: 'New client', fields, submit: 'Register client',
    onsubmit: async (f) => {
      const values = f.values();
      const body = registrationBody(values, f);
      if (!body) return;
      for (const key of [...limits.map(([n]) => n), 'jwks']) if (body[key] === null) delete body[key];
      if (values.clientId.trim()) body.clientId = values.clientId.trim();
      let client;
      try { client = await api.post('/api/clients', body); } catch (error) { return refused(f, error, body.grantTypes); }
      announce(`Client ${client.name} registered.`);
      create.element.hidden = true;
      result.replaceChildren(
        h('h2', null, `${client.name} is registered`),
        h('p', null, 'Client id: ', h('code', null, client.clientId)),
        client.clientSecret ? secretOnce(client.clientSecret, 'Client secret') : h('p', null, 'This client has no secret.'),
        h('p', null, h('a', { href: `#/clients/${encodeURIComponent(client.clientId)}` }, `Go to ${client.name}`), ' · ',
          h('a', { href: '#/clients' }, 'Back to clients')));
      result.querySelector('h2').setAttribute('tabindex', '-1');
      result.querySelector('h2').focus();
    },
  });
  show('Register client', h('p', null, h('a', { href: '#/clients' }, 'Back to clients')), create.element, result);
}

/** #/clients/{clientId} */
export async function clientPage(context) {
  const { api, show, params, stale, go } = context;
  const clientId = decodeURIComponent(params[0]);
  const path = `/api/clients/${encodeURIComponent(clientId)}`;
  const client = await api.get(path);
  if (stale()) return;
  const reload = () => clientPage(context);
  const facts = [
    ['Client id', h('code', null, client.clientId)], ['Type', client.type], ['Client authentication', client.tokenEndpointAuthMethod],
    ['Grant types', client.grantTypes.join(', ') || '–'], ['Allowed scopes', client.allowedScopes.join(' ') || '–'],
    ['Redirect URIs', client.redirectUris.join(' ') || '–'], ['Post-logout redirect URIs', client.postLogoutRedirectUris.join(' ') || '–'],
    ['Consent', client.requireConsent ? 'Asked' : 'Not asked'],
    ['Access token lifetime', client.accessTokenLifetimeSeconds ? `${number(client.accessTokenLifetimeSeconds)} seconds` : 'The tenant\'s'],
    ['Token requests per minute', client.rateLimitPerMinute ? number(client.rateLimitPerMinute) : 'No limit'],
    ['Public keys', client.jwks ? `${client.jwks.keys?.length ?? 0} in its JWK Set` : 'None'],
    ['State', client.disabled ? 'Disabled' : 'Active'],
    ['Created', when(client.createdAt)], ['Updated', when(client.updatedAt)],
  ];
  const summary = h('dl', { class: 'facts' }, facts.map(([term, value]) => [h('dt', null, term), h('dd', null, value)]));
  if (client.builtIn) {
    show(`Client ${client.name}`, h('p', null, h('a', { href: '#/clients' }, 'Back to clients')),
      h('p', { class: 'rule' }, 'This is the console\'s own client, built into every tenant. It cannot be changed, disabled or deleted.'), summary);
    return;
  }

  const fields = [...registrationFields(client), field({ label: 'Disabled (its tokens stop)', name: 'disabled', type: 'checkbox', value: client.disabled })];
  const edit = form({
    label: `Registration of ${client.name}`, fields, submit: 'Save changes',
    onsubmit: async (f) => {
      const values = f.values();
      const body = registrationBody(values, f);
      if (!body) return;
      body.disabled = values.disabled;
      // Only what changed is sent: a new type without a new method takes that type's default.
      const changes = Object.fromEntries(Object.entries(body).filter(([key, value]) => (key === 'grantTypes'
        ? !same(sorted(value), sorted(client.grantTypes)) : !same(value, client[key]))));
      if (Object.keys(changes).length === 0) return f.error('Nothing changed.');
      if (changes.disabled && !(await confirmAction({
        title: `Disable ${client.name}?`, message: 'Every token issued to it stops, and it gets no new ones until enabled again.', action: 'Disable client',
      }))) return;
      try { await api.patch(path, changes); } catch (error) { return refused(f, error, body.grantTypes); }
      announce(`Saved: ${Object.keys(changes).join(', ')}.`);
      await reload();
    },
  });

  const secretsProblem = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const newSecret = h('div');
  const failed = (slot, error) => { slot.textContent = error.message; slot.hidden = false; };
  const addSecret = async () => {
    let added;
    try { added = await api.post(`${path}/secrets`); } catch (error) { return failed(secretsProblem, error); }
    announce('A new secret was added. Copy it now: it is shown this once.');
    await reload();
    document.getElementById('secrets-heading')?.after(secretOnce(added.clientSecret, `New secret ${added.id}`));
  };
  const removeSecret = async (s) => {
    if (!(await confirmAction({
      title: `Delete secret ${s.id}?`, message: 'The client can no longer authenticate with this secret.', action: 'Delete secret',
    }))) return;
    try { await api.delete(`${path}/secrets/${encodeURIComponent(s.id)}`); } catch (error) { return failed(secretsProblem, error); }
    announce(`Secret ${s.id} deleted.`);
    await reload();
  };
  const dangerProblem = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const remove = async () => {
    if (!(await confirmAction({
      title: `Delete ${client.name}?`, message: 'Every token issued to it stops within seconds; this cannot be undone.', action: 'Delete client',
    }))) return;
    try { await api.delete(path); } catch (error) { return failed(dangerProblem, error); }
    announce(`${client.name} was deleted.`);
    go('#/clients');
  };
  const usesSecret = ['client_secret_basic', 'client_secret_post'].includes(client.tokenEndpointAuthMethod);
  const section = (key, title, ...content) => h('section', { 'aria-labelledby': `${key}-heading` }, h('h2', { id: `${key}-heading` }, title), content);
  show(`Client ${client.name}`,
    h('p', null, h('a', { href: '#/clients' }, 'Back to clients')),
    summary,
    section('registration', 'Change the registration', edit.element),
    usesSecret ? section('secrets', 'Secrets', secretsProblem, newSecret,
      table({
        caption: `Secrets of ${client.name} (${client.secrets.length}); only their ids and dates are kept`,
        columns: ['Secret', 'Created', 'Action'], empty: 'No secrets.',
        rows: client.secrets.map((s) => [s.id, when(s.createdAt),
          h('button', { type: 'button', class: 'danger small', onclick: () => removeSecret(s) }, 'Delete', h('span', { class: 'visually-hidden' }, ` secret ${s.id}`))]),
      }),
      h('p', null, h('button', { type: 'button', class: 'secondary', onclick: addSecret }, 'Add secret'))) : null,
    section('danger', 'Delete', dangerProblem, h('div', { class: 'actions' }, h('button', { type: 'button', class: 'danger', onclick: remove }, 'Delete client'))));
}
