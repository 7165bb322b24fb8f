import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createApi, fetchBytes, sha256Base64, storageError, uploadBytes } from '../api.js';
import { ApiError, AuthError } from '../errors.js';
import { FakeXHR, scriptedFetch } from './helpers.js';

/** A session double: hands out tok1, then tok2 after a refresh. */
function fakeSession({ refreshFails = false } = {}) {
  return {
    token: 'tok1',
    refreshes: 0,
    expired: 0,
    async accessToken() {
      return this.token;
    },
    async refresh() {
      this.refreshes++;
      if (refreshFails) throw new AuthError('SessionExpired', 'gone');
      this.token = 'tok2';
      return this.token;
    },
    expire() {
      this.expired++;
    },
  };
}

const FILE = { id: '01J', filename: 'a.png', status: 'ready' };

test('calls carry the access token as a bearer and JSON bodies', async () => {
  const { fetchImpl, calls } = scriptedFetch({ status: 201, body: { file: FILE, upload: {} } });
  const api = createApi({ baseUrl: 'https://x.example/api', session: fakeSession(), fetchImpl });
  await api.createFile({ filename: 'a.png', contentType: 'image/png', size: 3 });
  assert.equal(calls[0].url, 'https://x.example/api/files');
  assert.equal(calls[0].init.headers.Authorization, 'Bearer tok1');
  assert.equal(calls[0].init.headers['Content-Type'], 'application/json');
  assert.deepEqual(calls[0].body, { filename: 'a.png', contentType: 'image/png', size: 3 });
});

test('body-less calls send no Content-Type and ids are escaped', async () => {
  const { fetchImpl, calls } = scriptedFetch({ body: { file: FILE } }, { status: 204 });
  const api = createApi({ baseUrl: 'http://h', session: fakeSession(), fetchImpl });
  await api.completeFile('a/b');
  assert.equal(calls[0].url, 'http://h/files/a%2Fb/complete');
  assert.equal(calls[0].init.method, 'POST');
  assert.equal(calls[0].init.headers['Content-Type'], undefined);
  assert.equal(await api.deleteFile('01J'), null);
  assert.equal(calls[1].init.method, 'DELETE');
});

test('listFiles builds the query from what is set', async () => {
  const { fetchImpl, calls } = scriptedFetch({ body: { items: [], nextCursor: null } }, { body: { items: [], nextCursor: null } });
  const api = createApi({ baseUrl: 'http://h', session: fakeSession(), fetchImpl });
  await api.listFiles({ limit: 25 });
  await api.listFiles({ limit: 25, status: 'ready', cursor: 'a+b=' });
  assert.equal(calls[0].url, 'http://h/files?limit=25');
  assert.equal(calls[1].url, 'http://h/files?limit=25&status=ready&cursor=a%2Bb%3D');
});

test('a 401 refreshes the token once and retries once', async () => {
  const { fetchImpl, calls } = scriptedFetch({ status: 401, body: { Code: 'UnauthorizedError' } }, { body: { items: [] } });
  const session = fakeSession();
  const api = createApi({ baseUrl: 'http://h', session, fetchImpl });
  assert.deepEqual(await api.listFiles(), { items: [] });
  assert.equal(session.refreshes, 1);
  assert.equal(calls[1].init.headers.Authorization, 'Bearer tok2');
});

test('a second 401 ends the session', async () => {
  const unauthorized = { status: 401, body: { Code: 'UnauthorizedError', Message: 'invalid token' } };
  const { fetchImpl, calls } = scriptedFetch(unauthorized, unauthorized);
  const session = fakeSession();
  const api = createApi({ baseUrl: 'http://h', session, fetchImpl });
  await assert.rejects(api.listFiles(), (err) => err instanceof ApiError && err.status === 401);
  assert.equal(calls.length, 2);
  assert.equal(session.expired, 1);
});

