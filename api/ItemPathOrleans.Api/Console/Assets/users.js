// The tenant admins' pages: users found by a username or email prefix and paged on the server,
// a new user, and one user's profile, password, sessions, security events, deactivation and
// deletion. Every destructive action asks first; every refusal of the API is shown in its words,
// at the field it is about when it names one.
import { h, announce, confirmAction, field, form, table, when } from './dom.js';
import { statusName, statusNames, typeName, fieldOf } from './words.js';
import { sessionsTable } from './account.js';

const PAGE_SIZE = 20;
const EVENTS_PAGE_SIZE = 20;
const LAST_ADMIN_RULE = 'A tenant keeps at least one active admin: the last one cannot be deactivated, demoted or deleted.';
const languages = [['', 'Not set'], ['en', 'English (en)'], ['fr', 'French (fr)']];
const types = [['user', 'User'], ['application', 'Application']];

/** #/users?by=username|email&prefix=…&page=N */
export async function usersPage({ api, show, query, go, stale }) {
  const by = query.get('by') === 'email' ? 'email' : 'username';
  const prefix = query.get('prefix') ?? '';
  const page = Math.max(0, Number.parseInt(query.get('page') ?? '0', 10) || 0);
  const search = new URLSearchParams({ limit: String(PAGE_SIZE), page: String(page) });
  if (prefix) search.set(by, prefix);
  const answer = await api.get(`/api/users?${search}`);
  if (stale()) return;

  const byField = field({ label: 'Search by', name: 'by', value: by, options: [['username', 'Username'], ['email', 'Email']] });
  const prefixField = field({ label: 'Starts with', name: 'prefix', type: 'search', value: prefix });
  const searchForm = form({
    label: 'Search users', fields: [byField, prefixField], submit: 'Search',
    onsubmit: (f) => {
      const values = f.values();
      go(`#/users?${new URLSearchParams({ by: values.by, prefix: values.prefix.trim(), page: '0' })}`);
    },
  });
  searchForm.element.classList.add('inline');

  const pages = Math.max(1, Math.ceil(answer.total / PAGE_SIZE));
  const first = answer.total === 0 ? 0 : page * PAGE_SIZE + 1;
  const last = page * PAGE_SIZE + answer.users.length;
  const to = (p) => `#/users?${new URLSearchParams({ by, prefix, page: String(p) })}`;
  const found = prefix ? `whose ${by} starts with “${prefix}”` : 'in this tenant';
  show('Users',
    h('p', null, h('a', { href: '#/users/new', class: 'button primary' }, 'Create user')),
    searchForm.element,
    table({
      caption: `Users ${found}: ${first}–${last} of ${answer.total}`,
      columns: ['Username', 'Email', 'Type', 'Status', 'Admin'],
      empty: prefix ? `No user ${found}.` : 'No users yet.',
      rows: answer.users.map((u) => [
        h('a', { href: `#/users/${u.id}` }, u.username), u.email || '–', typeName(u.type), statusName(u.status), u.isAdmin ? 'Yes' : 'No',
      ]),
    }),
    pager(page, pages, to, 'Users pages'));
}

function pager(page, pages, to, label) {
  if (pages <= 1) return null;
  return h('nav', { class: 'pager', 'aria-label': label },
    page > 0 ? h('a', { href: to(page - 1), rel: 'prev' }, 'Previous page') : null,
    h('span', null, `Page ${page + 1} of ${pages}`),
    page + 1 < pages ? h('a', { href: to(page + 1), rel: 'next' }, 'Next page') : null);
}

/** The fields a user's profile is edited with (new and existing users). */
function profileFields(user) {
  return [
    field({ label: 'Username', name: 'username', value: user?.username, required: true, autocomplete: 'off' }),
    field({ label: 'Email', name: 'email', type: 'email', value: user?.email, autocomplete: 'off', hint: 'Optional; unique in the tenant.' }),
    field({ label: 'Type', name: 'type', value: user?.type ?? 'user', options: types, hint: 'Application users get application tokens.' }),
    field({ label: 'Admin of this tenant', name: 'isAdmin', type: 'checkbox', value: user?.isAdmin }),
    field({ label: 'Language', name: 'language', value: user?.language ?? '', options: languages }),
    field({ label: 'Time zone', name: 'timeZone', value: user?.timeZone, hint: 'An IANA name, such as Europe/Paris.' }),
  ];
}

/** The profile fields as the API takes them: an empty email removes it, empty optional text is left out. */
function profileBody(values, isNew) {
  const body = { username: values.username.trim(), type: values.type, isAdmin: values.isAdmin };
  if (values.email.trim()) body.email = values.email.trim();
  else if (!isNew) body.email = null;
  if (values.language) body.language = values.language;
  if (values.timeZone.trim()) body.timeZone = values.timeZone.trim();
  return body;
}

