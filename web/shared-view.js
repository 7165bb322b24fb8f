// "Shared with me": files others shared with the signed-in user, directly or through a group,
// newest share first, with "Load more" and a download button (a fresh URL on every click).

import { describeError, isSessionError } from './errors.js';
import { formatSize } from './format.js';
import { sharedViaLabel } from './sharing-format.js';
import { byId, el, followDownload, hideKeepingFocus, isUnavailable, setUnavailable } from './ui.js';

/**
 * @param {{api: object, sharing: ReturnType<import('./sharing-api.js').createSharingApi>,
 *          pageSize: number, say: Function, onSessionError: Function}} deps
 */
export function initSharedView({ api, sharing, pageSize, say, onSessionError }) {
  const rows = byId('shared-rows');
  const table = byId('shared-table');
  const empty = byId('shared-empty');
  const more = byId('shared-more');
  const refresh = byId('shared-refresh');
  const heading = byId('shared-heading');
  const files = new Map();
  let cursor = null;
  let generation = 0;

  function fail(err, context) {
    if (isSessionError(err)) onSessionError(err);
    else say(describeError(err, context), 'error');
  }

  function row(file) {
    const download = el(
      'button',
      { type: 'button', dataset: { action: 'download', testid: 'shared-download' }, 'aria-label': `Download ${file.filename}` },
      'Download',
    );
    const via = sharedViaLabel(file.sharedVia);
    return el(
      'tr',
      { dataset: { testid: 'shared-row', fileId: file.id, filename: file.filename, via } },
      el('th', { scope: 'row', className: 'name' }, file.filename),
      el('td', { dataset: { testid: 'shared-owner' } }, file.owner?.name || ''),
      el('td', { dataset: { testid: 'shared-via' } }, via),
      el('td', { className: 'num', title: `${file.size} bytes` }, formatSize(file.size)),
      el('td', {}, el('div', { className: 'actions' }, download)),
    );
  }

  async function load(append) {
    const mine = append ? generation : ++generation;
    table.setAttribute('aria-busy', 'true');
    setUnavailable(more, true);
    try {
      const page = await sharing.listShared({ cursor: append ? cursor : '', limit: pageSize });
      if (mine !== generation) return;
      if (!append) {
        rows.replaceChildren();
        files.clear();
      }
      for (const file of page.items || []) {
        if (files.has(file.id)) continue;
        files.set(file.id, file);
        rows.append(row(file));
      }
      cursor = page.nextCursor || null;
      empty.hidden = files.size > 0;
      if (cursor) more.hidden = false;
      else hideKeepingFocus(more, heading);
    } catch (err) {
      if (mine === generation) fail(err, 'Could not load the files shared with you');
    } finally {
      if (mine === generation) {
        table.setAttribute('aria-busy', 'false');
        setUnavailable(more, false);
      }
    }
  }

  async function download(file, button) {
    setUnavailable(button, true);
    try {
      const link = await api.downloadLink(file.id);
      followDownload(link.url);
      say(`Downloading ${file.filename}, shared by ${file.owner?.name || 'its owner'}.`, 'success');
    } catch (err) {
      // A 404 means the share ended (revoked, expired, or the file is gone): drop the row.
      if (err.status !== 404) return fail(err, `Could not download ${file.filename}`);
      say(`Could not download ${file.filename}: it is no longer shared with you.`, 'error');
      files.delete(file.id);
      button.closest('tr')?.remove();
      empty.hidden = files.size > 0;
      heading.focus();
    } finally {
      setUnavailable(button, false);
    }
  }

  rows.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action=download]');
    const file = button && files.get(button.closest('tr').dataset.fileId);
    if (file && !isUnavailable(button)) download(file, button);
  });
  more.addEventListener('click', () => isUnavailable(more) || load(true));
  refresh.addEventListener('click', () => load(false));

  return {
    open: () => load(false),
    clear() {
      generation++;
      cursor = null;
      files.clear();
      rows.replaceChildren();
      empty.hidden = true;
      more.hidden = true;
      table.setAttribute('aria-busy', 'false');
    },
  };
}
