// Display formatting for the files table: sizes in binary units, dates in the user's locale.

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** 463 -> "463 B", 48213 -> "47.1 KiB", 104857600 -> "100 MiB". */
export function formatSize(bytes) {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = 'B';
  for (const next of UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  // One decimal below 100 ("47.1 KiB"), none above ("512 MiB"); drop a trailing ".0".
  const text = value < 100 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value).toString();
  return `${text} ${unit}`;
}

const DATE_FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** An ISO 8601 time as a local date and time; anything unparsable is shown as given. */
export function formatDate(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso ?? '') : DATE_FORMAT.format(date);
}

const PLAIN_UNITS = ['KB', 'MB', 'GB', 'TB'];

/** A size in the words people use for limits: 104857600 -> "100 MB", 5 GiB -> "5 GB", 1 -> "1 byte". */
export function plainSize(bytes) {
  if (!Number.isFinite(bytes) || bytes < 0) return '';
  if (bytes < 1024) return bytes === 1 ? '1 byte' : `${bytes} bytes`;
  let value = bytes;
  let unit = 'bytes';
  for (const next of PLAIN_UNITS) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  const text = value < 100 ? value.toFixed(1).replace(/\.0$/, '') : Math.round(value).toString();
  return `${text} ${unit}`;
}

const TYPE_NAMES = {
  'image/png': 'PNG',
  'image/jpeg': 'JPEG',
  'image/gif': 'GIF',
  'image/webp': 'WebP',
  'application/pdf': 'PDF',
  'text/plain': 'plain text',
};

/** A content type as people name it: "image/png" -> "PNG"; unknown types are shown as given. */
export function typeName(contentType) {
  const type = String(contentType ?? '').trim().toLowerCase();
  return TYPE_NAMES[type] ?? (type || 'unknown type');
}
