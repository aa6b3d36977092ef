// The tenant's settings, for its admins (every setting with its range and current value, API
// scopes, single sign-on with Microsoft Entra ID), and the tenants, for the operator tenant's
// admins (create, disable, enable, open another tenant's console).
import { h, announce, confirmAction, field, form, table, when } from './dom.js';
import { fieldOf } from './words.js';

// [name, label, unit, min, max, default]: the contract's table (docs/configuration.md).
const numbers = [
  ['accessTokenLifetimeSeconds', 'Access token lifetime', 'seconds', 60, 86_400, 900],
  ['refreshTokenLifetimeSeconds', 'Refresh token lifetime', 'seconds', 3_600, 31_536_000, 2_592_000],
  ['refreshReuseGraceSeconds', 'Refresh reuse grace', 'seconds', 0, 300, 30],
  ['maxSessionsPerUser', 'Sessions per user', 'sessions', 1, 10_000, 200],
  ['maxApplicationTokensPerUser', 'Application tokens per user', 'tokens', 1, 10_000, 100],
  ['lockoutThreshold', 'Failed logins before a lockout', 'failures', 1, 100, 5],
  ['lockoutBaseSeconds', 'First lockout', 'seconds', 1, 86_400, 60],
  ['lockoutMaxSeconds', 'Longest lockout', 'seconds, at least the first lockout', 1, 86_400, 900],
  ['lockoutUserThreshold', 'Failed logins of a user from anywhere before it locks', 'failures', 1, 10_000, 50],
  ['lockoutUserWindowSeconds', 'Window of those failures', 'seconds', 60, 86_400, 900],
  ['passwordMinLength', 'Shortest password', 'characters', 8, 128, 8],
  ['revocationLatencySeconds', 'Revocation latency', 'seconds', 1, 60, 5],
];
const number = (n) => n.toLocaleString('en');
const words = (text) => text.split(/\s+/).filter(Boolean);

/** The tenant a page manages: its own, or for an operator admin the one ?tenant= names. */
export function managedTenant({ config, query }) {
  const named = query.get('tenant');
  return config.operator && named && /^[a-z0-9][a-z0-9-]{0,62}$/.test(named) ? named : config.tenant;
}

/** For an operator admin on another tenant's page: whose it is, and where its users are managed. */
export function otherTenantNote(config, id) {
  if (id === config.tenant) return null;
  return h('p', { class: 'rule' }, `You manage the tenant ${id} as an operator admin. Its users, clients and sessions are managed in its own console: `,
    h('a', { href: `${config.api}/${encodeURIComponent(id)}/console` }, `${config.api}/${id}/console`), '.');
}

