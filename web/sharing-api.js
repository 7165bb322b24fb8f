// The sharing half of the Locker API (shared/API.md "Sharing", "Groups", "Download links",
// "Activity"), built on the one `request` of api.js so it shares its token refresh and errors.

const enc = encodeURIComponent;

function page(path, { cursor = '', limit } = {}) {
  const query = new URLSearchParams();
  if (limit) query.set('limit', String(limit));
  if (cursor) query.set('cursor', cursor);
  const qs = query.toString();
  return qs ? `${path}?${qs}` : path;
}

/**
 * @param {(method: string, path: string, body?: object) => Promise<any>} request  api.js's request
 */
export function createSharingApi(request) {
  const file = (id) => `/files/${enc(id)}`;
  const group = (name) => `/groups/${enc(name)}`;
  return {
    /** GET /files/{id}/grants -> {items: [Grant]}. */
    listGrants: (fileId) => request('GET', `${file(fileId)}/grants`),
    /** POST /files/{id}/grants; `to` is {user} or {group}; expiresAt (ISO) is optional. */
    addGrant(fileId, to, expiresAt = '') {
      const body = to.group ? { group: to.group } : { user: to.user };
      if (expiresAt) body.expiresAt = expiresAt;
      return request('POST', `${file(fileId)}/grants`, body);
    },
    /** DELETE /files/{id}/grants/{grantId}. */
    removeGrant: (fileId, grantId) => request('DELETE', `${file(fileId)}/grants/${enc(grantId)}`),
    /** GET /shared -> {items: [File with owner, sharedVia], nextCursor}. */
    listShared: (options) => request('GET', page('/shared', options)),
    /** GET /groups -> {items: [Group]}. */
    listGroups: () => request('GET', '/groups'),
    /** POST /groups {name} -> {group}. */
    createGroup: (name) => request('POST', '/groups', { name }),
    /** DELETE /groups/{name}. */
    deleteGroup: (name) => request('DELETE', group(name)),
    /** GET /groups/{name}/members -> {items: [{id, name, addedAt}]} (managers only). */
    listMembers: (name) => request('GET', `${group(name)}/members`),
    /** POST /groups/{name}/members {user} -> {member}. */
    addMember: (name, user) => request('POST', `${group(name)}/members`, { user }),
    /** DELETE /groups/{name}/members/{userId}: a manager removing someone, or a member leaving. */
    removeMember: (name, userId) => request('DELETE', `${group(name)}/members/${enc(userId)}`),
    /** POST /files/{id}/links {expiresIn, maxDownloads} -> {link} with its url (shown once). */
    createLink: (fileId, { expiresIn, maxDownloads }) =>
      request('POST', `${file(fileId)}/links`, { expiresIn, maxDownloads }),
    /** GET /files/{id}/links -> {items: [Link]}. */
    listLinks: (fileId) => request('GET', `${file(fileId)}/links`),
    /** DELETE /files/{id}/links/{linkId}. */
    removeLink: (fileId, linkId) => request('DELETE', `${file(fileId)}/links/${enc(linkId)}`),
    /** GET /files/{id}/activity, or GET /activity across all the caller's files when fileId is ''. */
    listActivity: (fileId, options) => request('GET', page(fileId ? `${file(fileId)}/activity` : '/activity', options)),
  };
}
