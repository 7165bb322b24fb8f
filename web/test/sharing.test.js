import assert from 'node:assert/strict';
import { test } from 'node:test';

import { createApi } from '../api.js';
import { ApiError, describeError } from '../errors.js';
import { createSharingApi } from '../sharing-api.js';
import {
  activitySentence,
  actorLabel,
  downloadLimit,
  downloadsLeftLabel,
  expiryFromDate,
  granteeLabel,
  groupName,
  sharedViaLabel,
  untilLabel,
} from '../sharing-format.js';
import { scriptedFetch } from './helpers.js';

const session = { accessToken: async () => 'tok', refresh: async () => 'tok', expire() {} };

function sharingWith(...answers) {
  const { fetchImpl, calls } = scriptedFetch(...answers);
  const api = createApi({ baseUrl: 'https://api.example', session, fetchImpl });
  return { sharing: createSharingApi(api.request), calls };
}

const sent = (call) => [call.init.method, call.url.replace('https://api.example', ''), call.body];

test('grants: a user or a group, the expiry only when one was chosen, ids escaped', async () => {
  const { sharing, calls } = sharingWith({ status: 201, body: {} }, { status: 201, body: {} }, { status: 204 }, { body: {} });
  await sharing.addGrant('f/1', { user: 'bob@example.com' });
  await sharing.addGrant('f1', { group: 'brokers' }, '2027-01-31T22:59:59Z');
  assert.equal(await sharing.removeGrant('f1', 'g#1'), null);
  await sharing.listGrants('f1');
  assert.deepEqual(calls.map(sent), [
    ['POST', '/files/f%2F1/grants', { user: 'bob@example.com' }],
    ['POST', '/files/f1/grants', { group: 'brokers', expiresAt: '2027-01-31T22:59:59Z' }],
    ['DELETE', '/files/f1/grants/g%231', undefined],
    ['GET', '/files/f1/grants', undefined],
  ]);
});

test('groups, members and leaving name the group and the member id in the path', async () => {
  const answers = [{ status: 201, body: {} }, { body: {} }, { body: {} }, { status: 201, body: {} }, { status: 204 }, { status: 204 }];
  const { sharing, calls } = sharingWith(...answers);
  await sharing.createGroup('brokers');
  await sharing.listGroups();
  await sharing.listMembers('brokers');
  await sharing.addMember('brokers', 'bob');
  await sharing.removeMember('brokers', 'sub-1');
  await sharing.deleteGroup('brokers');
  assert.deepEqual(calls.map(sent), [
    ['POST', '/groups', { name: 'brokers' }],
    ['GET', '/groups', undefined],
    ['GET', '/groups/brokers/members', undefined],
    ['POST', '/groups/brokers/members', { user: 'bob' }],
    ['DELETE', '/groups/brokers/members/sub-1', undefined],
    ['DELETE', '/groups/brokers', undefined],
  ]);
});

test('links, shared files and activity pages carry limit and cursor only when set', async () => {
  const { sharing, calls } = sharingWith(...Array.from({ length: 6 }, () => ({ body: {} })));
  await sharing.createLink('f1', { expiresIn: 3600, maxDownloads: 3 });
  await sharing.listLinks('f1');
  await sharing.removeLink('f1', 'l1');
  await sharing.listShared({ limit: 25, cursor: 'c+/=' });
  await sharing.listActivity('f1', {});
  await sharing.listActivity('', { cursor: 'next' });
  assert.deepEqual(calls.map(sent), [
    ['POST', '/files/f1/links', { expiresIn: 3600, maxDownloads: 3 }],
    ['GET', '/files/f1/links', undefined],
    ['DELETE', '/files/f1/links/l1', undefined],
    ['GET', '/shared?limit=25&cursor=c%2B%2F%3D', undefined],
    ['GET', '/files/f1/activity', undefined],
    ['GET', '/activity?cursor=next', undefined],
  ]);
});

