// Locker's glue for Uppy's S3 uploader (@uppy/aws-s3 6.x), for any page:
//
//   uppy.use(AwsS3, lockerUppyOptions({ apiUrl, getToken, uppy }))
//
// Uppy asks `signRequest` for every S3 request it is about to send; this module asks Locker's
// `POST /uploads/sign` (shared/API.md, "Uppy") with the bearer token, so Locker checks the
// owner, key and upload id of every request and chooses the object key itself. The two
// requests that start an upload carry Locker's `filename` and `size` (and `contentType` for a
// multipart upload), looked up by the key Uppy proposed for the file. With `uppy` given, the
// glue also finishes each upload (locker-uppy-files.js). Plain ES module, no dependencies.

import { attachLifecycle } from './locker-uppy-files.js';

const MiB = 1024 * 1024;
/** Locker's default multipart threshold: larger files go up in parts. */
export const DEFAULT_MULTIPART_THRESHOLD = 100 * MiB;
const REQUEST_FIELDS = ['method', 'key', 'uploadId', 'partNumber', 'contentType', 'expiresIn'];
const PROPOSED = 'uppy-proposed/'; // keys this module proposes; Locker always answers its own

/** A refusal from Locker (`status` 0: it could not be reached). `message` is Locker's own words. */
export class LockerUploadError extends Error {
  constructor(status, code, message) {
    super(message || code || `HTTP ${status}`);
    this.name = 'LockerUploadError';
    this.status = status;
    this.code = code || '';
  }
}

/** The Locker file id inside an object key `users/<sub>/<id>` (its last segment). */
export const fileIdOf = (key) => String(key).split('/').pop();

/**
 * Talks to Locker's API with a bearer token: one refresh and one retry on a 401.
 * @param {{apiUrl: string, getToken: (opts?: {refresh?: boolean}) => Promise<string>|string,
 *          fetch?: typeof fetch}} options
 * @returns {(method: string, path: string, body?: object) => Promise<any>} JSON in, JSON out
 */
export function lockerClient({ apiUrl, getToken, fetch: fetchImpl }) {
  if (typeof apiUrl !== 'string' || !apiUrl) throw new TypeError('lockerUppyOptions: apiUrl is required');
  if (typeof getToken !== 'function') throw new TypeError('lockerUppyOptions: getToken must be a function');
  const base = apiUrl.replace(/\/+$/, '');
  const doFetch = fetchImpl ?? ((...args) => globalThis.fetch(...args));

  async function send(method, path, body, refresh) {
    const headers = { Authorization: `Bearer ${await getToken(refresh ? { refresh: true } : {})}` };
    const init = { method, headers, credentials: 'omit', cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    try {
      return await doFetch(base + path, init);
    } catch {
      throw new LockerUploadError(0, 'NetworkError', 'Could not reach the Locker API.');
    }
  }

  return async function call(method, path, body) {
    let response = await send(method, path, body, false);
    if (response.status === 401) response = await send(method, path, body, true);
    let parsed = null;
    if (response.status !== 204) {
      try {
        parsed = JSON.parse(await response.text());
      } catch {
        parsed = null;
      }
    }
    if (!response.ok) {
      throw new LockerUploadError(response.status, parsed?.Code, parsed?.Message || parsed?.message);
    }
    return parsed;
  };
}

/** Uppy's PresignedResponse from Locker's answer, keeping only what Uppy may use. */
function presigned(answer) {
  if (!answer || typeof answer.url !== 'string') {
    throw new LockerUploadError(502, 'BadResponse', 'Locker answered the signing request without a URL.');
  }
  const result = { url: answer.url };
  if (typeof answer.key === 'string') result.key = answer.key;
  if (answer.headers && typeof answer.headers === 'object') result.headers = { ...answer.headers };
  return result;
}

/**
 * Options for `uppy.use(AwsS3, ...)`.
 * @param {{apiUrl: string, getToken: Function, uppy?: object, fetch?: typeof fetch,
 *          multipartThreshold?: number, storage?: Storage|null}} options
 *   `multipartThreshold`: Locker's (from its settings; files above it go up in parts).
 *   `uppy`: lets the glue finish uploads and resume multipart uploads after a reload.
 *   `storage`: where resumable uploads are remembered (default `localStorage`; null: nowhere).
 */
export function lockerUppyOptions(options) {
  const call = lockerClient(options);
  const threshold = options.multipartThreshold ?? DEFAULT_MULTIPART_THRESHOLD;
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw new TypeError('lockerUppyOptions: multipartThreshold must be a positive integer');
  }
  const proposals = new Map(); // proposed key -> the Uppy file it was proposed for
  const files = options.uppy ? attachLifecycle(options.uppy, { call, getToken: options.getToken, storage: options.storage }) : null;

  async function start(request, file) {
    const body = { ...request, filename: file.meta?.name || file.name, size: file.size };
    if (request.method === 'POST') body.contentType = file.type || 'application/octet-stream';
    await files?.beforeStart(file.id); // a restarted upload gives its abandoned one's quota back
    const answer = presigned(await call('POST', '/uploads/sign', body));
    if (answer.key) files?.started(file.id, answer.key);
    return answer;
  }

  return {
    shouldUseMultipart: (file) => (file.size ?? 0) > threshold,
    allowedMetaFields: false, // Locker keeps no user metadata on objects
    generateObjectKey(file) {
      for (const [key, proposed] of proposals) if (proposed.id === file.id) proposals.delete(key);
      const key = `${PROPOSED}${globalThis.crypto.randomUUID()}`;
      proposals.set(key, file);
      return key;
    },
    async signRequest(request) {
      const body = Object.fromEntries(REQUEST_FIELDS.filter((f) => request[f] !== undefined).map((f) => [f, request[f]]));
      const startsUpload = request.uploadId === undefined && (request.method === 'PUT' || request.method === 'POST');
      if (startsUpload) {
        const file = proposals.get(request.key);
        if (!file) throw new LockerUploadError(0, 'UnknownFile', 'This upload was not prepared by lockerUppyOptions.');
        proposals.delete(request.key);
        return start(body, file);
      }
      try {
        return presigned(await call('POST', '/uploads/sign', body));
      } catch (err) {
        if (err.status === 404 && files) files.forget(request.key); // gone: a retry starts afresh
        throw err;
      }
    },
  };
}
