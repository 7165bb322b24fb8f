// The share dialog of one of my files: who may download it (grant to a user or a group, with an
// optional end date; revoke), and download links (create with a lifetime and a download limit,
// copy the one-time URL, see downloads left, revoke). It speaks through its own live region,
// because a modal dialog hides the page's.

import { describeError, isSessionError } from './errors.js';
import { formatDate } from './format.js';
import { downloadLimit, downloadsLeftLabel, expiryFromDate, granteeLabel, untilLabel } from './sharing-format.js';
import { byId, el, isUnavailable, messenger, setUnavailable } from './ui.js';

/**
 * @param {{sharing: ReturnType<import('./sharing-api.js').createSharingApi>, onSessionError: Function}} deps
 */
export function initShareDialog({ sharing, onSessionError }) {
  const dialog = byId('share-dialog');
  const say = messenger(byId('share-message'));
  const grantForm = byId('grant-form');
  const granteeName = byId('grantee-name');
  const granteeLabelNode = byId('grantee-name-label');
  const expiry = byId('grant-expiry');
  const grantList = byId('grant-list');
  const grantsEmpty = byId('grants-empty');
  const linkForm = byId('link-form');
  const linkList = byId('link-list');
  const linksEmpty = byId('links-empty');
  const newLink = byId('new-link');
  const newLinkUrl = byId('new-link-url');
  let file = null;
  let generation = 0;

  function fail(err, context) {
    if (isSessionError(err)) {
      dialog.close();
      onSessionError(err);
    } else say(describeError(err, context), 'error');
  }

  const granteeType = () => grantForm.querySelector('input[name=grantee-type]:checked').value;

  function grantItem(grant) {
    const who = granteeLabel(grant.grantee);
    const revoke = el(
      'button',
      { type: 'button', className: 'danger', dataset: { testid: 'revoke-grant' }, 'aria-label': `Stop sharing with ${who}` },
      'Stop sharing',
    );
    revoke.addEventListener('click', () => removeGrant(grant, who, revoke));
    return el(
      'li',
      { dataset: { testid: 'grant-item', grantId: grant.id, grantee: who } },
      el('span', {}, el('strong', {}, who), ' ', el('span', { className: 'detail' }, untilLabel(grant.expiresAt))),
      revoke,
    );
  }

  function linkItem(link) {
    const revoke = el(
      'button',
      { type: 'button', className: 'danger', dataset: { testid: 'revoke-link' }, 'aria-label': `Revoke the link made ${formatDate(link.createdAt)}` },
      'Revoke',
    );
    revoke.addEventListener('click', () => removeLink(link, revoke));
    return el(
      'li',
      { dataset: { testid: 'link-item', linkId: link.id, downloadsLeft: String(link.downloadsLeft) } },
      el(
        'span',
        {},
        el('strong', { dataset: { testid: 'link-left' } }, downloadsLeftLabel(link)),
        ' ',
        el('span', { className: 'detail' }, `made ${formatDate(link.createdAt)}, valid until ${formatDate(link.expiresAt)}`),
      ),
      revoke,
    );
  }

  async function refresh() {
    const mine = ++generation;
    const [grants, links] = await Promise.allSettled([sharing.listGrants(file.id), sharing.listLinks(file.id)]);
    if (mine !== generation) return;
    if (grants.status === 'fulfilled') {
      grantList.replaceChildren(...grants.value.items.map(grantItem));
      grantsEmpty.hidden = grants.value.items.length > 0;
    } else fail(grants.reason, 'Could not list who it is shared with');
    if (links.status === 'fulfilled') {
      linkList.replaceChildren(...links.value.items.map(linkItem));
      linksEmpty.hidden = links.value.items.length > 0;
    } else fail(links.reason, 'Could not list its links');
  }

  async function busy(button, work) {
    if (isUnavailable(button)) return;
    setUnavailable(button, true);
    try {
      await work();
    } finally {
      setUnavailable(button, false);
    }
  }

  async function removeGrant(grant, who, button) {
    await busy(button, async () => {
      try {
        await sharing.removeGrant(file.id, grant.id);
        say(`${file.filename} is no longer shared with ${who}.`, 'success');
      } catch (err) {
        fail(err, `Could not stop sharing with ${who}`);
      }
      await refresh();
      granteeName.focus(); // the item that held the focus is gone
    });
  }

  async function removeLink(link, button) {
    await busy(button, async () => {
      try {
        await sharing.removeLink(file.id, link.id);
        say('The link is revoked: it no longer downloads anything.', 'success');
      } catch (err) {
        fail(err, 'Could not revoke the link');
      }
      await refresh();
      byId('link-submit').focus();
    });
  }

  grantForm.querySelectorAll('input[name=grantee-type]').forEach((radio) =>
    radio.addEventListener('change', () => {
      granteeLabelNode.textContent = granteeType() === 'group' ? 'Group name' : 'Username';
    }),
  );

  grantForm.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(byId('grant-submit'), async () => {
      const name = granteeName.value.trim();
      const to = granteeType() === 'group' ? { group: name } : { user: name };
      let until;
      try {
        until = expiryFromDate(expiry.value);
      } catch (err) {
        say(err.message, 'error');
        expiry.focus();
        return;
      }
      try {
        const { grant } = await sharing.addGrant(file.id, to, until);
        say(`${file.filename} is shared with ${granteeLabel(grant.grantee)}, ${untilLabel(grant.expiresAt)}.`, 'success');
        granteeName.value = '';
        expiry.value = '';
      } catch (err) {
        fail(err, `Could not share with ${name}`);
        granteeName.focus();
      }
      await refresh();
    });
  });

  linkForm.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(byId('link-submit'), async () => {
      let maxDownloads;
      try {
        maxDownloads = downloadLimit(byId('link-max').value);
      } catch (err) {
        say(err.message, 'error');
        byId('link-max').focus();
        return;
      }
      try {
        const { link } = await sharing.createLink(file.id, { expiresIn: Number(byId('link-expiry').value), maxDownloads });
        newLinkUrl.value = link.url;
        newLink.hidden = false;
        say(`Link made: ${downloadsLeftLabel(link)}, valid until ${formatDate(link.expiresAt)}. Copy it now: it is shown only once.`, 'success');
        newLinkUrl.focus();
        newLinkUrl.select();
      } catch (err) {
        fail(err, 'Could not make a link');
      }
      await refresh();
    });
  });

  byId('copy-link').addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(newLinkUrl.value);
      say('Link copied.', 'success');
    } catch {
      newLinkUrl.focus();
      newLinkUrl.select();
      say('Copying was refused: the link is selected, press Ctrl+C (or ⌘C) to copy it.', 'info');
    }
  });

  dialog.addEventListener('close', () => {
    generation++;
    file = null;
    newLinkUrl.value = ''; // the one-time URL leaves the page with the dialog
    newLink.hidden = true;
  });

  return {
    /** Opens the dialog for one of my ready files. */
    open(target) {
      file = target;
      byId('share-name').textContent = target.filename;
      say('');
      grantForm.reset();
      granteeLabelNode.textContent = 'Username';
      grantList.replaceChildren();
      linkList.replaceChildren();
      grantsEmpty.hidden = true;
      linksEmpty.hidden = true;
      newLink.hidden = true;
      dialog.showModal();
      granteeName.focus();
      return refresh();
    },
    /** Closes it (sign-out): the next user never sees this file's grants or links. */
    clear: () => dialog.open && dialog.close(),
  };
}