/** #/settings (?tenant=ID for an operator admin) */
export async function settingsPage(context) {
  const { api, config, show, stale } = context;
  const target = managedTenant(context);
  const path = `/api/tenants/${encodeURIComponent(target)}`;
  const tenant = await api.get(path);
  if (stale()) return;
  const s = tenant.settings;
  const reload = () => settingsPage(context);

  const numberFields = numbers.map(([name, label, unit, min, max, fallback]) => field({
    label, name, type: 'text', value: String(s[name]),
    hint: `${name}: ${number(min)}–${number(max)} ${unit}; default ${number(fallback)}.`,
  }));
  for (const f of numberFields) f.input.setAttribute('inputmode', 'numeric');
  const flags = [
    field({ label: 'Rotate refresh tokens', name: 'refreshTokenRotation', type: 'checkbox', value: s.refreshTokenRotation, hint: 'refreshTokenRotation; default off (public clients always rotate).' }),
    field({ label: 'Password grant without a registered client', name: 'oauthPasswordGrant', type: 'checkbox', value: s.oauthPasswordGrant, hint: 'oauthPasswordGrant; default on.' }),
    field({ label: 'Signing algorithm', name: 'signingAlgorithm', value: s.signingAlgorithm, options: [['HS256', 'HS256 (shared secret)'], ['ES256', 'ES256 (public keys in the JWKS)']], hint: 'signingAlgorithm; default HS256. A change starts a new key version.' }),
  ];
  const all = [...numberFields, ...flags];
  const settings = form({
    label: 'Settings', fields: all, submit: 'Save settings',
    onsubmit: async (f) => {
      const values = f.values();
      const changes = {};
      for (const [name] of numbers) {
        const text = values[name].trim();
        if (!/^\d+$/.test(text)) return f.error(`${name} must be a whole number`, name);
        if (Number(text) !== s[name]) changes[name] = Number(text);
      }
      for (const name of ['refreshTokenRotation', 'oauthPasswordGrant', 'signingAlgorithm']) if (values[name] !== s[name]) changes[name] = values[name];
      if (Object.keys(changes).length === 0) return f.error('Nothing changed.');
      if (changes.signingAlgorithm && !(await confirmAction({
        title: `Sign with ${changes.signingAlgorithm}?`,
        message: 'A new key version signs from now on; tokens signed before keep working until their version is retired.',
        action: 'Save settings',
      }))) return;
      try { await api.patch(path, changes); } catch (error) { return f.error(error.message, fieldOf(error.message, all.map((x) => x.name))); }
      announce(`Saved: ${Object.keys(changes).join(', ')}.`);
      await reload();
    },
  });

  // API scopes: the whole list is sent on each change.
  const scopes = s.apiScopes ?? [];
  const scopesProblem = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const saveScopes = async (list, message) => {
    try { await api.patch(path, { apiScopes: list }); } catch (error) { scopesProblem.textContent = error.message; scopesProblem.hidden = false; return false; }
    announce(message);
    await reload();
    return true;
  };
  const removeScope = async (scope) => {
    if (!(await confirmAction({
      title: `Remove the scope ${scope.name}?`,
      message: 'Clients can no longer be granted it; clients that list it must drop it before their next change.',
      action: 'Remove scope',
    }))) return;
    await saveScopes(scopes.filter((x) => x.name !== scope.name), `Scope ${scope.name} removed.`);
  };
  const scopeName = field({ label: 'Scope name', name: 'name', hint: 'Letters, digits and : . _ / -, up to 64 characters, such as stations:read.' });
  const scopeDescription = field({ label: 'Description', name: 'description' });
  const addScope = form({
    label: 'Add an API scope', fields: [scopeName, scopeDescription], submit: 'Add scope',
    onsubmit: async (f) => {
      const { name, description } = f.values();
      if (!name.trim()) return f.error('Enter the scope\'s name.', 'name');
      try {
        await api.patch(path, { apiScopes: [...scopes, { name: name.trim(), description: description.trim() }] });
      } catch (error) { return f.error(error.message, /description/i.test(error.message) ? 'description' : 'name'); }
      announce(`Scope ${name.trim()} added.`);
      await reload();
    },
  });

  // Single sign-on with Microsoft Entra ID; the client secret is write-only.
  const sso = s.sso;
  const ssoFields = [
    field({ label: 'Authority', name: 'authority', value: sso?.authority, hint: 'Such as the organizations authority of login.microsoftonline.com, ending in /v2.0.' }),
    field({ label: 'Application (client) id', name: 'clientId', value: sso?.clientId }),
    field({ label: 'Entra tenant ids', name: 'entraTenantIds', value: sso?.entraTenantIds.join(' '), hint: 'Separated by spaces: the organisations whose people may sign in.' }),
    field({ label: 'Username claim', name: 'usernameClaim', value: sso?.usernameClaim ?? 'preferred_username' }),
    field({ label: 'Create unknown people at their first sign-in', name: 'autoProvision', type: 'checkbox', value: sso?.autoProvision }),
    field({ label: 'Client secret', name: 'clientSecret', type: 'password', autocomplete: 'off',
      hint: sso?.clientSecretSet ? 'A secret is stored (never shown). Leave empty to keep it; type a new one to replace it.' : 'None stored. Needed for "Sign in with Microsoft" on the sign-in page.' }),
  ];
  const ssoForm = form({
    label: 'Single sign-on', fields: ssoFields, submit: sso ? 'Save single sign-on' : 'Turn on single sign-on',
    onsubmit: async (f) => {
      const v = f.values();
      const body = { authority: v.authority.trim(), clientId: v.clientId.trim(), entraTenantIds: words(v.entraTenantIds), usernameClaim: v.usernameClaim.trim(), autoProvision: v.autoProvision };
      if (v.clientSecret) body.clientSecret = v.clientSecret;
      try { await api.patch(path, { sso: body }); } catch (error) { return f.error(error.message, fieldOf(error.message, ssoFields.map((x) => x.name))); }
      announce('Single sign-on saved.');
      await reload();
    },
  });
  const ssoProblem = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const removeSso = async () => {
    if (!(await confirmAction({
      title: 'Turn single sign-on off?', message: 'Nobody signs in with Microsoft any more; the stored client secret is removed. Users with a password keep it.', action: 'Turn off',
    }))) return;
    try { await api.patch(path, { sso: null }); } catch (error) { ssoProblem.textContent = error.message; ssoProblem.hidden = false; return; }
    announce('Single sign-on is off.');
    await reload();
  };

  const section = (key, title, ...content) => h('section', { 'aria-labelledby': `${key}-heading` }, h('h2', { id: `${key}-heading` }, title), content);
  show(target === config.tenant ? 'Tenant settings' : `Settings of ${tenant.name}`,
    otherTenantNote(config, target),
    h('dl', { class: 'facts' }, [['Tenant', `${tenant.name} (${tenant.id})`], ['Created', when(tenant.createdAt)], ['Issuer', `${config.api}/${tenant.id}`]]
      .map(([term, value]) => [h('dt', null, term), h('dd', null, value)])),
    section('settings', 'Tokens, sessions and lockouts', h('p', null, 'Each value is checked by the service; a change applies to requests that start after it is saved.'), settings.element),
    section('scopes', 'API scopes', scopesProblem,
      table({
        caption: `API scopes of ${tenant.name} (${scopes.length})`, columns: ['Scope', 'Description', 'Action'], empty: 'No API scopes yet.',
        rows: scopes.map((x) => [h('code', null, x.name), x.description || '–',
          h('button', { type: 'button', class: 'danger small', onclick: () => removeScope(x) }, 'Remove', h('span', { class: 'visually-hidden' }, ` scope ${x.name}`))]),
      }),
      addScope.element),
    section('sso', 'Single sign-on with Microsoft', ssoProblem,
      h('p', null, sso ? `On, with ${sso.clientSecretSet ? 'a client secret stored' : 'no client secret'}.` : 'Off.'),
      ssoForm.element,
      sso ? h('p', null, h('button', { type: 'button', class: 'danger', onclick: removeSso }, 'Turn single sign-on off')) : null));
}

