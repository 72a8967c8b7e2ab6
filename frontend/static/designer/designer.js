// The designer page: the bpmn-js modeler, the server-rendered properties panel, drafts saved
// on the server (explicitly, automatically, and when the tab closes), problems on the shapes,
// and deployment. The server checks every property; this file only applies what it accepts,
// through bpmn-js's command stack so that undo and redo work.

const script = document.querySelector('script[data-panel-url]');
const urls = script.dataset;
const csrfToken = urls.csrfToken;
const config = JSON.parse(document.getElementById('designer-config').textContent);
const draft = config.draft;
const backupKey = `baton-draft-${draft.id}`;

const modeler = new BpmnJS({
  container: '#canvas',
  moddleExtensions: { baton: JSON.parse(document.getElementById('baton-moddle').textContent) },
});
// Reachable from the console and from browser tests, as in bpmn.io's own demos.
window.bpmnModeler = modeler;
const canvas = modeler.get('canvas');
const commandStack = modeler.get('commandStack');
const elementRegistry = modeler.get('elementRegistry');
const modeling = modeler.get('modeling');
const moddle = modeler.get('moddle');
const overlays = modeler.get('overlays');
const selection = modeler.get('selection');

const panel = document.getElementById('panel');
const statusLine = document.getElementById('save-status');

let dirty = false;
let latestXml = draft.xml;
let saveTimer = null;
let saving = null;
let problems = draft.problems;
let selectedId = null;
let applyingEdits = false;

// ---------------------------------------------------------------- server calls

async function post(url, body, method = 'POST', keepalive = false) {
  const response = await fetch(url, {
    method,
    keepalive,
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRFToken': csrfToken },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let data = text;
  try { data = JSON.parse(text); } catch (error) { /* an HTML panel */ }
  if (!response.ok) {
    throw Object.assign(new Error(errorMessage(data, response.status)), { data, status: response.status });
  }
  return data;
}

function errorMessage(data, status) {
  if (data && data.error && data.error.message) return data.error.message;
  if (data && data.detail) return data.detail;
  return `The server answered ${status}.`;
}

async function currentXml() {
  const { xml } = await modeler.saveXML({ format: true });
  latestXml = xml;
  return xml;
}

// ---------------------------------------------------------------- saving

function setStatus(text, state = '') {
  statusLine.textContent = text;
  statusLine.dataset.state = state;
}

async function save() {
  clearTimeout(saveTimer);
  if (saving) await saving;
  const xml = await currentXml();
  const wasDirty = dirty;
  dirty = false;
  setStatus('Saving…', 'saving');
  saving = post(urls.draftUrl, { xml }, 'PATCH')
    .then((saved) => {
      localStorage.removeItem(backupKey);
      showProblems(saved.problems);
      setStatus(`Saved ${new Date().toLocaleTimeString()}`, 'saved');
      return saved;
    })
    .catch((error) => {
      dirty = dirty || wasDirty;
      setStatus(`Not saved: ${error.message}`, 'error');
      throw error;
    })
    .finally(() => { saving = null; });
  return saving;
}

function changed() {
  dirty = true;
  document.getElementById('deploy-result').hidden = true;
  setStatus('Unsaved changes', 'dirty');
  clearTimeout(saveTimer);
  saveTimer = setTimeout(() => save().catch(() => {}), 2000);
  currentXml().then((xml) => {
    localStorage.setItem(backupKey, JSON.stringify({ xml, at: new Date().toISOString() }));
  });
}

// A closing tab cannot wait for an answer: send the last XML with keepalive, and keep a copy
// in this browser in case even that does not reach the server.
function saveOnLeave() {
  if (!dirty) return;
  post(urls.draftUrl, { xml: latestXml }, 'PATCH', true).catch(() => {});
  dirty = false;
}

window.addEventListener('pagehide', saveOnLeave);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') saveOnLeave();
});

// ---------------------------------------------------------------- problems

