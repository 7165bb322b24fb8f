// Remembers unfinished multipart uploads across a reload, so picking the same file again
// resumes it: Uppy then lists the parts storage already holds and sends only the others.
// Only the object key and upload id are kept (never bytes, never a token), per user, for at
// most a day (Locker's pending files expire after 24 hours by default).

const STORE_KEY = 'locker-uppy:resume';
const DAY_MS = 24 * 60 * 60 * 1000;

/** The user (token `sub`) an object key `users/<sub>/<id>` belongs to. */
export const ownerOf = (key) => String(key).split('/').slice(-2, -1)[0] || '';

/** The `sub` claim of a JWT, read without verifying it (only to keep users' entries apart). */
export function subOf(token) {
  try {
    const payload = String(token).split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(atob(payload)).sub || '';
  } catch {
    return '';
  }
}

/**
 * @param {Storage|null} storage where to keep entries (`localStorage`); null keeps nothing
 * @param {() => number} now
 */
export function resumeMemory(storage, now = () => Date.now()) {
  function load() {
    if (!storage) return {};
    try {
      const entries = JSON.parse(storage.getItem(STORE_KEY) || '{}');
      return entries && typeof entries === 'object' ? entries : {};
    } catch {
      return {};
    }
  }

  function save(entries) {
    if (!storage) return;
    try {
      const live = Object.entries(entries).filter(([, entry]) => now() - entry.savedAt < DAY_MS);
      if (live.length) storage.setItem(STORE_KEY, JSON.stringify(Object.fromEntries(live)));
      else storage.removeItem(STORE_KEY);
    } catch {
      // Private browsing or a full quota: resuming after a reload is a convenience.
    }
  }

  const slot = (owner, fileId) => `${owner}/${fileId}`;

  return {
    /** Keeps `{key, uploadId}` of the Uppy file `fileId`. */
    remember(fileId, { key, uploadId }) {
      const owner = ownerOf(key);
      if (!owner || typeof uploadId !== 'string') return;
      save({ ...load(), [slot(owner, fileId)]: { key, uploadId, savedAt: now() } });
    },
    /** `{key, uploadId}` kept for this user's Uppy file `fileId`, or null. */
    recall(owner, fileId) {
      const entry = load()[slot(owner, fileId)];
      if (!entry || now() - entry.savedAt >= DAY_MS || ownerOf(entry.key) !== owner) return null;
      return { key: entry.key, uploadId: entry.uploadId };
    },
    /** Drops every entry for the object `key`. */
    forget(key) {
      const entries = load();
      for (const [name, entry] of Object.entries(entries)) if (entry.key === key) delete entries[name];
      save(entries);
    },
  };
}
