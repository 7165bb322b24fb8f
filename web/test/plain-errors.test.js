import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createApi } from '../api.js';
import { ApiError, challengeDescription, describeError, SESSION_EXPIRED } from '../errors.js';
import { plainSize, typeName } from '../format.js';
import { scriptedFetch } from './helpers.js';

const say = (status, code, message, file = null) => describeError(new ApiError(status, code, message), '', file);
const PNG = { size: 2048, type: 'image/png' };

test('plainSize names limits in MB and GB', () => {
  assert.equal(plainSize(104857600), '100 MB');
  assert.equal(plainSize(5 * 1024 ** 3), '5 GB');
  assert.equal(plainSize(16384), '16 KB');
  assert.equal(plainSize(1), '1 byte');
  assert.equal(plainSize(10), '10 bytes');
  assert.equal(plainSize(1.5 * 1024 ** 2), '1.5 MB');
  assert.equal(plainSize(-1), '');
});

test('typeName says PNG, JPEG, ... and shows unknown types as given', () => {
  assert.equal(typeName('image/png'), 'PNG');
  assert.equal(typeName('IMAGE/JPEG'), 'JPEG');
  assert.equal(typeName('text/plain'), 'plain text');
  assert.equal(typeName('application/zip'), 'application/zip');
  assert.equal(typeName(''), 'unknown type');
});

test('size errors say empty, too large, or the limit in MB', () => {
  const msg = 'size must be between 1 and 104857600';
  assert.equal(say(400, 'BadRequestError', msg, { size: 0, type: 'image/png' }), 'The file is empty.');
  assert.equal(say(400, 'BadRequestError', msg, { size: 200 * 1024 ** 2, type: 'image/png' }),
    'The file is too large (200 MB): the limit is 100 MB.');
  assert.equal(say(400, 'BadRequestError', msg), 'The file must be between 1 byte and 100 MB.');
  assert.doesNotMatch(say(400, 'BadRequestError', msg), /104857600/);
});

test('a type error names the allowed types in words', () => {
  const msg = 'contentType must be one of image/png, image/jpeg, image/gif, image/webp, application/pdf, text/plain';
  assert.equal(say(400, 'BadRequestError', msg, { size: 3, type: 'application/zip' }),
    'This type is not allowed (application/zip). Allowed types: PNG, JPEG, GIF, WebP, PDF, plain text.');
  assert.equal(say(400, 'BadRequestError', msg, { size: 3, type: '' }),
    'This type is not allowed (unknown type). Allowed types: PNG, JPEG, GIF, WebP, PDF, plain text.');
});

test('file name errors say what to do', () => {
  assert.match(say(400, 'BadRequestError', 'filename must contain a visible name'), /no visible characters: rename/);
  assert.match(say(400, 'BadRequestError', 'filename must be between 1 and 255 characters'), /1 to 255 characters long/);
  assert.match(say(400, 'BadRequestError', 'filename must not contain control characters'), /control characters: rename/);
  assert.match(say(400, 'BadRequestError', 'unknown field: owner'), /^The request was refused: unknown field: owner\.$/);
});

test('rejections explain what arrived', () => {
  assert.equal(say(422, 'UnprocessableEntityError', 'upload does not match what was declared: content is not image/png'),
    'The upload was rejected: its content is not valid PNG. It was removed; upload the right file.');
  assert.match(say(422, 'UnprocessableEntityError', 'upload does not match what was declared: size is 1024 bytes, 2097152 were declared'),
    /1 KB arrived where 2 MB were announced/);
  assert.match(say(409, 'ConflictError', 'file was rejected: content is not application/pdf'),
    /^This file was rejected: its content is not valid PDF\. Delete it/);
  assert.match(say(409, 'ConflictError', 'file is pending, only ready files can be downloaded'), /it is pending, not ready/);
  assert.match(say(409, 'ConflictError', 'upload not received yet'), /have not arrived yet/);
});

test('media type, size, quota, method and availability errors say what to do', () => {
  assert.equal(say(415, 'UnsupportedMediaType', 'Unsupported media type: application/x-www-form-urlencoded'),
    'The API only accepts JSON bodies: send Content-Type: application/json.');
  assert.match(say(413, 'RequestEntityTooLargeError', 'request body must be at most 16384 bytes'), /at most 16 KB/);
  assert.match(say(429, 'TooManyRequestsError', 'quota exceeded'), /quota is full\. Delete some files/);
  assert.match(say(405, 'MethodNotAllowedError', 'x'), /method not allowed/);
  assert.match(say(503, 'ServiceUnavailableError', 'x'), /nothing was changed, try again/);
});

test('a 401 says why when the API said why', () => {
  assert.equal(describeError(new ApiError(401, 'UnauthorizedError', 'x', 'api', 'The access token expired')),
    'The access token expired. Please sign in again.');
  assert.equal(say(401, 'UnauthorizedError', ''), SESSION_EXPIRED);
});

test('challengeDescription reads RFC 6750 error_description, quotes and all', () => {
  assert.equal(challengeDescription('Bearer error="invalid_token", error_description="The access token expired"'),
    'The access token expired');
  assert.equal(challengeDescription('Bearer error="invalid_token", error_description="say \\"hi\\""'), 'say "hi"');
  assert.equal(challengeDescription('Bearer error="invalid_token"'), '');
  assert.equal(challengeDescription(null), '');
});

test('the API client keeps a final 401\'s error_description', async () => {
  const challenge = { 'WWW-Authenticate': 'Bearer error="invalid_token", error_description="An ID token was sent; an access token is required"' };
  const { fetchImpl } = scriptedFetch(
    { status: 401, body: { Code: 'UnauthorizedError', Message: 'A valid access token is required.' }, headers: challenge },
    { status: 401, body: { Code: 'UnauthorizedError', Message: 'A valid access token is required.' }, headers: challenge },
  );
  const session = { accessToken: async () => 't1', refresh: async () => 't2', expire() {} };
  const api = createApi({ baseUrl: 'http://h', session, fetchImpl });
  await assert.rejects(api.listFiles(), (err) => {
    assert.equal(err.status, 401);
    assert.equal(err.description, 'An ID token was sent; an access token is required');
    assert.equal(describeError(err), 'An ID token was sent; an access token is required. Please sign in again.');
    return true;
  });
});
