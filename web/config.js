// Runtime configuration: ./config.json, fetched at start so one build serves any stack.
// See config.example.json and README.md for the keys.

const DEFAULTS = { sha256: true, pageSize: 25 };
// Locker's default settings (shared/API.md, Rules); a deployment's config.json may say otherwise.
const DEFAULT_LIMITS = {
  maxSize: 5 * 1024 ** 3,
  multipartThreshold: 100 * 1024 ** 2,
  allowedTypes: ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf', 'text/plain'],
};

function httpUrl(value, key) {
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`config.json: ${key} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`config.json: ${key} must be an http(s) URL`);
  }
  return url;
}

/** Checks the parsed config.json and fills defaults; throws an Error naming the bad key. */
export function validateConfig(raw) {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('config.json must be a JSON object');
  const region = typeof raw.region === 'string' ? raw.region : '';
  // With real AWS the Cognito endpoint follows from the region, so it may be left out.
  const cognito = raw.cognitoEndpoint || (region ? `https://cognito-idp.${region}.amazonaws.com/` : '');
  for (const [key, value] of [['apiUrl', raw.apiUrl], ['cognitoEndpoint', cognito], ['clientId', raw.clientId]]) {
    if (typeof value !== 'string' || !value.trim()) throw new Error(`config.json: ${key} is missing`);
  }
  const pageSize = raw.pageSize ?? DEFAULTS.pageSize;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) {
    throw new Error('config.json: pageSize must be an integer from 1 to 100');
  }
  if (raw.sha256 !== undefined && typeof raw.sha256 !== 'boolean') {
    throw new Error('config.json: sha256 must be true or false');
  }
  return Object.freeze({
    limits: validateLimits(raw.limits),
    // No trailing slash, so paths can be appended; a stage path (/api, /v1) is kept.
    apiUrl: httpUrl(raw.apiUrl, 'apiUrl').href.replace(/\/+$/, ''),
    cognitoEndpoint: httpUrl(cognito, 'cognitoEndpoint').href,
    clientId: raw.clientId.trim(),
    region,
    sha256: raw.sha256 ?? DEFAULTS.sha256,
    pageSize,
  });
}

/** The upload limits the page shows before uploading: Locker's settings, or its defaults. */
function validateLimits(raw = {}) {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new Error('config.json: limits must be an object');
  const limits = { ...DEFAULT_LIMITS, ...raw };
  for (const key of ['maxSize', 'multipartThreshold']) {
    if (!Number.isSafeInteger(limits[key]) || limits[key] < 1) {
      throw new Error(`config.json: limits.${key} must be a positive integer (bytes)`);
    }
  }
  const types = limits.allowedTypes;
  if (!Array.isArray(types) || !types.length || !types.every((type) => typeof type === 'string' && type.includes('/'))) {
    throw new Error('config.json: limits.allowedTypes must be a list of media types');
  }
  return Object.freeze({ maxSize: limits.maxSize, multipartThreshold: limits.multipartThreshold, allowedTypes: Object.freeze([...types]) });
}

/** Fetches and validates ./config.json (relative to the page). */
export async function loadConfig(url = './config.json', fetchImpl = (...a) => fetch(...a)) {
  let response;
  try {
    response = await fetchImpl(url, { cache: 'no-store', credentials: 'same-origin' });
  } catch {
    throw new Error('Could not load config.json (network error).');
  }
  if (!response.ok) throw new Error(`Could not load config.json (HTTP ${response.status}).`);
  let raw;
  try {
    raw = await response.json();
  } catch {
    throw new Error('config.json is not valid JSON.');
  }
  return validateConfig(raw);
}
