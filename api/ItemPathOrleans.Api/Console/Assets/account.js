// What every signed-in user sees: their own profile, password and sessions.
import { h, announce, confirmAction, field, form, table, when } from './dom.js';
import { statusName, typeName, kindName, fieldOf } from './words.js';

export async function profilePage({ api, show, stale }) {
  const me = await api.get('/api/users/me');
  if (stale()) return;
  const facts = [
    ['Username', me.username], ['Email', me.email || '–'], ['Type', typeName(me.type)], ['Status', statusName(me.status)],
    ['Admin', me.isAdmin ? 'Yes' : 'No'], ['Language', me.language || '–'], ['Time zone', me.timeZone || '–'],
    ['Created', when(me.createdAt)], ['Updated', when(me.updatedAt)],
  ];
  const current = field({ label: 'Current password', name: 'currentPassword', type: 'password', required: true, autocomplete: 'current-password' });
  const next = field({
    label: 'New password', name: 'newPassword', type: 'password', required: true, autocomplete: 'new-password',
    hint: 'Your other sessions end when it changes; this one stays.',
  });
  const change = form({
    label: 'Change your password', fields: [current, next], submit: 'Change password',
    onsubmit: async (f) => {
      const { currentPassword, newPassword } = f.values();
      if (!currentPassword) return f.error('Enter your current password.', 'currentPassword');
      if (!newPassword) return f.error('Enter a new password.', 'newPassword');
      try {
        await api.post('/api/users/me/password', { currentPassword, newPassword });
      } catch (error) {
        return f.error(error.message, fieldOf(error.message, ['currentPassword', 'newPassword']));
      }
      current.input.value = '';
      next.input.value = '';
      announce('Your password was changed. Your other sessions have ended.');
      f.element.prepend(h('p', { class: 'notice' }, 'Your password was changed. Your other sessions have ended.'));
    },
  });
  show('Your profile',
    h('dl', { class: 'facts' }, facts.map(([term, value]) => [h('dt', null, term), h('dd', null, value)])),
    h('section', { 'aria-labelledby': 'password-heading' }, h('h2', { id: 'password-heading' }, 'Change your password'), change.element));
}

export async function mySessionsPage(context) {
  const { api, session, show, stale } = context;
  const answer = await api.get('/api/users/me/sessions?limit=200');
  if (stale()) return;
  const revoke = async (s) => {
    const mine = s.id === session.sessionId;
    const ok = await confirmAction({
      title: 'Revoke this session?',
      message: mine
        ? 'This is the console you are using: revoking it signs you out here.'
        : `The ${kindName(s.kind)} session started ${when(s.createdAt)} ends, and its tokens stop working.`,
      action: 'Revoke session',
    });
    if (!ok) return;
    try {
      await api.delete(`/api/users/me/sessions/${encodeURIComponent(s.id)}`);
    } catch (error) {
      announce(error.message);
      return context.show('Your sessions', h('p', { role: 'alert' }, error.message));
    }
    if (mine) return session.end('You revoked the console\'s own session.');
    announce('The session was revoked.');
    await mySessionsPage(context);
  };
  show('Your sessions',
    h('p', null, 'Every place you are signed in: password logins, apps, this console and application tokens.'),
    sessionsTable(answer.sessions, session.sessionId, revoke, 'Your active sessions'));
}

/** A user's sessions with a button to end each one; the console's own is marked. */
export function sessionsTable(sessions, ownId, revoke, caption) {
  return table({
    caption: `${caption} (${sessions.length})`,
    columns: ['Kind', 'Name', 'Started', 'Last used', 'Expires', 'Action'],
    empty: 'No active sessions.',
    rows: sessions.map((s) => [
      [kindName(s.kind), s.id === ownId ? h('span', { class: 'tag' }, ' this console') : null],
      s.name || '–', when(s.createdAt), when(s.lastUsedAt), s.expiresAt ? when(s.expiresAt) : 'never',
      h('button', { type: 'button', class: 'secondary small', onclick: () => revoke(s) },
        'Revoke', h('span', { class: 'visually-hidden' }, ` ${kindName(s.kind)} session started ${when(s.createdAt)}`)),
    ]),
  });
}
