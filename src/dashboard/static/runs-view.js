// The runs panel: the list of training runs and one run's learning curves (uPlot), which grow while the run trains
// (points pushed over ws by src/dashboard/sources/runs.ts). Each chart's data stays readable as TG4.charts[key].data.
(() => {
  window.TG4 ??= { charts: {}, views: {} };
  const TG4 = window.TG4;
  const { esc, format } = TG4;
  const COLORS = ['#2962ff', '#ff6d00', '#2e7d32', '#c62828', '#6a1b9a', '#00838f', '#8d6e63'];

  /** Schedules, not measurements: listed in the latest values, not drawn. */
  const SCHEDULES = new Set(['learningRate', 'clipRange', 'epsilon']);
  const TITLES = {
    policy: 'Policy loss',
    value: 'Value loss',
    entropy: 'Policy entropy',
    approxKl: 'Approximate KL',
    clipFraction: 'Clip fraction',
    td: 'TD loss',
  };

  /** The curves of a run: chart key → title and series (name, value of one metrics.jsonl point); one chart per loss. */
  function curveSpecs(points) {
    const lossKeys = [];
    for (const p of points)
      for (const k of Object.keys(p.losses ?? {})) if (!SCHEDULES.has(k) && !lossKeys.includes(k)) lossKeys.push(k);
    return [
      {
        key: 'return',
        title: 'Episode return',
        series: [
          ['training (mean of last 100 episodes)', (p) => p.meanReturn],
          ['deterministic evaluation', (p) => p.eval?.mean],
        ],
      },
      ...lossKeys.map((k) => ({ key: k, title: TITLES[k] ?? k, series: [[k, (p) => p.losses?.[k]]] })),
      { key: 'sps', title: 'Env steps per second', series: [['steps/s', (p) => p.stepsPerS]] },
    ];
  }

  const num = (v) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

  class CurveChart {
    constructor(el, spec) {
      this.spec = spec;
      this.data = [[], ...spec.series.map(() => [])];
      this.el = el;
      this.plot = null;
    }
    append(points) {
      for (const p of points) {
        if (typeof p.steps !== 'number') continue;
        this.data[0].push(p.steps);
        this.spec.series.forEach(([, get], i) => this.data[i + 1].push(num(get(p))));
      }
    }
    /** Whether any series holds a number (DQN records no entropy or KL). */
    hasValues() {
      return this.data.slice(1).some((s) => s.some((v) => v !== null));
    }
    draw() {
      if (!this.hasValues()) {
        this.el.innerHTML = '<p class="muted">not recorded by this algorithm</p>';
        return;
      }
      if (this.plot === null) {
        this.el.innerHTML = '';
        const opts = {
          width: Math.max(300, this.el.clientWidth),
          height: 260,
          scales: { x: { time: false } },
          axes: [{ label: 'env steps' }, { size: 70 }],
          series: [
            { label: 'steps' },
            ...this.spec.series.map(([name], i) => ({
              label: name,
              stroke: COLORS[i % COLORS.length],
              width: 1.5,
              spanGaps: true,
              points: { show: i === 1 && this.spec.key === 'return' },
              value: (_u, v) => format.short(v),
            })),
          ],
        };
        this.plot = new uPlot(opts, this.data, this.el);
      } else {
        this.plot.setData(this.data);
      }
    }
  }

  function runsList(runs) {
    if (runs.length === 0)
      return '<p class="muted">No training runs under models/ yet: <code>npx tg4 train --env CartPole-v1 --agent ppo</code>.</p>';
    const rows = runs
      .map(
        (r) =>
          `<tr><td class="text"><a href="#/run/${esc(r.id)}">${esc(r.id)}</a></td><td class="text">${esc(r.algo ?? '')}</td>` +
          `<td class="text">${esc(r.envId ?? '')}</td><td class="text"><span class="badge ${esc(r.status)}">${esc(r.status)}</span></td>` +
          `<td>${esc(format.time(r.updated))}</td></tr>`,
      )
      .join('');
    return `<table id="runs"><thead><tr><th>run</th><th class="text">algo</th><th class="text">env</th><th class="text">status</th><th>updated (UTC)</th></tr></thead><tbody>${rows}</tbody></table>`;
  }

  function badLinesBox(bad) {
    if (bad.length === 0) return '';
    const items = bad.map((b) => `<pre>line ${b.line}: ${esc(b.reason)}\n  ${esc(b.text)}</pre>`).join('');
    return `<strong>${bad.length} line(s) of metrics.jsonl could not be read and are left out:</strong>${items}`;
  }

  function latestTable(points) {
    const p = points.at(-1);
    if (p === undefined) return '<p class="muted">no points yet</p>';
    const rows = [
      ['steps', format.integer(p.steps)],
      ['updates', format.integer(p.updates)],
      ['episodes', format.integer(p.episodes)],
      ['mean return (last 100)', format.short(p.meanReturn)],
      ['last evaluation', p.eval ? `${format.short(p.eval.mean)} ± ${format.short(p.eval.std)}` : 'n/a'],
      ['steps/s', format.decimal(p.stepsPerS, 0)],
      ...Object.entries(p.losses ?? {}).map(([k, v]) => [k, format.short(v)]),
    ];
    return `<table id="latest"><tbody>${rows.map(([k, v]) => `<tr><th class="text">${esc(k)}</th><td data-key="${esc(k)}">${esc(v)}</td></tr>`).join('')}</tbody></table>`;
  }

  /** Renders run `id` into `main`; returns a cleanup function. */
  async function showRun(main, id) {
    const run = await TG4.api(`runs/${id}`);
    const points = run.points;
    const bad = [...run.badLines];
    const m = run.manifest;
    const oos = run.files.some((f) => f.endsWith('/oos/report.html'))
      ? ` · <a href="#/backtest/models/${esc(run.id)}/oos">out-of-sample backtest</a>`
      : '';
    const files = run.files
      .map((f) => `<a href="/files/models/${esc(f)}" target="_blank">${esc(f.split('/').pop())}</a>`)
      .join(' · ');
    main.innerHTML =
      `<h1>${esc(run.id)} <span id="run-status" class="badge ${esc(run.status)}">${esc(run.status)}</span></h1>` +
      `<p class="muted">${esc(run.algo ?? '')}${run.envId ? ` on ${esc(run.envId)}` : ''}` +
      (m
        ? `, seed ${esc(m.seed)}, ${esc(m.backend ?? '')}, created ${esc(m.created ?? '')}`
        : ', no manifest yet (training, or cut off)') +
      `</p><p>${files}${oos}</p><div id="bad-lines" class="warn" hidden></div>` +
      '<div class="grid" id="curves"></div>';
    const grid = main.querySelector('#curves');
    const badBox = main.querySelector('#bad-lines');
    let charts = [];
    let shape = '';
    /** (Re)builds the charts when the set of curves changes (a run's first points name its losses). */
    const build = () => {
      const specs = curveSpecs(points);
      const keys = specs.map((x) => x.key).join(',');
      if (keys === shape) return;
      shape = keys;
      grid.innerHTML = '';
      charts = specs.map((spec) => {
        const card = document.createElement('div');
        card.className = 'card';
        card.innerHTML = `<h3>${esc(spec.title)}</h3><div class="chart" data-chart="${spec.key}"></div>`;
        grid.append(card);
        const c = new CurveChart(card.querySelector('.chart'), spec);
        c.append(points);
        TG4.charts[spec.key] = c;
        return c;
      });
      const latest = document.createElement('div');
      latest.className = 'card';
      latest.innerHTML = '<h3>Latest values</h3><div id="latest-box"></div>';
      grid.append(latest);
    };
    const refresh = () => {
      for (const c of charts) c.draw();
      main.querySelector('#latest-box').innerHTML = latestTable(points);
      badBox.hidden = bad.length === 0;
      badBox.innerHTML = badLinesBox(bad);
    };
    build();
    refresh();
    // Live: the server sends every point from the start (reset), then each appended one.
    return TG4.subscribe('runs', id, (msg) => {
      if (msg.type !== 'points') return;
      if (msg.reset) {
        points.length = 0;
        bad.length = 0;
        for (const c of charts) c.data.forEach((col) => (col.length = 0));
      }
      points.push(...msg.points);
      // Bad lines the snapshot reported are kept (a truncated last line is only reported once the file is complete).
      for (const b of [...run.badLines, ...msg.badLines]) if (!bad.some((x) => x.line === b.line)) bad.push(b);
      const before = shape;
      build();
      if (shape === before) for (const c of charts) c.append(msg.points);
      if (msg.points.length > 0 && run.status !== 'finished')
        main.querySelector('#run-status').textContent = 'training';
      refresh();
    });
  }

  TG4.views.runs = { runsList, showRun };
})();
