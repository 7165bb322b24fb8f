// The sentence that tells the user, before any upload, which files Locker takes (its
// settings, from config.json's `limits`). DOM-free, so Node can test it.

import { formatSize } from './format.js';

const NAMES = {
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'image/gif': 'GIF',
  'image/webp': 'WebP',
  'application/pdf': 'PDF',
  'text/plain': 'plain text',
};

/** ['a', 'b', 'c'] -> "a, b or c". */
function orList(items) {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** "PNG, JPEG or PDF, up to 5 GiB each. Files over 100 MiB go up in parts: ..." */
export function limitsNote({ maxSize, multipartThreshold, allowedTypes }) {
  const types = orList(allowedTypes.map((type) => NAMES[type] ?? type));
  const parts =
    maxSize > multipartThreshold
      ? ` Files over ${formatSize(multipartThreshold)} go up in parts and resume where they stopped.`
      : '';
  return `${types}, up to ${formatSize(maxSize)} each.${parts}`;
}