function showProblems(list) {
  problems = list || [];
  overlays.remove({ type: 'baton-problem' });
  elementRegistry.forEach((element) => {
    canvas.removeMarker(element, 'baton-error');
    canvas.removeMarker(element, 'baton-warning');
  });
  const items = document.getElementById('problems');
  items.replaceChildren();
  for (const problem of problems) {
    const element = problem.element_id && elementRegistry.get(problem.element_id);
    if (element) {
      canvas.addMarker(element, `baton-${problem.severity}`);
      overlays.add(element, 'baton-problem', {
        position: { top: -10, right: 10 },
        html: `<span class="problem-badge problem-badge-${problem.severity}" title="${escapeHtml(problem.message)}">!</span>`,
      });
    }
    items.append(problemItem(problem, element));
  }
  const errors = problems.filter((p) => p.severity === 'error').length;
  document.getElementById('problem-count').textContent =
    problems.length ? `${errors} error(s), ${problems.length - errors} warning(s)` : 'none';
}

function problemItem(problem, element) {
  const item = document.createElement('li');
  item.className = `problem problem-${problem.severity}`;
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'problem-link';
  button.textContent = `${problem.severity === 'error' ? 'Error' : 'Warning'}${problem.element_id ? ` at ${problem.element_id}` : ''}: ${problem.message}`;
  button.disabled = !element;
  button.addEventListener('click', () => {
    selection.select(element);
    canvas.scrollToElement(element);
  });
  item.append(button);
  return item;
}

function escapeHtml(text) {
  const span = document.createElement('span');
  span.textContent = text;
  return span.innerHTML.replaceAll('"', '&quot;');
}

// ---------------------------------------------------------------- the properties panel

function selectedElement() {
  return (selectedId && elementRegistry.get(selectedId)) || canvas.getRootElement();
}

let panelRequest = 0;
let panelWork = 0;

// The panel is marked while it waits for the server, so scripts and tests can wait too.
async function busy(work) {
  panelWork += 1;
  panel.dataset.busy = 'true';
  try {
    return await work;
  } finally {
    panelWork -= 1;
    if (panelWork === 0) {
      delete panel.dataset.busy;
    }
  }
}

// Answers may arrive out of order when the selection changes quickly: show the last one only.
function loadPanel() {
  return busy(fetchPanel());
}

async function fetchPanel() {
  const request = ++panelRequest;
  const element = selectedElement();
  const xml = await currentXml();
  let html;
  try {
    html = await post(urls.panelUrl, { xml, element_id: element.businessObject.id });
  } catch (error) {
    html = null;
    if (request === panelRequest) panel.textContent = `The properties cannot be shown: ${error.message}`;
  }
  if (html !== null && request === panelRequest) panel.innerHTML = html;
}

function fieldValue(container) {
  if (container.dataset.widget === 'list') {
    return [...container.querySelectorAll('.panel-list > .panel-row')].map((row) => {
      const item = {};
      for (const input of row.querySelectorAll('[data-column]')) {
        item[input.dataset.column] = input.type === 'checkbox' ? input.checked : input.value;
      }
      return item;
    });
  }
  const input = container.querySelector('[name]');
  return input.type === 'checkbox' ? input.checked : input.value;
}

function showFieldResult(container, result) {
  const error = container.querySelector('.panel-error');
  error.textContent = result.error || '';
  for (const input of container.querySelectorAll('input, select, textarea')) {
    input.toggleAttribute('aria-invalid', Boolean(result.error));
    if (result.error) input.setAttribute('aria-invalid', 'true');
  }
  container.querySelector('.panel-reading').textContent = result.reading || '';
  if (result.error) return;
  if (container.dataset.widget === 'list') {
    showRows(container, result.value);
    return;
  }
  const input = container.querySelector('[name]');
  if (input.type !== 'checkbox' && typeof result.value === 'string') input.value = result.value;
}

function showRows(container, rows) {
  const rowElements = container.querySelectorAll('.panel-list > .panel-row');
  rows.forEach((row, index) => {
    for (const input of rowElements[index].querySelectorAll('[data-column]')) {
      const value = row[input.dataset.column];
      if (input.type === 'checkbox') input.checked = Boolean(value);
      else if (document.activeElement !== input) input.value = value ?? '';
    }
  });
}

