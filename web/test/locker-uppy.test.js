// lockerUppyOptions's signRequest against a scripted Locker: what it sends, what it answers.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { fileIdOf, LockerUploadError, lockerUppyOptions } from '../locker-uppy.js';
import { scriptedFetch } from './helpers.js';

const API = 'https://api.example/v1';
const KEY = 'users/3f1c0e6e-0000-4000-8000-000000000001/01JABCDEF';
const SIGNED = { url: 'https://bucket.example/users/x?X-Amz-Signature=1', key: KEY, headers: { 'If-None-Match': '*' } };
const FILE = { id: 'uppy-a/png-1e-image/png-10', name: 'a.png', type: 'image/png', size: 10, meta: { name: 'a.png' } };

function glue(answers, extra = {}) {
  const { fetchImpl, calls } = scriptedFetch(...answers);
  const tokens = [];
  const getToken = async ({ refresh } = {}) => {
    tokens.push(refresh ? 'refresh' : 'current');
    return refresh ? 'tok2' : 'tok1';
  };
  return { options: lockerUppyOptions({ apiUrl: `${API}/`, getToken, fetch: fetchImpl, ...extra }), calls, tokens };
}

test('a single PUT starts with filename, size and type of the file Uppy proposed the key for', async () => {
  const { options, calls } = glue([{ body: { ...SIGNED, extra: 'dropped' } }]);
  const proposed = options.generateObjectKey(FILE);
  const answer = await options.signRequest({ method: 'PUT', key: proposed, contentType: 'image/png' });
  assert.deepEqual(answer, SIGNED);
  assert.equal(calls.length, 1);
  assert.equal(calls[0].url, `${API}/uploads/sign`);
  assert.equal(calls[0].init.method, 'POST');
  assert.equal(calls[0].init.headers.Authorization, 'Bearer tok1');
  assert.equal(calls[0].init.headers['Content-Type'], 'application/json');
  assert.equal(calls[0].init.credentials, 'omit');
  assert.deepEqual(calls[0].body, { method: 'PUT', key: proposed, contentType: 'image/png', filename: 'a.png', size: 10 });
});

test('CreateMultipartUpload also carries the content type, which Uppy does not send', async () => {
  const big = { ...FILE, id: 'big', name: 'scan.pdf', type: 'application/pdf', size: 120 * 1024 ** 2, meta: {} };
  const { options, calls } = glue([{ body: { url: 'https://bucket.example/k?uploads', key: KEY } }]);
  const proposed = options.generateObjectKey(big);
  const answer = await options.signRequest({ method: 'POST', key: proposed });
  assert.deepEqual(answer, { url: 'https://bucket.example/k?uploads', key: KEY });
  assert.deepEqual(calls[0].body, {
    method: 'POST',
    key: proposed,
    filename: 'scan.pdf',
    size: 120 * 1024 ** 2,
    contentType: 'application/pdf',
  });
});

test('the name the user gave the file in Uppy is the filename Locker records', async () => {
  const { options, calls } = glue([{ body: SIGNED }]);
  const key = options.generateObjectKey({ ...FILE, meta: { name: 'renamed.png' } });
  await options.signRequest({ method: 'PUT', key, contentType: 'image/png' });
  assert.equal(calls[0].body.filename, 'renamed.png');
});

test('requests on a started upload send exactly the PresignableRequest fields', async () => {
  const requests = [
    { method: 'PUT', key: KEY, uploadId: 'u1', partNumber: 3 },
    { method: 'GET', key: KEY, uploadId: 'u1' },
    { method: 'POST', key: KEY, uploadId: 'u1', expiresIn: 600 },
    { method: 'DELETE', key: KEY, uploadId: 'u1' },
  ];
  const { options, calls } = glue(requests.map(() => ({ body: { url: 'https://bucket.example/part' } })));
  for (const request of requests) {
    assert.deepEqual(await options.signRequest({ ...request, somethingElse: 1 }), { url: 'https://bucket.example/part' });
  }
  assert.deepEqual(
    calls.map((call) => call.body),
    requests,
  );
});

