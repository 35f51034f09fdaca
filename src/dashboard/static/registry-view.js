// The registry panel: models, their versions (sealed or not), aliases, and the audit log of alias moves with each
// gate's verdict and report (src/dashboard/sources/registry.ts).
(() => {
  window.TG4 ??= { charts: {}, views: {} };
  const TG4 = window.TG4;
  const { esc, format } = TG4;

  function models(list) {
    if (list.length === 0)
      return '<p class="muted" id="registry-empty">No models in the registry under models/ yet.</p>';
    const rows = list
      .map(
        (m) =>
          `<tr><td class="text"><a href="#/registry/${esc(m.name)}">${esc(m.name)}</a></td><td>${m.versions}</td>` +
          `<td class="text">${Object.entries(m.aliases)
            .map(([a, v]) => `<span class="badge">${esc(a)} → ${esc(v)}</span>`)
            .join(' ')}</td><td>${esc(m.lastMove ?? '')}</td></tr>`,
      )
      .join('');
    return `<table id="registry-models"><thead><tr><th>model</th><th>versions</th><th class="text">aliases</th><th>last alias move</th></tr></thead><tbody>${rows}</tbody></table>`;
  }

  function model(m) {
    const versions = m.versions
      .map(
        (v) =>
          `<tr><td class="text">${esc(v.version)}</td><td class="text">${v.aliases.map((a) => `<span class="badge">${esc(a)}</span>`).join(' ')}</td>` +
          `<td class="text">${esc(v.algo ?? '')}</td><td>${esc(v.created ?? '')}</td><td>${esc(format.short(v.finalEval))}</td>` +
          `<td class="text ${v.seal === 'sealed' ? 'pos' : v.seal === 'unsealed' ? '' : 'neg'}">${esc(v.seal)}</td></tr>`,
      )
      .join('');
    const history = [...m.history]
      .reverse()
      .map(
        (h) =>
          `<tr><td>${esc(h.time)}</td><td class="text">${esc(h.alias)}</td><td class="text">${esc(h.action)}</td>` +
          `<td class="text">${esc(h.from ?? '—')} → ${esc(h.to ?? '—')}</td><td class="text">${esc(h.reason)}</td>` +
          `<td class="text ${h.gate ? (h.gate.passed ? 'pos' : 'neg') : ''}">${h.gate ? (h.gate.passed ? 'passed' : 'failed') : 'no gate'}${h.forced ? ' (forced)' : ''}` +
          `${h.gateReport ? ` · <a href="/files/models/${esc(h.gateReport)}" target="_blank">report</a>` : ''}</td></tr>`,
      )
      .join('');
    const pct = (x) => (Number.isFinite(x) ? `${(x * 100).toFixed(2)}%` : '');
    const ab = (m.ab ?? [])
      .map(
        (r) =>
          `<tr><td>${esc(r.time)}</td><td class="text">${esc(r.a.resolved)} vs ${esc(r.b.resolved)}</td><td class="text">${esc(r.range)}</td>` +
          `<td>${r.bars}</td><td>${pct(r.a.totalReturn)} / ${pct(r.b.totalReturn)}</td>` +
          `<td>${esc(r.difference.mean.toExponential(2))} [${esc(r.difference.low.toExponential(2))}, ${esc(r.difference.high.toExponential(2))}]</td>` +
          `<td>${esc(r.difference.pValue.toFixed(4))}</td><td class="text">${esc(r.verdict)} · <a href="/files/models/${esc(r.file)}" target="_blank">report</a></td></tr>`,
      )
      .join('');
    return (
      `<h1>${esc(m.name)}</h1><h2>Versions</h2><table id="registry-versions"><thead><tr><th>version</th><th class="text">aliases</th>` +
      `<th class="text">algo</th><th>created</th><th>final eval</th><th class="text">seal</th></tr></thead><tbody>${versions}</tbody></table>` +
      `<h2>Alias history</h2>${
        history
          ? `<table id="registry-history"><thead><tr><th>time</th><th class="text">alias</th><th class="text">action</th><th class="text">move</th><th class="text">reason</th><th class="text">gate</th></tr></thead><tbody>${history}</tbody></table>`
          : '<p class="muted">no alias moves yet</p>'
      }<h2>A/B tests</h2>${
        ab
          ? `<table id="registry-ab"><thead><tr><th>time</th><th class="text">A vs B</th><th class="text">range</th><th>bars</th><th>return A / B</th><th>mean A − B per bar [95%]</th><th>p (A better)</th><th class="text">verdict</th></tr></thead><tbody>${ab}</tbody></table>`
          : '<p class="muted">none yet: <code>tg4 models ab A B</code></p>'
      }`
    );
  }

  async function show(main, id) {
    main.innerHTML = id
      ? model(await TG4.api(`registry/${id}`))
      : `<h1>Model registry</h1>${models(await TG4.api('registry'))}`;
    return null;
  }

  TG4.views.registry = { title: 'Registry', show };
})();
