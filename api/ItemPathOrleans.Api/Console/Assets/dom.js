// Small helpers for building the pages: elements from data (text is always text, never parsed as
// HTML), labelled form fields with their error messages, announcements for screen readers, and
// the confirmation dialog every destructive action goes through.

/** An element: h('button', { type: 'button', onclick }, 'Save'). Children are nodes or text. */
export function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
    else if (name === 'class') element.className = value;
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

let ids = 0;
export const uniqueId = (prefix) => `${prefix}-${++ids}`;

/** Says text to screen readers through the page's status region. */
export function announce(text) {
  const region = document.getElementById('status');
  region.textContent = '';
  // A change after a tick, so the same message twice is read twice.
  setTimeout(() => { region.textContent = text; }, 30);
}

/**
 * A labelled input, select, checkbox or textarea (type 'textarea') with a hint and an error slot
 * tied to it by aria-describedby: { label, name, type, value, options: [[value, text]], required,
 * autocomplete, inputmode, hint }.
 */
export function field(spec) {
  const id = uniqueId(`f-${spec.name}`);
  const errorId = `${id}-error`;
  const hintId = spec.hint ? `${id}-hint` : null;
  const described = [hintId, errorId].filter(Boolean).join(' ');
  let input;
  if (spec.options) {
    input = h('select', { id, name: spec.name, 'aria-describedby': described },
      spec.options.map(([value, text]) => h('option', { value, selected: String(spec.value ?? '') === String(value) }, text)));
  } else if (spec.type === 'textarea') {
    input = h('textarea', { id, name: spec.name, rows: spec.rows ?? 6, 'aria-describedby': described, spellcheck: 'false', autocomplete: 'off' });
    input.value = spec.value ?? '';
  } else if (spec.type === 'checkbox') {
    input = h('input', { id, name: spec.name, type: 'checkbox', checked: Boolean(spec.value), 'aria-describedby': described });
  } else {
    input = h('input', {
      id, name: spec.name, type: spec.type ?? 'text', value: spec.value ?? '', required: spec.required,
      autocomplete: spec.autocomplete ?? 'off', 'aria-describedby': described, spellcheck: 'false', inputmode: spec.inputmode,
    });
  }
  const error = h('p', { id: errorId, class: 'field-error', hidden: true });
  const label = h('label', { for: id }, spec.label, spec.required ? h('span', { class: 'required' }, ' (required)') : null);
  const wrapper = spec.type === 'checkbox'
    ? h('div', { class: 'field checkbox' }, input, label, hintId ? h('p', { id: hintId, class: 'hint' }, spec.hint) : null, error)
    : h('div', { class: 'field' }, label, hintId ? h('p', { id: hintId, class: 'hint' }, spec.hint) : null, input, error);
  return { wrapper, input, name: spec.name, error };
}

/** A form of fields with a submit button and a form-wide error that is announced when shown. */
export function form({ label, fields, submit, onsubmit, danger }) {
  const alert = h('div', { class: 'form-error', role: 'alert', hidden: true });
  const button = h('button', { type: 'submit', class: danger ? 'danger' : 'primary' }, submit);
  const element = h('form', { 'aria-label': label, novalidate: true }, alert, fields.map((f) => f.wrapper), h('div', { class: 'actions' }, button));
  const byName = Object.fromEntries(fields.map((f) => [f.name, f]));
  const clear = () => {
    alert.hidden = true;
    alert.textContent = '';
    for (const f of fields) { f.error.hidden = true; f.error.textContent = ''; f.input.removeAttribute('aria-invalid'); }
  };
  const result = {
    element, fields: byName, button,
    values() {
      return Object.fromEntries(fields.map((f) => [f.name, f.input.type === 'checkbox' ? f.input.checked : f.input.value]));
    },
    clear,
    /** Shows message at the field it names (focused), or for the whole form. */
    error(message, name) {
      clear();
      const target = name ? byName[name] : null;
      if (target) {
        target.error.textContent = message;
        target.error.hidden = false;
        target.input.setAttribute('aria-invalid', 'true');
        target.input.focus();
        announce(message);
      } else {
        alert.textContent = message;
        alert.hidden = false;
      }
    },
  };
  element.addEventListener('submit', async (event) => {
    event.preventDefault();
    clear();
    button.disabled = true;
    try { await onsubmit(result); } finally { button.disabled = false; }
  });
  return result;
}

/** Asks before a destructive action; resolves true when confirmed. Focus returns where it was. */
export function confirmAction({ title, message, action }) {
  return new Promise((resolve) => {
    const titleId = uniqueId('confirm-title');
    const back = document.activeElement;
    const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    const go = h('button', { type: 'button', class: 'danger' }, action);
    const dialog = h('dialog', { class: 'confirm', 'aria-labelledby': titleId },
      h('h2', { id: titleId }, title), h('p', null, message), h('div', { class: 'actions' }, cancel, go));
    const close = (answer) => {
      dialog.close();
      dialog.remove();
      if (back instanceof HTMLElement && back.isConnected) back.focus();
      resolve(answer);
    };
    cancel.addEventListener('click', () => close(false));
    go.addEventListener('click', () => close(true));
    dialog.addEventListener('cancel', (event) => { event.preventDefault(); close(false); });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}

/** A date as the reader's locale shows it, or a dash. */
export function when(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/**
 * A table with a caption, column headers and one row per item, in a region that scrolls sideways
 * on a narrow screen (focusable, so a keyboard can scroll it too) instead of widening the page.
 */
export function table({ caption, columns, rows, empty }) {
  if (rows.length === 0) return h('p', { class: 'empty' }, empty);
  return h('div', { class: 'table-scroll', role: 'region', 'aria-label': caption, tabindex: '0' },
    h('table', null,
      h('caption', null, caption),
      h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', null, rows.map((cells) => h('tr', null, cells.map((cell, i) => (i === 0 ? h('th', { scope: 'row' }, cell) : h('td', null, cell))))))));
}
