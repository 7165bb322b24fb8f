// Activity: what happened to my files, newest first, either across all of them (GET /activity,
// deleted files included) or for one file (GET /files/{id}/activity), with "Load more".

import { describeError, isSessionError } from './errors.js';
import { formatDate } from './format.js';
import { activitySentence } from './sharing-format.js';
import { byId, el, hideKeepingFocus, isUnavailable, setUnavailable } from './ui.js';

/**
 * @param {{sharing: ReturnType<import('./sharing-api.js').createSharingApi>, pageSize: number,
 *          say: Function, onSessionError: Function, me: () => Promise<string>,
 *          filenames: () => Map<string, string>}} deps
 *   filenames() maps the ids of files on screen to their names, for events across all files.
 */
export function initActivityView({ sharing, pageSize, say, onSessionError, me, filenames }) {
  const list = byId('activity-list');
  const empty = byId('activity-empty');
  const more = byId('activity-more');
  const all = byId('activity-all');
  const scope = byId('activity-scope');
  const heading = byId('activity-heading');
  const names = new Map(); // file id -> name, learnt from `created`/`deleted` events and the files list
  let file = null; // {id, filename} when showing one file's activity
  let cursor = null;
  let generation = 0;

  function nameOf(id) {
    return names.get(id) || filenames().get(id) || 'a file';
  }

  function item(event, myId) {
    const sentence = activitySentence(event, myId);
    return el(
      'li',
      { dataset: { testid: 'activity-item', type: event.type, fileId: event.fileId } },
      el('span', {}, file ? sentence : el('span', {}, el('strong', {}, nameOf(event.fileId)), ': ', sentence)),
      el('time', { datetime: event.at }, formatDate(event.at)),
    );
  }

  async function load(append) {
    const mine = append ? generation : ++generation;
    list.setAttribute('aria-busy', 'true');
    setUnavailable(more, true);
    try {
      const [page, myId] = await Promise.all([
        sharing.listActivity(file ? file.id : '', { cursor: append ? cursor : '', limit: pageSize }),
        me(),
      ]);
      if (mine !== generation) return;
      const items = page.items || [];
      for (const event of items) if (event.detail?.filename) names.set(event.fileId, event.detail.filename);
      if (!append) list.replaceChildren();
      list.append(...items.map((event) => item(event, myId)));
      cursor = page.nextCursor || null;
      empty.hidden = list.children.length > 0;
      if (cursor) more.hidden = false;
      else hideKeepingFocus(more, heading);
    } catch (err) {
      if (mine !== generation) return;
      if (isSessionError(err)) onSessionError(err);
      else say(describeError(err, 'Could not load the activity'), 'error');
    } finally {
      if (mine === generation) {
        list.setAttribute('aria-busy', 'false');
        setUnavailable(more, false);
      }
    }
  }

  more.addEventListener('click', () => isUnavailable(more) || load(true));
  byId('activity-refresh').addEventListener('click', () => load(false));
  all.addEventListener('click', () => {
    open(null);
    heading.focus();
  });

  /** Shows one file's activity ({id, filename}), or everything when `target` is empty. */
  function open(target) {
    file = target && target.id ? target : null;
    scope.textContent = file ? `What happened to ${file.filename}, newest first.` : 'Everything that happened to your files, newest first.';
    all.hidden = !file;
    return load(false);
  }

  return {
    open,
    clear() {
      generation++;
      file = null;
      cursor = null;
      names.clear();
      list.replaceChildren();
      empty.hidden = true;
      more.hidden = true;
    },
  };
}
