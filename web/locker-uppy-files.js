// What the glue does with an Uppy instance (lockerUppyOptions({..., uppy})): each uploaded
// file becomes `ready` through `POST /files/{id}/complete` (an Uppy post-processing step, so
// the Dashboard shows "processing" and any refusal), an abandoned upload gives its quota back
// (`DELETE /files/{id}`), and an unfinished multipart upload resumes after a reload.

import { resumeMemory, subOf } from './locker-uppy-resume.js';

const idPath = (key) => `/files/${encodeURIComponent(String(key).split('/').pop())}`;

/**
 * @param {object} uppy an Uppy instance
 * @param {{call: Function, getToken: Function, storage?: Storage|null}} deps
 * @returns {{beforeStart(fileId: string): Promise<void>, started(fileId: string, key: string): void,
 *            forget(key: string): void}}
 */
export function attachLifecycle(uppy, { call, getToken, storage }) {
  const memory = resumeMemory(storage === undefined ? (globalThis.localStorage ?? null) : storage);
  const unfinished = new Map(); // Uppy file id -> Locker key of an upload started, not finished
  const completing = new Map(); // Uppy file id -> the complete call under way

  const complete = (fileId, key) => {
    const result = call('POST', `${idPath(key)}/complete`);
    result.catch(() => {}); // awaited by the post-processor; never an unhandled rejection
    completing.set(fileId, result);
    return result;
  };

  // Keep {key, uploadId} as soon as Uppy has created the multipart upload.
  uppy.on('state-update', (prev, next) => {
    for (const [id, file] of Object.entries(next.files || {})) {
      const upload = file.s3Multipart;
      if (upload && upload !== prev.files?.[id]?.s3Multipart && !file.progress?.uploadComplete) {
        memory.remember(id, upload);
      }
    }
  });

  // Before uploading: a file picked again resumes its remembered upload if Locker still has it pending.
  uppy.addPreProcessor(async (fileIDs) => {
    const owner = subOf(await getToken({}));
    for (const id of fileIDs) {
      const file = uppy.getFile(id);
      if (!file || file.s3Multipart || file.progress?.uploadComplete) continue;
      const saved = memory.recall(owner, id);
      if (!saved) continue;
      let status = '';
      try {
        status = (await call('GET', idPath(saved.key)))?.file?.status;
      } catch (err) {
        if (err.status !== 404) continue; // unknown for now: keep it for the next attempt
      }
      if (status === 'pending') {
        uppy.setFileState(id, { s3Multipart: saved });
        unfinished.set(id, saved.key);
      } else {
        memory.forget(saved.key);
      }
    }
  });

  uppy.on('upload-success', (file, response) => {
    const key = response?.body?.key ?? unfinished.get(file.id);
    unfinished.delete(file.id);
    if (!key) return;
    memory.forget(key);
    complete(file.id, key);
  });

  // After uploading: wait for Locker's checks; a refusal (422: not what was declared) fails the file.
  uppy.addPostProcessor(async (fileIDs) => {
    await Promise.all(
      fileIDs.map(async (id) => {
        const file = uppy.getFile(id);
        const key = file?.response?.body?.key;
        if (!file || !key || file.response.body.file?.status === 'ready') return;
        uppy.emit('postprocess-progress', file, { mode: 'indeterminate', message: 'Checking the upload…' });
        try {
          const { file: done } = await (completing.get(id) ?? complete(id, key));
          const current = uppy.getFile(id);
          if (current) uppy.setFileState(id, { response: { ...current.response, body: { ...current.response.body, file: done } } });
          uppy.emit('postprocess-complete', current ?? file);
        } catch (err) {
          uppy.emit('upload-error', uppy.getFile(id) ?? file, err);
        } finally {
          completing.delete(id);
        }
      }),
    );
  });

  // Removing a file (or cancelling all) abandons its upload: give its quota back now.
  uppy.on('file-removed', (file) => {
    const key = unfinished.get(file.id) ?? file.s3Multipart?.key;
    unfinished.delete(file.id);
    if (!key || file.progress?.uploadComplete) return;
    memory.forget(key);
    call('DELETE', idPath(key)).catch(() => {});
  });

  return {
    /** Before a new upload of this file: drop the pending file of an earlier, abandoned attempt. */
    async beforeStart(fileId) {
      const key = unfinished.get(fileId);
      if (!key) return;
      unfinished.delete(fileId);
      await call('DELETE', idPath(key)).catch(() => {});
    },
    /** Locker answered `key` for this file's new upload. */
    started(fileId, key) {
      unfinished.set(fileId, key);
    },
    /** Locker no longer knows `key` (404): forget it, so a retry starts a new upload. */
    forget(key) {
      memory.forget(key);
      for (const file of uppy.getFiles()) {
        if (file.s3Multipart?.key !== key) continue;
        uppy.setFileState(file.id, { s3Multipart: undefined });
        unfinished.delete(file.id);
      }
    },
  };
}