async function sendField(container) {
  const element = selectedElement();
  const xml = await currentXml();
  const result = await post(urls.changeUrl, {
    xml, element_id: element.businessObject.id, field: container.dataset.field, value: fieldValue(container),
  });
  showFieldResult(container, result);
  if (result.error) return;
  await applyEdits(element, result.edits);
  if (result.reload) await loadPanel();
}

panel.addEventListener('change', (event) => {
  const container = event.target.closest('.panel-field');
  if (container) busy(sendField(container)).catch((error) => setStatus(error.message, 'error'));
});

panel.addEventListener('click', (event) => {
  const button = event.target.closest('button');
  const container = button && button.closest('.panel-field');
  if (!container) return;
  const list = container.querySelector('.panel-list');
  const row = button.closest('.panel-row');
  if (button.hasAttribute('data-list-add')) {
    list.append(container.querySelector('.panel-row-template').content.cloneNode(true));
    list.lastElementChild.querySelector('input').focus();
    return; // sent once the new row has values
  }
  if (button.hasAttribute('data-list-remove')) row.remove();
  else if (button.hasAttribute('data-list-up') && row.previousElementSibling) row.after(row.previousElementSibling);
  else if (button.hasAttribute('data-list-down') && row.nextElementSibling) row.before(row.nextElementSibling);
  else return;
  busy(sendField(container)).catch((error) => setStatus(error.message, 'error'));
});

// ---------------------------------------------------------------- applying the server's edits

// All edits of one change run as one command, so one undo reverts the whole change.
class ApplyEditsHandler {
  preExecute({ element, edits }) {
    const created = {};
    for (const edit of edits) {
      if (edit.op === 'addRoot') {
        const root = resolve(edit.element, created);
        const definitions = modeler.getDefinitions();
        root.$parent = definitions;
        created[root.id] = root;
        modeling.updateModdleProperties(element, definitions, {
          rootElements: [...definitions.get('rootElements'), root],
        });
      } else if (edit.op === 'update') {
        update(element, edit.target, resolve(edit.properties, created));
      }
    }
  }

  execute() { return []; }

  revert() { return []; }
}

commandStack.registerHandler('baton.applyEdits', ApplyEditsHandler);

function update(element, target, properties) {
  const bo = element.businessObject;
  if (target === 'element') {
    modeling.updateProperties(element, properties);
  } else if (target === 'process') {
    if (bo.$instanceOf('bpmn:Participant')) modeling.updateModdleProperties(element, bo.processRef, properties);
    else modeling.updateProperties(element, properties);
  } else if (target === 'eventDefinition') {
    modeling.updateModdleProperties(element, bo.eventDefinitions[0], properties);
  } else if (target === 'loopCharacteristics') {
    modeling.updateModdleProperties(element, bo.loopCharacteristics, properties);
  } else if (target === 'definitions') {
    modeling.updateModdleProperties(element, modeler.getDefinitions(), properties);
  } else if (target && target.id) {
    // Another shape (a flow losing its condition), or a root element (a message's name).
    const shape = elementRegistry.get(target.id);
    if (shape) modeling.updateProperties(shape, properties);
    else modeling.updateModdleProperties(element, findById(target.id), properties);
  }
}

function resolve(value, created) {
  if (value === null) return undefined;
  if (Array.isArray(value)) return value.map((item) => resolve(item, created));
  if (typeof value !== 'object') return value;
  if (value.$parsed) return value.$parsed;
  if (value.$ref) return created[value.$ref] || findById(value.$ref);
  const properties = {};
  for (const [key, item] of Object.entries(value)) {
    if (key !== '$create') properties[key] = resolve(item, created);
  }
  return value.$create ? moddle.create(value.$create, properties) : properties;
}

function findById(id) {
  const shape = elementRegistry.get(id);
  if (shape) return shape.businessObject;
  return modeler.getDefinitions().get('rootElements').find((root) => root.id === id);
}

// Extension elements come as XML fragments, parsed before the (synchronous) command runs.
async function parseFragments(value) {
  if (!value || typeof value !== 'object') return;
  for (const item of Object.values(value)) {
    if (item && typeof item === 'object' && item.$xml) {
      item.$parsed = (await moddle.fromXML(item.$xml, item.$type)).rootElement;
    } else {
      await parseFragments(item);
    }
  }
}

