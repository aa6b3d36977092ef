// The documented HTTP API with the session's access token: every call names the tenant, a 401
// renews the token once and tries again, and every refusal becomes an ApiError whose message is
// the API's own words (the problem's detail).

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

export class Api {
  #base;
  #tenant;
  #session;

  constructor(base, tenant, session) {
    this.#base = base;
    this.#tenant = tenant;
    this.#session = session;
  }

  get(path) { return this.call('GET', path); }
  post(path, body) { return this.call('POST', path, body ?? {}); }
  patch(path, body) { return this.call('PATCH', path, body); }
  delete(path) { return this.call('DELETE', path); }

  async call(method, path, body) {
    let response = await this.#send(method, path, body);
    if (response.status === 401 && (await this.#session.refresh())) response = await this.#send(method, path, body);
    const text = await response.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = null; }
    if (response.ok) return data;
    const detail = data?.detail || data?.msg || data?.title || `HTTP ${response.status}`;
    if (response.status === 401) {
      this.#session.end(`Your session has ended (${detail}). Sign in again to go on.`);
    }
    if (response.status === 503 || response.status === 429) {
      throw new ApiError(response.status, `The service could not answer now: ${detail}. Try again in a moment.`);
    }
    throw new ApiError(response.status, detail);
  }

  async #send(method, path, body) {
    const headers = { 'X-Tenant': this.#tenant };
    if (this.#session.accessToken) headers.Authorization = `Bearer ${this.#session.accessToken}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await fetch(this.#base + path, {
        method, headers, cache: 'no-store', body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, 'The service did not answer. Check the connection and try again.');
    }
  }
}
