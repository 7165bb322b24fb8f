// The sentence that tells the user, before any upload, which files Locker takes (its
// settings, from config.json's `limits`), in the words errors.js uses. DOM-free, so Node can test it.

import { plainSize, typeName } from './format.js';

/** ['a', 'b', 'c'] -> "a, b or c". */
function orList(items) {
  return items.length < 2 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

/** "PNG, JPEG or PDF, up to 5 GB each. Files over 100 MB go up in parts: ..." */
export function limitsNote({ maxSize, multipartThreshold, allowedTypes }) {
  const types = orList(allowedTypes.map(typeName));
  const parts =
    maxSize > multipartThreshold
      ? ` Files over ${plainSize(multipartThreshold)} go up in parts and resume where they stopped.`
      : '';
  return `${types}, up to ${plainSize(maxSize)} each.${parts}`;
}
