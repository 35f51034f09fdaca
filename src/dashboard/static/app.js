// The page: a hash router over the panels the server lists (/api/panels), JSON from /api/<panel>/<id>, and one
// WebSocket for live updates that re-subscribes after a reconnect.
(() => {
  window.TG4 ??= { charts: {}, views: {} };
  const TG4 = window.TG4;
  const { esc } = TG4;
  const main = document.getElementById('main');
  const conn = document.getElementById('conn');

  TG4.api = async (path) => {
    const res = await fetch(`/api/${path}`, { headers: { accept: 'application/json' } });
    const body = await res.json().catch(() => ({ error: { message: `HTTP ${res.status}` } }));
    if (!res.ok) throw new Error(body.error?.message ?? `HTTP ${res.status}`);
    return body;
  };

  // One socket; subscriptions survive reconnects.
  const handlers = new Map();
  let ws = null;
  let retry = 500;
  const key = (source, id) => `${source}:${id}`;
  function connect() {
    ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    ws.onopen = () => {
      retry = 500;
      conn.textContent = '● live';
      conn.classList.add('on');
      for (const k of handlers.keys()) {
        const [source, ...id] = k.split(':');
        ws.send(JSON.stringify({ op: 'subscribe', source, id: id.join(':') }));
      }
    };
    ws.onmessage = (ev) => {
      const msg = JSON.parse(ev.data);
      if (msg.type === 'error') console.warn('dashboard:', msg.message);
      handlers.get(key(msg.source, msg.id))?.(msg);
    };
    ws.onclose = () => {
      conn.textContent = '○ offline';
      conn.classList.remove('on');
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  }
  TG4.subscribe = (source, id, onMessage) => {
    handlers.set(key(source, id), onMessage);
    if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ op: 'subscribe', source, id }));
    return () => {
      handlers.delete(key(source, id));
      if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ op: 'unsubscribe', source, id }));
    };
  };

  let cleanup = null;
  async function route() {
    cleanup?.();
    cleanup = null;
    for (const k of Object.keys(TG4.charts)) delete TG4.charts[k];
    const hash = decodeURIComponent(location.hash.replace(/^#\/?/, ''));
    const [view, ...rest] = hash.split('/');
    const id = rest.join('/');
    for (const a of document.querySelectorAll('#nav a'))
      a.classList.toggle('active', a.dataset.view === (view || 'runs'));
    main.dataset.ready = 'false';
    try {
      if (view === 'run' && id) cleanup = await TG4.views.runs.showRun(main, id);
      else if (view === 'backtest' && id) TG4.views.backtests.renderBacktest(main, await TG4.api(`backtests/${id}`));
      else if (view === 'backtests')
        main.innerHTML = `<h1>Backtests</h1>${TG4.views.backtests.backtestsList(await TG4.api('backtests'))}`;
      else if (view && TG4.views[view]?.show) cleanup = await TG4.views[view].show(main, id);
      else {
        const [runs, backtests] = await Promise.all([TG4.api('runs'), TG4.api('backtests')]);
        main.innerHTML =
          `<h1>Training runs</h1>${TG4.views.runs.runsList(runs)}` +
          `<h1>Backtests</h1>${TG4.views.backtests.backtestsList(backtests)}`;
      }
    } catch (e) {
      main.innerHTML = `<div class="warn" id="error">${esc(e.message)}</div>`;
    }
    main.dataset.ready = 'true';
  }

  async function start() {
    const panels = await TG4.api('panels').catch(() => []);
    const names = { runs: 'Runs', backtests: 'Backtests' };
    document.getElementById('nav').innerHTML = panels
      .filter((p) => names[p.name] || TG4.views[p.name]?.title)
      .map((p) => `<a href="#/${p.name}" data-view="${p.name}">${esc(names[p.name] ?? TG4.views[p.name].title)}</a>`)
      .join('');
    connect();
    window.addEventListener('hashchange', route);
    await route();
  }
  start();
})();
