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
