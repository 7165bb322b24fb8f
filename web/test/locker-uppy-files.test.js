// The glue with a real Uppy core (from package.json): completing uploads, giving quota back,
// and resuming a remembered multipart upload. A scripted uploader stands in for @uppy/aws-s3.

import assert from 'node:assert/strict';
import { afterEach, test } from 'node:test';

import Uppy from '@uppy/core';

import { lockerUppyOptions } from '../locker-uppy.js';
import { jwt, scriptedFetch } from './helpers.js';

const SUB = '3f1c0e6e-0000-4000-8000-000000000001';
const KEY = `users/${SUB}/01JABCDEF`;
const API = 'https://api.example';
const READY = { id: '01JABCDEF', filename: 'a.png', status: 'ready' };

/** An in-memory Storage (localStorage's interface). */
function memoryStorage() {
  const items = new Map();
  return {
    items,
    getItem: (name) => (items.has(name) ? items.get(name) : null),
    setItem: (name, value) => items.set(name, String(value)),
    removeItem: (name) => items.delete(name),
  };
}

const quiet = { debug() {}, warn() {}, error() {} };
const running = [];
afterEach(() => running.splice(0).forEach((uppy) => uppy.destroy()));

function setup(answers, { storage = memoryStorage(), sub = SUB } = {}) {
  const { fetchImpl, calls } = scriptedFetch(...answers);
  const uppy = new Uppy({ id: 'test', logger: quiet });
  running.push(uppy);
  const token = jwt({ sub, token_use: 'access' });
  const options = lockerUppyOptions({ apiUrl: API, getToken: async () => token, fetch: fetchImpl, uppy, storage });
  const id = uppy.addFile({ name: 'a.png', type: 'image/png', data: new Blob([new Uint8Array(10)]) });
  return { uppy, options, calls, storage, id };
}

/** Stands in for AwsS3: signs the start through the glue, then reports `outcome`. */
function scriptedUploader(uppy, options, outcome = 'success') {
  const seen = [];
  uppy.addUploader(async (fileIDs) => {
    for (const id of fileIDs) {
      const file = uppy.getFile(id);
      seen.push({ ...file.s3Multipart });
      let key = file.s3Multipart?.key;
      if (!key) key = (await options.signRequest({ method: 'PUT', key: options.generateObjectKey(file) })).key;
      if (outcome === 'success') uppy.emit('upload-success', file, { status: 200, body: { key, location: 'x' }, uploadURL: 'x' });
      else uppy.emit('upload-error', file, new Error(outcome));
    }
  });
  return seen;
}

test('after the upload, the file is completed under the id at the end of its key', async () => {
  const { uppy, options, calls, id } = setup([{ body: { url: 'https://s3/put', key: KEY } }, { body: { file: READY } }]);
  scriptedUploader(uppy, options);
  const result = await uppy.upload();
  assert.equal(calls[1].url, `${API}/files/01JABCDEF/complete`);
  assert.equal(calls[1].init.method, 'POST');
  assert.deepEqual(result.failed, []);
  assert.deepEqual(uppy.getFile(id).response.body.file, READY);
  assert.equal(uppy.getFile(id).progress.complete, true);
});

test('a file Locker refuses at completion fails in Uppy with Locker\'s words', async () => {
  const refusal = { status: 422, body: { Code: 'UnprocessableEntityError', Message: 'content is not image/png' } };
  const { uppy, options, id } = setup([{ body: { url: 'https://s3/put', key: KEY } }, refusal]);
  scriptedUploader(uppy, options);
  const result = await uppy.upload();
  assert.deepEqual(result.failed.map((file) => file.id), [id]);
  assert.equal(uppy.getFile(id).error, 'content is not image/png');
});

test('removing a file mid-upload deletes its pending file; a finished one is left alone', async () => {
  const { uppy, options, calls, id } = setup([{ body: { url: 'https://s3/put', key: KEY } }, { status: 204 }]);
  await options.signRequest({ method: 'PUT', key: options.generateObjectKey(uppy.getFile(id)) });
  uppy.removeFile(id);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(calls[1].init.method, 'DELETE');
  assert.equal(calls[1].url, `${API}/files/01JABCDEF`);

  const done = setup([{ body: { url: 'https://s3/put', key: KEY } }, { body: { file: READY } }]);
  scriptedUploader(done.uppy, done.options);
  await done.uppy.upload();
  done.uppy.removeFile(done.id);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(done.calls.map((call) => call.init.method), ['POST', 'POST']);
});

