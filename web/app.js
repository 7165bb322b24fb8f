// Locker's single-page app: loads config.json, signs in with Cognito, then shows the
// user's files. This module wires the views together; the work lives in the others.

import { decodeJwt, Session } from './auth.js';
import { initActivityView } from './activity-view.js';
import { createApi } from './api.js';
import { loadConfig } from './config.js';
import { describeError, SESSION_EXPIRED } from './errors.js';
import { initFilesView } from './files-view.js';
import { initGroupsView } from './groups-view.js';
import { initNav } from './nav.js';
import { initShareDialog } from './share-dialog.js';
import { initSharedView } from './shared-view.js';
import { createSharingApi } from './sharing-api.js';
import { initUpload } from './upload.js';
import { byId, messenger } from './ui.js';

const say = messenger(byId('message'));
const signInView = byId('sign-in-view');
const filesView = byId('files-view');
const signInForm = byId('sign-in-form');
const username = byId('username');
const password = byId('password');
const signInButton = byId('sign-in-button');
let session = null;
let filesPanel = null;
let uploadPanel = null;
let nav = null;
let sharingPanels = []; // the share dialog and the shared, groups and activity views

function showSignIn() {
  nav?.setVisible(false);
  filesView.hidden = true;
  byId('user-bar').hidden = true;
  signInView.hidden = false;
  document.title = 'Sign in · Locker';
}

function showFiles() {
  signInView.hidden = true;
  filesView.hidden = false;
  byId('user-label').textContent = session.user;
  byId('user-bar').hidden = false;
  nav.setVisible(true);
  nav.show('files', undefined, { load: false }); // the caller loads the list
  document.title = 'Your files · Locker';
  byId('files-heading').focus();
}

/** Back to the sign-in form, with nothing of the previous user left on the page. */
function endSession(message, kind) {
  uploadPanel.reset();
  filesPanel.clear();
  for (const panel of sharingPanels) panel.clear();
  showSignIn();
  say(message, kind);
  username.focus();
}

let sessionEnd = SESSION_EXPIRED; // why the session ended, as the sign-in form will say it

function onSessionError(err) {
  sessionEnd = describeError(err); // the API's reason when it gave one ("The access token expired")
  if (session.signedIn) session.expire(); // runs endSession through onExpired
  else endSession(sessionEnd, 'error');
}

signInForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!session || signInButton.getAttribute('aria-disabled') === 'true') return;
  signInButton.setAttribute('aria-disabled', 'true');
  say('Signing in…');
  try {
    await session.signIn(username.value.trim(), password.value);
    password.value = '';
    showFiles();
    say(`Signed in as ${session.user}.`, 'success');
    await filesPanel.reload();
  } catch (err) {
    say(describeError(err), 'error');
    password.focus();
  } finally {
    signInButton.removeAttribute('aria-disabled');
  }
});

byId('sign-out').addEventListener('click', () => {
  session.signOut(); // forgets the tokens at once; GlobalSignOut finishes in the background
  endSession('You are signed out.', 'info');
});

async function start() {
  let config;
  try {
    config = await loadConfig();
  } catch (err) {
    say(`${err.message} The page cannot work without it: see README.md.`, 'error');
    signInButton.setAttribute('aria-disabled', 'true');
    return;
  }
  session = new Session({
    endpoint: config.cognitoEndpoint,
    clientId: config.clientId,
    onExpired: () => {
      endSession(sessionEnd, 'error');
      sessionEnd = SESSION_EXPIRED;
    },
  });
  const api = createApi({ baseUrl: config.apiUrl, session });
  const sharing = createSharingApi(api.request);
  const me = async () => decodeJwt(await session.accessToken()).sub || '';
  const shareDialog = initShareDialog({ sharing, onSessionError });
  filesPanel = initFilesView({
    api,
    pageSize: config.pageSize,
    say,
    onSessionError,
    onShare: (file) => shareDialog.open(file),
    onActivity: (file) => nav.show('activity', file),
  });
  const views = {
    files: { open: () => filesPanel.reload() },
    shared: initSharedView({ api, sharing, pageSize: config.pageSize, say, onSessionError }),
    groups: initGroupsView({ sharing, say, onSessionError, me }),
    activity: initActivityView({ sharing, pageSize: config.pageSize, say, onSessionError, me, filenames: () => filesPanel.names() }),
  };
  sharingPanels = [shareDialog, views.shared, views.groups, views.activity];
  nav = initNav(views);
  uploadPanel = initUpload({ config, session, say, onSessionError, onUploaded: filesPanel.reload });
  document.body.dataset.ready = 'true'; // lets a browser test wait for start-up
}

const started = start();

/**
 * The bytes of one of the signed-in user's ready files, fetched from a fresh download URL.
 * For browser tests: `const {downloadBytes} = await import('/app.js')` returns this same module.
 * @param {string} id
 * @returns {Promise<ArrayBuffer>}
 */
export async function downloadBytes(id) {
  await started;
  if (!filesPanel) throw new Error('Locker did not start (see the message area)');
  return filesPanel.bytes(id);
}