test('a key this glue never proposed is not sent to Locker as a new upload', async () => {
  const { options, calls } = glue([]);
  await assert.rejects(options.signRequest({ method: 'PUT', key: 'my/own/key.png' }), (err) => {
    assert.ok(err instanceof LockerUploadError);
    assert.equal(err.code, 'UnknownFile');
    return true;
  });
  assert.equal(calls.length, 0);
});

test('each proposal is used once, and a new proposal replaces the older one of the same file', async () => {
  const { options } = glue([{ body: SIGNED }]);
  const first = options.generateObjectKey(FILE);
  const second = options.generateObjectKey(FILE);
  assert.notEqual(first, second);
  await assert.rejects(options.signRequest({ method: 'PUT', key: first }), /not prepared/);
  await options.signRequest({ method: 'PUT', key: second });
  await assert.rejects(options.signRequest({ method: 'PUT', key: second }), /not prepared/);
});

test('a 401 refreshes the token once and retries; a second 401 is the error', async () => {
  const refused = { status: 401, body: { Code: 'UnauthorizedError', Message: 'The access token expired' } };
  const { options, calls, tokens } = glue([refused, { body: SIGNED }, refused, refused]);
  assert.deepEqual(await options.signRequest({ method: 'GET', key: KEY, uploadId: 'u1' }), SIGNED);
  assert.deepEqual(tokens, ['current', 'refresh']);
  assert.equal(calls[1].init.headers.Authorization, 'Bearer tok2');
  await assert.rejects(options.signRequest({ method: 'GET', key: KEY, uploadId: 'u1' }), (err) => {
    assert.equal(err.status, 401);
    assert.equal(err.message, 'The access token expired');
    return true;
  });
  assert.equal(calls.length, 4);
});

test("Locker's refusals keep its status, code and words; no answer is status 0", async () => {
  const { options } = glue([
    { status: 429, body: { Code: 'TooManyRequestsError', Message: 'quota exceeded: 10 GiB' } },
    { status: 502, body: '<html>bad gateway</html>' },
    'network',
    { body: { key: KEY } },
  ]);
  const request = { method: 'GET', key: KEY, uploadId: 'u1' };
  await assert.rejects(options.signRequest(request), { status: 429, code: 'TooManyRequestsError', message: 'quota exceeded: 10 GiB' });
  await assert.rejects(options.signRequest(request), { status: 502, message: 'HTTP 502' });
  await assert.rejects(options.signRequest(request), { status: 0, code: 'NetworkError' });
  await assert.rejects(options.signRequest(request), { code: 'BadResponse' });
});

test('multipart above the threshold, a single PUT up to it', () => {
  const { options } = glue([], { multipartThreshold: 1000 });
  assert.equal(options.shouldUseMultipart({ size: 1000 }), false);
  assert.equal(options.shouldUseMultipart({ size: 1001 }), true);
  const byDefault = glue([]).options;
  assert.equal(byDefault.shouldUseMultipart({ size: 100 * 1024 ** 2 }), false);
  assert.equal(byDefault.shouldUseMultipart({ size: 100 * 1024 ** 2 + 1 }), true);
  assert.equal(byDefault.allowedMetaFields, false);
});

test('bad options are refused up front', () => {
  const getToken = () => 't';
  assert.throws(() => lockerUppyOptions({ getToken }), /apiUrl/);
  assert.throws(() => lockerUppyOptions({ apiUrl: API }), /getToken/);
  assert.throws(() => lockerUppyOptions({ apiUrl: API, getToken, multipartThreshold: 0 }), /multipartThreshold/);
});

test("the Locker file id is the key's last segment", () => {
  assert.equal(fileIdOf(KEY), '01JABCDEF');
});
