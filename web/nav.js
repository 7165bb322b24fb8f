// The section tabs once signed in: one view shown at a time, its tab marked aria-current,
// focus moved to the view's heading, and the view's data loaded as it opens.

import { byId } from './ui.js';

const TITLES = { files: 'Your files', shared: 'Shared with me', groups: 'Groups', activity: 'Activity' };

/**
 * @param {{[view: string]: {open?: (arg?: any) => void}}} views  view name -> its panel
 */
export function initNav(views) {
  const nav = byId('app-nav');
  const tabs = [...nav.querySelectorAll('button[data-view]')];
  let current = 'files';

  /** Shows `name` (files, shared, groups, activity); `arg` goes to the view's open(),
   *  which loads its data unless `load` is false. */
  function show(name, arg, { focus = true, load = true } = {}) {
    current = name;
    for (const view of Object.keys(TITLES)) byId(`${view}-view`).hidden = view !== name;
    for (const tab of tabs) {
      if (tab.dataset.view === name) tab.setAttribute('aria-current', 'page');
      else tab.removeAttribute('aria-current');
    }
    document.title = `${TITLES[name]} · Locker`;
    if (focus) byId(`${name}-heading`).focus();
    if (load) views[name]?.open?.(arg);
  }

  nav.addEventListener('click', (event) => {
    const tab = event.target.closest('button[data-view]');
    if (tab) show(tab.dataset.view);
  });

  return {
    show,
    get current() {
      return current;
    },
    /** Shows the tabs (signed in) or hides them and every view but the files one (signed out). */
    setVisible(visible) {
      nav.hidden = !visible;
      if (!visible) {
        for (const view of Object.keys(TITLES)) byId(`${view}-view`).hidden = true;
        current = 'files';
      }
    },
  };
}
