// The upload panel: Uppy's Dashboard (several files, drag and drop, per-file progress, pause,
// resume, retry) uploading straight to storage through Locker's glue (locker-uppy.js), which
// signs every request with Locker and makes each file `ready`. The limits come from config.json.

import { ApiError, describeError, isSessionError } from './errors.js';
import { formatSize } from './format.js';
import { lockerUppyOptions } from './locker-uppy.js';
import { limitsNote } from './upload-limits.js';
import { byId } from './ui.js';
import { AwsS3, Dashboard, Uppy } from './vendor/uppy.js';

/** Any failure Uppy reports, as the page's own error types, so describeError can word it. */
function asPageError(err) {
  if (!err || err instanceof ApiError || isSessionError(err)) return err;
  if (err.name === 'LockerUploadError') return new ApiError(err.status, err.code, err.message);
  if (err.name === 'S3ServiceError') return new ApiError(err.status, err.serviceCode, '', 'storage');
  if (err.name === 'S3NetworkError') return new ApiError(0, 'NetworkError', 'network error', 'storage');
  return err;
}

/**
 * @param {{config: ReturnType<import('./config.js').validateConfig>,
 *          session: import('./auth.js').Session, say: Function,
 *          onSessionError: (err: Error) => void, onUploaded: () => Promise<void>}} deps
 */
export function initUpload({ config, session, say, onSessionError, onUploaded }) {
  const { limits } = config;
  const note = limitsNote(limits);
  byId('upload-hint').textContent = note;
  let quiet = false; // while reset() cancels everything: no messages for what the user did not do

  const uppy = new Uppy({
    id: 'locker',
    restrictions: { maxFileSize: limits.maxSize, allowedFileTypes: [...limits.allowedTypes] },
  });
  uppy.use(Dashboard, {
    target: byId('uploader'),
    inline: true,
    width: '100%',
    height: 300,
    showProgressDetails: true,
    disableThumbnailGenerator: true, // its blob: previews would need img-src blob: in the CSP
    proudlyDisplayPoweredByUppy: false,
    doneButtonHandler: () => uppy.clear(),
  });
  uppy.use(
    AwsS3,
    lockerUppyOptions({
      apiUrl: config.apiUrl,
      getToken: ({ refresh } = {}) => (refresh ? session.refresh() : session.accessToken()),
      multipartThreshold: limits.multipartThreshold,
      uppy,
    }),
  );

  uppy.on('upload-error', (file, err) => {
    if (quiet) return;
    const error = asPageError(err);
    if (isSessionError(error) || error?.status === 401) onSessionError(error);
    else say(describeError(error, `Could not upload ${file?.name ?? 'a file'}`), 'error');
  });

  uppy.on('complete', async ({ successful = [], failed = [] }) => {
    if (quiet) return;
    const done = successful.map((file) => file.response?.body?.file).filter(Boolean);
    if (done.length === 1 && !failed.length) {
      say(`Uploaded ${done[0].filename} (${formatSize(done[0].size)}): ${done[0].status}.`, 'success');
    } else if (done.length) {
      const failures = failed.length ? ` ${failed.length} could not be uploaded: see the list above.` : '';
      say(`Uploaded ${done.length} files: ready.${failures}`, failed.length ? 'error' : 'success');
    }
    await onUploaded(); // the list shows the outcome either way (a refusal leaves a rejected file)
  });

  return {
    uppy,
    /** Stops every transfer and empties the panel (on sign-out). */
    reset() {
      quiet = true;
      try {
        uppy.cancelAll();
      } finally {
        quiet = false;
      }
    },
  };
}
