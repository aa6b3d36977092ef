// The tenant's signing keys, for its admins: the versions (never a secret), rotate, retire. The
// current version cannot be retired (the API answers 409): the page says so and offers no button.
// Retiring the version that signed the console's own session warns that it ends too.
import { h, announce, confirmAction, table, when } from './dom.js';
import { managedTenant, otherTenantNote } from './tenant.js';

/** #/keys (?tenant=ID for an operator admin) */
export async function keysPage(context) {
  const { api, config, session, show, stale } = context;
  const target = managedTenant(context);
  const path = `/api/tenants/${encodeURIComponent(target)}/keys`;
  const answer = await api.get(path);
  if (stale()) return;
  const problem = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const failed = (error) => { problem.textContent = error.message; problem.hidden = false; };

  const rotate = async () => {
    if (!(await confirmAction({
      title: 'Rotate the signing key?',
      message: 'A new key version signs every token from now on. Tokens signed with the older versions keep working until those are retired.',
      action: 'Rotate key',
    }))) return;
    let rotated;
    try { rotated = await api.post(`${path}/rotate`); } catch (error) { return failed(error); }
    announce(`Key ${rotated.kid} signs from now on.`);
    await keysPage(context);
  };
  const retire = async (key) => {
    // An operator admin's own session belongs to the operator tenant, not to another tenant it manages.
    const own = target === config.tenant && session.keyId === key.kid
      ? ` This console's own session was signed with ${key.kid} too: it ends, and you sign in again.` : '';
    if (!(await confirmAction({
      title: `Retire key ${key.kid}?`,
      message: `Every token signed with ${key.kid} stops working on every node within seconds, refresh tokens included: their users sign in again.${own}`,
      action: 'Retire key',
    }))) return;
    try { await api.post(`${path}/${encodeURIComponent(key.kid)}/retire`); } catch (error) { return failed(error); }
    announce(`Key ${key.kid} is retired.`);
    await keysPage(context);
  };

  show(target === config.tenant ? 'Signing keys' : `Signing keys of ${target}`,
    otherTenantNote(config, target),
    h('p', null, 'Tokens are signed with the current version. Rotate to start a new one; retire an old one to stop the tokens it signed. The current version cannot be retired: rotate first.'),
    problem,
    h('p', null, h('button', { type: 'button', class: 'primary', onclick: rotate }, 'Rotate key')),
    table({
      caption: `Key versions of ${target === config.tenant ? config.tenantName : target} (${answer.total})`,
      columns: ['Key', 'Algorithm', 'Master key', 'Created', 'State', 'Action'],
      empty: 'No keys.',
      rows: answer.keys.map((k) => [
        k.kid, k.alg ?? '–', k.masterKeyId, when(k.createdAt),
        k.current ? 'Current: signs new tokens' : k.retiredAt ? `Retired ${when(k.retiredAt)}` : 'Validates older tokens',
        k.current || k.retiredAt ? '–'
          : h('button', { type: 'button', class: 'danger small', onclick: () => retire(k) }, 'Retire', h('span', { class: 'visually-hidden' }, ` key ${k.kid}`)),
      ]),
    }));
}