/** #/tenants?page=N: the operator tenant's admins manage every tenant. */
export async function tenantsPage(context) {
  const { api, config, show, query, stale, go } = context;
  const page = Math.max(0, Number.parseInt(query.get('page') ?? '0', 10) || 0);
  const answer = await api.get(`/api/tenants?limit=20&page=${page}`);
  if (stale()) return;
  const problem = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const setDisabled = async (t, disabled) => {
    if (disabled && !(await confirmAction({
      title: `Disable ${t.name}?`, message: `Nothing of ${t.id} answers any more (404 Unknown tenant): its users cannot sign in and its tokens stop. It can be enabled again.`, action: 'Disable tenant',
    }))) return;
    try {
      if (disabled) await api.delete(`/api/tenants/${encodeURIComponent(t.id)}`);
      else await api.patch(`/api/tenants/${encodeURIComponent(t.id)}`, { disabled: false });
    } catch (error) { problem.textContent = error.message; problem.hidden = false; return; }
    announce(`${t.name} is ${disabled ? 'disabled' : 'enabled'}.`);
    await tenantsPage(context);
  };
  const fields = [
    field({ label: 'Tenant id', name: 'id', required: true, hint: 'Lower-case letters, digits and -, up to 63 characters; it names the issuer.' }),
    field({ label: 'Name', name: 'name', required: true }),
    field({ label: 'First admin\'s username', name: 'adminUsername', required: true }),
    field({ label: 'First admin\'s password', name: 'adminPassword', type: 'password', required: true, autocomplete: 'new-password' }),
  ];
  const created = h('div');
  const create = form({
    label: 'New tenant', fields, submit: 'Create tenant',
    onsubmit: async (f) => {
      const v = f.values();
      for (const x of fields) if (!v[x.name].trim()) return f.error('Fill in every field.', x.name);
      let tenant;
      try { tenant = await api.post('/api/tenants', { id: v.id.trim(), name: v.name.trim(), adminUsername: v.adminUsername.trim(), adminPassword: v.adminPassword }); } catch (error) {
        const name = /password/i.test(error.message) ? 'adminPassword' : /username/i.test(error.message) ? 'adminUsername' : /name/i.test(error.message) && !/\bid\b/i.test(error.message) ? 'name' : 'id';
        return f.error(error.message, name);
      }
      announce(`Tenant ${tenant.id} created.`);
      go(`#/tenants?page=${page}&created=${encodeURIComponent(tenant.id)}`);
    },
  });
  const just = query.get('created');
  if (just) created.append(h('p', { class: 'notice' }, `Tenant ${just} created. Its console: `, h('a', { href: `${config.api}/${just}/console` }, `${config.api}/${just}/console`)));
  const pages = Math.max(1, Math.ceil(answer.total / 20));
  show('Tenants',
    h('p', null, 'Every tenant of this deployment. Here you manage each one\'s settings and signing keys; its users and clients are managed in its own console, where one signs in with that tenant\'s users.'),
    created, problem,
    table({
      caption: `Tenants (${answer.total})`, columns: ['Tenant', 'Name', 'State', 'Created', 'Manage', 'Action'], empty: 'No tenants.',
      rows: answer.tenants.map((t) => [
        h('code', null, t.id), t.name, t.disabled ? 'Disabled' : 'Active', when(t.createdAt),
        h('ul', { class: 'links' },
          h('li', null, h('a', { href: `#/settings?tenant=${encodeURIComponent(t.id)}` }, 'Settings', h('span', { class: 'visually-hidden' }, ` of ${t.name}`))),
          h('li', null, h('a', { href: `#/keys?tenant=${encodeURIComponent(t.id)}` }, 'Keys', h('span', { class: 'visually-hidden' }, ` of ${t.name}`))),
          t.disabled ? null : h('li', null, h('a', { href: `${config.api}/${encodeURIComponent(t.id)}/console` }, 'Console', h('span', { class: 'visually-hidden' }, ` of ${t.name}`)))),
        t.id === config.tenant ? 'This tenant'
          : t.disabled ? h('button', { type: 'button', class: 'secondary small', onclick: () => setDisabled(t, false) }, 'Enable', h('span', { class: 'visually-hidden' }, ` ${t.id}`))
            : h('button', { type: 'button', class: 'danger small', onclick: () => setDisabled(t, true) }, 'Disable', h('span', { class: 'visually-hidden' }, ` ${t.id}`)),
      ]),
    }),
    pages > 1 ? h('nav', { class: 'pager', 'aria-label': 'Tenants pages' },
      page > 0 ? h('a', { href: `#/tenants?page=${page - 1}` }, 'Previous page') : null, h('span', null, `Page ${page + 1} of ${pages}`),
      page + 1 < pages ? h('a', { href: `#/tenants?page=${page + 1}` }, 'Next page') : null) : null,
    h('section', { 'aria-labelledby': 'new-tenant-heading' }, h('h2', { id: 'new-tenant-heading' }, 'Create a tenant'), create.element));
}
