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
    // Every failure is said in the message area and on the file; Uppy's console copies of them
    // would only add noise (and its network errors name presigned URLs).
    logger: { debug() {}, warn() {}, error() {} },
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

  // The files list follows every outcome, one reload at a time (a retry of one file included,
  // which Uppy ends without a 'complete' event).
  let reloading = null;
  let again = false;
  function reloadList() {
    if (reloading) {
      again = true;
      return;
    }
    reloading = onUploaded().finally(() => {
      reloading = null;
      if (again) {
        again = false;
        reloadList();
      }
    });
  }

  uppy.on('postprocess-complete', (file) => {
    const done = file && uppy.getFile(file.id)?.response?.body?.file;
    if (quiet || !done) return;
    say(`Uploaded ${done.filename} (${formatSize(done.size)}): ${done.status}.`, 'success');
    reloadList();
  });

  // Refused before any upload (type, size): said in the page's live region in the same words as
  // the API's refusal of the same file would be (errors.js); Uppy's own words otherwise.
  uppy.on('restriction-failed', (file, err) => {
    const context = `Could not upload ${file?.name ?? 'that file'}`;
    let refusal = null;
    if (file && file.size > limits.maxSize) refusal = `size must be between 1 and ${limits.maxSize}`;
    else if (file && !limits.allowedTypes.includes(file.type)) refusal = `contentType must be one of ${limits.allowedTypes.join(',')}`;
    if (refusal) say(describeError(new ApiError(400, 'BadRequestError', refusal), context, file), 'error');
    else say(`${context}: ${err.message}`, 'error');
  });

  uppy.on('upload-error', (file, err) => {
    if (quiet) return;
    const error = asPageError(err);
    if (isSessionError(error) || error?.status === 401) return onSessionError(error);
    say(describeError(error, `Could not upload ${file?.name ?? 'a file'}`, file), 'error');
    reloadList(); // a refusal leaves a rejected file behind
  });

  // A batch of several files ends with one summary.
  uppy.on('complete', ({ successful = [], failed = [] }) => {
    const done = successful.filter((file) => file.response?.body?.file);
    if (quiet || done.length + failed.length < 2 || !done.length) return;
    const files = (n) => `${n} file${n === 1 ? '' : 's'}`;
    if (!failed.length) say(`Uploaded ${files(done.length)}: ready.`, 'success');
    else say(`Uploaded ${files(done.length)}; ${files(failed.length)} could not be uploaded (see the upload panel).`, 'error');
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