test('a refused refresh is a 401 without a retry', async () => {
  const { fetchImpl, calls } = scriptedFetch({ status: 401, body: {} });
  const api = createApi({ baseUrl: 'http://h', session: fakeSession({ refreshFails: true }), fetchImpl });
  await assert.rejects(api.listFiles(), (err) => err.status === 401);
  assert.equal(calls.length, 1);
});

test('error bodies become ApiError code and message; network failures are status 0', async () => {
  const { fetchImpl } = scriptedFetch(
    { status: 422, body: { Code: 'UnprocessableEntityError', Message: 'upload does not match what was declared' } },
    { status: 429, body: { message: 'Too Many Requests' } },
    'network',
  );
  const api = createApi({ baseUrl: 'http://h', session: fakeSession(), fetchImpl });
  await assert.rejects(api.completeFile('x'), { status: 422, code: 'UnprocessableEntityError', message: 'upload does not match what was declared' });
  await assert.rejects(api.listFiles(), { status: 429, message: 'Too Many Requests' });
  await assert.rejects(api.listFiles(), { status: 0, code: 'NetworkError' });
});

test('uploadBytes sends exactly the returned headers but Content-Length, and reports progress', async () => {
  const seen = [];
  const upload = {
    method: 'PUT',
    url: 'http://s3/b/users/u/01J?X-Amz-Signature=x',
    headers: { 'Content-Type': 'image/png', 'If-None-Match': '*', 'Content-Length': '3', 'x-amz-checksum-sha256': 'abc=' },
  };
  const { done } = uploadBytes(upload, 'body', { XHR: FakeXHR, onProgress: (loaded, total) => seen.push([loaded, total]) });
  const xhr = FakeXHR.last;
  assert.equal(xhr.method, 'PUT');
  assert.equal(xhr.url, upload.url);
  assert.deepEqual(xhr.headers, { 'Content-Type': 'image/png', 'If-None-Match': '*', 'x-amz-checksum-sha256': 'abc=' });
  assert.equal(xhr.body, 'body');
  xhr.upload.onprogress({ lengthComputable: true, loaded: 1, total: 3 });
  xhr.finish(200);
  await done;
  assert.deepEqual(seen, [[1, 3]]);
});

test('uploadBytes turns S3 XML errors, network errors and aborts into storage errors', async () => {
  const upload = { url: 'http://s3/x', headers: {} };
  let transfer = uploadBytes(upload, 'b', { XHR: FakeXHR });
  FakeXHR.last.finish(400, '<Error><Code>BadDigest</Code><Message>digest mismatch</Message></Error>');
  await assert.rejects(transfer.done, { status: 400, code: 'BadDigest', message: 'digest mismatch', source: 'storage' });
  transfer = uploadBytes(upload, 'b', { XHR: FakeXHR });
  FakeXHR.last.onerror();
  await assert.rejects(transfer.done, { status: 0, code: 'NetworkError', source: 'storage' });
  transfer = uploadBytes(upload, 'b', { XHR: FakeXHR });
  transfer.abort();
  await assert.rejects(transfer.done, { code: 'AbortError' });
});

test('storageError copes with an empty body', () => {
  assert.deepEqual({ ...storageError(403, '') }, { name: 'ApiError', status: 403, code: '', source: 'storage', description: '' });
});

test('fetchBytes returns the bytes or the S3 error', async () => {
  const { fetchImpl } = scriptedFetch({ body: 'abc' }, { status: 403, body: '<Error><Code>AccessDenied</Code></Error>' });
  assert.equal(Buffer.from(await fetchBytes('http://s3/ok', fetchImpl)).toString(), 'abc');
  await assert.rejects(fetchBytes('http://s3/no', fetchImpl), { status: 403, code: 'AccessDenied' });
});

test('sha256Base64 matches the known digest of "abc"', async () => {
  assert.equal(await sha256Base64(new Blob(['abc'])), 'ungWv48Bz+pBQUDeXa4iI7ADYaOWF3qctBD/YfIAFa0=');
});
