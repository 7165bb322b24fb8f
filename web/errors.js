// Error types the page raises, and the one place that turns any of them into
// a sentence for the message area: plain words a person can act on (sizes in
// MB/GB, type names, what to do next), never a bare status. Kept free of DOM
// code so Node can test it.

import { plainSize, typeName } from './format.js';

/** A failed call to the Locker API (source "api") or to a presigned S3 URL (source "storage").
 *  status 0 means the request never got an HTTP answer (offline, DNS, or blocked by CORS). */
export class ApiError extends Error {
  /** `description` is a 401's RFC 6750 error_description (why the token was refused), if any. */
  constructor(status, code, message, source = 'api', description = '') {
    super(message || code || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code || '';
    this.source = source;
    this.description = description || '';
  }
}

/** The error_description of a `WWW-Authenticate: Bearer ...` challenge, or ''. */
export function challengeDescription(header) {
  const match = /error_description="((?:[^"\\]|\\.)*)"/.exec(String(header ?? ''));
  return match ? match[1].replace(/\\(.)/g, '$1') : '';
}

/** A Cognito failure; `type` is the service's exception name (NotAuthorizedException, ...),
 *  or one of our own: NetworkError, NotSignedIn, SessionExpired, ChallengeRequired, BadResponse. */
export class AuthError extends Error {
  constructor(type, message) {
    super(message || type);
    this.name = 'AuthError';
    this.type = type;
  }
}

export const SESSION_EXPIRED = 'Your session has expired: please sign in again.';

const NETWORK_API =
  'Could not reach the Locker API. Check your connection; if it persists, the API may not allow ' +
  "this page's origin (CORS) or apiUrl in config.json is wrong.";
const NETWORK_STORAGE =
  'Could not reach the file storage. Check your connection; if it persists, the bucket may not ' +
  "allow this page's origin (CORS).";

/** Joins a lead sentence and the server's own message without repeating it. */
function withDetail(lead, detail) {
  if (!detail || detail === lead) return lead;
  return `${lead} ${detail.endsWith('.') ? detail : `${detail}.`}`;
}

function describeAuth(err) {
  const msg = err.message || '';
  switch (err.type) {
    case 'NotAuthorizedException':
    case 'UserNotFoundException':
      // Cognito uses NotAuthorized for wrong passwords and for disabled users alike.
      return /disabled/i.test(msg) ? 'This account is disabled.' : 'Incorrect username or password.';
    case 'UserNotConfirmedException':
      return 'This account is not confirmed yet.';
    case 'PasswordResetRequiredException':
      return 'This account needs a password reset before it can sign in.';
    case 'TooManyRequestsException':
    case 'TooManyFailedAttemptsException':
    case 'LimitExceededException':
      return 'Too many sign-in attempts: wait a moment and try again.';
    case 'ResourceNotFoundException':
      return 'Sign-in is misconfigured: Cognito does not know this app client (check clientId in config.json).';
    case 'InvalidParameterException':
      return withDetail('Sign-in is misconfigured:', msg);
    case 'NetworkError':
      return 'Could not reach the sign-in service. Check your connection and cognitoEndpoint in config.json.';
    case 'SessionExpired':
    case 'NotSignedIn':
      return SESSION_EXPIRED;
    default:
      return withDetail('Sign-in failed:', msg);
  }
}

function describeStorage(err) {
  if (err.code === 'AbortError') return 'Upload cancelled.';
  if (err.status === 0) return NETWORK_STORAGE;
  if (err.code === 'BadDigest' || err.code === 'InvalidDigest' || err.code === 'XAmzContentSHA256Mismatch') {
    return 'The file changed while it was being uploaded (checksum mismatch): try again.';
  }
  if (err.status === 412) return 'Something was already uploaded to this link: start a new upload.';
  if (err.status === 403) {
    return withDetail('The storage refused the upload link (it may have expired):', err.message);
  }
  return withDetail(`The storage refused the request (HTTP ${err.status}${err.code ? `, ${err.code}` : ''}).`, '');
}

const sentence = (text) => (text.endsWith('.') ? text : `${text}.`);

/** What was wrong with an upload, from completion's reason ("content is not image/png", ...). */
function plainReason(reason) {
  let m = /^size is (\d+) bytes, (\d+) were declared$/.exec(reason);
  if (m) return `${plainSize(Number(m[1]))} arrived where ${plainSize(Number(m[2]))} were announced`;
  m = /^content type is (.+), (.+) was declared$/.exec(reason);
  if (m) return `it was stored as ${typeName(m[1] === 'missing' ? '' : m[1])}, not ${typeName(m[2])}`;
  m = /^content is not (.+)$/.exec(reason);
  if (m) return `its content is not valid ${typeName(m[1])}`;
  return reason;
}

