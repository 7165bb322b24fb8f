import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decodeJwt, Session } from '../auth.js';
import { AuthError } from '../errors.js';
import { authResult, jwt, manualTimers, scriptedFetch } from './helpers.js';

const ENDPOINT = 'http://127.0.0.1:5000/';

function session(fetchImpl, extra = {}) {
  const timers = manualTimers();
  let now = 1_000_000;
  const s = new Session({ endpoint: ENDPOINT, clientId: 'client-1', fetchImpl, timers, now: () => now, ...extra });
  return { s, timers, advance: (ms) => (now += ms) };
}

test('decodeJwt reads base64url payloads and tolerates junk', () => {
  assert.deepEqual(decodeJwt(jwt({ sub: 'é?>' })), { sub: 'é?>' });
  assert.deepEqual(decodeJwt('not-a-jwt'), {});
});

test('signIn posts USER_PASSWORD_AUTH the way Cognito wants it', async () => {
  const { fetchImpl, calls } = scriptedFetch({ body: authResult() });
  const { s } = session(fetchImpl);
  assert.equal(await s.signIn('demo@example.com', 'pw'), 'demo@example.com');
  const [call] = calls;
  assert.equal(call.url, ENDPOINT);
  assert.equal(call.init.method, 'POST');
  assert.equal(call.init.headers['Content-Type'], 'application/x-amz-json-1.1');
  assert.equal(call.init.headers['X-Amz-Target'], 'AWSCognitoIdentityProviderService.InitiateAuth');
  assert.deepEqual(call.body, {
    AuthFlow: 'USER_PASSWORD_AUTH',
    ClientId: 'client-1',
    AuthParameters: { USERNAME: 'demo@example.com', PASSWORD: 'pw' },
  });
  assert.equal(s.signedIn, true);
});

test('a refused sign-in raises the Cognito exception name', async () => {
  const { fetchImpl } = scriptedFetch({
    status: 400,
    body: { __type: 'com.amazonaws#NotAuthorizedException', message: 'Incorrect username or password.' },
  });
  const { s } = session(fetchImpl);
  await assert.rejects(s.signIn('a@b.c', 'x'), (err) => err instanceof AuthError && err.type === 'NotAuthorizedException');
  assert.equal(s.signedIn, false);
});

test('a challenge instead of tokens is refused clearly', async () => {
  const { fetchImpl } = scriptedFetch({ body: { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 's' } });
  const { s } = session(fetchImpl);
  await assert.rejects(s.signIn('a@b.c', 'x'), (err) => err.type === 'ChallengeRequired');
});

test('the access token is refreshed shortly before it expires, keeping the refresh token', async () => {
  const { fetchImpl, calls } = scriptedFetch(
    { body: authResult({ access: 'first' }) },
    { body: authResult({ access: 'second', refresh: null }) },
    { body: authResult({ access: 'third', refresh: null }) },
  );
  const { s, timers, advance } = session(fetchImpl);
  await s.signIn('demo@example.com', 'pw');
  const [timer] = timers.pending.values();
  assert.equal(timer.ms, 3600_000 - 60_000);
  const first = await s.accessToken();
  assert.equal(decodeJwt(first).v, 'first');
  advance(3600_000 - 20_000); // within 30 s of expiry: accessToken() refreshes before answering
  assert.equal(decodeJwt(await s.accessToken()).v, 'second');
  assert.deepEqual(calls[1].body.AuthParameters, { REFRESH_TOKEN: 'r1' });
  assert.equal(calls[1].body.AuthFlow, 'REFRESH_TOKEN_AUTH');
  await s.refresh();
  assert.deepEqual(calls[2].body.AuthParameters, { REFRESH_TOKEN: 'r1' }); // kept from sign-in
});

test('concurrent refreshes share one Cognito call', async () => {
  const { fetchImpl, calls } = scriptedFetch({ body: authResult() }, { body: authResult({ access: 'new' }) });
  const { s } = session(fetchImpl);
  await s.signIn('demo@example.com', 'pw');
  const [a, b] = await Promise.all([s.refresh(), s.refresh()]);
  assert.equal(a, b);
  assert.equal(calls.length, 2);
});

test('a refused refresh ends the session and tells onExpired', async () => {
  let expired = 0;
  const { fetchImpl } = scriptedFetch(
    { body: authResult() },
    { status: 400, body: { __type: 'NotAuthorizedException', message: 'Refresh Token has expired' } },
  );
  const { s } = session(fetchImpl, { onExpired: () => expired++ });
  await s.signIn('demo@example.com', 'pw');
  await assert.rejects(s.refresh(), (err) => err.type === 'SessionExpired');
  assert.equal(s.signedIn, false);
  assert.equal(expired, 1);
});

test('a refresh that cannot reach Cognito keeps the session', async () => {
  const { fetchImpl } = scriptedFetch({ body: authResult() }, 'network');
  const { s } = session(fetchImpl);
  await s.signIn('demo@example.com', 'pw');
  await assert.rejects(s.refresh(), (err) => err.type === 'NetworkError');
  assert.equal(s.signedIn, true);
});

test('signOut forgets the tokens and calls GlobalSignOut', async () => {
  const { fetchImpl, calls } = scriptedFetch({ body: authResult() }, { status: 500, body: {} });
  const { s, timers } = session(fetchImpl);
  await s.signIn('demo@example.com', 'pw');
  const access = await s.accessToken();
  await s.signOut(); // a failing GlobalSignOut is not an error
  assert.equal(s.signedIn, false);
  assert.equal(timers.pending.size, 0);
  assert.equal(calls[1].init.headers['X-Amz-Target'], 'AWSCognitoIdentityProviderService.GlobalSignOut');
  assert.deepEqual(calls[1].body, { AccessToken: access });
  await assert.rejects(s.accessToken(), (err) => err.type === 'NotSignedIn');
});
