// Error types the page raises, and the one place that turns any of them into
// a sentence for the message area. Kept free of DOM code so Node can test it.

/** A failed call to the Locker API (source "api") or to a presigned S3 URL (source "storage").
 *  status 0 means the request never got an HTTP answer (offline, DNS, or blocked by CORS). */
export class ApiError extends Error {
  constructor(status, code, message, source = 'api') {
    super(message || code || `HTTP ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.code = code || '';
    this.source = source;
  }
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

function describeApi(err) {
  const msg = err.message || '';
  switch (err.status) {
    case 0:
      return NETWORK_API;
    case 400:
      return withDetail('The request was refused:', msg);
    case 401:
      return SESSION_EXPIRED;
    case 403:
      return withDetail('You are not allowed to do that:', msg);
    case 404:
      return 'Not found: the file does not exist or was deleted.';
    case 409:
      return withDetail('Not possible right now:', msg);
    case 413:
      return withDetail('The request is too large:', msg);
    case 415:
      return withDetail('Unsupported media type:', msg);
    case 422:
      return withDetail('Upload rejected:', msg);
    case 429:
      return withDetail('Quota reached:', msg) + ' Delete some files and try again.';
    default:
      if (err.status >= 500) return `The server had a problem (HTTP ${err.status}): please try again.`;
      return withDetail(`Request failed (HTTP ${err.status}):`, msg);
  }
}

/** A user-facing sentence for any error, optionally led by what was being done ("Could not upload a.png"). */
export function describeError(err, context = '') {
  let text;
  if (err instanceof AuthError) text = describeAuth(err);
  else if (err instanceof ApiError) text = err.source === 'storage' ? describeStorage(err) : describeApi(err);
  else text = `Unexpected error: ${err && err.message ? err.message : String(err)}`;
  return context ? `${context}: ${text}` : text;
}

/** True when the error means the user must sign in again. */
export function isSessionError(err) {
  if (err instanceof AuthError) return err.type === 'SessionExpired' || err.type === 'NotSignedIn';
  return err instanceof ApiError && err.source === 'api' && err.status === 401;
}
