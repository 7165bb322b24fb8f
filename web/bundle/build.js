// Bundles the pinned Uppy packages into vendor/uppy.js (one ES module) and vendor/uppy.css.
// Run by `make web-bundle` (and every target that serves or tests the page) after `npm ci`; the output is built, never committed (see ../README.md).
// Why bundle at all: the prebuilt `uppy` package lags behind (6.0.1 carries @uppy/aws-s3
// 6.1.0, which cannot send the signed headers Locker returns), and a page without a build
// step cannot import bare npm specifiers.

import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const web = fileURLToPath(new URL('..', import.meta.url));

const common = {
  absWorkingDir: web,
  bundle: true,
  minify: true,
  legalComments: 'eof', // the packages' licence notices stay in the output
  logLevel: 'warning',
  target: ['es2022'],
  keepNames: true, // Uppy's error classes name themselves after their class
};

await Promise.all([
  build({
    ...common,
    entryPoints: ['bundle/uppy.js'],
    outfile: 'vendor/uppy.js',
    format: 'esm',
    platform: 'browser',
    sourcemap: 'linked',
  }),
  build({ ...common, entryPoints: ['bundle/uppy.css'], outfile: 'vendor/uppy.css' }),
]);
