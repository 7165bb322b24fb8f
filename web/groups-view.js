// The Groups page: create a group (its creator manages it), list the groups I manage or belong
// to, and for a group I manage its members (add by username, remove) or delete it (after a
// confirmation); leave one I only belong to.

import { describeError, isSessionError } from './errors.js';
import { formatDate } from './format.js';
import { groupName } from './sharing-format.js';
import { byId, el, isUnavailable, setUnavailable } from './ui.js';

/**
 * @param {{sharing: ReturnType<import('./sharing-api.js').createSharingApi>, say: Function,
 *          onSessionError: Function, me: () => Promise<string>}} deps
 *   me() resolves to the signed-in user's id (their token's sub), which "leave" names.
 */
export function initGroupsView({ sharing, say, onSessionError, me }) {
  const rows = byId('group-rows');
  const table = byId('groups-table');
  const empty = byId('groups-empty');
  const heading = byId('groups-heading');
  const form = byId('group-form');
  const nameInput = byId('group-name');
  const panel = byId('members-panel');
  const memberList = byId('member-list');
  const memberUser = byId('member-user');
  const groups = new Map();
  let shown = ''; // the group whose members the panel lists
  let generation = 0;

  function fail(err, context) {
    if (isSessionError(err)) onSessionError(err);
    else say(describeError(err, context), 'error');
  }

  /** A row's button: visible `label`, and `spoken` (naming the group) for screen readers. */
  function button(action, label, spoken, className = '') {
    return el('button', { type: 'button', className, dataset: { action, testid: `group-${action}` }, 'aria-label': spoken }, label);
  }

  function row(group) {
    const actions = el('div', { className: 'actions' });
    if (group.role === 'manager') {
      actions.append(
        button('members', 'Members', `Members of ${group.name}`),
        button('delete', 'Delete', `Delete ${group.name}`, 'danger'),
      );
    } else actions.append(button('leave', 'Leave', `Leave ${group.name}`, 'danger'));
    return el(
      'tr',
      { dataset: { testid: 'group-row', group: group.name, role: group.role } },
      el('th', { scope: 'row', className: 'name' }, group.name),
      el('td', {}, group.role),
      el('td', { className: 'num' }, String(group.memberCount)),
      el('td', {}, el('time', { datetime: group.createdAt }, formatDate(group.createdAt))),
      el('td', {}, actions),
    );
  }

  async function reload() {
    const mine = ++generation;
    table.setAttribute('aria-busy', 'true');
    try {
      const { items } = await sharing.listGroups();
      if (mine !== generation) return;
      groups.clear();
      rows.replaceChildren(...items.map((group) => (groups.set(group.name, group), row(group))));
      empty.hidden = items.length > 0;
      if (shown && groups.get(shown)?.role !== 'manager') closeMembers();
    } catch (err) {
      if (mine === generation) fail(err, 'Could not load your groups');
    } finally {
      if (mine === generation) table.setAttribute('aria-busy', 'false');
    }
  }

  function memberItem(member, myId) {
    const item = el(
      'li',
      { dataset: { testid: 'member-item', memberId: member.id, name: member.name } },
      el('span', {}, el('strong', {}, member.name), ' ', el('span', { className: 'detail' }, `added ${formatDate(member.addedAt)}`)),
    );
    if (member.id === myId) item.append(el('span', { className: 'detail' }, 'you, the manager'));
    else {
      const remove = el(
        'button',
        { type: 'button', className: 'danger', dataset: { testid: 'member-remove' }, 'aria-label': `Remove ${member.name} from ${shown}` },
        'Remove',
      );
      remove.addEventListener('click', () => removeMember(member, remove));
      item.append(remove);
    }
    return item;
  }

  async function listMembers() {
    const group = shown;
    try {
      const [{ items }, myId] = await Promise.all([sharing.listMembers(group), me()]);
      if (group === shown) memberList.replaceChildren(...items.map((member) => memberItem(member, myId)));
    } catch (err) {
      fail(err, `Could not list the members of ${group}`);
    }
  }

  function openMembers(group) {
    shown = group.name;
    byId('members-group').textContent = group.name;
    memberList.replaceChildren();
    panel.hidden = false;
    byId('members-heading').focus();
    return listMembers();
  }

  function closeMembers() {
    shown = '';
    memberList.replaceChildren();
    panel.hidden = true;
  }

  async function act(target, work) {
    if (isUnavailable(target)) return;
    setUnavailable(target, true);
    try {
      await work();
    } finally {
      setUnavailable(target, false);
    }
  }

  async function removeMember(member, target) {
    await act(target, async () => {
      try {
        await sharing.removeMember(shown, member.id);
        say(`${member.name} is no longer in ${shown}.`, 'success');
      } catch (err) {
        fail(err, `Could not remove ${member.name}`);
      }
      await Promise.all([listMembers(), reload()]);
      memberUser.focus();
    });
  }

  async function leaveOrDelete(group, action, target) {
    await act(target, async () => {
      try {
        if (action === 'delete') await sharing.deleteGroup(group.name);
        else await sharing.removeMember(group.name, await me());
        say(action === 'delete' ? `Deleted the group ${group.name}.` : `You left ${group.name}.`, 'success');
        if (shown === group.name) closeMembers();
      } catch (err) {
        fail(err, `Could not ${action} ${group.name}`);
      }
      await reload();
      heading.focus(); // the row that held the focus is gone
    });
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    act(byId('group-create'), async () => {
      let name;
      try {
        name = groupName(nameInput.value);
      } catch (err) {
        say(err.message, 'error');
        nameInput.focus();
        return;
      }
      try {
        await sharing.createGroup(name);
        nameInput.value = '';
        say(`Created the group ${name}. Add its members from its row.`, 'success');
      } catch (err) {
        fail(err, `Could not create ${name}`);
      }
      await reload();
    });
  });

  byId('member-form').addEventListener('submit', (event) => {
    event.preventDefault();
    act(byId('member-add'), async () => {
      const user = memberUser.value.trim();
      try {
        const { member } = await sharing.addMember(shown, user);
        memberUser.value = '';
        say(`${member.name} is a member of ${shown}.`, 'success');
      } catch (err) {
        fail(err, `Could not add ${user}`);
      }
      await Promise.all([listMembers(), reload()]);
      memberUser.focus();
    });
  });

  byId('members-close').addEventListener('click', () => {
    closeMembers();
    heading.focus();
  });

  const confirm = byId('confirm-group');
  let toDelete = null; // {group, target} the confirmation is asking about

  rows.addEventListener('click', (event) => {
    const target = event.target.closest('button[data-action]');
    const group = target && groups.get(target.closest('tr').dataset.group);
    if (!group || isUnavailable(target)) return;
    if (target.dataset.action === 'members') openMembers(group);
    else if (target.dataset.action === 'leave') leaveOrDelete(group, 'leave', target);
    else {
      toDelete = { group, target };
      byId('confirm-group-name').textContent = group.name;
      confirm.returnValue = '';
      confirm.showModal(); // focus starts on "Keep it"; Escape cancels
    }
  });
  confirm.addEventListener('close', () => {
    const asked = toDelete;
    toDelete = null;
    if (asked && confirm.returnValue === 'delete') leaveOrDelete(asked.group, 'delete', asked.target);
  });

  return {
    open: reload,
    clear() {
      generation++;
      groups.clear();
      rows.replaceChildren();
      empty.hidden = true;
      closeMembers();
      if (confirm.open) confirm.close();
      nameInput.value = '';
    },
  };
}