test('who a grant is for and how a file reached me', () => {
  assert.equal(granteeLabel({ type: 'user', id: 's', name: 'bob@example.com' }), 'bob@example.com');
  assert.equal(granteeLabel({ type: 'group', name: 'brokers' }), 'group brokers');
  assert.equal(sharedViaLabel({ type: 'group', name: 'course-buyers' }), 'group course-buyers');
  assert.equal(sharedViaLabel({ type: 'user' }), 'you directly');
  assert.equal(untilLabel(null), 'no end date');
  assert.match(untilLabel('2027-01-31T12:00:00Z'), /^until .*2027/);
});

test('downloads left reads like a count', () => {
  assert.equal(downloadsLeftLabel({ maxDownloads: 3, downloadsLeft: 2 }), '2 of 3 downloads left');
  assert.equal(downloadsLeftLabel({ maxDownloads: 1, downloadsLeft: 1 }), '1 of 1 download left');
  assert.equal(downloadsLeftLabel({ maxDownloads: 3, downloadsLeft: 0 }), 'no downloads left');
});

test('a date field is the end of that local day, in the API form, within a year', () => {
  const now = new Date(2026, 11, 1, 8, 0, 0).getTime();
  const iso = expiryFromDate('2026-12-24', now);
  assert.match(iso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.equal(new Date(iso).getTime(), new Date(2026, 11, 24, 23, 59, 59).getTime());
  assert.equal(expiryFromDate('', now), '');
  assert.throws(() => expiryFromDate('2026-11-30', now), /has passed/);
  assert.throws(() => expiryFromDate('2028-01-01', now), /at most one year/);
  assert.throws(() => expiryFromDate('24/12/2026', now), /calendar/);
});

test('download limits and group names are checked before asking the API', () => {
  assert.equal(downloadLimit('3'), 3);
  for (const bad of ['0', '101', '2.5', '', 'x']) assert.throws(() => downloadLimit(bad), /1 to 100 downloads/);
  assert.equal(groupName('  course-buyers '), 'course-buyers');
  for (const bad of ['', 'Brokers', 'a b', 'x'.repeat(65)]) assert.throws(() => groupName(bad), /lower-case/);
});

test('activity events read as sentences, the reader as "you"', () => {
  const me = 'sub-alice';
  const alice = { type: 'user', id: me, name: 'alice' };
  const bob = { type: 'user', id: 'sub-bob', name: 'bob' };
  assert.equal(actorLabel({ type: 'system' }), 'Locker');
  assert.equal(actorLabel({ type: 'link', id: 'l1' }), 'a download link');
  assert.equal(actorLabel(alice, me), 'you');
  assert.equal(actorLabel({ type: 'user', id: 'x', name: '' }), 'a user');
  const say = (type, actor, detail = {}) => activitySentence({ type, actor, detail, at: '', fileId: 'f' }, me);
  assert.equal(say('download_issued', bob), 'Bob downloaded it.');
  assert.equal(say('grant_added', alice, { grantee: { type: 'group', name: 'brokers' } }), 'You shared it with group brokers.');
  assert.equal(say('grant_removed', alice, { grantee: { type: 'user', name: 'bob' } }), 'You stopped sharing it with bob.');
  assert.equal(say('link_created', alice, { maxDownloads: 3 }), 'You made a download link for 3 downloads.');
  assert.equal(say('link_used', { type: 'link', id: 'l1' }), 'Someone downloaded it through a link.');
  assert.equal(say('rejected', { type: 'system' }, { reason: 'content is not image/png' }), 'Upload rejected (content is not image/png).');
  assert.equal(say('something_new', bob), 'Bob: something_new.');
});

test('sharing refusals are told in plain words', () => {
  const told = (status, message) => describeError(new ApiError(status, '', message));
  assert.match(told(404, 'user not found'), /no user with this name/);
  assert.match(told(404, 'group not found'), /no such group/);
  assert.equal(told(404, 'file not found'), 'Not found: the file does not exist or was deleted.');
  assert.match(told(403, "only the file's owner may do this"), /Only the file's owner/);
  assert.match(told(403, "only the group's manager may do this"), /Only the group's manager/);
  assert.equal(told(409, 'a group with this name exists'), 'This group name is taken: choose another.');
  assert.equal(told(409, 'file is pending, only ready files can be shared'), 'Only ready files can be shared: this one is pending.');
});