export async function newUserPage({ api, show, go }) {
  const fields = profileFields(null);
  const password = field({
    label: 'Password', name: 'password', type: 'password', required: true, autocomplete: 'new-password',
    hint: 'At least the tenant\'s minimum length, not the username, not a common password.',
  });
  fields.splice(2, 0, password);
  const names = fields.map((f) => f.name);
  const create = form({
    label: 'New user', fields, submit: 'Create user',
    onsubmit: async (f) => {
      const values = f.values();
      if (!values.username.trim()) return f.error('Enter a username.', 'username');
      if (!values.password) return f.error('Enter a password.', 'password');
      let user;
      try {
        user = await api.post('/api/users', { ...profileBody(values, true), password: values.password });
      } catch (error) {
        return f.error(error.message, fieldOf(error.message, names));
      }
      announce(`User ${user.username} created.`);
      go(`#/users/${user.id}`);
    },
  });
  show('Create user', h('p', null, h('a', { href: '#/users' }, 'Back to users')), create.element);
}

/** #/users/{id}?events=N */
export async function userPage(context) {
  const { api, session, me, show, params, query, stale, go } = context;
  const id = params[0];
  const eventsPage = Math.max(0, Number.parseInt(query.get('events') ?? '0', 10) || 0);
  const [user, sessions, events] = await Promise.all([
    api.get(`/api/users/${id}`),
    api.get(`/api/users/${id}/sessions?limit=200`),
    api.get(`/api/users/${id}/events?limit=${EVENTS_PAGE_SIZE}&page=${eventsPage}`),
  ]);
  if (stale()) return;
  const reload = () => userPage(context);
  const self = user.id === me.id;
  const active = [1, 3].includes(user.status);
  // The tenant's active admins, counted by the user list (?isAdmin, ?status): the last one's
  // deactivation and deletion are not offered. The service decides all the same (409).
  let lastAdmin = false;
  if (user.isAdmin && active) {
    const counts = await Promise.all([1, 3].map((status) => api.get(`/api/users?isAdmin=true&status=${status}&limit=1`)));
    if (stale()) return;
    lastAdmin = counts.reduce((sum, c) => sum + c.total, 0) <= 1;
  }

  // Profile: a demotion or a deactivation through it asks first, like the buttons below.
  const fields = profileFields(user);
  fields.splice(3, 0, field({
    label: 'Status', name: 'status', value: user.status,
    options: Object.entries(statusNames).map(([value, text]) => [value, text]),
  }));
  const names = fields.map((f) => f.name);
  const edit = form({
    label: `Profile of ${user.username}`, fields, submit: 'Save changes',
    onsubmit: async (f) => {
      const values = f.values();
      if (!values.username.trim()) return f.error('Enter a username.', 'username');
      const body = { ...profileBody(values, false), status: Number(values.status) };
      const demoted = user.isAdmin && !body.isAdmin;
      const deactivated = [1, 3].includes(user.status) && ![1, 3].includes(body.status);
      if ((demoted || deactivated) && !(await confirmAction({
        title: `Save the changes to ${user.username}?`,
        message: [
          deactivated ? `${user.username} is deactivated: every session ends and no sign-in works until reactivated.` : '',
          demoted ? `${user.username} stops being an admin.` : '',
          user.isAdmin ? LAST_ADMIN_RULE : '',
        ].filter(Boolean).join(' '),
        action: 'Save changes',
      }))) return;
      try {
        await api.patch(`/api/users/${id}`, body);
      } catch (error) {
        return f.error(error.message, fieldOf(error.message, names));
      }
      announce(`Changes to ${body.username} saved.`);
      await reload();
    },
  });

  const password = field({
    label: 'New password', name: 'password', type: 'password', required: true, autocomplete: 'new-password',
    hint: `Every session of ${user.username} ends, application tokens included.`,
  });
  const setPassword = form({
    label: `Set the password of ${user.username}`, fields: [password], submit: 'Set password',
    onsubmit: async (f) => {
      const value = f.values().password;
      if (!value) return f.error('Enter the new password.', 'password');
      if (!(await confirmAction({
        title: `Set a new password for ${user.username}?`,
        message: `Every session of ${user.username} ends${self ? ', this console\'s included' : ''}, application tokens included.`,
        action: 'Set password',
      }))) return;
      try {
        await api.patch(`/api/users/${id}`, { password: value });
      } catch (error) {
        return f.error(error.message, 'password');
      }
      announce(`The password of ${user.username} was set. Every session of ${user.username} ended.`);
      await reload();
    },
  });

  const sessionsError = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const failed = (slot, error) => { slot.textContent = error.message; slot.hidden = false; };
  const revokeOne = async (s) => {
    if (!(await confirmAction({
      title: 'Revoke this session?',
      message: `The session started ${when(s.createdAt)} ends and its tokens stop working.${s.id === session.sessionId ? ' It is this console\'s: you will be signed out.' : ''}`,
      action: 'Revoke session',
    }))) return;
    try { await api.delete(`/api/users/${id}/sessions/${encodeURIComponent(s.id)}`); } catch (error) { return failed(sessionsError, error); }
    announce('The session was revoked.');
    await reload();
  };
  const revokeAll = async () => {
    if (!(await confirmAction({
      title: `Revoke every session of ${user.username}?`,
      message: `${user.username} is signed out everywhere; application tokens stop too.${self ? ' This console is signed out as well.' : ''}`,
      action: 'Revoke all sessions',
    }))) return;
    try { await api.delete(`/api/users/${id}/sessions`); } catch (error) { return failed(sessionsError, error); }
    announce(`Every session of ${user.username} was revoked.`);
    await reload();
  };

  const dangerError = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const setActive = async (activate) => {
    if (!activate && !(await confirmAction({
      title: `Deactivate ${user.username}?`,
      message: `Every session of ${user.username} ends and no sign-in works until the user is activated again.${user.isAdmin ? ` ${LAST_ADMIN_RULE}` : ''}`,
      action: 'Deactivate',
    }))) return;
    try { await api.patch(`/api/users/${id}`, { status: activate ? 1 : 2 }); } catch (error) { return failed(dangerError, error); }
    announce(`${user.username} is ${activate ? 'active' : 'deactivated'}.`);
    await reload();
  };
  const remove = async () => {
    if (!(await confirmAction({
      title: `Delete ${user.username}?`,
      message: `The user and every session end for good; this cannot be undone.${user.isAdmin ? ` ${LAST_ADMIN_RULE}` : ''}`,
      action: 'Delete user',
    }))) return;
    try { await api.delete(`/api/users/${id}`); } catch (error) { return failed(dangerError, error); }
    announce(`${user.username} was deleted.`);
    go('#/users');
  };

  const eventPages = Math.max(1, Math.ceil(events.total / EVENTS_PAGE_SIZE));
  show(`User ${user.username}`,
    h('p', null, h('a', { href: '#/users' }, 'Back to users'), ` · ${statusName(user.status)}${user.isAdmin ? ' · admin' : ''} · id ${user.id} · created ${when(user.createdAt)}`),
    section('profile', 'Profile', edit.element),
    section('password', 'Set a password', setPassword.element),
    section('sessions', 'Sessions', sessionsError,
      sessionsTable(sessions.sessions, session.sessionId, revokeOne, `Active sessions of ${user.username}`),
      sessions.sessions.length > 0 ? h('p', null, h('button', { type: 'button', class: 'danger', onclick: revokeAll }, 'Revoke all sessions')) : null),
    section('events', 'Security events',
      table({
        caption: `Security events of ${user.username}, newest first (${events.total})`,
        columns: ['When', 'Event', 'Address', 'Detail'],
        empty: 'No security events.',
        rows: events.events.map((e) => [when(e.at), h('code', null, e.name), e.address || '–', e.detail || '–']),
      }),
      pager(eventsPage, eventPages, (p) => `#/users/${id}?events=${p}`, 'Security events pages')),
    section('danger', 'Deactivate or delete', dangerError,
      user.isAdmin ? h('p', { class: 'rule', id: 'last-admin-rule' }, LAST_ADMIN_RULE,
        lastAdmin ? ` ${user.username} is the last active admin of this tenant: make another user an admin first.` : '') : null,
      h('div', { class: 'actions' },
        active
          ? h('button', { type: 'button', class: 'danger', onclick: () => setActive(false), disabled: lastAdmin, 'aria-describedby': lastAdmin ? 'last-admin-rule' : null }, 'Deactivate user')
          : h('button', { type: 'button', class: 'secondary', onclick: () => setActive(true) }, 'Activate user'),
        h('button', { type: 'button', class: 'danger', onclick: remove, disabled: lastAdmin, 'aria-describedby': lastAdmin ? 'last-admin-rule' : null }, 'Delete user'))));
}

function section(key, title, ...content) {
  const id = `${key}-heading`;
  return h('section', { 'aria-labelledby': id }, h('h2', { id }, title), content);
}
