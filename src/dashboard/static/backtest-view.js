// The backtest panel, also inlined into the static report.html: metrics table, equity and drawdown of the policy
// against the baselines, the price chart with the policy's entries and exits (TradingView lightweight-charts), and the
// trade list. Reads one backtest.json (format tg4-backtest/1: numbers, fractions for ratios, times in ms).
(() => {
  window.TG4 ??= { charts: {}, views: {} };
  const TG4 = window.TG4;
  const { esc, format } = TG4;
  const COLORS = ['#2962ff', '#ff6d00', '#2e7d32', '#c62828', '#6a1b9a', '#00838f', '#8d6e63'];
  /** Annualised figures: hidden when the range is too short for them to mean anything. */
  const ANNUALISED = new Set(['annualizedReturn', 'sharpe', 'sortino', 'calmar']);
  const METRICS = [
    ['final equity', 'finalEquity', 'decimal'],
    ['total return', 'totalReturn', 'percent'],
    ['annualised return', 'annualizedReturn', 'percent'],
    ['max drawdown', 'maxDrawdown', 'percent'],
    ['sharpe (annualised)', 'sharpe', 'decimal'],
    ['sortino (annualised)', 'sortino', 'decimal'],
    ['calmar', 'calmar', 'decimal'],
    ['trades', 'trades', 'integer'],
    ['win rate', 'winRate', 'percent'],
    ['profit factor', 'profitFactor', 'decimal'],
    ['fees paid', 'feesPaid', 'decimal'],
    ['time in market', 'exposure', 'percent'],
    ['turnover', 'turnover', 'decimal'],
    ['bars', 'bars', 'integer'],
  ];
  const sec = (ms) => Math.floor(ms / 1000);
  const MAX_LABELLED_TRADES = 40;

  function metricsTable(data) {
    const head = `<tr><th>metric</th>${data.runs.map((r) => `<th>${esc(r.name)}</th>`).join('')}</tr>`;
    const rows = METRICS.map(([label, key, kind]) => {
      const cells = data.runs.map((r) => {
        if (ANNUALISED.has(key) && !data.annualisedMeaningful)
          return `<td data-metric="${key}" class="flag" title="the range is too short for an annualised figure">n/a (short range)</td>`;
        const v = r.metrics[key];
        const cls = key === 'totalReturn' && Number.isFinite(v) ? (v >= 0 ? 'pos' : 'neg') : '';
        return `<td data-metric="${key}" class="${cls}">${esc(format[kind](v))}</td>`;
      });
      return `<tr><td>${esc(label)}</td>${cells.join('')}</tr>`;
    });
    return `<table id="metrics"><thead>${head}</thead><tbody>${rows.join('')}</tbody></table>`;
  }

  function tradeTable(run) {
    if (run.trades.length === 0) return '<p class="muted">no trades</p>';
    const rows = run.trades
      .map(
        (t, i) =>
          `<tr><td>${i + 1}</td><td class="text">${t.side}</td><td>${esc(format.time(t.entryTime))}</td><td>${esc(format.decimal(t.entryPrice))}</td>` +
          `<td>${t.exitTime === null ? 'open' : esc(format.time(t.exitTime))}</td><td>${esc(format.decimal(t.exitPrice))}</td>` +
          `<td class="text">${esc(t.exitReason ?? '')}</td><td>${esc(format.short(t.qty))}</td><td>${esc(format.decimal(t.fees))}</td>` +
          `<td class="${t.pnl >= 0 ? 'pos' : 'neg'}">${esc(format.decimal(t.pnl))}</td><td class="${t.pnl >= 0 ? 'pos' : 'neg'}">${esc(format.percent(t.returnFraction))}</td></tr>`,
      )
      .join('');
    return (
      '<div class="scroll"><table id="trades"><thead><tr><th>#</th><th class="text">side</th><th>entry (UTC)</th><th>entry price</th>' +
      '<th>exit (UTC)</th><th>exit price</th><th class="text">exit by</th><th>qty</th><th>fees</th><th>PnL</th><th>return</th></tr></thead>' +
      `<tbody>${rows}</tbody></table></div>`
    );
  }

  function legend(runs) {
    return `<div class="legend">${runs.map((r, i) => `<span><i style="background:${COLORS[i % COLORS.length]}"></i>${esc(r.name)}</span>`).join('')}</div>`;
  }

  function newChart(el) {
    return LightweightCharts.createChart(el, {
      autoSize: true,
      layout: { background: { color: '#ffffff' }, textColor: '#1d2330', attributionLogo: false },
      grid: { vertLines: { color: '#f0f1f4' }, horzLines: { color: '#f0f1f4' } },
      // A small minimum bar spacing lets fitContent show a whole range of thousands of bars.
      timeScale: { timeVisible: true, secondsVisible: false, minBarSpacing: 0.001 },
      rightPriceScale: { borderVisible: false },
    });
  }

  /** Equity points as lightweight-charts line data (seconds; a repeated bar time keeps its last value). */
  function lineData(time, values) {
    const out = [];
    for (let i = 0; i < time.length; i++) {
      const t = sec(time[i]);
      if (out.length > 0 && out[out.length - 1].time >= t) out[out.length - 1].value = values[i];
      else out.push({ time: t, value: values[i] });
    }
    return out;
  }

  function drawdown(equity) {
    let peak = -Infinity;
    return equity.map((e) => {
      peak = Math.max(peak, e);
      return peak > 0 ? e / peak - 1 : 0;
    });
  }

  /** The candle holding bar time t (candles may merge several bars). */
  function candleTime(times, t) {
    let lo = 0;
    let hi = times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (times[mid] <= t) lo = mid;
      else hi = mid - 1;
    }
    return times[lo];
  }

  /** Entry and exit markers of the trades, on the candles they happened in. */
  function tradeMarkers(prices, trades) {
    const times = prices.time.map(sec);
    const marks = [];
    // Prices on every marker only while they stay readable; the trade list has them all.
    const label = trades.length <= MAX_LABELLED_TRADES;
    for (const t of trades) {
      const long = t.side === 'long';
      marks.push({
        time: candleTime(times, sec(t.entryTime)),
        position: long ? 'belowBar' : 'aboveBar',
        color: long ? '#2e7d32' : '#c62828',
        shape: long ? 'arrowUp' : 'arrowDown',
        text: label ? `${long ? 'buy' : 'sell'} ${format.decimal(t.entryPrice)}` : '',
      });
      if (t.exitTime !== null)
        marks.push({
          time: candleTime(times, sec(t.exitTime)),
          position: long ? 'aboveBar' : 'belowBar',
          color: '#37474f',
          shape: 'circle',
          text: label
            ? `exit ${format.decimal(t.exitPrice)}${t.exitReason && t.exitReason !== 'order' ? ` (${t.exitReason})` : ''}`
            : '',
        });
    }
    return marks.sort((a, b) => a.time - b.time);
  }

  /** Price chart with the trades of `run` drawn on it; the chart is kept as TG4.charts.price. */
  function drawPriceChart(el, prices, run) {
    const chart = newChart(el);
    const candles = chart.addSeries(LightweightCharts.CandlestickSeries, {
      upColor: '#26a69a',
      downColor: '#ef5350',
      borderVisible: false,
      wickUpColor: '#26a69a',
      wickDownColor: '#ef5350',
    });
    candles.setData(
      prices.time.map((t, i) => ({
        time: sec(t),
        open: prices.open[i],
        high: prices.high[i],
        low: prices.low[i],
        close: prices.close[i],
      })),
    );
    const markers = LightweightCharts.createSeriesMarkers(candles, tradeMarkers(prices, run.trades));
    chart.timeScale().fitContent();
    TG4.charts.price = { chart, candles, markers };
    return chart;
  }

  function drawLines(el, runs, values, key, priceFormatter) {
    const chart = newChart(el);
    chart.applyOptions({ localization: { priceFormatter } });
    const series = runs.map((r, i) => {
      const s = chart.addSeries(LightweightCharts.LineSeries, {
        color: COLORS[i % COLORS.length],
        lineWidth: i === 0 ? 2 : 1,
        title: r.name,
      });
      s.setData(lineData(r.time, values(r)));
      return s;
    });
    chart.timeScale().fitContent();
    TG4.charts[key] = { chart, series };
  }

  /** Renders a whole backtest into `el` (the dashboard's view; the static report draws only the price chart). */
  function renderBacktest(el, data) {
    const first = data.runs[0];
    const span = `${format.time(data.rangeStart)} → ${format.time(data.rangeEnd)} UTC`;
    el.innerHTML =
      `<h1>${esc(data.title)}</h1><p class="muted">${esc(data.description)}</p>` +
      `<p><strong>${esc(data.symbol)}</strong> ${esc(data.timeframe)}, ${esc(span)}` +
      (data.annualisedMeaningful ? '' : ' <span class="flag">(range too short: annualised figures not shown)</span>') +
      `</p><h2>Metrics</h2>${metricsTable(data)}` +
      `<div class="grid"><div class="card"><h3>Equity</h3>${legend(data.runs)}<div class="chart lw" id="equity-chart"></div></div>` +
      `<div class="card"><h3>Drawdown</h3>${legend(data.runs)}<div class="chart lw" id="drawdown-chart"></div></div></div>` +
      `<h2>Price and trades of ${esc(first?.name ?? '')}</h2>` +
      (data.prices && data.prices.barsPerCandle > 1
        ? `<p class="flag">each candle merges ${data.prices.barsPerCandle} bars</p>`
        : '') +
      '<div class="card"><div class="chart tall" id="price-chart"></div></div>' +
      `<h2>Trades of ${esc(first?.name ?? '')} (${first?.trades.length ?? 0})</h2>${first ? tradeTable(first) : ''}`;
    drawLines(
      el.querySelector('#equity-chart'),
      data.runs,
      (r) => r.equity,
      'equity',
      (v) => v.toFixed(2),
    );
    drawLines(
      el.querySelector('#drawdown-chart'),
      data.runs,
      (r) => drawdown(r.equity),
      'drawdown',
      (v) => format.percent(v, 1),
    );
    if (data.prices && first) drawPriceChart(el.querySelector('#price-chart'), data.prices, first);
  }

  function backtestsList(items) {
    if (items.length === 0)
      return '<p class="muted">No backtests under reports/ yet: <code>npx tg4 backtest --policy ema-trend-flip --range test --out reports/ema</code>.</p>';
    const rows = items
      .map((b) => {
        if (b.error)
          return `<tr><td class="text">${esc(b.id)}</td><td class="text neg" colspan="5">${esc(b.error)}</td></tr>`;
        const r = b.runs[0];
        const ret = r ? r.totalReturn : null;
        return (
          `<tr><td class="text"><a href="#/backtest/${esc(b.id)}">${esc(b.id)}</a></td><td class="text">${esc(b.symbol)} ${esc(b.timeframe)}</td>` +
          `<td class="text">${esc(b.runs.map((x) => x.name).join(' vs '))}</td>` +
          `<td class="${ret >= 0 ? 'pos' : 'neg'}">${esc(format.percent(ret))}</td><td>${esc(format.percent(r?.maxDrawdown))}</td>` +
          `<td>${esc(format.time(b.rangeStart))} → ${esc(format.time(b.rangeEnd))}</td></tr>`
        );
      })
      .join('');
    return (
      '<table id="backtests"><thead><tr><th>backtest</th><th class="text">market</th><th class="text">policies</th><th>return</th>' +
      `<th>max DD</th><th>range (UTC)</th></tr></thead><tbody>${rows}</tbody></table>`
    );
  }

  TG4.views.backtests = { backtestsList, renderBacktest, drawPriceChart };
})();
