// The files table: listing with "Load more", the status filter, download and delete.

import { fetchBytes } from './api.js';
import { describeError, isSessionError } from './errors.js';
import { formatDate, formatSize } from './format.js';
import { byId, el, hideKeepingFocus, isUnavailable, setUnavailable } from './ui.js';

/**
 * @param {{api: ReturnType<import('./api.js').createApi>, pageSize: number,
 *          say: Function, onSessionError: (err: Error) => void}} deps
 */
export function initFilesView({ api, pageSize, say, onSessionError }) {
  const rows = byId('file-rows');
  const table = byId('files-table');
  const empty = byId('files-empty');
  const loadMore = byId('load-more');
  const filter = byId('status-filter');
  const refreshButton = byId('refresh');
  const heading = byId('files-heading');
  const dialog = byId('confirm-delete');
  const files = new Map(); // id -> file object of the rows shown
  const deleted = new Set(); // a list answer already in flight must not bring these back
  let cursor = null;
  let toDelete = ''; // the id the confirm dialog is asking about
  let generation = 0; // bumps on every reload, so a slow older answer cannot overwrite a newer one

  function fail(err, context) {
    if (isSessionError(err)) onSessionError(err);
    else say(describeError(err, context), 'error');
  }

  function setBusy(busy) {
    table.setAttribute('aria-busy', String(busy));
    setUnavailable(refreshButton, busy);
    setUnavailable(loadMore, busy);
  }

  function actionButton(action, label, file, className = '') {
    return el(
      'button',
      { type: 'button', className, dataset: { action, testid: `${action}-button` }, 'aria-label': `${label} ${file.filename}` },
      label,
    );
  }

  function row(file) {
    const actions = el('div', { className: 'actions' }); // a flex box inside the cell keeps table semantics
    if (file.status === 'ready') actions.append(actionButton('download', 'Download', file));
    // A pending file whose bytes did arrive (say the tab closed mid-way) can still be finished.
    if (file.status === 'pending') actions.append(actionButton('complete', 'Finish', file));
    actions.append(actionButton('delete', 'Delete', file, 'danger'));
    const status = el('td', {}, el('span', { className: `badge ${file.status}`, dataset: { testid: 'file-status' } }, file.status));
    if (file.rejectedReason) status.append(el('span', { className: 'reason' }, file.rejectedReason));
    return el(
      'tr',
      { dataset: { testid: 'file-row', fileId: file.id, status: file.status, filename: file.filename } },
      el('th', { scope: 'row', className: 'name' }, file.filename),
      status,
      el('td', { className: 'num', title: `${file.size} bytes` }, formatSize(file.size)),
      el('td', {}, el('time', { datetime: file.createdAt }, formatDate(file.createdAt))),
      el('td', {}, actions),
    );
  }

  function render(items, append) {
    if (!append) {
      rows.replaceChildren();
      files.clear();
    }
    for (const file of items) {
      if (deleted.has(file.id) || files.has(file.id)) continue;
      files.set(file.id, file);
      rows.append(row(file));
    }
    empty.hidden = files.size > 0;
    if (cursor) loadMore.hidden = false;
    else hideKeepingFocus(loadMore, heading);
  }

  async function load(append) {
    const mine = append ? generation : ++generation;
    setBusy(true);
    try {
      const page = await api.listFiles({ status: filter.value, cursor: append ? cursor : '', limit: pageSize });
      if (mine !== generation) return;
      cursor = page.nextCursor || null;
      render(page.items || [], append);
    } catch (err) {
      if (mine === generation) fail(err, 'Could not load your files');
    } finally {
      if (mine === generation) setBusy(false);
    }
  }

  /** Lists from the first page again (after sign-in, upload, filter change, refresh). */
  const reload = () => load(false);

  // Every click asks the API for a fresh URL (it lives about a minute): the page never keeps
  // or shows one, so nothing on screen can be an expired link.
  async function download(file, button) {
    setUnavailable(button, true);
    try {
      const link = await api.downloadLink(file.id);
      // The URL answers with Content-Disposition: attachment, so following it saves the file
      // and leaves this page (and the in-memory session) where it is.
      const anchor = el('a', { href: link.url, rel: 'noopener noreferrer', hidden: true });
      document.body.append(anchor); // some browsers ignore clicks on detached links
      anchor.click();
      anchor.remove();
      const again = el('button', { type: 'button', className: 'link', dataset: { testid: 'download-again' } }, 'download it again');
      again.addEventListener('click', () => download(file, button));
      say(`Downloading ${file.filename}. If nothing happens, `, 'success', again, ' (with a fresh link).');
    } catch (err) {
      fail(err, `Could not download ${file.filename}`);
    } finally {
      setUnavailable(button, false);
    }
  }

  async function complete(file, button) {
    setUnavailable(button, true);
    try {
      const { file: done } = await api.completeFile(file.id);
      say(`${done.filename} is ${done.status}.`, 'success');
    } catch (err) {
      fail(err, `Could not finish ${file.filename}`);
    }
    await reload();
    heading.focus(); // the reload replaced the row that held the focus
  }

  function confirmDelete(file) {
    byId('confirm-name').textContent = file.filename;
    dialog.returnValue = '';
    toDelete = file.id;
    dialog.showModal(); // focus goes to Cancel (autofocus); Escape cancels
  }

  async function remove(id) {
    const file = files.get(id);
    if (!file) return;
    try {
      await api.deleteFile(id);
      deleted.add(id);
      files.delete(id);
      rows.querySelector(`tr[data-file-id="${CSS.escape(id)}"]`)?.remove();
      empty.hidden = files.size > 0;
      say(`Deleted ${file.filename}.`, 'success');
      heading.focus(); // the row that had focus is gone
    } catch (err) {
      fail(err, `Could not delete ${file.filename}`);
    }
  }

  rows.addEventListener('click', (event) => {
    const button = event.target.closest('button[data-action]');
    const file = button && files.get(button.closest('tr').dataset.fileId);
    if (!file || isUnavailable(button)) return;
    if (button.dataset.action === 'download') download(file, button);
    else if (button.dataset.action === 'complete') complete(file, button);
    else if (button.dataset.action === 'delete') confirmDelete(file);
  });
  dialog.addEventListener('close', () => {
    if (dialog.returnValue === 'delete') remove(toDelete);
  });
  loadMore.addEventListener('click', () => isUnavailable(loadMore) || load(true));
  refreshButton.addEventListener('click', () => isUnavailable(refreshButton) || reload());
  filter.addEventListener('change', reload);

  return {
    reload,
    /** Empties the table (on sign-out) so the next user never sees the previous one's files. */
    clear() {
      generation++;
      cursor = null;
      rows.replaceChildren();
      files.clear();
      deleted.clear();
      empty.hidden = true;
      loadMore.hidden = true;
      filter.value = '';
      setBusy(false);
    },
    /** The bytes of a ready file, through a fresh download URL (for tests and scripts). */
    async bytes(id) {
      const link = await api.downloadLink(id);
      return fetchBytes(link.url);
    },
  };
}
