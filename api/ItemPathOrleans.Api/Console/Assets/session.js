// The console's sign-in: the authorization code flow with PKCE (S256) against the tenant's own
// OpenID Provider, as the built-in public client itempath-console. The tokens live in this
// module's memory only. sessionStorage holds the pending request (state, PKCE verifier, nonce)
// between the redirect and the callback, and nothing after it. The refresh token rotates on each
// use; it is renewed in the background before the access token expires, and revoked when the page
// goes away, so a closed tab leaves no live session behind.

const SCOPE = 'openid profile email offline_access';

/** A refusal of the provider (RFC 6749 §5.2), in words. */
export class SignInError extends Error {}

function base64url(bytes) {
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

const randomValue = () => base64url(crypto.getRandomValues(new Uint8Array(32)));

async function challengeOf(verifier) {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The claims (or with part 0, the header) of a JWT, unverified (the console reads its own tokens; the API checks them). */
export function claimsOf(jwt, part = 1) {
  try {
    const text = jwt.split('.')[part].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(text), (c) => c.charCodeAt(0))));
  } catch {
    return null;
  }
}

export class Session {
  #config;
  #onEnded;
  #access = null;
  #refreshToken = null;
  #idToken = null;
  #expiresAt = 0;
  #timer = 0;
  #refreshing = null;
  #leaving = false;

  /** onEnded(reason) is called once when the session ends without the user signing out. */
  constructor(config, onEnded) {
    this.#config = config;
    this.#onEnded = onEnded;
    window.addEventListener('pagehide', (event) => { if (!event.persisted) this.#revokeOnLeave(); });
  }

  get accessToken() { return this.#access; }
  get active() { return this.#access !== null; }
  /** The session id (sid) of the console's own session, to mark it in the lists. */
  get sessionId() { return this.#access ? claimsOf(this.#access)?.sid ?? null : null; }
  /** The signing key version (kid) of the console's own access token: retiring it ends this session. */
  get keyId() { return this.#access ? claimsOf(this.#access, 0)?.kid ?? null : null; }

  get #pendingKey() { return `itempath-console.pending.${this.#config.tenant}`; }
  get #redirectUri() { return `${this.#config.issuer}/console/callback`; }

  /** Sends the browser to the tenant's authorization endpoint; returnTo is the hash to come back to. */
  async signIn(returnTo = '') {
    const pending = { state: randomValue(), verifier: randomValue(), nonce: randomValue(), returnTo };
    sessionStorage.setItem(this.#pendingKey, JSON.stringify(pending));
    const url = new URL(`${this.#config.issuer}/oauth/authorize`);
    url.search = new URLSearchParams({
      response_type: 'code', client_id: this.#config.clientId, redirect_uri: this.#redirectUri, scope: SCOPE,
      state: pending.state, nonce: pending.nonce, code_challenge: await challengeOf(pending.verifier), code_challenge_method: 'S256',
    }).toString();
    this.#leaving = true;
    window.location.assign(url.toString());
  }

  /** The callback: checks the answer against the pending request and redeems the code. Answers the hash to go back to. */
  async completeSignIn(query) {
    const pending = JSON.parse(sessionStorage.getItem(this.#pendingKey) ?? 'null');
    sessionStorage.removeItem(this.#pendingKey);
    if (!pending || query.get('state') !== pending.state) {
      throw new SignInError('This sign-in answer does not belong to a sign-in started in this window. Sign in again.');
    }
    if (query.get('iss') !== this.#config.issuer) throw new SignInError('The sign-in answer came from another issuer. Sign in again.');
    if (query.get('error')) {
      throw new SignInError(`The sign-in was refused: ${query.get('error_description') || query.get('error')}.`);
    }
    const tokens = await this.#tokenRequest({
      grant_type: 'authorization_code', code: query.get('code') ?? '', redirect_uri: this.#redirectUri,
      code_verifier: pending.verifier, client_id: this.#config.clientId,
    });
    const id = claimsOf(tokens.id_token ?? '');
    if (!id || id.nonce !== pending.nonce || id.aud !== this.#config.clientId || id.iss !== this.#config.issuer) {
      throw new SignInError('The sign-in answer did not match the request (nonce, audience or issuer). Sign in again.');
    }
    this.#accept(tokens);
    return pending.returnTo || '';
  }

  /** A new access token now (one request at a time); false when the session has ended. */
  refresh() {
    this.#refreshing ??= this.#refresh().finally(() => { this.#refreshing = null; });
    return this.#refreshing;
  }

  /** RP-initiated logout: the provider ends the browser session and every session opened through it. */
  signOut() {
    const url = new URL(`${this.#config.issuer}/oauth/logout`);
    url.search = new URLSearchParams({
      id_token_hint: this.#idToken ?? '', client_id: this.#config.clientId,
      post_logout_redirect_uri: `${this.#config.issuer}/console/signed-out`,
    }).toString();
    this.#leaving = true;
    this.#forget();
    window.location.assign(url.toString());
  }

  /** Ends the session here (the server has ended it already); reason is shown to the user. */
  end(reason) {
    if (!this.active) return;
    this.#forget();
    this.#onEnded(reason);
  }

  async #refresh() {
    if (!this.#refreshToken) return false;
    try {
      this.#accept(await this.#tokenRequest({ grant_type: 'refresh_token', refresh_token: this.#refreshToken, client_id: this.#config.clientId }));
      return true;
    } catch (error) {
      if (error instanceof SignInError) {
        this.end('Your session has ended: it was signed out or revoked, or it expired. Sign in again to go on.');
        return false;
      }
      // The service did not answer: try again a little later while the access token lasts.
      this.#schedule(15_000);
      throw error;
    }
  }

  #accept(tokens) {
    this.#access = tokens.access_token;
    if (tokens.refresh_token) this.#refreshToken = tokens.refresh_token;
    if (tokens.id_token) this.#idToken = tokens.id_token;
    this.#expiresAt = Date.now() + Number(tokens.expires_in ?? 300) * 1000;
    // Renewed at three quarters of its life, so a slow answer still lands in time.
    this.#schedule(Math.max(5_000, (this.#expiresAt - Date.now()) * 0.75));
  }

  #schedule(delay) {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => { this.refresh().catch(() => {}); }, delay);
  }

  #forget() {
    clearTimeout(this.#timer);
    this.#access = this.#refreshToken = this.#idToken = null;
  }

  #revokeOnLeave() {
    if (this.#leaving || !this.#refreshToken) return;
    const form = new URLSearchParams({ token: this.#refreshToken, token_type_hint: 'refresh_token', client_id: this.#config.clientId });
    navigator.sendBeacon(`${this.#config.issuer}/oauth/revoke`, new Blob([form.toString()], { type: 'application/x-www-form-urlencoded' }));
  }

  async #tokenRequest(form) {
    let response;
    try {
      response = await fetch(`${this.#config.issuer}/oauth/token`, {
        method: 'POST', cache: 'no-store', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      });
    } catch {
      throw new Error('The service did not answer. Check the connection and try again.');
    }
    const body = await response.json().catch(() => ({}));
    if (response.ok) return body;
    if (response.status >= 500 || response.status === 429) {
      throw new Error(`The service could not answer now (HTTP ${response.status}). Try again in a moment.`);
    }
    throw new SignInError(body.error_description || body.error || `HTTP ${response.status}`);
  }
}
