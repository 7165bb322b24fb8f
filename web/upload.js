// The upload form: declare the file (POST /files), PUT the bytes to the presigned URL
// with a progress bar, then POST /files/{id}/complete. Drag and drop fills the same input.

import { sha256Base64, uploadBytes } from './api.js';
import { describeError, isSessionError } from './errors.js';
import { formatSize } from './format.js';
import { byId, hideKeepingFocus, isUnavailable, setUnavailable } from './ui.js';

/**
 * @param {{api: ReturnType<import('./api.js').createApi>, useSha256: boolean, say: Function,
 *          onSessionError: (err: Error) => void, onUploaded: () => Promise<void>}} deps
 */
export function initUpload({ api, useSha256, say, onSessionError, onUploaded }) {
  const form = byId('upload-form');
  const input = byId('file-input');
  const submit = byId('upload-button');
  const cancel = byId('upload-cancel');
  const zone = byId('drop-zone');
  const box = byId('upload-progress-box');
  const bar = byId('upload-progress');
  const percent = byId('upload-percent');
  let transfer = null; // {abort} while bytes are on their way
  let run = 0; // bumped by reset(), so an upload cut short by sign-out stays quiet

  function progress(loaded, total) {
    const value = total > 0 ? Math.round((loaded / total) * 100) : 0;
    bar.value = value;
    percent.textContent = `${value}%`;
  }

  function setBusy(busy, name = '') {
    setUnavailable(submit, busy);
    input.disabled = busy;
    if (busy) cancel.hidden = false;
    else hideKeepingFocus(cancel, submit);
    box.hidden = !busy;
    byId('upload-name').textContent = name;
    form.setAttribute('aria-busy', String(busy));
    if (busy) progress(0, 0);
  }

  async function upload(file) {
    let created = null;
    let cancelled = false;
    const mine = ++run;
    setBusy(true, file.name);
    try {
      say(`Preparing ${file.name}…`);
      // contentType is the browser's guess from the extension; the API names what it refuses.
      const declared = { filename: file.name, contentType: file.type, size: file.size };
      const digest = useSha256 ? await sha256Base64(file) : null;
      if (digest) declared.sha256 = digest; // then upload.headers carries x-amz-checksum-sha256
      created = await api.createFile(declared);
      if (mine !== run) return;
      say(`Uploading ${file.name} (${formatSize(file.size)})…`);
      transfer = uploadBytes(created.upload, file, { onProgress: progress });
      await transfer.done;
      transfer = null;
      progress(1, 1);
      const { file: done } = await api.completeFile(created.file.id);
      if (mine !== run) return;
      form.reset();
      say(`Uploaded ${done.filename} (${formatSize(done.size)}): ${done.status}.`, 'success');
    } catch (err) {
      if (mine !== run) return;
      if (isSessionError(err)) return onSessionError(err);
      cancelled = err.code === 'AbortError';
      if (cancelled) say(`Upload of ${file.name} cancelled.`);
      else say(describeError(err, `Could not upload ${file.name}`, file), 'error');
    } finally {
      if (mine === run) {
        transfer = null;
        setBusy(false);
      }
    }
    if (!created || mine !== run) return;
    // Give the quota back now rather than when the pending record expires.
    if (cancelled) await api.deleteFile(created.file.id).catch(() => {});
    // The list shows the outcome either way (a 422 leaves a rejected file behind).
    await onUploaded();
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (isUnavailable(submit)) return; // an upload is already running
    const file = input.files && input.files[0];
    if (!file) {
      say('Choose a file to upload first.', 'error');
      input.focus();
      return;
    }
    upload(file);
  });
  cancel.addEventListener('click', () => transfer && transfer.abort());

  // Drag and drop is a shortcut for the file input, which stays the keyboard path.
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    zone.classList.add('dragging');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('dragging'));
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('dragging');
    if (input.disabled || !event.dataTransfer || !event.dataTransfer.files.length) return;
    input.files = event.dataTransfer.files;
    say(`${input.files[0].name} is ready to upload.`);
    submit.focus();
  });

  return {
    /** Stops any transfer and empties the form (on sign-out). */
    reset() {
      run++;
      if (transfer) transfer.abort();
      transfer = null;
      setBusy(false);
      form.reset();
    },
  };
}