/** A 400's message in plain words; `file` ({size, type}) is what the user tried to upload. */
function plainBadRequest(msg, file) {
  let m = /^size must be between 1 and (\d+)$/.exec(msg);
  if (m) {
    const limit = plainSize(Number(m[1]));
    if (file && file.size === 0) return 'The file is empty.';
    if (file && file.size > Number(m[1])) return `The file is too large (${plainSize(file.size)}): the limit is ${limit}.`;
    return `The file must be between 1 byte and ${limit}.`;
  }
  m = /^contentType must be one of (.+)$/.exec(msg);
  if (m) {
    const allowed = m[1].split(',').map((t) => typeName(t)).join(', ');
    const what = file ? ` (${typeName(file.type)})` : '';
    return `This type is not allowed${what}. Allowed types: ${allowed}.`;
  }
  m = /^filename must be between 1 and (\d+) characters$/.exec(msg);
  if (m) return `The file name must be 1 to ${m[1]} characters long.`;
  if (msg === 'filename must not contain control characters') return 'The file name contains invisible control characters: rename the file.';
  if (msg === 'filename must not contain / or \\') return 'The file name must not contain / or \\: rename the file.';
  if (msg === 'filename must contain a visible name') return 'The file name has no visible characters: rename the file.';
  if (msg === 'sha256 must be the base64 of a 32-byte SHA-256 digest') return 'The file\'s checksum could not be sent correctly: try again.';
  return withDetail('The request was refused:', msg);
}

function plainConflict(msg) {
  let m = /^file was rejected: (.+)$/.exec(msg);
  if (m) return `This file was rejected: ${sentence(plainReason(m[1]))} Delete it and upload the right file.`;
  if (msg === 'upload not received yet') return 'The file\'s bytes have not arrived yet: upload it again.';
  m = /^file is (\w+), only ready files can be downloaded$/.exec(msg);
  if (m) return `This file cannot be downloaded: it is ${m[1]}, not ready.`;
  if (/try again$/.test(msg)) return 'Someone else changed this file at the same moment: try again.';
  m = /^file is (\w+), only ready files can be (shared|linked)$/.exec(msg);
  if (m) return `Only ready files can be shared: this one is ${m[1]}.`;
  if (msg === 'a group with this name exists') return 'This group name is taken: choose another.';
  return withDetail('Not possible right now:', msg);
}

// 404s name what was missing; the sharing routes answer these messages (shared/API.md).
const NOT_FOUND = {
  'user not found': 'There is no user with this name: check the spelling (it is their sign-in name).',
  'group not found': 'There is no such group, or you are not in it.',
  'grant not found': 'This share was already removed.',
  'link not found': 'This link was already revoked.',
  'member not found': 'This person is no longer a member.',
};

function plainNotFound(msg) {
  return NOT_FOUND[msg] ?? 'Not found: the file does not exist or was deleted.';
}

function plainForbidden(msg) {
  if (msg === "only the file's owner may do this") return 'Only the file\'s owner can do that: it was shared with you to read.';
  if (/^only the group's manager/.test(msg)) return 'Only the group\'s manager can do that.';
  return withDetail('You are not allowed to do that:', msg);
}

function describeApi(err, file) {
  const msg = err.message || '';
  switch (err.status) {
    case 0:
      return NETWORK_API;
    case 400:
      return plainBadRequest(msg, file);
    case 401:
      return err.description ? `${sentence(err.description)} Please sign in again.` : SESSION_EXPIRED;
    case 403:
      return plainForbidden(msg);
    case 404:
      return plainNotFound(msg);
    case 405:
      return 'The API does not allow this here (method not allowed).';
    case 409:
      return plainConflict(msg);
    case 413:
      return 'The request is too large: the API accepts at most 16 KB of JSON.';
    case 415:
      return 'The API only accepts JSON bodies: send Content-Type: application/json.';
    case 422: {
      const m = /^upload does not match what was declared: (.+)$/.exec(msg);
      return m ? `The upload was rejected: ${sentence(plainReason(m[1]))} It was removed; upload the right file.` : withDetail('Upload rejected:', msg);
    }
    case 429:
      return 'Your storage quota is full. Delete some files and try again.';
    case 503:
      return 'The service is briefly unavailable: nothing was changed, try again in a moment.';
    default:
      if (err.status >= 500) return `The server had a problem (HTTP ${err.status}): please try again.`;
      return withDetail(`Request failed (HTTP ${err.status}):`, msg);
  }
}

/**
 * A user-facing sentence for any error, optionally led by what was being done ("Could not upload a.png").
 * `file` ({size, type}), when the error is about a file being uploaded, makes size and type errors precise.
 */
export function describeError(err, context = '', file = null) {
  let text;
  if (err instanceof AuthError) text = describeAuth(err);
  else if (err instanceof ApiError) text = err.source === 'storage' ? describeStorage(err) : describeApi(err, file);
  else text = `Unexpected error: ${err && err.message ? err.message : String(err)}`;
  return context ? `${context}: ${text}` : text;
}

/** True when the error means the user must sign in again. */
export function isSessionError(err) {
  if (err instanceof AuthError) return err.type === 'SessionExpired' || err.type === 'NotSignedIn';
  return err instanceof ApiError && err.source === 'api' && err.status === 401;
}
