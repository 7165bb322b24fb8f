import assert from 'node:assert/strict';
import { test } from 'node:test';

import { loadConfig, validateConfig } from '../config.js';
import { ApiError, AuthError, describeError, isSessionError, SESSION_EXPIRED } from '../errors.js';
import { formatDate, formatSize } from '../format.js';
import { scriptedFetch } from './helpers.js';

test('formatSize uses binary units with at most one decimal', () => {
  assert.equal(formatSize(0), '0 B');
  assert.equal(formatSize(463), '463 B');
  assert.equal(formatSize(1024), '1 KiB');
  assert.equal(formatSize(48213), '47.1 KiB');
  assert.equal(formatSize(104857600), '100 MiB');
  assert.equal(formatSize(5 * 1024 ** 3), '5 GiB');
  assert.equal(formatSize(-1), '');
});

test('formatDate shows an unparsable time as given', () => {
  assert.equal(formatDate('not a date'), 'not a date');
  assert.match(formatDate('2026-11-28T21:00:00Z'), /2026/);
});

const GOOD = { apiUrl: 'http://127.0.0.1:8000/', region: 'us-east-1', cognitoEndpoint: 'http://127.0.0.1:5000/', clientId: 'abc' };

test('validateConfig trims the API URL and fills defaults', () => {
  const config = validateConfig(GOOD);
  assert.equal(config.apiUrl, 'http://127.0.0.1:8000');
  assert.equal(config.cognitoEndpoint, 'http://127.0.0.1:5000/');
  assert.equal(config.sha256, true);
  assert.equal(config.pageSize, 25);
  assert.equal(validateConfig({ ...GOOD, apiUrl: 'https://x.example/api/' }).apiUrl, 'https://x.example/api');
});

test('validateConfig derives the Cognito endpoint from the region', () => {
  const { cognitoEndpoint: _, ...rest } = GOOD;
  assert.equal(validateConfig({ ...rest, region: 'eu-west-1' }).cognitoEndpoint, 'https://cognito-idp.eu-west-1.amazonaws.com/');
});

test('validateConfig names the bad key', () => {
  assert.throws(() => validateConfig({ ...GOOD, clientId: '' }), /clientId is missing/);
  assert.throws(() => validateConfig({ ...GOOD, apiUrl: 'ftp://x' }), /apiUrl must be an http/);
  assert.throws(() => validateConfig({ ...GOOD, pageSize: 500 }), /pageSize/);
  assert.throws(() => validateConfig({ ...GOOD, sha256: 'yes' }), /sha256/);
  assert.throws(() => validateConfig([]), /JSON object/);
});

test('loadConfig reports a missing config.json', async () => {
  const { fetchImpl } = scriptedFetch({ status: 404, body: 'nope' });
  await assert.rejects(loadConfig('./config.json', fetchImpl), /HTTP 404/);
});

test('describeError gives each API status its own sentence with the server message', () => {
  const say = (status, code, message) => describeError(new ApiError(status, code, message));
  assert.equal(say(422, 'UnprocessableEntityError', 'upload does not match what was declared'),
    'Upload rejected: upload does not match what was declared.');
  assert.match(say(429, 'TooManyRequestsError', 'quota exceeded'), /^Your storage quota is full\. Delete some files/);
  assert.match(say(400, 'BadRequestError', 'contentType is not allowed'), /contentType is not allowed/);
  assert.match(say(404, 'NotFoundError', 'x'), /does not exist/);
  assert.match(say(409, 'ConflictError', 'file is not ready'), /file is not ready/);
  assert.match(say(413, 'RequestEntityTooLargeError', 'too big'), /too large: the API accepts at most 16 KB/);
  assert.match(say(415, 'UnsupportedMediaType', 'bad'), /send Content-Type: application\/json/);
  assert.equal(say(401, 'UnauthorizedError', ''), SESSION_EXPIRED);
  assert.match(say(0, 'NetworkError', ''), /CORS/);
  assert.match(say(502, '', ''), /HTTP 502/);
  assert.equal(describeError(new ApiError(404), 'Could not delete a.png'),
    'Could not delete a.png: Not found: the file does not exist or was deleted.');
});

test('describeError explains storage and Cognito failures', () => {
  assert.match(describeError(new ApiError(400, 'BadDigest', 'x', 'storage')), /checksum mismatch/);
  assert.match(describeError(new ApiError(403, 'AccessDenied', 'Request has expired', 'storage')), /Request has expired/);
  assert.match(describeError(new ApiError(0, 'NetworkError', '', 'storage')), /bucket/);
  assert.equal(describeError(new AuthError('NotAuthorizedException', 'Incorrect username or password.')), 'Incorrect username or password.');
  assert.equal(describeError(new AuthError('NotAuthorizedException', 'User is disabled.')), 'This account is disabled.');
  assert.match(describeError(new AuthError('NetworkError', '')), /cognitoEndpoint/);
});

test('isSessionError is true only for a lost session', () => {
  assert.equal(isSessionError(new ApiError(401)), true);
  assert.equal(isSessionError(new ApiError(403, 'AccessDenied', '', 'storage')), false);
  assert.equal(isSessionError(new ApiError(401, 'x', '', 'storage')), false);
  assert.equal(isSessionError(new AuthError('SessionExpired')), true);
  assert.equal(isSessionError(new AuthError('NotAuthorizedException')), false);
});
