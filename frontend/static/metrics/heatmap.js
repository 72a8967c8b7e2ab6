// The heatmap on the diagram: the deployed BPMN drawn by bpmn-js's viewer, each element
// tinted by its mean duration and labelled with how often it ran and how long it took.

const container = document.getElementById('heatmap');
const stats = JSON.parse(document.getElementById('heatmap-stats').textContent);

async function draw() {
  const viewer = new BpmnJS({ container });
  const xml = await (await fetch(container.dataset.xmlUrl, { credentials: 'same-origin' })).text();
  await viewer.importXML(xml);
  const canvas = viewer.get('canvas');
  const overlays = viewer.get('overlays');
  const registry = viewer.get('elementRegistry');
  canvas.zoom('fit-viewport', 'auto');
  for (const [id, stat] of Object.entries(stats)) {
    const element = registry.get(id);
    if (!element || element.waypoints) continue;
    overlays.add(element, 'heat', {
      position: { top: 0, left: 0 },
      html: `<div class="heat-tint" style="width:${element.width}px;height:${element.height}px;background:${stat.color}"></div>`,
    });
    overlays.add(element, 'heat', {
      position: { top: -18, left: 0 },
      html: `<div class="heat-badge" title="${stat.title}">${stat.label}</div>`,
    });
  }
  container.dataset.drawn = 'true';
}

draw().catch((error) => { container.textContent = `The diagram cannot be drawn: ${error.message}`; });
