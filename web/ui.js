// Small DOM helpers shared by the views: an element builder and the message area.

/** el('button', {type: 'button', dataset: {action: 'x'}}, 'Text', child) */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'className') node.className = value;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

/**
 * The page's one live region (role="status"). Each message replaces the previous one with a
 * new node, so screen readers announce it even when the text repeats.
 * @returns {(text: string, kind?: 'info'|'success'|'error', ...extra: Node[]) => void}
 */
export function messenger(region) {
  return (text, kind = 'info', ...extra) => {
    region.dataset.kind = text ? kind : '';
    if (text) region.replaceChildren(el('p', {}, text, ...extra));
    else region.replaceChildren();
  };
}

/** Finds a required element by id; a missing one is a bug in index.html. */
export function byId(id) {
  const node = document.getElementById(id);
  if (!node) throw new Error(`index.html has no #${id}`);
  return node;
}

/**
 * Marks a button unavailable without the `disabled` attribute: disabling the focused button
 * would drop keyboard focus to <body>. Click handlers check isUnavailable() instead.
 */
export function setUnavailable(button, unavailable) {
  if (unavailable) button.setAttribute('aria-disabled', 'true');
  else button.removeAttribute('aria-disabled');
}

export const isUnavailable = (button) => button.getAttribute('aria-disabled') === 'true';

/** Hides an element; if it held the focus, hands the focus to `next` first. */
export function hideKeepingFocus(node, next) {
  if (node.contains(document.activeElement)) next.focus();
  node.hidden = true;
}

/**
 * Follows a presigned download URL. It answers Content-Disposition: attachment, so the browser
 * saves the file and this page (and the in-memory session) stays where it is.
 */
export function followDownload(url) {
  const anchor = el('a', { href: url, rel: 'noopener noreferrer', hidden: true });
  document.body.append(anchor); // some browsers ignore clicks on detached links
  anchor.click();
  anchor.remove();
}
