// The live panel: the paper (or live) loop as its JSONL logs tell it — feed health, positions, equity per strategy,
// recent decisions and fills — re-drawn on every state the server pushes (src/dashboard/sources/live.ts).
(() => {
  window.TG4 ??= { charts: {}, views: {} };
  const TG4 = window.TG4;
  const { esc, format } = TG4;
  const COLORS = ['#2962ff', '#ff6d00', '#2e7d32', '#c62828', '#6a1b9a', '#00838f'];

  const table = (id, head, rows) =>
    rows.length === 0
      ? `<p class="muted" id="${id}-empty">none yet</p>`
      : `<div class="scroll"><table id="${id}"><thead><tr>${head.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>` +
        `<tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table></div>`;

  function render(main, s) {
    const feed = s.feed;
    const cls = feed.status === 'connected' ? 'training' : feed.status === 'unknown' ? '' : 'stopped';
    main.querySelector('#live-head').innerHTML =
      `Feed <span id="feed-status" class="badge ${cls}">${esc(feed.status)}</span>` +
      (feed.since ? ` since ${esc(format.time(feed.since))} UTC` : '') +
      ` · last event ${esc(format.time(s.lastEvent))} UTC`;
    const bad = main.querySelector('#live-bad');
    bad.hidden = s.badLines.length === 0;
    bad.innerHTML = s.badLines.map((b) => `<pre>${esc(b.file)} line ${b.line}: ${esc(b.reason)}</pre>`).join('');
    main.querySelector('#positions-box').innerHTML = table(
      'positions',
      ['strategy', 'symbol', 'size', 'last fill price', 'updated (UTC)'],
      s.positions.map((p) => [
        p.strategy,
        p.symbol,
        format.short(p.size),
        format.decimal(p.lastFillPrice),
        format.time(p.updated),
      ]),
    );
    main.querySelector('#fills-box').innerHTML = table(
      'fills',
      ['time (UTC)', 'strategy', 'symbol', 'side', 'size', 'price', 'fee', 'by', 'position after'],
      [...s.fills]
        .reverse()
        .map((f) => [
          format.time(f.time),
          f.strategy,
          f.symbol,
          f.side,
          format.short(f.size),
          format.decimal(f.price),
          format.decimal(f.fee, 4),
          f.reason,
          format.short(f.positionAfter),
        ]),
    );
    main.querySelector('#decisions-box').innerHTML = table(
      'decisions',
      ['time (UTC)', 'strategy', 'symbol', 'action', 'price', 'target exposure', 'equity'],
      [...s.decisions]
        .reverse()
        .map((d) => [
          format.time(d.time),
          d.strategy,
          d.symbol,
          d.action,
          format.decimal(d.price),
          format.short(d.targetExposure),
          format.decimal(d.equity),
        ]),
    );
    main.querySelector('#feed-box').innerHTML = table(
      'feed-events',
      ['time (UTC)', 'level', 'message'],
      [...feed.events].reverse().map((e) => [format.time(e.time), e.level, e.message]),
    );
    drawEquity(main.querySelector('#live-equity'), s.equity);
  }

  /** Equity per strategy on one time axis (uPlot; x in seconds). */
  function drawEquity(el, equity) {
    const names = Object.keys(equity).sort();
    if (names.length === 0) {
      el.innerHTML = '<p class="muted">no decisions yet</p>';
      return;
    }
    const times = [...new Set(names.flatMap((n) => equity[n].time))].sort((a, b) => a - b);
    const data = [times.map((t) => t / 1000)];
    for (const n of names) {
      const at = new Map(equity[n].time.map((t, i) => [t, equity[n].equity[i]]));
      data.push(times.map((t) => at.get(t) ?? null));
    }
    const prev = TG4.charts.liveEquity;
    if (prev && prev.names.join() === names.join()) {
      prev.plot.setData(data);
      prev.data = data;
      return;
    }
    prev?.plot.destroy();
    el.innerHTML = '';
    const plot = new uPlot(
      {
        width: Math.max(300, el.clientWidth),
        height: 260,
        series: [
          {},
          ...names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: 1.5, spanGaps: true })),
        ],
        axes: [{}, { size: 80 }],
        // Times in UTC, as everywhere on the page.
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'),
      },
      data,
      el,
    );
    TG4.charts.liveEquity = { plot, names, data };
  }

  async function show(main) {
    main.innerHTML =
      '<h1>Live loop</h1><p id="live-head" class="muted"></p><div id="live-bad" class="warn" hidden></div>' +
      '<div class="grid"><div class="card"><h3>Positions</h3><div id="positions-box"></div></div>' +
      '<div class="card"><h3>Equity</h3><div class="chart" id="live-equity"></div></div></div>' +
      '<h2>Recent fills</h2><div id="fills-box"></div><h2>Recent decisions</h2><div id="decisions-box"></div>' +
      '<h2>Feed</h2><div id="feed-box"></div>';
    const list = await TG4.api('live');
    if (list.length === 0) {
      main.innerHTML =
        '<h1>Live loop</h1><p class="muted" id="live-none">No live loop logs yet (tg4 live writes them under runs/live/; tg4 dashboard --logs names another folder).</p>';
      return null;
    }
    render(main, await TG4.api('live/logs'));
    return TG4.subscribe('live', 'logs', (msg) => {
      if (msg.type === 'state') render(main, msg.state);
    });
  }

  TG4.views.live = { title: 'Live', show };
})();
