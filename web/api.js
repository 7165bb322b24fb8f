// The Locker HTTP API (docs/API.md) and the two S3 legs (presigned PUT and GET).
// Every API call carries the Cognito ACCESS token; a 401 triggers one token refresh
// and one retry, after which the session is over.

import { ApiError, AuthError, challengeDescription } from './errors.js';

// Headers a browser sets itself and refuses from scripts ("Refused to set unsafe header").
const BROWSER_HEADERS = new Set(['content-length', 'host', 'connection']);

async function errorFrom(response) {
  let body = {};
  try {
    body = JSON.parse(await response.text()) ?? {};
  } catch {
    body = {};
  }
  // Locker answers {"Code","Message"}; API Gateway's own errors are {"message"}. A 401 may say
  // why in its challenge (RFC 6750 error_description; the API exposes the header to the page).
  const description = response.status === 401 ? challengeDescription(response.headers?.get?.('WWW-Authenticate')) : '';
  return new ApiError(response.status, body.Code || '', body.Message || body.message || '', 'api', description);
}

/**
 * @param {{baseUrl: string, session: import('./auth.js').Session, fetchImpl?: Function}} options
 */
export function createApi({ baseUrl, session, fetchImpl }) {
  const doFetch = fetchImpl ?? ((...args) => fetch(...args));

  async function token(refresh) {
    try {
      return refresh ? await session.refresh() : await session.accessToken();
    } catch (err) {
      if (err instanceof AuthError && err.type === 'NetworkError') throw err;
      throw new ApiError(401, 'UnauthorizedError', err.message);
    }
  }

  async function send(method, path, body, bearer) {
    const headers = { Authorization: `Bearer ${bearer}` };
    const init = { method, headers, credentials: 'omit', cache: 'no-store' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    try {
      return await doFetch(baseUrl + path, init);
    } catch {
      throw new ApiError(0, 'NetworkError', 'network error');
    }
  }

  /** One API call: JSON in, JSON out (null for 204); throws ApiError. */
  async function request(method, path, body) {
    let response = await send(method, path, body, await token(false));
    if (response.status === 401) {
      response = await send(method, path, body, await token(true));
      if (response.status === 401) {
        session.expire();
        throw await errorFrom(response);
      }
    }
    if (!response.ok) throw await errorFrom(response);
    if (response.status === 204) return null;
    try {
      return await response.json();
    } catch {
      throw new ApiError(response.status, 'BadResponse', 'the API answered something that is not JSON');
    }
  }

  const file = (id) => `/files/${encodeURIComponent(id)}`;

  return {
    request,
    /** GET /files -> {items, nextCursor}; status '' means all. */
    listFiles({ status = '', cursor = '', limit } = {}) {
      const query = new URLSearchParams();
      if (limit) query.set('limit', String(limit));
      if (status) query.set('status', status);
      if (cursor) query.set('cursor', cursor);
      const qs = query.toString();
      return request('GET', `/files${qs ? `?${qs}` : ''}`);
    },
    /** POST /files {filename, contentType, size, sha256?} -> {file, upload}. */
    createFile: (declared) => request('POST', '/files', declared),
    /** POST /files/{id}/complete -> {file}. */
    completeFile: (id) => request('POST', `${file(id)}/complete`),
    /** GET /files/{id}/download -> {url, expiresAt, method}. */
    downloadLink: (id) => request('GET', `${file(id)}/download`),
    /** DELETE /files/{id} -> null. */
    deleteFile: (id) => request('DELETE', file(id)),
  };
}

/** S3's XML error (<Code>, <Message>) as an ApiError from the storage. */
export function storageError(status, xml) {
  const pick = (tag) => (String(xml || '').match(new RegExp(`<${tag}>([^<]*)</${tag}>`)) || [])[1] || '';
  return new ApiError(status, pick('Code'), pick('Message'), 'storage');
}

/**
 * PUTs the bytes to a presigned URL with exactly the headers the API returned.
 * XHR rather than fetch because only XHR reports upload progress.
 * @returns {{done: Promise<void>, abort: () => void}}
 */
export function uploadBytes(upload, body, { onProgress, XHR = globalThis.XMLHttpRequest } = {}) {
  const xhr = new XHR();
  const done = new Promise((resolve, reject) => {
    xhr.open(upload.method || 'PUT', upload.url);
    for (const [name, value] of Object.entries(upload.headers || {})) {
      if (!BROWSER_HEADERS.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    if (onProgress) {
      xhr.upload.onprogress = (event) => {
        if (event.lengthComputable) onProgress(event.loaded, event.total);
      };
    }
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve();
      else reject(storageError(xhr.status, xhr.responseText));
    };
    // A CORS refusal looks exactly like a network error to scripts: status 0, no body.
    xhr.onerror = () => reject(new ApiError(0, 'NetworkError', 'network error', 'storage'));
    xhr.ontimeout = xhr.onerror;
    xhr.onabort = () => reject(new ApiError(0, 'AbortError', 'upload cancelled', 'storage'));
    xhr.send(body);
  });
  return { done, abort: () => xhr.abort() };
}

/** The bytes behind a presigned download URL (needs the bucket's CORS to allow GET). */
export async function fetchBytes(url, fetchImpl = (...args) => fetch(...args)) {
  let response;
  try {
    response = await fetchImpl(url, { credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError(0, 'NetworkError', 'network error', 'storage');
  }
  if (!response.ok) throw storageError(response.status, await response.text());
  return response.arrayBuffer();
}

/** Base64 SHA-256 of a Blob, as the API's `sha256` field and S3's x-amz-checksum-sha256 want it.
 *  null where Web Crypto is unavailable (pages served over plain http from a non-local host). */
export async function sha256Base64(blob) {
  const subtle = globalThis.crypto && globalThis.crypto.subtle;
  if (!subtle) return null;
  const digest = new Uint8Array(await subtle.digest('SHA-256', await blob.arrayBuffer()));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}
