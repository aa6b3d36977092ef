// How the console names what the API answers, and which form field an API error is about.

export const statusNames = { 0: 'Pending', 1: 'Active', 2: 'Deactivated', 3: 'Active (application)' };
export const statusName = (status) => statusNames[status] ?? `Status ${status}`;
export const typeName = (type) => (type === 'application' ? 'Application' : 'User');
export const sessionKinds = {
  login: 'Password login', sso: 'Microsoft sign-in', application: 'Application token', web: 'Browser sign-in', oidc: 'App sign-in',
};
export const kindName = (kind) => sessionKinds[kind] ?? kind;

// The API names the rule a value breaks ("Password must be at least 8 characters", "Email already
// exists", "redirectUris may use http only for loopback hosts"): the field named first in the
// message is the one to mark ("Password must not equal the username" is about the password).
const fieldWords = {
  currentPassword: [/current password/i], newPassword: [/password/i], timeZone: [/time ?zone/i],
  isAdmin: [/\badmin/i], status: [/\bstatus\b/i, /deactivat/i], clientId: [/client ?id\b/i],
  redirectUris: [/redirect uri/i], grantTypes: [/\bgrant/i],
};

function firstMatch(message, name) {
  const patterns = [new RegExp(`(?<![A-Za-z])${name}(?![A-Za-z])`, 'i'), ...(fieldWords[name] ?? [])];
  const found = patterns.map((p) => p.exec(message)).filter(Boolean).map((m) => m.index);
  return found.length ? Math.min(...found) : Infinity;
}

/** The name of the field among names that message is about, or null. */
export function fieldOf(message, names) {
  let best = null;
  let at = Infinity;
  for (const name of names) {
    const index = firstMatch(message, name);
    if (index < at || (index === at && best !== null && name.length > best.length)) { best = name; at = index; }
  }
  return best;
}