async function applyEdits(element, edits) {
  if (!edits.length) return;
  await parseFragments(edits);
  applyingEdits = true;
  try {
    commandStack.execute('baton.applyEdits', { element, edits });
  } finally {
    applyingEdits = false;
  }
}

// ---------------------------------------------------------------- deploying and downloading

async function deploy() {
  const result = document.getElementById('deploy-result');
  result.hidden = false;
  result.className = 'deploy-result';
  result.textContent = 'Saving and deploying…';
  try {
    await save();
    const deployed = await post(urls.deployUrl, {});
    result.classList.add('deploy-ok');
    result.replaceChildren(document.createTextNode(deployed.created ? 'Deployed: ' : 'Unchanged since the last deployment: '));
    for (const definition of deployed.definitions) {
      const link = document.createElement('a');
      link.href = urls.definitionUrl.replace('KEY', encodeURIComponent(definition.key)).replace('/v1/', `/v${definition.version}/`);
      link.textContent = `${definition.name || definition.key} v${definition.version}`;
      result.append(link, ' ');
    }
  } catch (error) {
    result.classList.add('deploy-refused');
    result.textContent = `Not deployed: ${error.message}`;
  }
}

// Show the whole diagram, clear of the palette in the canvas's top left corner.
function fit() {
  const palette = document.querySelector('.djs-palette');
  const margin = 20;
  const left = palette ? palette.offsetLeft + palette.offsetWidth + margin : margin;
  const { inner, outer } = canvas.viewbox();
  if (!inner.width || !inner.height) return;
  const scale = Math.min(1, (outer.width - left - margin) / inner.width, (outer.height - 2 * margin) / inner.height);
  canvas.viewbox({
    x: inner.x - left / scale,
    y: inner.y - margin / scale,
    width: outer.width / scale,
    height: outer.height / scale,
  });
}

function download(name, type, text) {
  const link = document.createElement('a');
  link.href = URL.createObjectURL(new Blob([text], { type }));
  link.download = name;
  link.click();
  URL.revokeObjectURL(link.href);
}

function fileName(extension) {
  return `${draft.name.replace(/[^\w.-]+/g, '_') || 'process'}.${extension}`;
}

document.getElementById('fit').addEventListener('click', fit);
document.getElementById('save').addEventListener('click', () => save().catch(() => {}));
document.getElementById('download-bpmn').addEventListener('click', async () => {
  download(fileName('bpmn'), 'application/xml', await currentXml());
});
document.getElementById('download-svg').addEventListener('click', async () => {
  const { svg } = await modeler.saveSVG();
  download(fileName('svg'), 'image/svg+xml', svg);
});
document.getElementById('deploy')?.addEventListener('click', deploy);

// ---------------------------------------------------------------- start

// Listen only once the diagram is in: importing fires events of its own.
function listen() {
  modeler.on('selection.changed', ({ newSelection }) => {
    selectedId = newSelection.length === 1 ? newSelection[0].id : null;
    loadPanel();
  });
  let panelTimer = null;
  modeler.on('commandStack.changed', () => {
    changed();
    // Canvas edits, undo and redo change what the panel shows; the panel's own edits do not.
    // Someone typing in the panel is never interrupted by a refresh.
    if (!applyingEdits) {
      clearTimeout(panelTimer);
      panelTimer = setTimeout(() => {
        if (!panel.contains(document.activeElement)) loadPanel();
      }, 300);
    }
  });
}

async function open() {
  let xml = draft.xml;
  const backup = JSON.parse(localStorage.getItem(backupKey) || 'null');
  const restored = backup && Date.parse(backup.at) > Date.parse(draft.updated) && backup.xml !== draft.xml;
  if (restored) xml = backup.xml;
  await modeler.importXML(xml);
  fit();
  latestXml = xml;
  showProblems(problems);
  listen();
  await loadPanel();
  if (restored) {
    setStatus('Restored unsaved changes kept by this browser', 'dirty');
    await save().catch(() => {});
  }
  document.getElementById('designer').dataset.ready = 'true';
}

open().catch((error) => {
  setStatus(`The diagram cannot be shown: ${error.message}`, 'error');
});