test('a restarted single PUT gives the abandoned pending file back before starting again', async () => {
  const other = `users/${SUB}/01JSECOND`;
  const { uppy, options, calls, id } = setup([
    { body: { url: 'https://s3/put', key: KEY } },
    { status: 204 },
    { body: { url: 'https://s3/put2', key: other } },
  ]);
  const file = uppy.getFile(id);
  await options.signRequest({ method: 'PUT', key: options.generateObjectKey(file) });
  const again = await options.signRequest({ method: 'PUT', key: options.generateObjectKey(file) });
  assert.equal(again.key, other);
  assert.deepEqual(
    calls.map((call) => `${call.init.method} ${call.url}`),
    [`POST ${API}/uploads/sign`, `DELETE ${API}/files/01JABCDEF`, `POST ${API}/uploads/sign`],
  );
});

test('a multipart upload is remembered, and resumes in a new page if Locker still has it pending', async () => {
  const storage = memoryStorage();
  const before = setup([], { storage });
  before.uppy.setFileState(before.id, { s3Multipart: { key: KEY, uploadId: 'u1' } });
  assert.match(storage.getItem('locker-uppy:resume'), /u1/);
  assert.doesNotMatch(storage.getItem('locker-uppy:resume'), /tok|Bearer/);

  // After a reload: a new Uppy, the same file picked again (Uppy gives it the same id).
  const after = setup([{ body: { file: { ...READY, status: 'pending' } } }, { body: { file: READY } }], { storage });
  assert.equal(after.id, before.id);
  const seen = scriptedUploader(after.uppy, after.options);
  const result = await after.uppy.upload();
  assert.deepEqual(seen, [{ key: KEY, uploadId: 'u1' }]);
  assert.equal(after.calls[0].url, `${API}/files/01JABCDEF`);
  assert.equal(after.calls[0].init.method, 'GET');
  assert.equal(after.calls[1].url, `${API}/files/01JABCDEF/complete`);
  assert.deepEqual(result.failed, []);
  assert.equal(storage.getItem('locker-uppy:resume'), null); // finished: nothing left behind
});

test('a remembered upload that Locker no longer has pending starts afresh and is forgotten', async () => {
  for (const gone of [{ status: 404, body: { Code: 'NotFoundError', Message: 'not found' } }, { body: { file: READY } }]) {
    const storage = memoryStorage();
    const before = setup([], { storage });
    before.uppy.setFileState(before.id, { s3Multipart: { key: KEY, uploadId: 'u1' } });
    const fresh = `users/${SUB}/01JFRESH`;
    const after = setup([gone, { body: { url: 'https://s3/put', key: fresh } }, { body: { file: READY } }], { storage });
    const seen = scriptedUploader(after.uppy, after.options);
    await after.uppy.upload();
    assert.deepEqual(seen, [{}]);
    assert.equal(after.calls[1].url, `${API}/uploads/sign`);
    assert.equal(storage.getItem('locker-uppy:resume'), null);
  }
});

test("another user on the same browser never resumes the first user's upload", async () => {
  const storage = memoryStorage();
  const before = setup([], { storage });
  before.uppy.setFileState(before.id, { s3Multipart: { key: KEY, uploadId: 'u1' } });
  const other = `users/aaaaaaaa-0000-4000-8000-000000000002/01JOTHER`;
  const after = setup([{ body: { url: 'https://s3/put', key: other } }, { body: { file: READY } }], {
    storage,
    sub: 'aaaaaaaa-0000-4000-8000-000000000002',
  });
  const seen = scriptedUploader(after.uppy, after.options);
  await after.uppy.upload();
  assert.deepEqual(seen, [{}]);
  assert.match(storage.getItem('locker-uppy:resume'), /u1/); // still the first user's to resume
});

test('a 404 on a started upload forgets it, so a retry starts a new one', async () => {
  const storage = memoryStorage();
  const { uppy, options, id } = setup([{ status: 404, body: { Code: 'NotFoundError', Message: 'not found' } }], { storage });
  uppy.setFileState(id, { s3Multipart: { key: KEY, uploadId: 'u1' } });
  await assert.rejects(options.signRequest({ method: 'GET', key: KEY, uploadId: 'u1' }), { status: 404 });
  assert.equal(uppy.getFile(id).s3Multipart, undefined);
  assert.equal(storage.getItem('locker-uppy:resume'), null);
});
