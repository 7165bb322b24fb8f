// Test doubles shared by the unit tests: a scripted fetch, a JWT maker, a fake XHR.

/** A fetch that answers from a queue of {status, body, headers} and records every call. */
export function scriptedFetch(...answers) {
  const calls = [];
  const fetchImpl = async (url, init = {}) => {
    calls.push({ url, init, body: init.body ? JSON.parse(init.body) : undefined });
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected request to ${url}`);
    if (answer === 'network') throw new TypeError('Failed to fetch');
    const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? {});
    return new Response(answer.status === 204 ? null : text, {
      status: answer.status ?? 200,
      headers: answer.headers ?? {},
    });
  };
  return { fetchImpl, calls };
}

/** An unsigned JWT with these claims (the page never verifies signatures). */
export function jwt(claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'test' })}.${part(claims)}.c2ln`;
}

/** Cognito's InitiateAuth answer. */
export function authResult({ access = 'a1', refresh = 'r1', expiresIn = 3600, email = 'demo@example.com' } = {}) {
  const result = {
    AccessToken: jwt({ token_use: 'access', username: 'demo', exp: 2_000_000_000, v: access }),
    IdToken: jwt({ token_use: 'id', email }),
    ExpiresIn: expiresIn,
    TokenType: 'Bearer',
  };
  if (refresh) result.RefreshToken = refresh;
  return { AuthenticationResult: result, ChallengeParameters: {} };
}

/** Timers that only run when the test says so. */
export function manualTimers() {
  const pending = new Map();
  let next = 1;
  return {
    pending,
    set(fn, ms) {
      pending.set(next, { fn, ms });
      return next++;
    },
    clear(id) {
      pending.delete(id);
    },
  };
}

/** Records what uploadBytes does with an XMLHttpRequest and lets the test finish it. */
export class FakeXHR {
  static last = null;
  constructor() {
    this.headers = {};
    this.upload = {};
    this.status = 0;
    this.responseText = '';
    FakeXHR.last = this;
  }
  open(method, url) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name, value) {
    this.headers[name] = value;
  }
  send(body) {
    this.body = body;
  }
  abort() {
    this.onabort();
  }
  finish(status, text = '') {
    this.status = status;
    this.responseText = text;
    this.onload();
  }
}
