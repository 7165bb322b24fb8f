// config.json's `limits` and the sentence the upload panel shows before any upload.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { validateConfig } from '../config.js';
import { limitsNote } from '../upload-limits.js';

const GOOD = { apiUrl: 'http://127.0.0.1:8000', cognitoEndpoint: 'http://127.0.0.1:5000/', clientId: 'abc' };
const DEFAULT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'];

test("without limits, the page assumes Locker's defaults", () => {
  assert.deepEqual(validateConfig(GOOD).limits, {
    maxSize: 5 * 1024 ** 3,
    multipartThreshold: 100 * 1024 ** 2,
    allowedTypes: DEFAULT_TYPES,
  });
});

test("a stack's limits replace the defaults one by one", () => {
  const { limits } = validateConfig({ ...GOOD, limits: { maxSize: 1000, allowedTypes: ['image/png'], quotaFiles: 3 } });
  assert.deepEqual(limits, { maxSize: 1000, multipartThreshold: 100 * 1024 ** 2, allowedTypes: ['image/png'] });
  assert.ok(Object.isFrozen(limits) && Object.isFrozen(limits.allowedTypes));
});

test('malformed limits name the bad key', () => {
  assert.throws(() => validateConfig({ ...GOOD, limits: [] }), /limits must be an object/);
  assert.throws(() => validateConfig({ ...GOOD, limits: { maxSize: '5 GiB' } }), /limits\.maxSize/);
  assert.throws(() => validateConfig({ ...GOOD, limits: { multipartThreshold: 0 } }), /limits\.multipartThreshold/);
  assert.throws(() => validateConfig({ ...GOOD, limits: { allowedTypes: [] } }), /limits\.allowedTypes/);
  assert.throws(() => validateConfig({ ...GOOD, limits: { allowedTypes: ['png'] } }), /limits\.allowedTypes/);
});

test('the note names the types, the largest size and when files go up in parts', () => {
  const limits = { maxSize: 5 * 1024 ** 3, multipartThreshold: 100 * 1024 ** 2, allowedTypes: DEFAULT_TYPES };
  assert.equal(
    limitsNote(limits),
    'PNG, JPEG, GIF, WebP, PDF or plain text, up to 5 GB each. Files over 100 MB go up in parts and resume where they stopped.',
  );
  assert.equal(
    limitsNote({ maxSize: 1024 ** 2, multipartThreshold: 100 * 1024 ** 2, allowedTypes: ['image/png', 'video/mp4'] }),
    'PNG or video/mp4, up to 1 MB each.',
  );
  assert.equal(limitsNote({ ...limits, allowedTypes: ['application/pdf'] }).split(',')[0], 'PDF');
});
