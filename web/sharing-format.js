// Words for sharing: who a grant is for, how a file reached me, what a link has left, what an
// activity event means, and the expiry a date field stands for. DOM-free, so Node tests it.

import { formatDate } from './format.js';

export const GROUP_NAME = /^[a-z0-9_-]{1,64}$/;
export const MAX_DOWNLOADS = 100;
const YEAR_MS = 365 * 24 * 3600 * 1000;

/** "bob@example.com" or "group brokers". */
export function granteeLabel(grantee) {
  if (!grantee) return 'someone';
  if (grantee.type === 'group') return `group ${grantee.name}`;
  return grantee.name || grantee.id || 'a user';
}

/** How a shared file reached the reader: "you directly" or "group brokers". */
export function sharedViaLabel(via) {
  return via && via.type === 'group' ? `group ${via.name}` : 'you directly';
}

/** "until 31 Jan 2027, 23:59" or "no end date". */
export function untilLabel(expiresAt) {
  return expiresAt ? `until ${formatDate(expiresAt)}` : 'no end date';
}

/** "1 of 3 downloads left", "no downloads left". */
export function downloadsLeftLabel(link) {
  const left = Number(link.downloadsLeft);
  if (!left) return 'no downloads left';
  return `${left} of ${link.maxDownloads} download${link.maxDownloads === 1 ? '' : 's'} left`;
}

/**
 * The grant expiry a `<input type=date>` value stands for: the end of that day, local time,
 * as the API's ISO form (whole seconds, "Z"). '' for no date; throws a plain sentence when the
 * date is in the past or over a year ahead (the API's own limits).
 */
export function expiryFromDate(value, now = Date.now()) {
  if (!value) return '';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) throw new Error('Choose the end date from the calendar.');
  const end = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]), 23, 59, 59);
  if (end.getTime() <= now) throw new Error('The end date has passed: choose a later one.');
  if (end.getTime() > now + YEAR_MS) throw new Error('A share can last at most one year: choose an earlier end date.');
  return end.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A download limit from its form field: an integer 1..100, or a plain sentence. */
export function downloadLimit(value) {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > MAX_DOWNLOADS) {
    throw new Error(`A link allows 1 to ${MAX_DOWNLOADS} downloads.`);
  }
  return number;
}

/** A new group's name from its form field, or a plain sentence saying what is allowed. */
export function groupName(value) {
  const name = String(value ?? '').trim();
  if (!GROUP_NAME.test(name)) {
    throw new Error('A group name is 1 to 64 lower-case letters, digits, - or _ (for example brokers).');
  }
  return name;
}

/** Who did it: "you", "bob@example.com", "a download link", "Locker". */
export function actorLabel(actor, me = '') {
  if (!actor || actor.type === 'system') return 'Locker';
  if (actor.type === 'link') return 'a download link';
  if (me && actor.id === me) return 'you';
  return actor.name || 'a user';
}

const SENTENCES = {
  created: (who) => `${who} started uploading it`,
  uploaded: () => 'upload finished: ready',
  rejected: (who, d) => `upload rejected${d.reason ? ` (${d.reason})` : ''}`,
  download_issued: (who) => `${who} downloaded it`,
  grant_added: (who, d) => `${who} shared it with ${granteeLabel(d.grantee)}`,
  grant_removed: (who, d) => `${who} stopped sharing it with ${granteeLabel(d.grantee)}`,
  link_created: (who, d) => `${who} made a download link${d.maxDownloads ? ` for ${d.maxDownloads} download${d.maxDownloads === 1 ? '' : 's'}` : ''}`,
  link_used: () => 'someone downloaded it through a link',
  link_removed: (who) => `${who} revoked a download link`,
  deleted: (who) => `${who} deleted it`,
};

/** One activity event as a sentence; `me` is the reader's own user id (shown as "you"). */
export function activitySentence(event, me = '') {
  const who = actorLabel(event.actor, me);
  const say = SENTENCES[event.type];
  const text = say ? say(who, event.detail || {}) : `${who}: ${event.type}`;
  return text.charAt(0).toUpperCase() + text.slice(1) + '.';
}
