// The entry point esbuild bundles into vendor/uppy.js (see build.js): the pinned Uppy
// packages of package.json, and nothing else. Locker's own glue (locker-uppy.js) stays a
// plain module outside the bundle, so any page can read, test and load it as it is.
export { default as AwsS3 } from '@uppy/aws-s3';
export { default as Uppy } from '@uppy/core';
export { default as Dashboard } from '@uppy/dashboard';
