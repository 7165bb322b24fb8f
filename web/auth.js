// Cognito user-pool sign-in for the browser, spoken directly over Cognito's JSON API
// (no SDK). Tokens live in this object's memory only: never in localStorage,
// sessionStorage or cookies, so a reload signs the user out.

import { AuthError } from './errors.js';

const TARGET = 'AWSCognitoIdentityProviderService.';
const REFRESH_BEFORE_MS = 60_000; // the timer refreshes this long before the access token expires
const STALE_BEFORE_MS = 30_000; // a token this close to expiry is refreshed before use
const RETRY_AFTER_MS = 15_000; // when a timed refresh hits a network error

/** The JSON payload of a JWT, without verifying it (the API does that); {} if unreadable. */
export function decodeJwt(token) {
  try {
    const part = String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bytes = Uint8Array.from(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), '=')), (c) =>
      c.charCodeAt(0),
    );
    const payload = JSON.parse(new TextDecoder().decode(bytes));
    return payload && typeof payload === 'object' ? payload : {};
  } catch {
    return {};
  }
}

/** One Cognito API call; throws AuthError with the service's exception name. */
export async function cognitoCall(endpoint, action, body, fetchImpl) {
  let response;
  try {
    response = await fetchImpl(endpoint, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': TARGET + action },
      body: JSON.stringify(body),
      credentials: 'omit',
      cache: 'no-store',
    });
  } catch {
    throw new AuthError('NetworkError', 'Could not reach the sign-in service.');
  }
  let data = {};
  try {
    data = JSON.parse(await response.text()) ?? {};
  } catch {
    data = {};
  }
  if (!response.ok) {
    // __type may be qualified ("com.amazonaws...#NotAuthorizedException").
    const raw = data.__type || response.headers.get('x-amzn-errortype') || `HTTP ${response.status}`;
    throw new AuthError(String(raw).split('#').pop().split(':')[0], data.message || data.Message || '');
  }
  return data;
}

/** A signed-in user's tokens, refreshed before they expire. */
export class Session {
  /**
   * @param {{endpoint: string, clientId: string, onExpired?: () => void,
   *          fetchImpl?: Function, now?: () => number, timers?: {set: Function, clear: Function}}} options
   *   onExpired runs when a background refresh finds the session is over.
   */
  constructor({ endpoint, clientId, onExpired = () => {}, fetchImpl, now = Date.now, timers }) {
    this.endpoint = endpoint;
    this.clientId = clientId;
    this.onExpired = onExpired;
    this.fetch = fetchImpl ?? ((...args) => fetch(...args));
    this.now = now;
    this.timers = timers ?? { set: (fn, ms) => setTimeout(fn, ms), clear: (id) => clearTimeout(id) };
    this.tokens = null; // {access, id, refresh, expiresAt}
    this.user = '';
    this.timer = null;
    this.refreshing = null; // the in-flight refresh, shared by concurrent callers
  }

  get signedIn() {
    return this.tokens !== null;
  }

  /** USER_PASSWORD_AUTH; resolves to the user's display name. */
  async signIn(username, password) {
    const data = await this.#initiate('USER_PASSWORD_AUTH', { USERNAME: username, PASSWORD: password });
    this.#store(data, null);
    const id = decodeJwt(this.tokens.id);
    const access = decodeJwt(this.tokens.access);
    this.user = id.email || access.username || username;
    return this.user;
  }

  /** A usable access token, refreshed first when it is about to expire. */
  async accessToken() {
    if (!this.tokens) throw new AuthError('NotSignedIn', 'Not signed in.');
    if (this.now() >= this.tokens.expiresAt - STALE_BEFORE_MS) return this.refresh();
    return this.tokens.access;
  }

  /** REFRESH_TOKEN_AUTH; resolves to the new access token. A refused refresh ends the session
   *  (AuthError SessionExpired); a network error leaves it in place. */
  refresh() {
    if (!this.tokens) return Promise.reject(new AuthError('NotSignedIn', 'Not signed in.'));
    if (!this.refreshing) {
      const current = this.tokens;
      this.refreshing = this.#initiate('REFRESH_TOKEN_AUTH', { REFRESH_TOKEN: current.refresh })
        .then((data) => {
          if (this.tokens !== current) throw new AuthError('SessionExpired', 'Signed out meanwhile.');
          this.#store(data, current.refresh);
          return this.tokens.access;
        })
        .catch((err) => {
          if (err.type !== 'NetworkError' && this.tokens === current) this.expire();
          throw err.type === 'NetworkError' ? err : new AuthError('SessionExpired', err.message);
        })
        .finally(() => {
          this.refreshing = null;
        });
    }
    return this.refreshing;
  }

  /** Forgets the tokens and tells onExpired (e.g. the API kept answering 401). */
  expire() {
    const wasSignedIn = this.signedIn;
    this.#clear();
    if (wasSignedIn) this.onExpired();
  }

  /** Forgets the tokens now, then revokes them with GlobalSignOut (best effort). */
  async signOut() {
    const access = this.tokens?.access;
    this.#clear();
    if (!access) return;
    try {
      await cognitoCall(this.endpoint, 'GlobalSignOut', { AccessToken: access }, this.fetch);
    } catch {
      // Nothing to do: the tokens are gone from memory and expire on their own.
    }
  }

  async #initiate(flow, parameters) {
    const data = await cognitoCall(
      this.endpoint,
      'InitiateAuth',
      { AuthFlow: flow, ClientId: this.clientId, AuthParameters: parameters },
      this.fetch,
    );
    if (data.ChallengeName) {
      throw new AuthError(
        'ChallengeRequired',
        `this account needs the ${data.ChallengeName} step, which this page does not support`,
      );
    }
    const result = data.AuthenticationResult;
    if (!result || !result.AccessToken) throw new AuthError('BadResponse', 'Cognito sent no tokens.');
    return result;
  }

  #store(result, previousRefresh) {
    // Count ExpiresIn (the token's lifetime) from our own clock rather than trusting the
    // `exp` claim against it: a browser whose clock is off still refreshes in time.
    const lifetimeMs = Number(result.ExpiresIn) * 1000;
    const exp = Number(decodeJwt(result.AccessToken).exp) * 1000;
    const expiresAt = lifetimeMs > 0 ? this.now() + lifetimeMs : exp || this.now() + 300_000;
    this.tokens = {
      access: result.AccessToken,
      id: result.IdToken || this.tokens?.id || '',
      refresh: result.RefreshToken || previousRefresh, // a refresh answer usually omits it
      expiresAt,
    };
    this.#schedule(Math.max(0, expiresAt - REFRESH_BEFORE_MS - this.now()));
  }

  #schedule(delayMs) {
    if (this.timer !== null) this.timers.clear(this.timer);
    // setTimeout cannot wait more than 2^31-1 ms; tokens never live that long anyway.
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.refresh().catch((err) => {
        if (err.type === 'NetworkError' && this.tokens) this.#schedule(RETRY_AFTER_MS);
      });
    }, Math.min(delayMs, 2 ** 31 - 1));
  }

  #clear() {
    if (this.timer !== null) this.timers.clear(this.timer);
    this.timer = null;
    this.tokens = null;
    this.user = '';
  }
}
